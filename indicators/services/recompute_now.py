"""A recompute started by hand for the provinces an import changed (the import page's button).

It reuses the nightly machinery: ``recompute.run_create`` makes a run that recomputes the named
provinces and serves the current run's snapshots of the rest, and ``tasks.recompute_enqueue`` sends its chunks
to the Celery workers once the run is committed; the last chunk publishes it (DESIGN §6).
"""

from django.db import transaction

from households.importing.commit import batch_periods
from households.models import ImportBatch
from indicators.models import ComputationRun
from indicators.services import inputs
from indicators.services.recompute import RecomputeError, run_create

TRIGGER = "import"


def batch_recompute_start(*, batch: ImportBatch) -> tuple[list[ComputationRun], list[str]]:
    """Start a run per survey year of a committed batch, recomputing the provinces it changed.

    The caller checks the user's right (``households.selectors.import_batch_recompute_allowed``).

    Args:
        batch: a committed batch; its provinces and years are in ``previous_rows`` (``commit``).

    Returns:
        ``(runs, problems)``: the runs created (their chunks are sent to the workers when the
        caller's transaction commits; ``trigger`` is ``"import"``) and, for a year that could not
        be recomputed, the reason (no surveys, no poverty line: ``RecomputeError``).

    Raises:
        ValueError: the batch is not committed.
    """
    from indicators.tasks import recompute_enqueue  # the tasks module imports the services

    if batch.status != ImportBatch.Status.COMMITTED:
        raise ValueError(f"batch {batch.pk} is {batch.status}, not committed")
    changed = batch.previous_rows.get("provinces", [])
    runs, problems = [], []
    for period in batch.previous_rows.get("periods") or batch_periods(batch):
        provinces = [p for p in inputs.provinces_with_surveys(period=period) if p in changed]
        if not provinces:
            continue  # e.g. households without surveys of that year: nothing to score
        try:
            with transaction.atomic():
                run = run_create(period=period, provinces=provinces, trigger=TRIGGER)  # named: never None
                recompute_enqueue(run_id=run.pk)
        except RecomputeError as error:
            problems.append(str(error))
            continue
        runs.append(run)
    return runs, problems

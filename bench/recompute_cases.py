"""The incremental cases of ``bench_recompute.py`` (issue 16): a night without change, one village edited.

Imported by the benchmark after ``django.setup()``; each returns what it measured.
"""

import time

from django.db.models import F

from households.models import Household, HouseholdSurvey
from households.services.registry import changes_mark
from indicators.models import ComputationRun, HouseholdScore, Methodology
from indicators.services import recompute as recompute_module


def noop(methodology: Methodology | None, jobs: int, *, period: int) -> tuple[float, bool]:
    """Time a recompute with nothing changed since the current run; returns seconds and whether a
    new run was made (it must not be)."""
    runs = ComputationRun.objects.count()
    start = time.perf_counter()
    recompute_module.recompute(period=period, methodology=methodology, jobs=jobs)
    seconds = time.perf_counter() - start
    return seconds, ComputationRun.objects.count() != runs


def one_village(methodology: Methodology | None, jobs: int, *, period: int, province: str) -> dict[str, float]:
    """Edit one household survey of one village in ``province`` (through the change log, as
    every write does), then time the nightly recompute; returns the run's seconds, the seconds of
    computing that province alone (its chunk, from the chunk's start to its end, in the same run),
    the province's households and the rows the run wrote."""
    household = (
        Household.objects.filter(region__province_code=province, surveys__period_id=period).order_by("pk").first()
    )
    HouseholdSurvey.objects.filter(household=household, period_id=period).update(wage_income=F("wage_income") + 100)
    changes_mark(province_code=province, periods=[period])
    rows_before = HouseholdScore.objects.count()
    start = time.perf_counter()
    run = recompute_module.recompute(period=period, methodology=methodology, jobs=jobs)
    seconds = time.perf_counter() - start
    chunk = run.chunks.get(province_code=province)
    assert not chunk.copied and run.chunks.filter(copied=False).count() == 1, "only the edited province"
    alone = (chunk.finished_at - chunk.started_at).total_seconds()
    written = HouseholdScore.objects.count() - rows_before
    return {"seconds": seconds, "province": alone, "households": chunk.households, "written": written}

"""Celery tasks of the households app: the check of a large import upload (``importing.background``)
and the nightly purge of expired import files (beat, 03:30).

Tasks take ids. The check is acknowledged late but not handed to another worker when its worker dies
(``reject_on_worker_lost`` off): a file that killed one worker must not kill the next; the batch is
then recorded as rejected once the hard time limit has passed (``background.batch_progress``).
"""

from celery import shared_task
from django.conf import settings

from households.importing import background
from households.importing.originals import originals_purge, originals_secure


@shared_task(acks_late=True)
def import_originals_purge() -> int:
    """``manage.py purge_import_originals`` as a task: returns how many files were purged."""
    purged = originals_purge()
    originals_secure()
    return purged


@shared_task(
    acks_late=True,
    reject_on_worker_lost=False,
    soft_time_limit=settings.TUOPIN_IMPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.TUOPIN_IMPORT_TASK_TIME_LIMIT,
)
def import_validate_batch(batch_id: int, sheet: str | None = None, language: str | None = None, commit: bool = False):
    """Validate the kept file of a ``validating`` batch (and commit it when asked and valid)."""
    background.batch_validate(batch_id=batch_id, sheet=sheet, language=language, commit=commit)

"""Celery tasks of the households app: the nightly purge of expired import files (beat, 03:30)."""

from celery import shared_task

from households.importing.originals import originals_purge, originals_secure


@shared_task(acks_late=True)
def import_originals_purge() -> int:
    """``manage.py purge_import_originals`` as a task: returns how many files were purged."""
    purged = originals_purge()
    originals_secure()
    return purged

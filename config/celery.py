"""The Celery app: configured from Django settings (``CELERY_*``), tasks found in each app.

The beat schedule lives here, in code, so every deployment runs the same jobs; the scoring issue
runs the nightly recompute (02:00 Asia/Shanghai), and expired import files are purged at 03:30.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("tuopin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def beat_schedule() -> dict[str, dict]:
    """Periodic jobs, by name: the nightly recompute at 02:00 Asia/Shanghai (``CELERY_TIMEZONE``) and
    the purge of import files past ``TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS`` at 03:30."""
    from django.conf import settings

    every = settings.TUOPIN_RECOMPUTE_EVERY_SECONDS
    schedule = every if every else crontab(hour=settings.TUOPIN_RECOMPUTE_HOUR, minute=0)
    return {
        "recompute-nightly": {"task": "indicators.tasks.recompute_nightly", "schedule": schedule},
        "import-originals-purge": {
            "task": "households.tasks.import_originals_purge",
            "schedule": crontab(hour=3, minute=30),
        },
    }


@app.on_after_configure.connect
def _install_beat_schedule(sender, **kwargs):
    sender.conf.beat_schedule = beat_schedule()

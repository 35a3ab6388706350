"""The Celery app: configured from Django settings (``CELERY_*``), tasks found in each app.

The beat schedule lives here, in code, so every deployment runs the same jobs; the scoring issue
runs the nightly recompute (02:00 Asia/Shanghai), expired import files are purged at 03:30 and
score snapshots no run serves any more at 04:00. The recompute watchdog runs every few minutes
(``TUOPIN_RECOMPUTE_WATCHDOG_EVERY_SECONDS``).
"""

import datetime as dt
import os
from zoneinfo import ZoneInfo

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("tuopin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def beat_schedule() -> dict[str, dict]:
    """Periodic jobs, by name: the nightly recompute at 02:00 Asia/Shanghai (``CELERY_TIMEZONE``), the
    purge of import files past ``TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS`` at 03:30, the retention of
    score snapshots (``TUOPIN_RUN_RETENTION_DAYS``) at 04:00, and the recompute watchdog (lost chunks
    sent again: ``indicators.services.recompute_watchdog``) every ``TUOPIN_RECOMPUTE_WATCHDOG_EVERY_SECONDS``."""
    from django.conf import settings

    every = settings.TUOPIN_RECOMPUTE_EVERY_SECONDS
    schedule = every if every else crontab(hour=settings.TUOPIN_RECOMPUTE_HOUR, minute=0)
    return {
        "recompute-nightly": {"task": "indicators.tasks.recompute_nightly", "schedule": schedule},
        "import-originals-purge": {
            "task": "households.tasks.import_originals_purge",
            "schedule": crontab(hour=3, minute=30),
        },
        "snapshots-prune": {"task": "indicators.tasks.snapshots_prune", "schedule": crontab(hour=4, minute=0)},
        "recompute-watchdog": {
            "task": "indicators.tasks.recompute_watchdog",
            "schedule": settings.TUOPIN_RECOMPUTE_WATCHDOG_EVERY_SECONDS,
        },
    }


def nightly_recompute_next(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the beat schedule's nightly recompute fires next, after ``now`` (default: now), as an
    aware datetime in ``CELERY_TIMEZONE``; ``None`` when the schedule is an interval
    (``TUOPIN_RECOMPUTE_EVERY_SECONDS``: see ``nightly_recompute_every``). Read from
    ``beat_schedule()``, so a page that names the time names the one beat uses."""
    from django.conf import settings

    schedule = beat_schedule()["recompute-nightly"]["schedule"]
    if not isinstance(schedule, crontab):
        return None
    zone = ZoneInfo(settings.CELERY_TIMEZONE)
    local = (now or dt.datetime.now(dt.UTC)).astimezone(zone)
    for days in range(0, 8):
        day = local.date() + dt.timedelta(days=days)
        for hour in sorted(schedule.hour):
            for minute in sorted(schedule.minute):
                fires = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
                if fires > local and day.isoweekday() % 7 in schedule.day_of_week:
                    return fires
    return None


def nightly_recompute_every() -> int:
    """Seconds between two recomputes when the schedule is an interval, else 0."""
    schedule = beat_schedule()["recompute-nightly"]["schedule"]
    return 0 if isinstance(schedule, crontab) else int(schedule)


@app.on_after_configure.connect
def _install_beat_schedule(sender, **kwargs):
    sender.conf.beat_schedule = beat_schedule()

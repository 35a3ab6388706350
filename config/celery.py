"""The Celery app: configured from Django settings (``CELERY_*``), tasks found in each app.

The beat schedule lives here, in code, so every deployment runs the same jobs; the scoring issue
adds the nightly recompute (02:00 Asia/Shanghai).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("tuopin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

#: Periodic jobs, by name: {"task": dotted path, "schedule": crontab(...)}. Empty until scoring lands.
BEAT_SCHEDULE: dict[str, dict] = {}
app.conf.beat_schedule = BEAT_SCHEDULE

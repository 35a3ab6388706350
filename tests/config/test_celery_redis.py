"""A task travels through the real Redis broker to a real worker and back through the cache."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache

from config.celery import app


@app.task(name="tests.record_token")
def record_token(token: str) -> None:
    cache.set(f"celery-test:{token}", "done", timeout=60)


@pytest.fixture
def redis_broker():
    if (
        not settings.CELERY_BROKER_URL.startswith("redis://")
        or "RedisCache" not in settings.CACHES["default"]["BACKEND"]
    ):
        pytest.skip("needs CELERY_BROKER_URL and CACHE_URL on Redis (CI sets both)")


def test_task_runs_on_a_worker_through_redis(redis_broker):
    token = uuid.uuid4().hex
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = record_token.delay(token)
        assert type(result).__name__ == "AsyncResult"  # sent to the broker, not run eagerly
        deadline = time.monotonic() + 20
        while cache.get(f"celery-test:{token}") is None and time.monotonic() < deadline:
            time.sleep(0.1)
    assert cache.get(f"celery-test:{token}") == "done"

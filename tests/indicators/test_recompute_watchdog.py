"""The watchdog's rules (``indicators.services.recompute_watchdog``) on runs and chunks written by
hand, the broker's contents given (``BrokerHeld``), or read from a redis-server of the test's own."""

import datetime as dt
import importlib
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.db import connections

from config import celery as celery_config
from households.models import SurveyPeriod
from indicators import tasks
from indicators.models import ComputationRun, Methodology, RunChunk
from indicators.services import recompute_watchdog as watchdog
from indicators.services.recompute_watchdog import BrokerHeld
from tests.indicators.redis_server import RedisServer, app_broker, redis_server_binary

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)  # the messages were sent
PENDING = settings.TUOPIN_RECOMPUTE_STALL_PENDING_SECONDS
RUNNING = settings.TUOPIN_RECOMPUTE_STALL_SECONDS
NOTHING = BrokerHeld(chunk_ids=frozenset(), publish_run_ids=frozenset())


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture
def run():
    """A run of three provinces (15, 62, 64) whose chunks were sent through the broker at T0."""
    importlib.import_module("indicators.migrations.0002_methodology_v1_and_lines").forwards(apps, None)
    SurveyPeriod.objects.get_or_create(year=2020)
    run = ComputationRun.objects.create(
        period_id=2020, methodology=Methodology.objects.get(is_default=True), trigger="beat"
    )
    RunChunk.objects.bulk_create(RunChunk(run=run, province_code=p) for p in ("15", "62", "64"))
    watchdog.run_mark_enqueued(run_id=run.pk, now=T0)
    return run


def chunk_ids(run, *provinces) -> dict[str, int]:
    return dict(run.chunks.filter(province_code__in=provinces).values_list("province_code", "pk"))


def test_nothing_is_lost_while_the_broker_holds_every_chunk_however_long_it_waits(run):
    held = BrokerHeld(chunk_ids=frozenset(run.chunks.values_list("pk", flat=True)), publish_run_ids=frozenset())
    assert watchdog.runs_stalled(held=held, now=at(86400)) == []


def test_a_pending_chunk_without_a_message_is_lost_after_the_pending_threshold(run):
    RunChunk.objects.filter(run=run, province_code="15").update(
        status=RunChunk.Status.DONE, attempts=1, started_at=at(1), finished_at=at(5)
    )
    held = BrokerHeld(chunk_ids=frozenset(chunk_ids(run, "62").values()), publish_run_ids=frozenset())
    assert watchdog.runs_stalled(held=held, now=at(PENDING - 1)) == []
    (stall,) = watchdog.runs_stalled(held=held, now=at(PENDING + 1))
    assert (stall.run_id, stall.chunks, stall.publish) == (run.pk, chunk_ids(run, "64"), False)
    assert (stall.resent, stall.since) == ({"64": 0}, PENDING + 1)


def test_a_running_chunk_without_a_message_is_lost_only_past_the_hard_time_limit(run):
    """A worker whose broker restarted empty is still computing it: sending it again before its
    time limit could have ended it would start a second copy."""
    RunChunk.objects.filter(run=run).update(status=RunChunk.Status.DONE, finished_at=at(5))
    RunChunk.objects.filter(run=run, province_code="62").update(status=RunChunk.Status.RUNNING, started_at=at(10))
    assert RUNNING == settings.CELERY_TASK_TIME_LIMIT + 300
    assert watchdog.runs_stalled(held=NOTHING, now=at(10 + RUNNING - 1)) == []
    (stall,) = watchdog.runs_stalled(held=NOTHING, now=at(10 + RUNNING + 1))
    assert stall.chunks == chunk_ids(run, "62")


def test_a_run_done_but_unpublished_has_its_publish_sent_again_unless_the_broker_holds_it(run):
    RunChunk.objects.filter(run=run).update(status=RunChunk.Status.DONE, finished_at=at(60))
    assert watchdog.runs_stalled(held=NOTHING, now=at(60 + PENDING - 1)) == []
    (stall,) = watchdog.runs_stalled(held=NOTHING, now=at(60 + PENDING + 1))
    assert (stall.chunks, stall.publish, stall.targets) == ({}, True, ["publish"])
    queued = BrokerHeld(chunk_ids=frozenset(), publish_run_ids=frozenset({run.pk}))
    assert watchdog.runs_stalled(held=queued, now=at(86400)) == []


def test_runs_computed_in_process_published_or_failed_are_not_watched(run):
    """``manage.py recompute`` never marks its run (its pending chunks wait for its own loop)."""
    in_process = ComputationRun.objects.create(period_id=2020, methodology=run.methodology, trigger="command")
    RunChunk.objects.create(run=in_process, province_code="64")
    assert [s.run_id for s in watchdog.runs_stalled(held=NOTHING, now=at(86400))] == [run.pk]
    RunChunk.objects.filter(run=run, province_code="15").update(status=RunChunk.Status.FAILED)
    assert watchdog.runs_stalled(held=NOTHING, now=at(86400)) == []  # chunk_fail fails the run too
    RunChunk.objects.filter(run=run, province_code="15").update(status=RunChunk.Status.PENDING)
    for status in (ComputationRun.Status.PUBLISHED, ComputationRun.Status.FAILED):
        ComputationRun.objects.filter(pk=run.pk).update(status=status)
        assert watchdog.runs_stalled(held=NOTHING, now=at(86400)) == []


def test_run_resend_sends_after_the_commit_records_it_and_the_next_tick_waits_again(
    run, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks.recompute_chunk, "delay", lambda chunk_id: sent.append(chunk_id))
    (stall,) = watchdog.runs_stalled(held=NOTHING, now=at(PENDING + 1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert watchdog.run_resend(stall=stall, now=at(PENDING + 1)) == ["15", "62", "64"]
        assert sent == []  # not before the commit
    assert len(callbacks) == 1 and sorted(sent) == sorted(run.chunks.values_list("pk", flat=True))
    notes = ComputationRun.objects.get(pk=run.pk).notes["watchdog"]
    resent = [at(PENDING + 1).isoformat()]
    assert notes == {"enqueued_at": T0.isoformat(), "resent": {"15": resent, "62": resent, "64": resent}}

    # A second watchdog that found the same stall before the first sent it does nothing.
    assert watchdog.run_resend(stall=stall, now=at(PENDING + 2)) == []
    # The next tick counts from the re-send: lost again only a threshold later.
    assert watchdog.runs_stalled(held=NOTHING, now=at(2 * PENDING)) == []
    (again,) = watchdog.runs_stalled(held=NOTHING, now=at(2 * PENDING + 2))
    assert again.resent == {"15": 1, "62": 1, "64": 1}


def test_a_chunk_lost_again_after_the_resend_limit_fails_the_run(run, monkeypatch):
    monkeypatch.setattr(tasks.recompute_chunk, "delay", lambda chunk_id: None)
    RunChunk.objects.filter(run=run).exclude(province_code="64").update(status=RunChunk.Status.DONE, finished_at=at(1))
    now = PENDING + 1
    for _ in range(watchdog.RESEND_LIMIT):
        (stall,) = watchdog.runs_stalled(held=NOTHING, now=at(now))
        assert watchdog.run_resend(stall=stall, now=at(now)) == ["64"]
        now += PENDING + 1
    (stall,) = watchdog.runs_stalled(held=NOTHING, now=at(now))
    assert watchdog.run_resend(stall=stall, now=at(now)) == []
    run.refresh_from_db()
    assert run.status == ComputationRun.Status.FAILED
    assert run.error == (
        "The broker lost the tasks of 64 4 times (sent again by the recompute watchdog each time): given up."
    )


def test_the_watchdog_is_on_the_beat_schedule_every_few_minutes():
    job = celery_config.beat_schedule()["recompute-watchdog"]
    assert job == {"task": tasks.recompute_watchdog.name, "schedule": 300}
    assert settings.TUOPIN_RECOMPUTE_STALL_PENDING_SECONDS == 300


def test_docker_compose_redis_keeps_the_append_only_file_the_restart_drill_uses():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    redis = compose["services"]["redis"]
    command = " ".join(redis["command"])
    assert " ".join(RedisServer.AOF) in command and "--dir /data" in command
    assert redis["command"][redis["command"].index("--save") + 1] == ""  # no RDB snapshots besides
    assert redis["volumes"] == ["redis-data:/data"] and "redis-data" in compose["volumes"]
    environment = compose["x-tuopin-environment"]
    assert (environment["CELERY_BROKER_URL"], environment["CACHE_URL"]) == (
        "redis://redis:6379/0",
        "redis://redis:6379/1",
    )


def test_broker_held_reads_the_queued_and_the_unacknowledged_messages(tmp_path):
    """Real messages on a Redis of the test's own: queued at two priorities, one delivered and not
    acknowledged (a worker's), and a task of another kind, which holds nothing."""
    server = RedisServer(redis_server_binary(), tmp_path, persistent=False)
    server.start()
    try:
        with app_broker(server.url):
            tasks.recompute_chunk.delay(11)
            tasks.recompute_chunk.apply_async((12,), priority=6)
            tasks.recompute_publish.delay(7)
            tasks.recompute_watchdog.delay()
            with celery_config.app.connection_for_read() as conn:
                queue = conn.SimpleQueue(celery_config.app.conf.task_default_queue, no_ack=False)
                delivered = queue.get(timeout=5)  # the oldest: chunk 11, now in the unacked hash
                assert server.client.hlen("unacked") == 1
                assert delivered.headers["argsrepr"] == "(11,)"
                held = watchdog.broker_held()
                queue.close()
    finally:
        server.stop()
    assert held == BrokerHeld(chunk_ids=frozenset({11, 12}), publish_run_ids=frozenset({7}))


def test_a_chunk_whose_lock_another_connection_holds_is_dropped_by_its_task(run, postgresql):
    chunk = run.chunks.get(province_code="64")
    key = watchdog.LOCK_BASE + chunk.pk
    other = connections.create_connection("default")  # another worker's connection

    def on_other(sql: str):
        with other.cursor() as cursor:
            cursor.execute(sql, [key])
            return cursor.fetchone()[0]

    try:
        on_other("SELECT pg_advisory_lock(%s)")
        assert tasks.recompute_chunk(chunk.pk) is None
        chunk.refresh_from_db()
        assert (chunk.status, chunk.attempts) == (RunChunk.Status.PENDING, 0)  # untouched
        on_other("SELECT pg_advisory_unlock(%s)")
        with watchdog.chunk_claim(chunk_id=chunk.pk) as claimed:
            assert claimed and not on_other("SELECT pg_try_advisory_lock(%s)")
        assert on_other("SELECT pg_try_advisory_lock(%s)")  # released
    finally:
        other.close()

"""The broker restarted in the middle of a run (issue 16): with its append-only file nothing is lost;
without it the watchdog finds the lost chunks and sends them again.

Each test starts a redis-server of its own (a free port, its files under ``tmp_path``) and real
Celery subprocesses on the test database (``test_celery_recompute.Processes``), points them and this
process's Celery app at it, and restarts it (``SHUTDOWN``, then a new server on the same port and
directory) while a worker computes the first of four chunks and the other three wait in the queue.
Each chunk sleeps ``PAUSE`` seconds once marked running, so the restart falls inside one.

The runs are compared with a run computed in this process from the same data (``score_values``:
every household and region row, floats rounded to 1e-9). The last test shows why a second copy of a
chunk's message must not run beside the first (``watchdog.chunk_claim``).
"""

import threading
from contextlib import ExitStack

import pytest
from django.db import connection

from config.celery import app
from indicators import tasks
from indicators.models import ComputationRun, HouseholdScore, RunChunk, ScoreSnapshot
from indicators.services import recompute as service
from indicators.services import recompute_watchdog as watchdog
from regions.models import Region
from tests.indicators.builders import households_write, random_rows
from tests.indicators.redis_server import RedisServer, app_broker, redis_server_binary
from tests.indicators.test_celery_recompute import Clock, Processes, score_values, two_provinces, wait_for

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

PAUSE = 2  # seconds each chunk sleeps once running
PERIODS = (2018, 2019, 2020)
HOUSEHOLDS = 3 * 30 + 2 * 40 + 2 * 25 + 2 * 25  # two_provinces, then 62 and 65 (four_provinces)


@pytest.fixture
def drill(transactional_db, postgresql, tmp_path):
    """``(processes, start)``: ``start(persistent=...)`` starts a private Redis and points this
    process's app at it. At the end the Celery processes are stopped (their logs printed, which
    pytest shows when a test failed), then the app restored and the server stopped."""
    binary = redis_server_binary()
    processes = Processes(tmp_path)
    with ExitStack() as stack:

        def start(*, persistent: bool) -> RedisServer:
            directory = tmp_path / "redis"
            directory.mkdir()
            server = RedisServer(binary, directory, persistent=persistent)
            stack.callback(server.stop)
            server.start()
            stack.enter_context(app_broker(server.url))
            return server

        try:
            yield processes, start
        finally:
            processes.stop_all()


def four_provinces() -> None:
    """``two_provinces`` (Ningxia 64, Inner Mongolia 15) and two counties each of Gansu (62) and
    Xinjiang (65), 25 households a county, for ``PERIODS``: four chunks."""
    two_provinces(PERIODS)
    for province, seed in (("62", 40), ("65", 60)):
        counties = Region.objects.filter(level=3, code__startswith=province).order_by("code")
        counties = list(counties.values_list("code", flat=True)[:2])
        for offset, period in enumerate(PERIODS):
            households_write(random_rows(counties, per_village=25, seed=seed + offset), period=period)


def run_started_on_worker(processes: Processes, clock: Clock, **beat_env: str):
    """The reference run in this process, then a run of four chunks sent to the worker (and a beat
    with ``beat_env`` when given); returns both once the worker is on the first chunk."""
    broker = app.conf.broker_url
    processes.worker("worker", CELERY_BROKER_URL=broker, TUOPIN_RECOMPUTE_CHUNK_PAUSE=str(PAUSE), **beat_env)
    if beat_env:
        pidfile = processes.tmp_path / "beat.pid"
        beat_args = ("beat", "--max-interval=1", f"--pidfile={pidfile}")
        processes.start("beat", *beat_args, CELERY_BROKER_URL=broker, **beat_env)
    four_provinces()
    clock("data written")
    reference = service.recompute(period=2020, full=True)
    assert HouseholdScore.objects.of_run(reference).count() == HOUSEHOLDS
    clock("reference run published in-process")

    run = service.run_create(period=2020, full=True, trigger="beat")
    assert run.chunks.count() == 4
    tasks.recompute_enqueue(run_id=run.pk)  # autocommit: the four messages are sent now
    wait_for(
        lambda: run.chunks.filter(status=RunChunk.Status.RUNNING).exists(),
        timeout=60,
        what="the worker to start the first chunk",
    )
    clock("the worker is on the first chunk")
    return reference, run


def published(run: ComputationRun) -> bool:
    status = ComputationRun.objects.filter(pk=run.pk).values_list("status", flat=True).get()
    assert status != ComputationRun.Status.FAILED, ComputationRun.objects.get(pk=run.pk).error
    return status == ComputationRun.Status.PUBLISHED


def test_a_redis_restart_with_the_append_only_file_loses_no_chunk_and_needs_no_watchdog(drill):
    processes, start = drill
    clock = Clock()
    server = start(persistent=True)
    reference, run = run_started_on_worker(processes, clock)
    first = run.chunks.get(status=RunChunk.Status.RUNNING)

    server.restart()
    clock("redis restarted")
    # The queue and the delivered-but-unacknowledged message came back from the AOF: every chunk not
    # done now has its message in the broker, and the watchdog, with no time allowed at all, finds
    # nothing lost.
    held = watchdog.broker_held()
    not_done = set(run.chunks.exclude(status=RunChunk.Status.DONE).values_list("pk", flat=True))
    assert len(not_done) == 4 and not_done <= held.chunk_ids
    assert RunChunk.objects.get(pk=first.pk).status == RunChunk.Status.RUNNING  # still inside its pause
    assert watchdog.runs_stalled(held=held, pending_seconds=0, running_seconds=0) == []

    wait_for(lambda: published(run), timeout=90, what="the worker to finish and publish the run")
    clock("run published")

    run.refresh_from_db()
    assert (run.status, run.is_current) == (ComputationRun.Status.PUBLISHED, True)
    assert sorted(run.chunks.values_list("status", "attempts")) == [(RunChunk.Status.DONE, 1)] * 4
    assert HouseholdScore.objects.of_run(run).count() == HOUSEHOLDS
    assert score_values(run) == score_values(reference)
    assert "resent" not in run.notes["watchdog"]  # the watchdog had nothing to do
    assert watchdog.stalled_resend() == {}
    processes.stop("worker")  # a warm shutdown: the publish is acknowledged first
    assert (server.client.llen("celery"), server.client.hlen("unacked")) == (0, 0)  # every message acknowledged
    log = processes.text("worker")
    assert "Connection to broker lost" in log  # the worker saw the restart and reconnected
    assert "Traceback" not in log


def test_a_redis_restart_without_persistence_loses_the_queue_and_the_watchdog_sends_it_again(drill):
    processes, start = drill
    clock = Clock()
    server = start(persistent=False)
    # the beat sends the watchdog every second; the worker runs it with 2 s allowed a pending chunk
    watchdog_env = {"TUOPIN_RECOMPUTE_WATCHDOG_EVERY_SECONDS": "1", "TUOPIN_RECOMPUTE_STALL_PENDING_SECONDS": "2"}
    reference, run = run_started_on_worker(processes, clock, **watchdog_env)
    first = run.chunks.get(status=RunChunk.Status.RUNNING)
    queued = dict(run.chunks.filter(status=RunChunk.Status.PENDING).values_list("province_code", "pk"))
    assert len(queued) == 3 and set(queued.values()) <= watchdog.broker_held().chunk_ids

    server.restart()
    clock("redis restarted, empty")
    assert watchdog.broker_held().chunk_ids == frozenset()  # the three queued messages are gone

    wait_for(lambda: published(run), timeout=90, what="the watchdog to send the chunks again and the run to publish")
    clock("run published")

    run.refresh_from_db()
    assert (run.status, run.is_current) == (ComputationRun.Status.PUBLISHED, True)
    # The first chunk, which the worker was on, finished as it was; the three lost ones were sent
    # again once each (a later tick found them queued or running) and computed once each.
    resent = run.notes["watchdog"]["resent"]
    assert sorted(resent) == sorted(queued) and {len(times) for times in resent.values()} == {1}
    assert sorted(run.chunks.values_list("status", "attempts")) == [(RunChunk.Status.DONE, 1)] * 4
    assert RunChunk.objects.get(pk=first.pk).finished_at < min(
        RunChunk.objects.filter(pk__in=queued.values()).values_list("started_at", flat=True)
    )
    assert HouseholdScore.objects.of_run(run).count() == HOUSEHOLDS
    assert score_values(run) == score_values(reference)
    processes.stop("beat")
    processes.stop("worker")
    log = processes.text("worker")
    assert "Connection to broker lost" in log
    assert log.count("sent again") == 1 and "Traceback" not in log


def test_a_second_copy_of_a_chunk_task_while_the_first_runs_is_dropped_not_failing_the_run(postgresql, settings):
    """Two deliveries of one chunk at once (a watchdog's copy, a message put back by kombu when a
    worker's connection dropped): without the chunk's lock both computed it, and the second's rows
    hit the unique household-per-run constraint, which failed the chunk and the run (now each would
    make a snapshot of its own: still computed once)."""
    two_provinces(PERIODS)
    run = service.run_create(period=2020, full=True, trigger="beat")
    chunk = run.chunks.get(province_code="64")
    settings.TUOPIN_RECOMPUTE_CHUNK_PAUSE = 2  # both copies are inside the chunk at once
    errors = []

    def deliver() -> None:
        try:
            tasks.recompute_chunk(chunk.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    run.refresh_from_db()
    chunk.refresh_from_db()
    assert (run.status, chunk.status, chunk.attempts) == (ComputationRun.Status.RUNNING, RunChunk.Status.DONE, 1)
    assert ScoreSnapshot.objects.filter(run=run, province_code="64").count() == 1  # computed once
    assert HouseholdScore.objects.filter(snapshot=chunk.snapshot).count() == 3 * 30

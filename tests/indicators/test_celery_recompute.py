"""The recompute through real Celery processes (DESIGN §6): a worker killed mid-chunk, two beats.

Both tests start ``celery`` subprocesses on the test database and the Redis broker of the settings,
so the data they read is committed first (``transaction=True``). The killed chunk comes back through
Redis's visibility timeout: kombu's Redis transport keeps every delivered, unacknowledged message in
the ``unacked`` hash and puts those older than the timeout back on their queue when a worker starts
(``restore_visible`` on its first poll), so the test waits out the timeout and starts a new worker
instead of waiting for the periodic sweep (every 10 x 10 s by default).
"""

import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from config.celery import app
from households.models import SurveyPeriod
from indicators import tasks
from indicators.models import ComputationRun, HouseholdScore, RegionScore, RunChunk
from indicators.services import recompute as service
from regions.models import Region
from regions.services.divisions import divisions_import
from tests.indicators.builders import households_write, random_rows, villages_write

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 3  # seconds: the killed chunk's message is handed out again this long after delivery


@pytest.fixture
def redis_broker(postgresql):
    """The broker of the settings, with no task of an earlier run queued or unacknowledged."""
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs CELERY_BROKER_URL on Redis (CI sets it)")
    app.control.purge()
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("unacked", "unacked_index", "unacked_mutex")
    return client


class Processes:
    """Celery subprocesses on the test database; each writes its log to ``tmp_path``."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen:
        db = connection.settings_dict
        auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": f"postgres://{auth}@{host}/{db['NAME']}",
            "PYTHONUNBUFFERED": "1",
            "TUOPIN_RECOMPUTE_CHUNK_PAUSE": "0",
            "TUOPIN_RECOMPUTE_EVERY_SECONDS": "0",
            **env,
        }
        with self.log(name).open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", *args, "--loglevel=INFO"],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started[name] = process
        return process

    def worker(self, name: str, **env: str) -> subprocess.Popen:
        """One worker, one task at a time (solo pool, prefetch 1), no chatter with other workers."""
        return self.start(
            name,
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            f"--hostname={name}@%h",
            **env,
        )

    def log(self, name: str) -> Path:
        return self.tmp_path / f"{name}.log"

    def text(self, name: str) -> str:
        return self.log(name).read_text(errors="replace")

    def stop(self, name: str) -> None:
        process = self.started[name]
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        for name in self.started:
            self.stop(name)
        for name in self.started:
            print(f"----- {name} (exit {self.started[name].returncode}) -----\n{self.text(name)}")


@pytest.fixture
def celery_processes(transactional_db, redis_broker, tmp_path):
    """Started processes are stopped at the end (before the tables are emptied); their logs are
    printed, which pytest shows when the test failed."""
    processes = Processes(tmp_path)
    try:
        yield processes
    finally:
        processes.stop_all()


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, check: Callable[[], None] = lambda: None):
    """Poll ``condition`` every 0.1 s, running ``check`` (assertions that hold throughout) each time."""
    deadline = time.monotonic() + timeout
    while True:
        check()
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def reference_data_load() -> None:
    """What an earlier transactional test may have emptied: the divisions (with Ningxia's villages),
    methodology v1 and the poverty lines of the data migration (idempotent)."""
    if not Region.objects.filter(code__startswith="64", level=5).exists():
        divisions_import(villages="64")  # the recompute reads no boundary or tag
    importlib.import_module("indicators.migrations.0002_methodology_v1_and_lines").forwards(apps, None)


def two_provinces(periods: tuple[int, ...]) -> None:
    """Households in three Ningxia villages (64) and two Inner Mongolia counties (15) for ``periods``."""
    reference_data_load()
    township = next(
        t
        for t in Region.objects.filter(level=4, code__startswith="64").order_by("code")
        if Region.objects.filter(parent=t).count() >= 3
    )
    villages = list(Region.objects.filter(parent=township).order_by("code").values_list("code", flat=True)[:3])
    counties = list(
        Region.objects.filter(level=3, code__startswith="15").order_by("code").values_list("code", flat=True)[:2]
    )
    for offset, period in enumerate(periods):
        rows = random_rows(villages, per_village=30, seed=offset) + random_rows(
            counties, per_village=40, seed=20 + offset
        )
        households_write(rows, period=period)
    villages_write(villages, period=periods[-1])


def score_values(run: ComputationRun) -> tuple[list, list]:
    """The run's household scores (by household) and region scores (by region), without ids and run,
    floats rounded to 1e-9."""

    def rounded(value):
        if isinstance(value, float):
            return round(value, 9)
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in sorted(value.items())}
        if isinstance(value, list):
            return [rounded(v) for v in value]
        return value

    def rows(model, order: str) -> list:
        fields = [f.name for f in model._meta.concrete_fields if f.name not in ("id", "snapshot")]
        return [tuple(map(rounded, row)) for row in model.objects.of_run(run).order_by(order).values_list(*fields)]

    return rows(HouseholdScore, "household_id"), rows(RegionScore, "region_id")


class Clock:
    """Seconds since the test started, printed per step (shown with the logs when a test fails)."""

    def __init__(self):
        self.start = time.monotonic()

    def __call__(self, step: str) -> None:
        print(f"{time.monotonic() - self.start:5.1f} s  {step}")


def test_a_worker_killed_mid_chunk_leaves_the_previous_run_current_and_a_new_worker_finishes_it(
    celery_processes, redis_broker
):
    clock = Clock()
    # Started first, so its start-up overlaps the data; its chunk sleeps once marked running.
    first = celery_processes.worker(
        "worker1", CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT), TUOPIN_RECOMPUTE_CHUNK_PAUSE="120"
    )
    two_provinces((2018, 2019, 2020))
    clean = service.recompute(period=2020, full=True)
    clean_values = score_values(clean)
    assert len(clean_values[0]) == 3 * 30 + 2 * 40
    clock("data written, clean run published")

    def previous_served():
        assert service.current_run(period=2020).pk == clean.pk, "the previous run stopped being served"

    run = service.run_create(period=2020, full=True)
    tasks.recompute_enqueue(run_id=run.pk)  # autocommit: the chunk tasks are sent now
    killed = wait_for(
        lambda: run.chunks.filter(status=RunChunk.Status.RUNNING).first(),
        timeout=60,
        what="worker1 to start a chunk",
        check=previous_served,
    )
    assert (killed.status, killed.attempts) == (RunChunk.Status.RUNNING, 1)
    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=10) == -signal.SIGKILL
    clock(f"worker1 killed while chunk {killed.province_code} was running")

    # Not acknowledged: the message waits in the unacked hash, the other chunk in the queue.
    (tag, delivered_at), *others = redis_broker.zrange("unacked_index", 0, -1, withscores=True)
    assert not others
    message, _, _ = json.loads(redis_broker.hget("unacked", tag))
    headers = message["headers"]
    assert (headers["task"], headers["argsrepr"]) == (tasks.recompute_chunk.name, f"({killed.pk},)")
    assert run.chunks.filter(status=RunChunk.Status.PENDING).count() == 1

    # No worker runs now; the next one to start takes the message back once its visibility timeout
    # has passed. The previous run is served all along.
    wait_for(
        lambda: time.time() > delivered_at + VISIBILITY_TIMEOUT + 0.5,
        timeout=30,
        what="the visibility timeout",
        check=previous_served,
    )
    assert RunChunk.objects.get(pk=killed.pk).attempts == 1

    def previous_or_published_served():
        served = service.current_run(period=2020)
        assert served.pk == clean.pk or (served.pk == run.pk and served.status == ComputationRun.Status.PUBLISHED)

    celery_processes.worker("worker2", CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    clock("worker2 started")
    wait_for(
        lambda: ComputationRun.objects.filter(pk=run.pk, status=ComputationRun.Status.PUBLISHED).exists(),
        timeout=60,
        what="worker2 to finish and publish the run",
        check=previous_or_published_served,
    )
    clock("run published by worker2")

    assert service.current_run(period=2020).pk == run.pk
    attempts = dict(run.chunks.values_list("province_code", "attempts"))
    assert attempts == {killed.province_code: 2, ({"15", "64"} - {killed.province_code}).pop(): 1}
    assert not run.chunks.exclude(status=RunChunk.Status.DONE).exists()
    assert score_values(run) == clean_values


def test_two_beats_on_a_fast_schedule_make_one_run_per_period_and_date(celery_processes, redis_broker):
    clock = Clock()
    celery_processes.worker("worker")
    two_provinces((2018, 2019, 2020))
    SurveyPeriod.objects.filter(year=2018).update(status=SurveyPeriod.Status.CLOSED)
    SurveyPeriod.objects.create(year=2021)  # open, no surveys: nothing to compute
    today = timezone.localdate()
    clock("data written")

    # Started together, both install the schedule in django_celery_beat's tables at once (its
    # update_or_create retries the read after a duplicate insert).
    for name in ("beat1", "beat2"):
        pidfile = celery_processes.tmp_path / f"{name}.pid"
        celery_processes.start(
            name, "beat", "--max-interval=1", f"--pidfile={pidfile}", TUOPIN_RECOMPUTE_EVERY_SECONDS="1"
        )

    def sent(name: str) -> int:
        return celery_processes.text(name).count("Sending due task recompute-nightly")

    wait_for(lambda: min(sent("beat1"), sent("beat2")) >= 3, timeout=60, what="each beat to send three times")
    clock("each beat sent three times")
    celery_processes.stop("beat1")
    celery_processes.stop("beat2")

    def drained() -> bool:
        runs = ComputationRun.objects.all()
        published = runs.exists() and not runs.exclude(status=ComputationRun.Status.PUBLISHED).exists()
        return (
            published and not redis_broker.llen(app.conf.task_default_queue) and not redis_broker.zcard("unacked_index")
        )

    wait_for(drained, timeout=60, what="the worker to publish the runs and empty the queue")
    clock("queue drained")
    celery_processes.stop("worker")

    runs = list(ComputationRun.objects.values_list("period_id", "scheduled_for", "status", "is_current", "trigger"))
    per_date = Counter((period, date) for period, date, *_ in runs)
    assert {period for period, _ in per_date} == {2019, 2020}
    assert set(per_date.values()) == {1}, per_date
    assert {date for _, date in per_date} <= {today, timezone.localdate()}
    assert {(status, trigger) for *_, status, _, trigger in runs} == {(ComputationRun.Status.PUBLISHED, "beat")}
    assert sorted(period for period, _, _, current, _ in runs if current) == [2019, 2020]

    log = celery_processes.text("worker")
    nightly = log.count(f"Task {tasks.recompute_nightly.name}[") // 2  # received, succeeded
    # A beat logs a firing before it sends it: one stopped in between logged a task never sent.
    assert sent("beat1") + sent("beat2") >= nightly >= 6, "the beats fired several times"
    # Every other firing made no 2020 run: before the run was published today's date was taken; after
    # it, nothing had changed since it (which run_create checks first).
    refused = log.count("period 2020 already has a run for")
    unchanged = log.count("period 2020: nothing changed since the current run, no new run")
    assert refused + unchanged == nightly - sum(p == 2020 for p, _ in per_date)
    for name in ("worker", "beat1", "beat2"):
        text = celery_processes.text(name)
        assert "Traceback" not in text and "ERROR" not in text, name


def test_chunks_in_parallel_threads_give_the_same_run_as_one_at_a_time(postgresql, monkeypatch):
    """``recompute(jobs=2)`` (``manage.py recompute --jobs 2``): two chunks at once, each thread on
    its own connection, equals the sequential run; a chunk failing in a thread fails the run and
    leaves the previous run current."""
    two_provinces((2018, 2019, 2020))
    sequential = service.recompute(period=2020, full=True)
    threads = []
    original = service.chunk_compute

    def recording(**kwargs):
        threads.append(threading.get_ident())
        return original(**kwargs)

    monkeypatch.setattr(service, "chunk_compute", recording)
    parallel = service.recompute(period=2020, full=True, jobs=2)
    assert parallel.status == ComputationRun.Status.PUBLISHED and parallel.is_current
    assert len(threads) == 2 and len(set(threads)) == 2  # the two provinces, two threads
    assert score_values(parallel) == score_values(sequential)

    def broken(**kwargs):
        if RunChunk.objects.get(pk=kwargs["chunk_id"]).province_code == "15":
            raise RuntimeError("disk full")
        return original(**kwargs)

    monkeypatch.setattr(service, "chunk_compute", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        service.recompute(period=2020, full=True, jobs=2)
    assert service.current_run(period=2020) == parallel
    failed = ComputationRun.objects.order_by("-pk").first()
    assert failed.status == ComputationRun.Status.FAILED and "disk full" in failed.error


def test_an_older_run_publishing_behind_a_newer_one_leaves_the_newer_current(postgresql):
    """Two overlapping runs (a manual one during the nightly one): the newer publishes and commits while
    the older's publish waits for it. The older must find the newer current and stay published, not
    current (it used to take "current" from the newer: its check ran on a snapshot from before the
    newer's commit, its update after it)."""
    two_provinces((2018, 2019, 2020))
    first = service.recompute(period=2020, full=True)
    older = service.run_create(period=2020, full=True)
    newer = service.run_create(period=2020, full=True)
    for run in (older, newer):
        for chunk_id in run.chunks.values_list("pk", flat=True):
            service.chunk_compute(chunk_id=chunk_id)
    published, errors = threading.Event(), []

    def publish_newer():
        try:
            with transaction.atomic():  # the publish commits when this block ends
                service.run_publish(run_id=newer.pk)
                published.set()
                time.sleep(3)  # meanwhile the older run's publish starts, and waits on its locks
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=publish_newer)
    thread.start()
    assert published.wait(60), "the newer run's publish"
    started = time.monotonic()
    service.run_publish(run_id=older.pk)
    waited = time.monotonic() - started
    thread.join()
    assert not errors, errors
    assert waited > 1, f"the older publish did not wait for the newer one ({waited:.2f} s)"
    runs = {r.pk: r for r in ComputationRun.objects.filter(pk__in=[first.pk, older.pk, newer.pk])}
    assert [(r.status, r.is_current) for r in (runs[first.pk], runs[older.pk], runs[newer.pk])] == [
        (ComputationRun.Status.PUBLISHED, False),
        (ComputationRun.Status.PUBLISHED, False),
        (ComputationRun.Status.PUBLISHED, True),
    ]
    assert service.current_run(period=2020).pk == newer.pk


def test_a_change_committed_after_a_run_started_is_computed_by_the_next_night(postgresql):
    """A clerk's write that began before a run started and commits after the run read the data: the
    run did not see it, so the next night must not call itself a no-op (the change-log row is stamped
    when it is inserted, before the run started; only the commit came later)."""
    from households.models import HouseholdSurvey

    two_provinces((2018, 2019, 2020))
    first = service.recompute(period=2020, full=True)
    survey = HouseholdSurvey.objects.filter(period_id=2020, household__region__province_code="15").first()
    written, release, errors = threading.Event(), threading.Event(), []
    thread = threading.Thread(target=_clerk_write_held, args=(survey, written, release, errors))
    thread.start()
    assert written.wait(60)
    time.sleep(0.05)  # the change-log row's stamp is before the run starts
    during = service.recompute(period=2020, full=True)  # reads the data without the uncommitted write
    release.set()
    thread.join()
    assert not errors, errors
    survey_household = survey.household_id
    assert HouseholdScore.objects.of_run(during).get(household_id=survey_household).income == (
        HouseholdScore.objects.of_run(first).get(household_id=survey_household).income
    )

    after = service.recompute(period=2020)
    assert after.pk != during.pk, "the committed change was never computed"
    computed = dict(after.chunks.values_list("province_code", "copied"))
    assert computed == {"15": False, "64": True}
    assert HouseholdScore.objects.of_run(after).get(household_id=survey_household).income > (
        HouseholdScore.objects.of_run(during).get(household_id=survey_household).income
    )


def _clerk_write_held(survey, written, release, errors):
    """A clerk's survey edit and its change-log row in one transaction, committed when ``release`` is set."""
    from households.models import HouseholdSurvey
    from households.services.registry import changes_mark

    try:
        with transaction.atomic():
            HouseholdSurvey.objects.filter(pk=survey.pk).update(wage_income=survey.wage_income + 50_000)
            changes_mark(province_code="15", periods=[2020])
            written.set()
            assert release.wait(60)
    except Exception as error:
        errors.append(error)
    finally:
        connection.close()


def test_a_write_committed_while_the_run_reads_the_change_log_is_computed_the_next_night(postgresql, monkeypatch):
    """The write is open while run_create reads the change log (so the province is reused) and commits
    before the run row is written: the run's watermark was taken before the change log was read."""
    from households.models import HouseholdSurvey

    two_provinces((2018, 2019, 2020))
    service.recompute(period=2020, full=True)
    survey = HouseholdSurvey.objects.filter(period_id=2020, household__region__province_code="15").first()
    written, release, errors = threading.Event(), threading.Event(), []
    thread = threading.Thread(target=_clerk_write_held, args=(survey, written, release, errors))
    original = service._dirty

    def dirty_then_commit(**kwargs):
        dirty = original(**kwargs)
        release.set()
        thread.join()  # committed now, before the run row
        return dirty

    monkeypatch.setattr(service, "_dirty", dirty_then_commit)
    thread.start()
    assert written.wait(60)
    during = service.recompute(period=2020, provinces=["64"])
    assert not errors, errors
    assert dict(during.chunks.values_list("province_code", "copied")) == {"15": True, "64": False}
    monkeypatch.setattr(service, "_dirty", original)
    after = service.recompute(period=2020)
    assert after.pk != during.pk, "the committed change was never computed"
    assert dict(after.chunks.values_list("province_code", "copied")) == {"15": False, "64": True}


def test_a_session_left_open_without_writing_does_not_hold_the_watermark_back(postgresql):
    """A forgotten read-only transaction (a psql left open) must not make every night a new run."""
    import psycopg2

    two_provinces((2018, 2019, 2020))
    service.recompute(period=2020, full=True)
    db = connection.settings_dict
    idle = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432)
    try:
        idle.cursor().execute("SELECT 1")  # a transaction is open now, idle, with no transaction id
        from households.services.registry import changes_mark

        changes_mark(province_code="64", periods=[2020])
        changed = service.recompute(period=2020)
        assert dict(changed.chunks.values_list("province_code", "copied")) == {"15": True, "64": False}
        assert service.recompute(period=2020).pk == changed.pk, "a night with no change made a run"
    finally:
        idle.close()

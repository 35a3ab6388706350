"""The recompute watchdog (DESIGN §6): chunks and publishes whose broker message was lost, sent again.

A run through Celery (``tasks.recompute_enqueue``) lives in two places: the run and chunk rows in
PostgreSQL, and one message per unfinished chunk in Redis, queued (a list per queue and priority)
or delivered and not yet acknowledged. kombu's Redis transport keeps each delivered message in the
``unacked`` hash until the worker acknowledges it (after the task: ``acks_late``) and puts it back
on its queue once it is older than the ``visibility_timeout`` transport option
(``CELERY_VISIBILITY_TIMEOUT``, above the hard time limit). Sources: ``kombu.transport.redis``
(``QoS.append``, ``QoS.restore_visible``) and Celery's "Using Redis" page, "Visibility Timeout".

What survives a Redis restart: docker-compose's Redis keeps an append-only file (``appendonly yes``,
``appendfsync everysec``, on the ``redis-data`` volume), from which it rebuilds the data set when it
starts, so the queued and the unacknowledged messages both come back. A clean stop (``SHUTDOWN``;
``docker compose stop`` sends SIGTERM, which does the same) writes and fsyncs the file first; a
crash loses about the last second of writes at most (Redis documentation, "Redis persistence": the
append-only file, "How durable is the append only file?"). The workers reconnect and go on (the
drill: ``tests/indicators/test_redis_restart.py``). What does not survive: a Redis without
persistence, a flushed or replaced one, a crash within that second. The chunks whose messages went
with it stay pending (or running, when their worker died as well) and the run is never published;
the previous run stays served, so the pages are not wrong, only stale.

``runs_stalled`` finds such runs and ``run_resend`` sends their lost tasks again
(``recompute_chunk.delay``, ``recompute_publish.delay``); ``stalled_resend`` does both, from the beat
task ``tasks.recompute_watchdog`` every ``TUOPIN_RECOMPUTE_WATCHDOG_EVERY_SECONDS`` (300). Only runs
whose chunks went through the broker are watched: ``run_mark_enqueued`` (called by
``recompute_enqueue``) notes when their messages were sent; a run of ``manage.py recompute``
computes its chunks in its own process, where a pending chunk is only waiting its turn.

A chunk is lost when all of these hold:

1. its run is running or rolling up (not published, not failed), and the chunk pending or running;
2. the broker holds no ``recompute_chunk`` message for it, neither queued nor in the ``unacked`` hash
   (``broker_held``, read in one MULTI/EXEC transaction, so a message moving between the two is
   seen in one of them). A queued message is only waiting (several periods' runs share one queue,
   31 provinces of an hour each take hours); an unacknowledged one is running, or will be handed
   out again after the visibility timeout if its worker died. Either way the broker still has it;
3. it made no progress for a while: a pending chunk for ``TUOPIN_RECOMPUTE_STALL_PENDING_SECONDS``
   (default 300 s) since its messages were sent or it was last sent again (this only covers the
   moment between the run being created and its messages being sent, after the commit, and the
   microseconds between a worker taking a message off the queue and writing it to ``unacked``); a
   running chunk for ``TUOPIN_RECOMPUTE_STALL_SECONDS`` (default ``CELERY_TASK_TIME_LIMIT`` + 300 s)
   since it started or was last sent again. The broker's view is not enough for a running chunk: a
   worker that lost its broker connection keeps computing the chunk whose message the restart lost,
   and it finishes. Past the hard time limit no worker can still be on it (the pool kills the task),
   so the second copy never runs beside the first; the settings refuse a smaller value.

A run is unpublished with its publish lost when every chunk is done, the broker holds no
``recompute_publish`` message for it, and the last chunk finished (or the publish was last sent
again) more than the pending threshold ago. ``run_publish`` is idempotent and locks the run, so a
second publish waits for the first and returns.

Sending again is safe: ``chunk_compute`` returns at once for a done chunk and replaces a chunk's rows
otherwise, and ``recompute_chunk`` computes a chunk only while it holds the chunk's lock
(``chunk_claim``), so a copy delivered while a worker is still on the chunk (a message that kombu put
back on its queue when the worker's connection dropped, say) is dropped instead of writing the same
rows beside it (which the unique household-per-run constraint would refuse, failing the run).
Double work is kept down by recording each re-send in the run's ``notes["watchdog"]`` (its time per
province, or ``"publish"``): a later tick waits the threshold again from it. After ``RESEND_LIMIT``
re-sends of the same chunk or publish the run is failed with a message saying so (the previous run
stays served), instead of sending for ever what never arrives.

With a broker other than Redis nothing can be read, and ``stalled_resend`` does nothing (logged).
"""

import base64
import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from indicators.models import ComputationRun, RunChunk
from indicators.services import recompute

log = logging.getLogger(__name__)

CHUNK_TASK = "indicators.tasks.recompute_chunk"
PUBLISH_TASK = "indicators.tasks.recompute_publish"
#: Re-sends of one chunk (or of the publish) before the run is failed.
RESEND_LIMIT = 3
#: The run's ``notes`` key: ``{"enqueued_at": iso time, "resent": {province or "publish": [iso times]}}``.
NOTES_KEY = "watchdog"
PUBLISH = "publish"
#: PostgreSQL advisory lock keys of the chunks: this base (b"tuop" in the high 32 bits) plus the chunk id.
LOCK_BASE = 0x74756F70 << 32
UNPUBLISHED = (ComputationRun.Status.RUNNING, ComputationRun.Status.ROLLING_UP)


@dataclass(frozen=True)
class BrokerHeld:
    """The ids of the recompute messages the broker holds (queued or unacknowledged)."""

    chunk_ids: frozenset[int]
    publish_run_ids: frozenset[int]


@dataclass(frozen=True)
class Stall:
    """A run with lost tasks: the chunks to send again (by province) and whether to send its publish.

    ``resent`` is how many times each of them (province, or ``"publish"``) was sent again before, as
    seen when the stall was found; ``since``: seconds since the longest-silent of them last showed life.
    """

    run_id: int
    chunks: dict[str, int]
    publish: bool
    resent: dict[str, int]
    since: float

    @property
    def targets(self) -> list[str]:
        return sorted(self.chunks) + ([PUBLISH] if self.publish else [])


def run_mark_enqueued(*, run_id: int, now: dt.datetime | None = None) -> None:
    """Note on the run that its chunks are sent through the broker (``recompute_enqueue``): the
    watchdog watches it from then on, and a pending chunk's time counts from ``now``."""
    with transaction.atomic():
        run = ComputationRun.objects.select_for_update().get(pk=run_id)
        watch = {**run.notes.get(NOTES_KEY, {}), "enqueued_at": (now or timezone.now()).isoformat()}
        ComputationRun.objects.filter(pk=run_id).update(notes={**run.notes, NOTES_KEY: watch})


def broker_held(*, app=None) -> BrokerHeld | None:
    """The chunk and run ids of the ``recompute_chunk`` and ``recompute_publish`` messages in the broker.

    Reads every priority list of the app's queues and the ``unacked`` hash in one MULTI/EXEC
    transaction (a few hundred messages at most: one per chunk of the open runs). Returns None when
    the broker is not Redis. Raises the broker's connection error when it cannot be read (never
    "nothing held": that would send everything again).
    """
    app = app or current_app
    with app.connection_for_read() as conn:
        if conn.transport.driver_type != "redis":
            return None
        channel = conn.default_channel
        steps = sorted(set(channel.priority_steps))
        keys = [f"{queue}{channel.sep}{step}" if step else queue for queue in app.amqp.queues for step in steps]
        with channel.client.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.lrange(key, 0, -1)
            pipe.hvals(channel.unacked_key)
            *queued, unacked = pipe.execute()
    messages = [raw for items in queued for raw in items] + [_delivered(raw) for raw in unacked]
    chunks, runs = set(), set()
    for message in messages:
        task, first = _task_and_id(message)
        if task == CHUNK_TASK:
            chunks.add(first)
        elif task == PUBLISH_TASK:
            runs.add(first)
    return BrokerHeld(chunk_ids=frozenset(chunks), publish_run_ids=frozenset(runs))


def _delivered(raw: bytes) -> dict | None:
    """An ``unacked`` hash value (JSON ``[message, exchange, routing key]``) -> the message."""
    try:
        return json.loads(raw)[0]
    except (TypeError, ValueError, IndexError):
        return None


def _task_and_id(message: bytes | str | dict | None) -> tuple[str | None, int | None]:
    """A kombu message (JSON, Celery task protocol 2) -> (task name, its first argument as an id)."""
    try:
        message = json.loads(message) if isinstance(message, bytes | str) else message
        task = message["headers"]["task"]
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args, kwargs, _ = json.loads(body)
        first = args[0] if args else kwargs.get("chunk_id", kwargs.get("run_id"))
        return task, int(first)
    except (KeyError, TypeError, ValueError, IndexError):
        return None, None  # not a task of ours: it holds nothing of a run


def runs_stalled(
    *,
    held: BrokerHeld,
    now: dt.datetime | None = None,
    pending_seconds: float | None = None,
    running_seconds: float | None = None,
) -> list[Stall]:
    """The watched, unpublished runs with lost chunks or a lost publish (the rules of the module).

    Args:
        held: what the broker holds (``broker_held``).
        now: the time to judge by (default now).
        pending_seconds: a pending chunk's (and a publish's) time without progress before it counts
            as lost; default ``TUOPIN_RECOMPUTE_STALL_PENDING_SECONDS``.
        running_seconds: the same for a running chunk; default ``TUOPIN_RECOMPUTE_STALL_SECONDS``.
    Returns:
        One ``Stall`` per run with something to send again, by run id.
    """
    now = now or timezone.now()
    pending_seconds = settings.TUOPIN_RECOMPUTE_STALL_PENDING_SECONDS if pending_seconds is None else pending_seconds
    running_seconds = settings.TUOPIN_RECOMPUTE_STALL_SECONDS if running_seconds is None else running_seconds
    runs = ComputationRun.objects.filter(status__in=UNPUBLISHED, notes__has_key=NOTES_KEY).order_by("pk")
    chunks_by_run: dict[int, list[dict]] = {}
    for chunk in RunChunk.objects.filter(run__in=runs).values(
        "pk", "run_id", "province_code", "status", "started_at", "finished_at"
    ):
        chunks_by_run.setdefault(chunk["run_id"], []).append(chunk)
    stalls = []
    for run in runs.only("pk", "notes", "started_at"):
        watch = run.notes[NOTES_KEY]
        enqueued = _parse(watch.get("enqueued_at")) or run.started_at
        resent = {target: times for target, times in watch.get("resent", {}).items() if times}
        chunks = chunks_by_run.get(run.pk, [])
        if any(c["status"] == RunChunk.Status.FAILED for c in chunks):
            continue  # chunk_fail fails the run: nothing to send
        lost, ages = {}, []
        for chunk in chunks:
            if chunk["status"] == RunChunk.Status.DONE or chunk["pk"] in held.chunk_ids:
                continue
            running = chunk["status"] == RunChunk.Status.RUNNING
            alive = _latest((running and chunk["started_at"]) or enqueued, resent.get(chunk["province_code"]))
            age = (now - alive).total_seconds()
            if age > (running_seconds if running else pending_seconds):
                lost[chunk["province_code"]] = chunk["pk"]
                ages.append(age)
        publish = False
        if not lost and all(c["status"] == RunChunk.Status.DONE for c in chunks) and run.pk not in held.publish_run_ids:
            finished = [c["finished_at"] for c in chunks if c["finished_at"]]
            alive = _latest(max([enqueued, *finished]), resent.get(PUBLISH))
            age = (now - alive).total_seconds()
            if age > pending_seconds:
                publish = True
                ages.append(age)
        if lost or publish:
            targets = [*lost, *([PUBLISH] if publish else [])]
            stalls.append(
                Stall(
                    run_id=run.pk,
                    chunks=lost,
                    publish=publish,
                    resent={t: len(resent.get(t, [])) for t in targets},
                    since=max(ages),
                )
            )
    return stalls


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _latest(first: dt.datetime, times: list[str] | None) -> dt.datetime:
    return max([first, *(_parse(t) for t in times or ())])


def run_resend(*, stall: Stall, now: dt.datetime | None = None) -> list[str]:
    """Send a stalled run's lost chunks (or its publish) again, and record it in ``notes["watchdog"]``.

    Under the run's row lock: a target another watchdog sent again since ``stall`` was found is
    left out (two beats, or two ticks at once); when a target was already sent ``RESEND_LIMIT``
    times, the run is failed instead (``recompute.run_fail``: the previous run stays served). The
    messages go out after the commit.

    Returns:
        The provinces (and ``"publish"``) sent again; empty when the run was failed or had moved on.
    """
    from indicators.tasks import recompute_chunk, recompute_publish  # the tasks module imports the services

    now = now or timezone.now()
    with transaction.atomic():
        run = ComputationRun.objects.select_for_update().filter(pk=stall.run_id, status__in=UNPUBLISHED).first()
        if run is None:
            return []
        watch = dict(run.notes.get(NOTES_KEY, {}))
        resent = {target: list(times) for target, times in watch.get("resent", {}).items()}
        targets = [t for t in stall.targets if len(resent.get(t, [])) == stall.resent[t]]
        spent = [t for t in targets if len(resent.get(t, [])) >= RESEND_LIMIT]
        if spent:
            error = (
                f"The broker lost the tasks of {', '.join(spent)} {RESEND_LIMIT + 1} times "
                "(sent again by the recompute watchdog each time): given up."
            )
            log.error("run %s: %s", run.pk, error)
            recompute.run_fail(run_id=run.pk, error=error)
            return []
        for target in targets:
            resent.setdefault(target, []).append(now.isoformat())
        watch["resent"] = resent
        ComputationRun.objects.filter(pk=run.pk).update(notes={**run.notes, NOTES_KEY: watch})
        chunk_ids = [stall.chunks[t] for t in targets if t != PUBLISH]
        publish = PUBLISH in targets

        def send() -> None:
            for chunk_id in chunk_ids:
                recompute_chunk.delay(chunk_id)
            if publish:
                recompute_publish.delay(run.pk)

        transaction.on_commit(send)
    if targets:
        log.warning(
            "run %s: no message in the broker and no progress for %.0f s: sent again %s",
            run.pk,
            stall.since,
            ", ".join(targets),
        )
    return targets


def stalled_resend(*, now: dt.datetime | None = None) -> dict[int, list[str]]:
    """One watchdog tick: find the stalled runs and send their lost tasks again.

    Returns:
        ``{run id: provinces (and "publish") sent again}``; empty when nothing was lost, or when the
        broker is not Redis (logged). Raises the broker's connection error when Redis cannot be read.
    """
    held = broker_held()
    if held is None:
        log.warning("the recompute watchdog reads only a Redis broker: nothing checked")
        return {}
    sent = {}
    for stall in runs_stalled(held=held, now=now):
        targets = run_resend(stall=stall, now=now)
        if targets:
            sent[stall.run_id] = targets
    return sent


@contextmanager
def chunk_claim(*, chunk_id: int) -> Iterator[bool]:
    """Hold the chunk's lock while a worker computes it: yields False when another worker holds it.

    A PostgreSQL session advisory lock (``pg_try_advisory_lock``, key ``LOCK_BASE`` + id): it is
    the database's, so it is held exactly as long as the worker's connection, and a killed worker's
    lock goes with its connection. Yields True elsewhere (SQLite runs the chunks one at a time).
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = LOCK_BASE + chunk_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        claimed = cursor.fetchone()[0]
    try:
        yield claimed
    finally:
        if claimed:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except DatabaseError:
                pass  # a broken connection: the lock went with it

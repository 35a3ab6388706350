"""Celery tasks of the nightly recompute (DESIGN §6): ids in, one service call each.

``recompute_nightly`` (beat, 02:00 Asia/Shanghai) creates a run per open period, dated, so a second
beat process hits the (period, methodology, date) unique constraint and does nothing; it enqueues one
``recompute_chunk`` per province after the run is committed. The chunk that finds every chunk of its
run done (through the run/chunk table, not a chord) enqueues ``recompute_publish``. Chunks are
idempotent, acknowledged late and rejected when their worker dies, so the broker redelivers them
after its visibility timeout (set above the hard time limit). ``recompute_watchdog`` (beat, every few
minutes) sends again the chunks and publishes whose messages the broker lost, a Redis restarted
without its append-only file say (``services.recompute_watchdog``); a chunk is computed only under
its lock, so a second copy of a message never runs beside the first.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from households.models import SurveyPeriod
from indicators.services import recompute as service
from indicators.services import recompute_watchdog as watchdog

log = logging.getLogger(__name__)

TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
}


@shared_task(**TASK_OPTIONS)
def recompute_nightly() -> list[int]:
    """Create today's run (Asia/Shanghai date) for every open period and enqueue its chunks."""
    today = timezone.localdate()
    runs = []
    for period in SurveyPeriod.objects.filter(status=SurveyPeriod.Status.OPEN).values_list("year", flat=True):
        try:
            with transaction.atomic():
                run = service.run_create(period=period, scheduled_for=today, trigger="beat")
        except IntegrityError:
            log.info("period %s already has a run for %s", period, today)
            continue
        except service.RecomputeError as error:
            log.info("period %s not computed: %s", period, error)
            continue
        if run is None:
            log.info("period %s: nothing changed since the current run, no new run", period)
            continue
        runs.append(run.pk)
        recompute_enqueue(run_id=run.pk)
    return runs


def recompute_enqueue(*, run_id: int) -> None:
    """Send one chunk task per chunk of the run still to compute, once the transaction that created
    it commits; the largest province first (the order ``run_create`` made them in). A run whose
    every chunk reuses a snapshot (a change outside the provinces with surveys) goes to publish."""
    pending = service.RunChunk.objects.filter(run_id=run_id).exclude(status=service.RunChunk.Status.DONE)
    chunk_ids = list(pending.order_by("pk").values_list("pk", flat=True))
    watchdog.run_mark_enqueued(run_id=run_id)
    if chunk_ids:
        transaction.on_commit(lambda: [recompute_chunk.delay(pk) for pk in chunk_ids])
    else:
        transaction.on_commit(lambda: recompute_publish.delay(run_id))


@shared_task(bind=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3, **TASK_OPTIONS)
def recompute_chunk(self, chunk_id: int) -> None:
    """Compute one chunk; the last chunk of its run enqueues the publish. A copy of the message that
    arrives while another worker computes the chunk is dropped (that worker finishes it)."""
    with watchdog.chunk_claim(chunk_id=chunk_id) as claimed:
        if not claimed:
            log.warning("chunk %s is being computed by another worker: this copy of its task is dropped", chunk_id)
            return
        try:
            last = service.chunk_compute(chunk_id=chunk_id)
        except OperationalError:
            raise
        except Exception as error:
            service.chunk_fail(chunk_id=chunk_id, error=repr(error))
            raise
    if last:
        run_id = service.RunChunk.objects.filter(pk=chunk_id).values_list("run_id", flat=True).get()
        recompute_publish.delay(run_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3, **TASK_OPTIONS)
def recompute_publish(run_id: int) -> None:
    """Roll up and publish the run (idempotent); a failure marks the run failed."""
    try:
        service.run_publish(run_id=run_id)
    except OperationalError:
        raise
    except Exception as error:
        service.run_fail(run_id=run_id, error=repr(error))
        raise


@shared_task(**TASK_OPTIONS)
def recompute_watchdog() -> dict[int, list[str]]:
    """Send again the lost chunks and publishes of unpublished runs (``stalled_resend``)."""
    return watchdog.stalled_resend()


@shared_task(**TASK_OPTIONS)
def snapshots_prune() -> dict[str, int]:
    """``manage.py prune_snapshots`` as a beat task (04:00): old manifests, then unreferenced snapshots."""
    from indicators.services.retention import snapshots_prune as prune

    return prune()

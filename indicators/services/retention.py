"""Retention of score snapshots (DESIGN §6): a snapshot no run's manifest references is removed.

Runs keep their manifests (``ComputationRun.snapshots``) while they may still be looked at: the
current runs always, other published runs for ``settings.TUOPIN_RUN_RETENTION_DAYS`` after they
finished. Past that, an old run keeps its record (what was published when, its lines and chunks) and
loses its manifest (``notes["manifest_pruned_at"]``). Then every snapshot that no manifest references
and no unfinished run's chunk points at (a failed run's, an old run's) is deleted with its rows:
one ``DELETE`` per score table and period on the snapshot ids, never row by row (the score rows'
keys are not checked by the database: ``HouseholdScore``).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from indicators.models import ComputationRun, HouseholdScore, RegionScore, RunChunk, ScoreSnapshot

log = logging.getLogger(__name__)

UNFINISHED = (ComputationRun.Status.RUNNING, ComputationRun.Status.ROLLING_UP)


def snapshots_prune(*, keep_days: int | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Drop old runs' manifests, then the snapshots no manifest references, with their rows.

    Args:
        keep_days: published runs that are not current keep their manifest this many days after they
            finished (default ``settings.TUOPIN_RUN_RETENTION_DAYS``; 0: only current runs keep one).
        now: the time to count from (default now).
    Returns:
        ``{"manifests": runs whose manifest was dropped, "snapshots": snapshots deleted,
        "household_rows": …, "region_rows": …}``.
    Raises:
        ValueError: ``keep_days`` below 0.
    """
    keep_days = settings.TUOPIN_RUN_RETENTION_DAYS if keep_days is None else keep_days
    if keep_days < 0:
        raise ValueError("keep_days must be 0 or more")
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    out = {"manifests": 0, "snapshots": 0, "household_rows": 0, "region_rows": 0}
    with transaction.atomic():
        expired = list(
            ComputationRun.objects.filter(is_current=False, snapshots__isnull=False)
            .exclude(status__in=UNFINISHED)
            .exclude(status=ComputationRun.Status.PUBLISHED, finished_at__gte=cutoff)
            .distinct()
            .values_list("pk", flat=True)
        )
        if expired:
            ComputationRun.snapshots.through.objects.filter(computationrun_id__in=expired).delete()
            stamp = (now or timezone.now()).isoformat()
            for run in ComputationRun.objects.filter(pk__in=expired):
                ComputationRun.objects.filter(pk=run.pk).update(notes={**run.notes, "manifest_pruned_at": stamp})
        out["manifests"] = len(expired)
        referenced = ComputationRun.snapshots.through.objects.values("scoresnapshot_id")
        in_use = RunChunk.objects.filter(run__status__in=UNFINISHED, snapshot__isnull=False).values("snapshot_id")
        orphans = ScoreSnapshot.objects.exclude(pk__in=referenced).exclude(pk__in=in_use)
        by_period: dict[int, list[int]] = {}
        for pk, period in orphans.values_list("pk", "period_id"):
            by_period.setdefault(period, []).append(pk)
        with connection.cursor() as cursor:
            for period, ids in sorted(by_period.items()):
                for model, key in ((HouseholdScore, "household_rows"), (RegionScore, "region_rows")):
                    placeholders = ", ".join(["%s"] * len(ids))
                    cursor.execute(
                        f"DELETE FROM {model._meta.db_table} WHERE period_id = %s AND snapshot_id IN ({placeholders})",
                        [period, *ids],
                    )
                    out[key] += cursor.rowcount
        ids = [pk for group in by_period.values() for pk in group]
        RunChunk.objects.filter(snapshot_id__in=ids).update(snapshot=None)
        out["snapshots"] = ScoreSnapshot.objects.filter(pk__in=ids).delete()[0]
    log.info("retention: %s", out)
    return out

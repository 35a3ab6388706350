"""The recompute (DESIGN §6): a run per period and methodology, a chunk per province, then publish.

``run_create`` decides which provinces are dirty (from the households' change log) and creates the
run with one chunk per province, the largest first; a clean province's chunk points at the snapshot
the current run serves (``ScoreSnapshot``: nothing is copied) and is done at once. With no change at
all since the current run it makes no run (``None``): the current run, its numbers and its ETags
stay. ``chunk_compute`` scores a dirty province into a new snapshot and rolls it up the tree (every
region level lies inside one province), in one transaction (a retry starts clean);
``run_publish`` adds the snapshot of the coverage rows of provinces without a survey, writes the
run's manifest (every chunk's snapshot and that one) and makes the run current, in one transaction.
Only current runs' manifests are served, so a run's rows are unseen until then; a run that fails or
is killed leaves the previous current run served. ``recompute`` does all three in-process; the
Celery tasks (``indicators.tasks``) call the same functions.
"""

import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from households.models import (
    ChangeLog,
    Household,
    HouseholdSurvey,
    Member,
    MemberStatus,
    SurveyPeriod,
    VillageSurvey,
)
from indicators.methods import poverty
from indicators.models import ComputationRun, HouseholdScore, Methodology, RegionScore, RunChunk, ScoreSnapshot
from indicators.services import inputs, partitions, rank_bands, rollup, score, store
from indicators.services.lines import lines_for
from regions.models import Region

log = logging.getLogger(__name__)

HOUSEHOLD_TABLE = HouseholdScore._meta.db_table
REGION_TABLE = RegionScore._meta.db_table
#: The tables the chunks read (their planner statistics are refreshed when stale, see run_create).
INPUT_TABLES = [m._meta.db_table for m in (HouseholdSurvey, Household, Member, MemberStatus, VillageSurvey, Region)]
#: The household-score columns the roll-up reads (``_rollup_frame``).
_ROLLUP_COLUMNS = [
    "region_id",
    "persons",
    "weight",
    "income",
    "ratio",
    "margin",
    "d1_income",
    "d2_resilience",
    "d3_public_services",
    "d4_industry",
    "flagged",
    "category",
    "vulnerability",
    "deprivation_score",
    "deprivations",
]


class RecomputeError(RuntimeError):
    """A run cannot start (no methodology, no survey data, no poverty line): the message says why."""


def methodology_default() -> Methodology:
    """The default methodology; ``RecomputeError`` when none is marked default."""
    methodology = Methodology.objects.filter(is_default=True).first()
    if methodology is None:
        raise RecomputeError("No default methodology: tick 'default' on one in /admin/ (the migrations create v1).")
    return methodology


def _relative_lines(*, period: int, provinces: list[str], spec: dict, params: dict) -> dict:
    """A relative line from the whole period's data: ``share`` x the weighted median (or mean) of
    income per person (persons x sampling weight), as laeken's ``arpt`` (DESIGN §5 option)."""
    frame = score.scoring_frame(provinces=provinces, period=period, lines={}, params=params)
    y = score.income_per_person(frame, params)
    w = frame["size"].to_numpy(float) * frame["weight"].to_numpy(float)
    ok = ~np.isnan(y) & (w > 0)
    centre = (
        poverty.weighted_median(y[ok], w[ok])
        if spec.get("of", "median") == "median"
        else np.average(y[ok], weights=w[ok])
    )
    value = float(spec["share"]) * float(centre)
    year = str(period)
    return {
        "national": {year: dict.fromkeys(provinces, value)},
        "monitoring": {year: dict.fromkeys(provinces, value * float(spec.get("monitoring_multiple", 1.5)))},
        "relative": {"share": spec["share"], "of": spec.get("of", "median"), "centre": float(centre)},
    }


def changes_watermark() -> dt.datetime:
    """When the change log of a run created now starts for the next run: now, or the start of the oldest
    transaction still open on this database that has written, if earlier (PostgreSQL:
    ``pg_stat_activity``, client backends other than this connection with a transaction id; SQLite has
    one writer at a time, so now). ``run_create`` takes it before it reads the change log.

    A clerk's write stamps its change-log row when it inserts it, inside its transaction, but becomes
    visible only at commit, which may come after this run has read the data: counting from the start
    of every writing transaction still open, the next run counts that row. One that has not written yet
    stamps its rows after now. A read-only session left open does not hold the watermark back; a
    writing one left open only makes the next nights compute a province again (work, not a miss).
    Assumes the web servers', the workers' and the database's clocks agree (NTP), as the stamps come
    from the first two, and that they connect as one database role (or one with ``pg_read_all_stats``:
    PostgreSQL hides other roles' transaction starts).
    Output: an aware datetime.
    """
    now = timezone.now()
    if connection.vendor != "postgresql":
        return now
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND backend_xid IS NOT NULL"
        )
        (oldest,) = cursor.fetchone()
    return min(now, oldest) if oldest is not None else now


def _changes_since(run: ComputationRun) -> dt.datetime:
    """Where the change log after ``run`` starts (runs made before ``changes_since`` existed: their start)."""
    return run.changes_since or run.started_at


def _dirty(*, period: int, previous: ComputationRun, reusable: dict, provinces: list[str]) -> set[str]:
    """The provinces of ``provinces`` to compute again: those with a change to this period or the two
    before it since ``previous``'s watermark (``changes_watermark``; growth and stability read them),
    plus, if anything changed,
    those whose VEP was pooled, plus those ``previous`` serves no snapshot of (``reusable``: its chunks
    that serve one, by province code)."""
    changed = set(
        ChangeLog.objects.filter(
            period_id__in=[period, period - 1, period - 2], changed_at__gte=_changes_since(previous)
        ).values_list("province_code", flat=True)
    )
    dirty = changed & set(provinces)
    if dirty:
        dirty |= {p for p, chunk in reusable.items() if chunk.vulnerability_method == "pooled" and p in provinces}
    return dirty | (set(provinces) - set(reusable))


def _absolute_lines(*, period: int, provinces: list[str]) -> dict:
    """The national and monitoring lines of ``period`` and the two years before it for ``provinces``
    (``lines_for``); ``RecomputeError`` when a province has no national line for ``period``."""
    lines = lines_for(years=[period, period - 1, period - 2], provinces=provinces)
    missing = [p for p in provinces if p not in lines["national"].get(str(period), {})]
    if missing:
        raise RecomputeError(
            f"No national poverty line for {period} (provinces {', '.join(missing)}): add one, "
            "or use a methodology with a relative line."
        )
    return lines


def _unchanged(previous: ComputationRun, line_spec: dict) -> bool:
    """Whether a run now would compute what ``previous`` (the current run) serves: no household data
    of its period or the two years before it changed since it started, in any province (one indexed
    query on the change log, which every write to household data fills), so the provinces with
    surveys are the same; every chunk of it serves a snapshot; and the lines are the same (a relative
    line follows the data, so it is; absolute lines are read again: an admin may have superseded one).
    Cheap on purpose: a night without change costs this and nothing more."""
    period = previous.period_id
    window = [period, period - 1, period - 2]
    if ChangeLog.objects.filter(period_id__in=window, changed_at__gte=_changes_since(previous)).exists():
        return False
    chunks = list(previous.chunks.values_list("province_code", "snapshot_id"))
    if not chunks or any(snapshot is None for _, snapshot in chunks):
        return False
    if line_spec.get("type") == "relative":
        return True
    try:
        return _absolute_lines(period=period, provinces=sorted(p for p, _ in chunks)) == previous.lines
    except RecomputeError:
        return False


def run_create(
    *,
    period: int,
    methodology: Methodology | None = None,
    provinces: list[str] | None = None,
    full: bool = False,
    scheduled_for=None,
    trigger: str = "command",
) -> ComputationRun | None:
    """Create a run of ``period`` with a chunk per province that has surveys, or None when nothing
    changed since the current run.

    A dirty province's chunk is pending (``chunk_compute`` makes its snapshot); a clean one's serves
    the current run's snapshot of it and is done already. Nothing changed (no change-log entry of the
    period or the two years before it since the current run's watermark, in any province; the same
    provinces with surveys; the same lines; neither ``full`` nor ``provinces``): no run, None.

    Args:
        period: the survey year.
        methodology: default methodology when None.
        provinces: recompute these and the dirty ones (reuse the rest); None = the dirty ones (all when
            ``full``, when there is no current run, or when the lines differ from the current run's).
        scheduled_for: the beat date; a second run for the same (period, methodology, date) raises
            ``IntegrityError`` (a second beat process is harmless).
    Raises:
        RecomputeError: no surveys in the period, or no national poverty line for it.
    """
    # before the change log is read: a write that commits after _unchanged and _dirty read it is then
    # counted by the next run (its transaction was open here, or began after)
    changes_since = changes_watermark()
    methodology = methodology or methodology_default()
    params = methodology.parameters
    if not SurveyPeriod.objects.filter(pk=period).exists():
        raise RecomputeError(f"No survey period {period}.")
    line_spec = params.get("line", {"type": "absolute"})
    previous = ComputationRun.objects.filter(period_id=period, methodology=methodology, is_current=True).first()
    if previous is not None and not full and provinces is None and _unchanged(previous, line_spec):
        return None  # a night without change: the current run stays, and so do its ETags
    store.statistics_refresh(INPUT_TABLES)
    all_provinces = inputs.provinces_with_surveys(period=period)
    if not all_provinces and previous is None:
        raise RecomputeError(f"No household surveys in {period}: nothing to compute.")
    unknown = sorted(set(provinces or ()) - set(all_provinces))
    if unknown:
        raise RecomputeError(
            f"No household surveys of {period} in province(s) {', '.join(unknown)}; "
            f"provinces with surveys: {', '.join(sorted(all_provinces)) or 'none'}."
        )
    if not all_provinces:
        lines = {}  # every survey of the period is gone: an empty run replaces the current one
    elif line_spec.get("type") == "relative":
        lines = _relative_lines(period=period, provinces=all_provinces, spec=line_spec, params=params["scores"])
    else:
        lines = _absolute_lines(period=period, provinces=all_provinces)
    reusable = {}
    if previous is not None:
        reusable = {c.province_code: c for c in previous.chunks.filter(snapshot__isnull=False)}
    partitions.partition_ensure(period)
    if full or previous is None or previous.lines != lines:
        dirty = set(all_provinces)
    else:
        dirty = _dirty(period=period, previous=previous, reusable=reusable, provinces=all_provinces)
        # and the named ones: a copy of a changed province would hide the change from the next nightly
        # run, which looks for changes since this run's watermark (so _dirty's are computed too)
        dirty |= set(provinces or ()) & set(all_provinces)
    with transaction.atomic():
        if methodology.locked_at is None:
            Methodology.objects.filter(pk=methodology.pk).update(locked_at=timezone.now())
        run = ComputationRun.objects.create(
            period_id=period,
            methodology=methodology,
            changes_since=changes_since,
            full=dirty == set(all_provinces),
            scheduled_for=scheduled_for,
            trigger=trigger,
            previous=previous,
            lines=lines,
        )
        now = timezone.now()
        # created (and so computed and sent) the most surveyed province first: see provinces_with_surveys
        RunChunk.objects.bulk_create(
            RunChunk(run=run, province_code=p)
            if p in dirty
            else RunChunk(
                run=run,
                province_code=p,
                copied=True,
                snapshot_id=reusable[p].snapshot_id,
                status=RunChunk.Status.DONE,
                households=reusable[p].households,
                vulnerability_method=reusable[p].vulnerability_method,
                vulnerability_reason=reusable[p].vulnerability_reason,
                finished_at=now,
            )
            for p in all_provinces
        )
    return run


def chunk_compute(*, chunk_id: int) -> bool:
    """Compute one chunk into a new snapshot; idempotent. Returns True when this was the run's last chunk.

    The snapshot, its rows and the chunk's status are written in one transaction, so a retry after a
    killed worker starts clean and a finished chunk (or one reusing a snapshot) is never recomputed.
    """
    with transaction.atomic():
        chunk = RunChunk.objects.select_for_update().select_related("run__methodology").get(pk=chunk_id)
        if chunk.status == RunChunk.Status.DONE:
            return False
        RunChunk.objects.filter(pk=chunk_id).update(
            status=RunChunk.Status.RUNNING, attempts=chunk.attempts + 1, started_at=timezone.now()
        )
    if settings.TUOPIN_RECOMPUTE_CHUNK_PAUSE:  # lets the kill test catch a running chunk (0 otherwise)
        time.sleep(settings.TUOPIN_RECOMPUTE_CHUNK_PAUSE)
    run = chunk.run
    params = run.methodology.parameters
    province = chunk.province_code
    with transaction.atomic():
        store.bulk_session(parallel=False)
        snapshot = ScoreSnapshot.objects.create(
            period_id=run.period_id,
            methodology=run.methodology,
            province_code=province,
            run=run,
            input_version=_input_version(run, province),
        )
        frame = score.scoring_frame(
            provinces=[province], period=run.period_id, lines=run.lines, params=params["scores"]
        )
        whole = _whole_period_loader(run)
        result = score.chunk_score(frame=frame, params=params, pooled_frame=whole)
        # in household order: each index of the score table then takes its new entries in key
        # order, page after page, instead of at random places
        rows = result.scores.drop(columns=["af_poor"], errors="ignore").sort_values("household_id", kind="stable")
        written = store.frame_insert(
            table=HOUSEHOLD_TABLE, frame=rows.assign(snapshot_id=snapshot.pk, period_id=run.period_id)
        )
        _regions_write(snapshot, _rollup_frame(rows, run, province=province), provinces=[province])
        done = {
            "households": written,
            "vulnerability_method": result.vulnerability_method,
            "vulnerability_reason": result.vulnerability_reason or "",
        }
        ScoreSnapshot.objects.filter(pk=snapshot.pk).update(**done)
        RunChunk.objects.filter(pk=chunk_id).update(
            status=RunChunk.Status.DONE, snapshot=snapshot, finished_at=timezone.now(), error="", **done
        )
    return not run.chunks.exclude(status=RunChunk.Status.DONE).exists()


def _input_version(run: ComputationRun, province: str) -> str:
    """What a snapshot of ``province`` read: the last change-log entry of its periods (this one and
    the two before) and the run's lines, as ``changes:<id> lines:<digest>``."""
    last = ChangeLog.objects.filter(
        province_code=province, period_id__in=[run.period_id, run.period_id - 1, run.period_id - 2]
    ).aggregate(last=Max("pk"))["last"]
    digest = hashlib.sha256(json.dumps(run.lines, sort_keys=True).encode()).hexdigest()[:16]
    return f"changes:{last or 0} lines:{digest}"


def _whole_period_loader(run: ComputationRun) -> Callable[[], pd.DataFrame]:
    provinces = list(run.chunks.values_list("province_code", flat=True))

    def load() -> pd.DataFrame:
        return score.scoring_frame(
            provinces=provinces, period=run.period_id, lines=run.lines, params=run.methodology.parameters["scores"]
        )

    return load


def chunk_fail(*, chunk_id: int, error: str) -> None:
    """Record a chunk's failure (the run stays unpublished; the previous run is still served)."""
    RunChunk.objects.filter(pk=chunk_id).update(status=RunChunk.Status.FAILED, error=error[:2000])
    run_id = RunChunk.objects.filter(pk=chunk_id).values_list("run_id", flat=True).first()
    run_fail(run_id=run_id, error=error)


def run_fail(*, run_id: int, error: str) -> None:
    """Mark a run failed (the previous run stays served). A methodology that no published run has
    used is unlocked again, so an admin can still correct it."""
    ComputationRun.objects.filter(pk=run_id).update(
        status=ComputationRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    methodology_id = ComputationRun.objects.filter(pk=run_id).values_list("methodology_id", flat=True).first()
    used = ComputationRun.objects.filter(methodology_id=methodology_id, status=ComputationRun.Status.PUBLISHED)
    if not used.exists():
        Methodology.objects.filter(pk=methodology_id).update(locked_at=None)


def _rollup_frame(scores: pd.DataFrame, run: ComputationRun, *, province: str | None) -> pd.DataFrame:
    """The roll-up's input (``rollup.rollup``) from a chunk's household scores as written: rows
    without a data error, the village path of each row (as a categorical: one string per village)
    and ``af_poor`` from the run's AF cut-off k. ``province``: the chunk's (its regions' paths are
    read in one query by province, not by a list of thousands of ids); None for no households."""
    frame = scores.loc[scores["data_error"] == "", _ROLLUP_COLUMNS].reset_index(drop=True)
    labels, region_ids = pd.factorize(frame.pop("region_id"))
    paths = {}
    if province is not None:
        paths = dict(Region.objects.filter(province_code=province).values_list("pk", "path"))
    frame["path"] = pd.Categorical.from_codes(labels, categories=[paths[int(r)] for r in region_ids])
    frame["flagged"] = frame["flagged"].astype(bool)
    frame["category"] = frame["category"].fillna("").astype(str)
    for column in (
        "income",
        "ratio",
        "margin",
        "vulnerability",
        "deprivation_score",
        "d1_income",
        "d2_resilience",
        "d3_public_services",
        "d4_industry",
    ):
        frame[column] = frame[column].astype(float)
    frame["af_poor"] = frame["deprivation_score"] >= run.methodology.parameters["mpi_k"] - 1e-9
    return frame


def _province_filter(alias: str, provinces: list[str] | None, exclude: list[str]) -> tuple[str, list]:
    """A SQL condition on ``alias.province_code``: in ``provinces`` (None: any) and not in ``exclude``."""
    parts, params = ["1 = 1"], []
    if provinces is not None:
        parts.append(f"{alias}.province_code IN ({', '.join(['%s'] * len(provinces))})" if provinces else "1 = 0")
        params += list(provinces)
    if exclude:
        parts.append(f"{alias}.province_code NOT IN ({', '.join(['%s'] * len(exclude))})")
        params += list(exclude)
    return " AND ".join(parts), params


def _coverage(period: int, *, provinces: list[str] | None = None, exclude: list[str] = ()) -> pd.DataFrame:
    """Registered households and surveyed villages per region code, summed up every ancestor, for
    the regions of ``provinces`` (None: all) but not of ``exclude``. Counted per region id before the
    paths are joined (grouping by integers, not text: 257 -> 84 ms for a province of 193,517 households)."""
    where, params = _province_filter("r", provinces, list(exclude))
    counts = store.frame_select(
        f"""
        SELECT p.path, c.registered, c.villages_surveyed FROM (
            SELECT h.region_id, COUNT(*) AS registered, 0 AS villages_surveyed
            FROM households_household h JOIN regions_region r ON r.id = h.region_id
            WHERE {where} GROUP BY h.region_id
            UNION ALL
            SELECT v.region_id, 0, COUNT(*) FROM households_villagesurvey v JOIN regions_region r ON r.id = v.region_id
            WHERE v.period_id = %s AND {where} GROUP BY v.region_id
        ) c JOIN regions_region p ON p.id = c.region_id
        """,
        [*params, period, *params],
        text=("path",),
    )
    ancestors = counts["path"].str.strip("/").str.split("/", expand=True)
    parts = []
    for depth in range(ancestors.shape[1]):
        keep = ancestors[depth].notna()
        parts.append(counts[keep].groupby(ancestors[depth][keep])[["registered", "villages_surveyed"]].sum())
    out = pd.concat(parts) if parts else pd.DataFrame(columns=["registered", "villages_surveyed"])
    return out.groupby(level=0).sum()


def _regions_write(
    snapshot: ScoreSnapshot, households: pd.DataFrame, *, provinces: list[str] | None, exclude: list[str] = ()
) -> int:
    """Roll ``households`` (``_rollup_frame``) up into ``snapshot``'s region rows for the regions of
    ``provinces`` (None: all) except ``exclude``; returns the rows written.

    Every region level lies inside one level-1 region, whose households are all in one chunk, so a
    chunk rolls up its own province; regions with registered households or village surveys but no
    scored household get a row too (households 0, measures null), as the coverage needs.
    """
    params = snapshot.methodology.parameters
    measures = rollup.rollup(households, af_indicators=score.AF_INDICATORS, params=params["scores"])
    coverage = _coverage(snapshot.period_id, provinces=provinces, exclude=exclude)
    measures = measures.set_index("code").join(coverage, how="outer")
    where, where_params = _province_filter("regions_region", provinces, list(exclude))
    regions = store.frame_select(
        f"SELECT code, id AS region_id, level, province_code, scheme FROM regions_region WHERE {where}",
        where_params,
        text=("code", "province_code", "scheme"),
    ).set_index("code")
    measures = measures.join(regions, how="inner")
    measures["households"] = measures["households"].fillna(0).astype(int)
    measures["persons"] = measures["persons"].fillna(0).astype(int)
    measures["villages_surveyed"] = measures["villages_surveyed"].fillna(0).astype(int)
    registered = measures["registered"].astype(float)
    measures["coverage"] = (measures["households"] / registered.where(registered > 0)).clip(upper=1.0)
    measures["flagged_households"] = measures.pop("flagged_households_w").fillna(0).round().astype(int)
    measures["exit_check"] = rollup.exit_check(
        measures.index.to_series(),
        measures["province_code"],
        measures["headcount_ratio"],
        measures["scheme"],
        measures["households"],
    )
    for column in ("mpi_contributions", "mpi_censored_headcounts", "flagged_by_category"):
        measures[column] = measures[column].astype(object).fillna("{}")
    fields = [f.column for f in RegionScore._meta.concrete_fields if f.column not in ("id", "snapshot_id", "period_id")]
    rows = measures.reset_index(drop=True)[fields].assign(snapshot_id=snapshot.pk, period_id=snapshot.period_id)
    return store.frame_insert(table=REGION_TABLE, frame=rows)


def run_publish(*, run_id: int) -> ComputationRun:
    """Make a run whose chunks are all done current (one transaction); idempotent.

    The chunks have rolled their provinces up into their snapshots; this adds the snapshot of the
    provinces without a survey in the period (registered households or village surveys only: coverage
    rows), writes the run's manifest (every chunk's snapshot and that one), the EQI rank bands (which
    need every province: ``rank_bands.rank_bands_write``, its summary in the run's
    ``notes["sensitivity"]``) and switches the current run. Readers see the previous run and its
    manifest until the commit. A run created after this one that is already current stays current
    (this one is published, not current): of two overlapping runs, the later snapshot is served
    whichever finishes last.
    """
    with transaction.atomic():
        # the methodology's row too: publishes of one methodology take turns, so the check for a newer
        # current run below and the switch after it both see a publish that committed meanwhile
        run = ComputationRun.objects.select_for_update(of=("self", "methodology")).select_related("methodology")
        run = run.get(pk=run_id)
        if run.status == ComputationRun.Status.PUBLISHED:
            return run
        store.bulk_session()
        if run.chunks.exclude(status=RunChunk.Status.DONE).exists():
            raise RecomputeError(f"Run {run.pk} has chunks that are not done.")
        chunks = list(run.chunks.values_list("province_code", "snapshot_id"))
        rest = ScoreSnapshot.objects.create(
            period_id=run.period_id, methodology=run.methodology, province_code="", run=run, input_version="coverage"
        )
        empty = _rollup_frame(pd.DataFrame(columns=[*_ROLLUP_COLUMNS, "data_error"]), run, province=None)
        _regions_write(rest, empty, provinces=None, exclude=sorted(p for p, _ in chunks))
        run.snapshots.set([*(snapshot for _, snapshot in chunks), rest.pk])
        notes = {**run.notes, "sensitivity": rank_bands.rank_bands_write(run=run)}
        current = ComputationRun.objects.select_for_update().filter(
            period_id=run.period_id, methodology=run.methodology, is_current=True
        )
        # a run created after this one (a later snapshot of the data) that published first stays
        # current: two overlapping runs (a manual one during the nightly one) end on the newer
        newer = [r.pk for r in current if r.pk > run.pk]
        if not newer:
            current.update(is_current=False)
        ComputationRun.objects.filter(pk=run.pk).update(
            status=ComputationRun.Status.PUBLISHED,
            is_current=not newer,
            finished_at=timezone.now(),
            error="",
            notes=notes,
        )
    run.refresh_from_db()
    log.info("run %s published: period %s, %s snapshots", run.pk, run.period_id, len(chunks) + 1)
    return run


def recompute(
    *,
    period: int,
    methodology: Methodology | None = None,
    provinces: list[str] | None = None,
    full: bool = False,
    progress: Callable[[RunChunk], None] | None = None,
    jobs: int = 1,
) -> ComputationRun:
    """Create, compute and publish a run in this process (``manage.py recompute``, tests, demo).

    ``jobs`` > 1 computes that many chunks at once in threads, each on its own database connection
    (as that many Celery workers would; PostgreSQL only, and not inside an open transaction, whose
    uncommitted rows other connections cannot see: there it falls back to one at a time).

    Returns the published run (an empty one when every survey of the period has been removed since
    the current run), or the current run unchanged when nothing changed since it (``run_create``
    returned None: no new run). Raises ``RecomputeError`` (nothing to do, no line, unknown province)
    or the error of a failed chunk or roll-up, after recording it on the run (the previous run stays
    current).
    """
    run = run_create(period=period, methodology=methodology, provinces=provinces, full=full)
    if run is None:
        return current_run(period=period, methodology=methodology)
    # the largest province first (run_create); a reused province's chunk is done already
    chunks = list(run.chunks.exclude(status=RunChunk.Status.DONE).order_by("pk"))
    parallel = jobs > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block
    futures = {}
    with ThreadPoolExecutor(max_workers=jobs if parallel else 1) as pool:
        if parallel:
            futures = {pool.submit(_chunk_compute_own_connection, chunk.pk): chunk for chunk in chunks}
            outcomes = ((futures[f], f.exception()) for f in as_completed(futures))
        else:
            outcomes = ((chunk, _chunk_outcome(chunk.pk)) for chunk in chunks)
        for chunk, error in outcomes:
            if error is not None:
                for future in futures:
                    future.cancel()
                chunk_fail(chunk_id=chunk.pk, error=repr(error))
                raise error
            if progress:
                progress(chunk)
    try:
        return run_publish(run_id=run.pk)
    except Exception as error:
        run_fail(run_id=run.pk, error=repr(error))
        raise


def _chunk_outcome(chunk_id: int) -> Exception | None:
    try:
        chunk_compute(chunk_id=chunk_id)
    except Exception as error:
        return error
    return None


def _chunk_compute_own_connection(chunk_id: int) -> None:
    """``chunk_compute`` in a worker thread, which has its own connection: closed when done."""
    try:
        chunk_compute(chunk_id=chunk_id)
    finally:
        connection.close()


def current_run(*, period: int, methodology: Methodology | None = None) -> ComputationRun | None:
    """The run served for a period (default methodology), or None."""
    methodology = methodology or Methodology.objects.filter(is_default=True).first()
    return ComputationRun.objects.filter(period_id=period, methodology=methodology, is_current=True).first()

"""Reads of indicator results (the dashboards and the API take their querysets from here)."""

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import BooleanField, Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from config.formats import datetime_iso
from indicators.methods.disclosure import cells_suppressed
from indicators.models import (
    ComputationRun,
    HouseholdScore,
    Methodology,
    PovertyLine,
    RegionRankBand,
    RegionScore,
    RunChunk,
)
from indicators.services.rollup import SMALL_CELL
from regions.models import CN, Level, Region, RegionTag, Tag
from regions.selectors import READ_ROLES, region_display_name, user_region_paths


def poverty_lines() -> QuerySet[PovertyLine]:
    """Every poverty line, active and superseded, by year and type."""
    return PovertyLine.objects.order_by("year", "line_type", "province_code", "created_at")


def runs() -> QuerySet[ComputationRun]:
    """Computation runs with their methodology, newest first."""
    return ComputationRun.objects.select_related("methodology").order_by("-started_at", "-pk")


def current_runs() -> list[ComputationRun]:
    """The current published run of every period under the default methodology, oldest period
    first, with its methodology and previous run (one query). What every score page shows."""
    return list(
        ComputationRun.objects.filter(is_current=True, methodology__is_default=True)
        .select_related("methodology", "previous")
        .order_by("period_id")
    )


#: ``changes_in_scores`` per survey year: the current run includes the changes; a run started since
#: is not published yet; neither (the next nightly run, or a recompute by hand, will include them).
INCLUDED, RUNNING, PENDING = "included", "running", "pending"


def changes_in_scores(*, provinces: Sequence[str], periods: Sequence[int], since: dt.datetime) -> dict[int, str]:
    """Whether the scores served include data changed at ``since`` in ``provinces`` (the import
    page's after-commit note: ``settings.TUOPIN_IMPORT_SCORES_STATE`` names this function, so that
    ``households`` need not import this app).

    A run includes a province's change when it started after ``since`` and either recomputed the
    province, or copied it from a previous run that included it, or has no chunk for it (no
    household surveys there: nothing to score). Runs of the default methodology only, as the pages.

    Args:
        provinces: province codes the change touched; periods: its survey years; since: when it was
            written (aware).
    Returns:
        ``{year: INCLUDED | RUNNING | PENDING}``: INCLUDED when the current run of the year includes
        the change in every province; else RUNNING when a run of the year started after ``since``
        is running or rolling up; else PENDING. Three queries per year at most.
    """
    states = {}
    for period in periods:
        runs = {
            run.pk: run
            for run in ComputationRun.objects.filter(
                period_id=period, methodology__is_default=True, started_at__gte=since
            ).only("pk", "status", "is_current", "previous_id")
        }
        current = next((run for run in runs.values() if run.is_current), None)
        if current is not None and _run_includes(current, runs, set(provinces)):
            states[period] = INCLUDED
        elif any(
            run.status in (ComputationRun.Status.RUNNING, ComputationRun.Status.ROLLING_UP) for run in runs.values()
        ):
            states[period] = RUNNING
        else:
            states[period] = PENDING
    return states


def _run_includes(run: ComputationRun, runs: dict[int, ComputationRun], provinces: set[str]) -> bool:
    """Whether ``run`` (one of ``runs``, all started after the change) includes it in ``provinces``,
    following the chain of copied chunks back through ``previous`` (one query)."""
    copied = {}  # run id -> {province: copied?} for the provinces asked about
    for run_id, province, was_copied in RunChunk.objects.filter(run__in=runs, province_code__in=provinces).values_list(
        "run_id", "province_code", "copied"
    ):
        copied.setdefault(run_id, {})[province] = was_copied
    for province in provinces:
        step = run
        while step is not None and copied.get(step.pk, {}).get(province, False):
            step = runs.get(step.previous_id)  # copied: included if the run it copied from included it
        if step is None:
            return False  # copied from a run that started before the change
    return True


# --- Scores for the API (region-scores, household-scores, early-warning) --------------------------

#: The numbers of a ``region-scores`` row (DESIGN §7), in the order of the API's fields.
REGION_SCORE_NUMBERS = (
    "d1_income",
    "d2_resilience",
    "d3_public_services",
    "d4_industry",
    "eqi",
    "headcount_ratio",
    "headcount_ratio_se",
    "headcount_ratio_ci_low",
    "headcount_ratio_ci_high",
    "poverty_gap",
    "poverty_severity",
    "headcount_ratio_monitoring",
    "poverty_gap_monitoring",
    "poverty_severity_monitoring",
    "mpi_h",
    "mpi_a",
    "mpi_m0",
    "mpi_m0_se",
    "mpi_m0_ci_low",
    "mpi_m0_ci_high",
    "gini",
    "s80_s20",
    "flagged_share",
    "mean_vulnerability",
    # measures of the indicator registry beyond DESIGN §7's list, so the API serves all it lists
    "vulnerable_share",
    "income_median",
    "median_margin",
    "households",
    "persons",
    "coverage",
    "exit_check",
)
#: Every field of a ``region-scores`` row, in order.
REGION_SCORE_FIELDS = (
    "region",
    "name",
    "level",
    "period",
    *REGION_SCORE_NUMBERS,
    "eqi_rank_bands",
    "suppressed",
    "methodology",
    "sampling_design",
    "run",
    "computed_at",
)


class ScoreQueryError(ValueError):
    """A query parameter names something that does not exist (``field``: the parameter)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ScoreScope:
    """What a user may read of the scores.

    ``paths``: the user's subtrees (``None``: everything, a superuser; empty: nothing, an anonymous
    visitor or a user without assignments). Regions at ``public_level`` and above are public to
    everyone, with small-cell suppression outside the user's subtrees.
    """

    paths: tuple[str, ...] | None
    public_level: int

    @property
    def is_public(self) -> bool:
        """True when the user sees exactly what an anonymous visitor sees."""
        return self.paths == ()

    def key(self) -> list:
        """A JSON-able fingerprint of the scope, for ETags and cache keys."""
        return ["all" if self.paths is None else sorted(self.paths), self.public_level]

    def q(self, path_field: str = "region__path") -> Q:
        """A filter keeping rows in the user's subtrees (``Q(pk__in=[])`` for none)."""
        if self.paths is None:
            return Q()
        return reduce(or_, (Q(**{f"{path_field}__startswith": p}) for p in self.paths), Q(pk__in=[]))


def score_scope(*, user) -> ScoreScope:
    """The user's ``ScoreScope`` (one query for a logged-in user without superuser rights)."""
    paths = user_region_paths(user, roles=READ_ROLES)
    return ScoreScope(
        paths=None if paths is None else tuple(sorted(set(paths))), public_level=settings.TUOPIN_PUBLIC_MAX_LEVEL
    )


#: Seconds a run's suppression pattern stays cached (a published run's scores never change).
HIDDEN_CACHE_SECONDS = 24 * 3600


def paths_digest(paths: Sequence[str]) -> str:
    """A short text naming a set of region subtrees (for cache keys)."""
    return hashlib.sha256("|".join(sorted(paths)).encode()).hexdigest()[:16]


def cells_hidden(*, run_ids: Sequence[int], paths: Sequence[str] | None) -> dict[int, frozenset[int]]:
    """For each run, the region ids whose numbers a reader assigned ``paths`` must not see among the
    public rows (level ``TUOPIN_PUBLIC_MAX_LEVEL`` and above): small cells (fewer than ``SMALL_CELL``
    surveyed households) and the complementary cells that keep them from being recovered by
    subtraction from their parent (``indicators.methods.disclosure.cells_suppressed``).

    Args:
        run_ids: computation runs.
        paths: the reader's subtrees (``None``: a superuser, who sees everything; empty: the public).
            A region inside them is never hidden, nor chosen as a complement.

    Returns:
        ``{run_id: hidden region ids}``: one query for the runs not cached yet, then cached per run,
        public level and reader's subtrees (a published run's scores never change).
    """
    if paths is None:
        return {run_id: frozenset() for run_id in run_ids}
    digest = paths_digest(paths)
    keys = {
        run_id: f"indicators:cells-hidden:{run_id}:{settings.TUOPIN_PUBLIC_MAX_LEVEL}:{digest}" for run_id in run_ids
    }
    cached = cache.get_many(list(keys.values()))
    out = {run_id: cached[key] for run_id, key in keys.items() if key in cached}
    missing = [run_id for run_id in run_ids if run_id not in out]
    if missing:
        rows = list(
            RegionScore.objects.of_runs(missing)
            .filter(level__lte=settings.TUOPIN_PUBLIC_MAX_LEVEL)
            .order_by("run_id")
            .values_list("run_id", "region_id", "region__code", "region__parent_id", "households", "region__path")
        )
        by_run: dict[int, list[tuple]] = {run_id: [] for run_id in missing}
        for row in rows:
            by_run[row[0]].append(row)
        for run_id, of_run in by_run.items():
            position = {row[2]: i for i, row in enumerate(of_run)}  # a region's parent key is its code
            mask = cells_suppressed(
                parent=np.array([position.get(row[3], -1) for row in of_run], dtype=np.int64),
                households=np.array([row[4] or 0 for row in of_run], dtype=np.int64),
                visible=np.array([row[5].startswith(tuple(paths)) for row in of_run], dtype=bool),
                threshold=SMALL_CELL,
            )
            out[run_id] = frozenset(row[1] for row, hidden in zip(of_run, mask, strict=True) if hidden)
        cache.set_many({keys[run_id]: out[run_id] for run_id in missing}, HIDDEN_CACHE_SECONDS)
    return out


def runs_current(*, period: int | None = None, methodology: str | None = None) -> list[dict]:
    """The runs served: the current published run of each period for a methodology.

    Args:
        period: a survey year, or ``None`` for every period (a time series).
        methodology: a version (``v1``), or ``None`` for the default methodology.

    Returns:
        Dicts ``id``, ``period``, ``methodology`` (version), ``sampling_design`` (``census`` or
        ``sample``: the methodology's ``scores.sampling.design``), ``finished_at``, by period; empty
        when nothing is published yet.

    Raises:
        ScoreQueryError: no methodology has that version.
    """
    runs = ComputationRun.objects.filter(is_current=True, status=ComputationRun.Status.PUBLISHED)
    runs = runs.filter(**({"methodology__version": methodology} if methodology else {"methodology__is_default": True}))
    if period is not None:
        runs = runs.filter(period_id=period)
    rows = list(
        runs.order_by("period_id").values_list(
            "id", "finished_at", "period_id", "methodology__version", "methodology__parameters"
        )
    )
    if not rows and methodology and not Methodology.objects.filter(version=methodology).exists():
        raise ScoreQueryError("methodology", _("No methodology %(version)s.") % {"version": methodology})
    return [
        {"id": i, "finished_at": at, "period": p, "methodology": v, "sampling_design": sampling_design(params)}
        for i, at, p, v, params in rows
    ]


def sampling_design(parameters: dict | None) -> str:
    """``census`` or ``sample``: a methodology's ``scores.sampling.design`` (census when not given,
    as ``scoring.validate_parameters`` completes it: methodology v1 predates the parameter)."""
    scores = (parameters or {}).get("scores") or {}
    return (scores.get("sampling") or {}).get("design", "census")


def _region_path(code: str, field: str = "region") -> str:
    path = Region.objects.filter(code=code).values_list("path", flat=True).first()
    if path is None:
        raise ScoreQueryError(field, _("No region with code %(code)s.") % {"code": code})
    return path


def _tagged(tag: str) -> Q:
    """Regions carrying ``tag`` or lying inside a region that does (a county of a western province)."""
    if not Tag.objects.filter(code=tag).exists():
        raise ScoreQueryError("tag", _("No tag %(tag)s.") % {"tag": tag})
    codes = RegionTag.objects.filter(tag__code=tag).values("region__code")
    fields = ("code", "province_code", "prefecture_code", "county_code", "township_code")
    return reduce(or_, (Q(**{f"region__{f}__in": codes}) for f in fields))


def region_scores(
    *,
    scope: ScoreScope,
    runs: list[dict],
    scheme: str = CN,
    level: int | None = None,
    region: str | None = None,
    tag: str | None = None,
) -> QuerySet:
    """The region scores of ``runs`` the scope may read, as ``values()`` rows by region and period.

    Rows: every ``RegionScore`` field the API shows, ``code``, ``region_name``, ``region_scheme``,
    ``parent_name``, ``run_id``, ``period_id``, and ``suppressed`` (a public row outside the user's
    subtrees that is a small cell or its complement, ``cells_hidden``). Finish them with
    ``region_score_rows``.

    Args:
        scheme: a tree (``cn`` by default), or ``all``.
        level: 1 province ... 5 village in ``cn``.
        region: a code: that region and its subtree.
        tag: a tag code: regions carrying it, or inside a region carrying it.

    Raises:
        ScoreQueryError: no such scheme, region or tag.
    """
    rows = RegionScore.objects.of_runs(runs)
    if scheme != "all":
        if scheme != CN and not Region.objects.filter(scheme=scheme).exists():
            raise ScoreQueryError("scheme", _("No tree named %(scheme)s.") % {"scheme": scheme})
        rows = rows.filter(region__scheme=scheme)
    if level is not None:
        rows = rows.filter(level=level)
    if region:
        rows = rows.filter(region__path__startswith=_region_path(region))
    if tag:
        rows = rows.filter(_tagged(tag))
    public = Q(level__lte=scope.public_level)
    if scope.paths is None:  # everything, no suppression
        suppressed = Value(False)
    else:
        by_run = cells_hidden(run_ids=[run["id"] for run in runs], paths=scope.paths)
        period_of = {run["id"]: run["period"] for run in runs}
        hidden = reduce(
            or_,
            (Q(period_id=period_of[run_id], region_id__in=ids) for run_id, ids in by_run.items() if ids),
            Q(pk__in=[]),
        )
        if scope.is_public:
            rows = rows.filter(public)
            suppressed = Case(When(hidden, then=Value(True)), default=Value(False), output_field=BooleanField())
        else:
            in_scope = scope.q()
            rows = rows.filter(public | in_scope)
            suppressed = Case(When(in_scope, then=Value(False)), When(hidden, then=Value(True)), default=Value(False))
    return (
        rows.annotate(suppressed=suppressed)
        .values(
            *REGION_SCORE_NUMBERS,
            "level",
            "run_id",
            "region_id",
            "period_id",
            "suppressed",
            code=F("region__code"),
            region_name=F("region__name"),
            region_scheme=F("region__scheme"),
            parent_name=F("region__parent__name"),
        )
        .order_by("region__code", "period_id")
    )


#: The keys of ``eqi_rank_bands``: how a region was ranked (``RegionRankBand.Within``).
WITHIN_KEYS = {w.value: w.name.lower() for w in RegionRankBand.Within}


def rank_bands_of(rows: list[dict]) -> dict[tuple[int, int], dict[str, dict]]:
    """The EQI rank bands of ``region_scores`` rows (one query, none for no rows): ``{(run id, region
    id): {"country" | "province" | "prefecture": {"rank", "median", "low", "high", "ranked"}}}``."""
    if not rows:
        return {}
    found: dict[tuple[int, int], dict[str, dict]] = {}
    bands = RegionRankBand.objects.filter(
        run_id__in={row["run_id"] for row in rows}, region_id__in={row["region_id"] for row in rows}
    ).values_list("run_id", "region_id", "within", "rank", "rank_median", "rank_low", "rank_high", "ranked")
    for run_id, region_id, within, rank, median, low, high, ranked in bands:
        found.setdefault((run_id, region_id), {})[WITHIN_KEYS[within]] = {
            "rank": rank,
            "median": median,
            "low": low,
            "high": high,
            "ranked": ranked,
        }
    return found


def region_score_rows(rows, *, runs: list[dict]) -> list[dict]:
    """``region_scores`` rows as the API shows them (``REGION_SCORE_FIELDS``).

    The name is the display name (a prefecture named 市辖区 takes its province's name in front);
    a suppressed row keeps its region, level and period and has every number null (and no rank band).
    """
    by_id = {run["id"]: run for run in runs}
    rows = list(rows)
    bands = rank_bands_of(rows)
    out = []
    for row in rows:
        run = by_id[row["run_id"]]
        name = row["region_name"]
        if row["level"] == Level.PREFECTURE and row["parent_name"]:
            region = Region(scheme=row["region_scheme"], level=row["level"], name=name)
            region.parent = Region(name=row["parent_name"])
            name = region_display_name(region)
        item = {"region": row["code"], "name": name, "level": row["level"], "period": row["period_id"]}
        suppressed = bool(row["suppressed"])
        for field in REGION_SCORE_NUMBERS:
            item[field] = None if suppressed else row[field]
        item["eqi_rank_bands"] = None if suppressed else bands.get((row["run_id"], row["region_id"]), {})
        item.update(
            suppressed=suppressed, methodology=run["methodology"], sampling_design=run["sampling_design"], run=run["id"]
        )
        item["computed_at"] = datetime_iso(run["finished_at"])
        out.append(item)
    return out


#: Fields of a ``household-scores`` row (no names, no member data). The API masks the registry number
#: (``households.selectors.registry_shown``, with ``region_path``) but for the village's clerks and admins.
HOUSEHOLD_SCORE_FIELDS = (
    "id",
    "household_id",
    "household_public_id",
    "registry_number",
    "region_code",
    "region_name",
    "region_path",
    "period",
    "run_id",
    "persons",
    "weight",
    "income",
    "ratio",
    "margin",
    "d1_income",
    "d2_resilience",
    "d3_public_services",
    "d4_industry",
    "eqi",
    "vulnerability",
    "deprivation_score",
    "flagged",
    "category_code",
    "reasons",
    "data_error",
)

#: Orderings of the early-warning list: name -> cursor ordering (first field nearly unique). Ties go by
#: the household's public id, and "registry_number" is ``registry_key`` (``households.selectors.
#: registry_sort_key``, annotated by the API): masked numbers by village and public id, so no order
#: tells the serials a mask hides.
EARLY_WARNING_ORDERINGS = {
    "risk": ("-risk", "-household_public_id", "period"),  # highest vulnerability first, unknown last
    "margin": ("margin_key", "household_public_id", "period"),  # lowest margin first, unknown last
    "registry_number": ("registry_key", "period"),  # by village (numbers start with its code)
}


def household_scores(
    *,
    scope: ScoreScope,
    runs: list[dict],
    region: str | None = None,
    village: str | None = None,
    flagged: bool | None = None,
    reason: str | None = None,
    category: str | None = None,
) -> QuerySet:
    """Household scores of ``runs`` in the scope's subtrees (none for an anonymous scope), as ``values()`` rows
    (``HOUSEHOLD_SCORE_FIELDS``), annotated ``risk`` and ``margin_key`` for the orderings.

    Args:
        region: a code: households in that region's subtree.
        village: a code: households of that region only.
        flagged: ``True`` for the early-warning list.
        reason: an early-warning reason code (``indicators.methods.scoring.REASONS``).
        category: an early-warning category code (``CATEGORIES``).

    Raises:
        ScoreQueryError: no region or village with that code.
    """
    rows = HouseholdScore.objects.of_runs(runs).filter(scope.q())
    if region:
        rows = rows.filter(region__path__startswith=_region_path(region))
    if village:
        _region_path(village, "village")
        rows = rows.filter(region__code=village)
    if flagged is not None:
        rows = rows.filter(flagged=flagged)
    if reason:
        # portable (SQLite has no JSON containment): the quoted code inside the JSON list's text
        rows = rows.filter(reasons__icontains=f'"{reason}"')
    if category:
        rows = rows.filter(category=category)
    return rows.annotate(
        registry_number=F("household__registry_number"),
        household_public_id=F("household__public_id"),
        region_code=F("region__code"),
        region_name=F("region__name"),
        region_path=F("region__path"),
        category_code=NullIf("category", Value("")),
        risk=Coalesce("vulnerability", Value(-1.0), output_field=FloatField()),
        margin_key=Coalesce("margin", Value(1e300), output_field=FloatField()),
    ).values(*HOUSEHOLD_SCORE_FIELDS, "risk", "margin_key")

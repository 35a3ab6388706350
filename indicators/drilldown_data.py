"""Reads for the pages below county level: a region's children, a village and its households, a household.

Every function takes objects the caller has already scoped (``regions.selectors.regions_visible_to``,
``households.selectors.households_visible_to``) and reads scores of published runs only: the current
run of each period under the default methodology (``ComputationRun.is_current``). Each function is a
fixed number of queries (``.values()``, joins, no query per row), whatever the number of rows.

Units: scores 0-100; shares and vulnerability 0-1; income in yuan per person per year; ratio and
margin are income over the national and the monitoring line.
"""

from django.db.models import F, Max
from django.utils.translation import gettext_lazy as _

from households.models import Household, HouseholdSurvey, MonitoringStatus
from households.selectors import registry_revealed, registry_shown
from indicators.methods.scoring import COMPONENTS, REASONS
from indicators.models import ComputationRun, HouseholdScore, RegionScore
from indicators.registry import BY_CODE, INDICATORS
from indicators.services.score import AF_INDICATORS
from indicators.warnings_data import REASON_LABELS as WARNING_REASON_LABELS
from regions.models import Region

#: Every measure of the registry, in its order: the columns of a children table and its export.
MEASURES: tuple[str, ...] = tuple(indicator.code for indicator in INDICATORS)
#: The household scores shown per household (``HouseholdScore`` fields), in display order.
DIMENSIONS = ("eqi", "d1_income", "d2_resilience", "d3_public_services", "d4_industry")
HOUSEHOLD_FIELDS = (
    "persons",
    "weight",
    "income",
    "ratio",
    "margin",
    *DIMENSIONS,
    "vulnerability",
    "deprivation_score",
    "deprivations",
    "flagged",
    "reasons",
    "category",
    "data_error",
)
#: KPI numbers of a village page: registry measures only.
VILLAGE_KPIS = (
    "households",
    "persons",
    "coverage",
    *DIMENSIONS,
    "headcount_ratio",
    "headcount_ratio_monitoring",
    "mpi_h",
    "mpi_a",
    "mpi_m0",
    "flagged_share",
    "mean_vulnerability",
    "median_margin",
)

COMPONENT_LABELS = {
    "c_adequacy": _("Income adequacy"),
    "c_growth": _("Real income growth"),
    "c_dev_share": _("Developmental income share"),
    "c_stability": _("Income stability"),
    "c_resilience": _("Resilience (1 − vulnerability)"),
    "c_margin": _("Margin over the monitoring line"),
    "c_shocks": _("Shocks absent"),
    "c_guarantees": _("Guarantees met"),
    "c_village_services": _("Village public services"),
    "c_household_industry": _("Household industrial participation"),
    "c_village_industry": _("Village industry"),
}
#: the flag reasons' labels of the early-warning inbox: one label set on every page and export
REASON_LABELS = WARNING_REASON_LABELS
assert set(COMPONENT_LABELS) == set(COMPONENTS) and set(REASON_LABELS) == set(REASONS)


def af_indicator_label(code: str) -> str:
    """The name of an Alkire-Foster indicator (a guarantee field of the survey, or ``income``)."""
    if code == "income":
        return str(_("Income below the national line"))
    return str(HouseholdSurvey._meta.get_field(code).verbose_name)


def category_label(code: str) -> str:
    """The name of an early-warning category (the monitoring statuses' names); empty for none."""
    return str(MonitoringStatus(code).label) if code in MonitoringStatus.values else code


def deprivations_decode(bits: int) -> list[str]:
    """The AF indicators set in a ``HouseholdScore.deprivations`` bitmask, in ``AF_INDICATORS`` order."""
    return [code for j, code in enumerate(AF_INDICATORS) if bits >> j & 1]


def run_of_period(runs: list[ComputationRun], period: int | None) -> ComputationRun | None:
    """The run of ``period`` among ``runs`` (the latest period when ``period`` is None); None if absent."""
    if period is None:
        return runs[-1] if runs else None
    return next((run for run in runs if run.period_id == period), None)


def children_rows(*, region: Region, run: ComputationRun | None) -> list[dict]:
    """The region's children with every registry measure of ``run`` (two queries).

    Returns:
        One dict per child, by code: ``code``, ``name``, ``level``, ``scored`` (the run has a row for
        it) and one key per code in ``MEASURES`` (None when there is no data).
    """
    rows = list(Region.objects.filter(parent_id=region.code).order_by("code").values("code", "name", "level"))
    scores = {}
    if run is not None:
        scores = {
            s.pop("region__code"): s
            for s in RegionScore.objects.of_run(run)
            .filter(region__parent_id=region.code)
            .values("region__code", *MEASURES)
        }
    for row in rows:
        score = scores.get(row["code"])
        row["scored"] = score is not None
        row.update(score or dict.fromkeys(MEASURES))
    return rows


def rows_sorted(rows: list[dict], *, key: str, descending: bool) -> list[dict]:
    """``rows`` ordered by ``key`` (ties by code); rows whose value is None always come last."""
    present = sorted((r for r in rows if r.get(key) is not None), key=lambda r: r["code"])
    present.sort(key=lambda r: r[key], reverse=descending)
    return present + [r for r in rows if r.get(key) is None]


def region_score(*, region: Region, run: ComputationRun | None) -> dict | None:
    """The region's scores in ``run`` (``VILLAGE_KPIS`` plus the AF contributions and censored
    headcounts as dicts of indicator code to share), or None when the run has no row for it."""
    if run is None:
        return None
    return (
        RegionScore.objects.of_run(run)
        .filter(region=region)
        .values(*VILLAGE_KPIS, "mpi_contributions", "mpi_censored_headcounts")
        .first()
    )


def af_rows(score: dict | None) -> list[dict]:
    """The AF indicators of a region score as rows: ``code``, ``label``, ``contribution`` (share of
    M0, 0-1) and ``censored_headcount`` (0-1); None where the score has no value."""
    if not score:
        return []
    contributions = score.get("mpi_contributions") or {}
    censored = score.get("mpi_censored_headcounts") or {}
    return [
        {
            "code": code,
            "label": af_indicator_label(code),
            "contribution": contributions.get(code),
            "censored_headcount": censored.get(code),
        }
        for code in AF_INDICATORS
    ]


def af_chart_note(score: dict | None, *, k: str) -> str | None:
    """Why a village's chart of AF contributions has nothing to draw, or None when it has bars.

    Args:
        score: the village's ``region_score`` (None: no household of it was scored in the run).
        k: the methodology's AF cutoff (``mpi_k``) as the page writes it (``33.33%``).

    Returns:
        A sentence in the active language: no household scored; no household multidimensionally poor
        (M0 is 0, so the contributions, shares of M0, are undefined); or no data on the indicators.
        None when at least one indicator has a contribution.
    """
    if score is None:
        return str(_("No household of this village was scored in this period, so there are no contributions to draw."))
    if any(value is not None for value in (score.get("mpi_contributions") or {}).values()):
        return None
    if score.get("mpi_m0") == 0:
        return str(
            _(
                "No household of this village is multidimensionally poor (deprived in at least %(k)s of the "
                "weighted indicators): M0 is 0, so no indicator contributes to it and there is nothing to draw."
            )
            % {"k": k}
        )
    return str(_("No household of this village has data on the deprivation indicators: there is nothing to draw."))


def _household_row(row: dict, *, village_path: str, reveal_paths: list[str] | None) -> dict:
    number = row.pop("household__registry_number")
    row["household"] = row.pop("household__public_id")
    row["registry"] = registry_shown(number, village_path=village_path, reveal_paths=reveal_paths)
    row["deprived_in"] = deprivations_decode(row["deprivations"])
    row["reasons"] = [r for r in row["reasons"] or [] if r in REASON_LABELS]
    return row


def village_households(*, region: Region, run: ComputationRun | None, reveal_paths: list[str] | None) -> list[dict]:
    """The scored households of a village in ``run`` (one query): by registry number where the numbers
    show whole, else by public id (the order of masked numbers must not tell their serials).

    Args:
        reveal_paths: ``households.selectors.registry_reveal_paths(user)``: where registry numbers
            show whole (a data clerk's or admin's subtrees).

    Returns:
        One dict per household: ``HOUSEHOLD_FIELDS``, ``household`` (its public id, for links),
        ``registry`` (the registry number, masked ``621126100200**01`` unless ``reveal_paths`` covers
        the village), ``deprived_in`` (AF indicator codes). No names.
    """
    if run is None:
        return []
    order = "household__registry_number" if registry_revealed(region.path, reveal_paths) else "household__public_id"
    rows = (
        HouseholdScore.objects.of_run(run)
        .filter(region=region)
        .order_by(order)
        .values(*HOUSEHOLD_FIELDS, "household__registry_number", "household__public_id")
    )
    return [_household_row(row, village_path=region.path, reveal_paths=reveal_paths) for row in rows]


def household_periods(*, household: Household, reveal_paths: list[str] | None) -> list[dict]:
    """The household's scores in every published run (default methodology), newest period first (one query).

    ``household.region`` should be loaded (``select_related``); ``reveal_paths`` as for ``village_households``.

    Returns:
        One dict per period: ``HOUSEHOLD_FIELDS``, ``components`` (dict of component code to score),
        ``deprived_in``, ``period``, ``methodology`` (version), ``finished_at`` (the run's),
        ``registry`` (masked unless ``reveal_paths`` covers the household's village).
    """
    rows = (
        HouseholdScore.objects.filter(
            household=household, snapshot__runs__is_current=True, snapshot__runs__methodology__is_default=True
        )
        .order_by("-period_id")
        .values(
            *HOUSEHOLD_FIELDS,
            *HouseholdScore.COMPONENT_FIELDS,
            "household__registry_number",
            "household__public_id",
            "period",
            methodology=F("snapshot__runs__methodology__version"),
            finished_at=F("snapshot__runs__finished_at"),
        )
    )
    path = household.region.path
    out = []
    for row in rows:
        row["components"] = {c: row.pop(c) for c in HouseholdScore.COMPONENT_FIELDS}
        out.append(_household_row(row, village_path=path, reveal_paths=reveal_paths))
    return out


def surveys_changed_after(periods: list[dict], *, household: Household) -> None:
    """Mark the periods whose scores predate a change of the household's surveys (one query).

    A period's scores read the surveys of that period and the two before it (growth, stability). Each
    dict of ``periods`` (``household_periods``) gets ``survey_changed``: the last change (a survey's
    history row, whether written by a form or an import) of a survey of its period or earlier, when
    that is later than the run's ``finished_at``; else None. The scores show the change only after
    the next recompute.
    """
    changes = dict(
        HouseholdSurvey.history.filter(household_id=household.pk)
        .values("period_id")
        .annotate(last=Max("history_date"))
        .values_list("period_id", "last")
    )
    for p in periods:
        last = max((when for year, when in changes.items() if year <= p["period"]), default=None)
        p["survey_changed"] = last if last and p["finished_at"] and last > p["finished_at"] else None


def measure_unit(code: str) -> str:
    """The unit of a registry measure (``score``, ``share``, ``ratio``, ``yuan``, ``count``)."""
    return BY_CODE[code].unit

"""Reads of the early-warning inbox (DESIGN §4 and §7): the flagged households of a region's subtree
in the current published run of a period (default methodology), filtered, sorted by risk, optionally
only those newly flagged since the previous published run of the same period and methodology.
Registry numbers are masked (``households.ids.registry_mask``) but for the village's data clerks and
admins; no names, no resident IDs. The workflow's writes are in ``indicators.services.warnings``.
"""

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from config.formats import list_join
from households.selectors import registry_shown
from indicators.methods.scoring import CATEGORIES, REASONS
from indicators.models import (
    ComputationRun,
    HouseholdScore,
    WarningCase,
    WarningState,
)
from regions.models import Region
from regions.selectors import user_region_paths

#: Labels of the flag reasons (``indicators.methods.scoring.REASONS``).
REASON_LABELS = {
    "below_monitoring_line": gettext_lazy("income below the monitoring line"),
    "vulnerable": gettext_lazy("vulnerable (expected poverty)"),
    "catastrophic_health": gettext_lazy("catastrophic health spending"),
    "illness_disability": gettext_lazy("serious illness or disability"),
    "shock": gettext_lazy("shock (disaster loss or job loss)"),
}
#: Labels of the monitoring categories (``indicators.methods.scoring.CATEGORIES``).
CATEGORY_LABELS = {
    "ex_poor_unstable": gettext_lazy("ex-poor, unstable"),
    "near_poor_at_risk": gettext_lazy("near-poor, at risk"),
    "sudden_hardship": gettext_lazy("sudden severe hardship"),
}
assert set(REASON_LABELS) == set(REASONS) and set(CATEGORY_LABELS) == set(CATEGORIES)

#: Sort orders of the inbox. "risk": highest vulnerability first, then the lowest income over the
#: monitoring line, then the village and the public id (households without a value last).
SORTS = {
    "risk": (F("vulnerability").desc(nulls_last=True), F("margin").asc(nulls_last=True)),
    "margin": (F("margin").asc(nulls_last=True), F("vulnerability").desc(nulls_last=True)),
    "eqi": (F("eqi").asc(nulls_last=True), F("vulnerability").desc(nulls_last=True)),
    "village": (F("region__code").asc(), F("vulnerability").desc(nulls_last=True)),
}

ROW_FIELDS = (
    "household_id",
    "household__public_id",
    "household__registry_number",
    "region__code",
    "region__name",
    "region__path",
    "category",
    "reasons",
    "margin",
    "vulnerability",
    "eqi",
)


def previous_run(run: ComputationRun) -> ComputationRun | None:
    """The published run ``run`` replaced (same period and methodology), or None for the first one.

    ``run.previous`` when it was published; else the latest published run of the same period and
    methodology that finished before ``run``.
    """
    if run.previous is not None and run.previous.status == ComputationRun.Status.PUBLISHED:
        return run.previous
    return (
        ComputationRun.objects.filter(
            period_id=run.period_id,
            methodology_id=run.methodology_id,
            status=ComputationRun.Status.PUBLISHED,
            finished_at__lt=run.finished_at,
        )
        .exclude(pk=run.pk)
        .order_by("-finished_at")
        .first()
    )


def flagged_scores(
    *,
    run: ComputationRun,
    region: Region,
    village: str = "",
    reason: str = "",
    since: ComputationRun | None = None,
    sort: str = "risk",
) -> QuerySet:
    """The flagged households of ``region``'s subtree in ``run`` as dicts of ``ROW_FIELDS``.

    Args:
        village: a village code to keep only that village ("" for all).
        reason: a code of ``REASONS`` to keep households flagged for it ("" for all).
        since: keep only households not flagged in this run (the "newly flagged" view).
        sort: a key of ``SORTS``; ties end on the village code and the household's public id (not on
            the registry number: that order would tell the serials of masked numbers).
    Raises:
        ValueError: unknown ``reason`` or ``sort``.

    The caller checked that ``region`` is in the user's scope (its subtree then is too).
    """
    if reason and reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    scores = HouseholdScore.objects.of_run(run).filter(flagged=True, region__path__startswith=region.path)
    if village:
        scores = scores.filter(region__code=village)
    if reason:  # the JSON list as text: each code appears quoted ("shock"), no code inside another
        scores = scores.filter(reasons__icontains=f'"{reason}"')
    if since is not None:
        scores = scores.exclude(
            household_id__in=HouseholdScore.objects.of_run(since).filter(flagged=True).values("household_id")
        )
    return scores.order_by(*SORTS[sort], "region__code", "household__public_id").values(*ROW_FIELDS)


def flagged_villages(*, run: ComputationRun, region: Region) -> list[tuple[str, str]]:
    """(code, name) of the villages of ``region``'s subtree with a flagged household in ``run``, by code."""
    return list(
        HouseholdScore.objects.of_run(run)
        .filter(flagged=True, region__path__startswith=region.path)
        .values_list("region__code", "region__name")
        .distinct()
        .order_by("region__code")
    )


def inbox_rows(rows, *, reveal_paths: list[str] | None, cases: dict[int, WarningCase] | None = None) -> list[dict]:
    """Score dicts (``flagged_scores``) as display and export rows: registry number, labels, case state.

    ``reveal_paths`` (``households.selectors.registry_reveal_paths(user)``): where registry numbers show
    whole; elsewhere they are masked (``640422100002**01``).

    Output keys: ``household`` (the public id, for links and exports; never the sequential key),
    ``registry``, ``village_code``, ``village``, ``category``, ``reasons`` (labels joined with the
    language's separator, ``、`` or ``, ``),
    ``reason_codes``, ``margin`` (income over the monitoring line, a ratio), ``vulnerability`` (0-1),
    ``eqi`` (0-100), ``state`` (label of the open case's state, or of "flagged" without a case).
    """
    cases = cases or {}
    out = []
    for r in rows:
        case = cases.get(r["household_id"])
        out.append(
            {
                "household": r["household__public_id"],
                "registry": registry_shown(
                    r["household__registry_number"], village_path=r["region__path"], reveal_paths=reveal_paths
                ),
                "village_code": r["region__code"],
                "village": r["region__name"],
                "category": str(CATEGORY_LABELS.get(r["category"], r["category"])),
                "reason_codes": list(r["reasons"]),
                "reasons": list_join(REASON_LABELS.get(c, c) for c in r["reasons"]),
                # as stored: the pages show them with their unit's decimals (config.formats), not rounded twice
                "margin": r["margin"],
                "vulnerability": r["vulnerability"],
                "eqi": r["eqi"],
                "state": (case.get_state_display() if case else WarningState.FLAGGED.label),
            }
        )
    return out


def cases_shown(household_ids, *, run: ComputationRun) -> dict[int, WarningCase]:
    """The case each household's row shows in ``run``'s inbox (one query): its open case, else one
    closed by risk elimination after ``run`` finished (that run's flag is dealt with). Households
    without either show as flagged."""
    cases = WarningCase.objects.filter(household_id__in=list(household_ids)).filter(
        ~Q(state=WarningState.RISK_ELIMINATED) | Q(updated_at__gte=run.finished_at)
    )
    shown: dict[int, WarningCase] = {}
    for case in cases.order_by("opened_at", "pk"):  # an open case (the newest) wins over a closed one
        current = shown.get(case.household_id)
        if current is None or current.state == WarningState.RISK_ELIMINATED:
            shown[case.household_id] = case
    return shown


def latest_case(household) -> WarningCase | None:
    """The household's open case, else its latest closed one, with its steps and their actors."""
    cases = WarningCase.objects.filter(household=household).prefetch_related("steps__actor")
    return cases.exclude(state=WarningState.RISK_ELIMINATED).first() or cases.order_by("-opened_at", "-pk").first()


def household_score(*, run: ComputationRun, household) -> HouseholdScore | None:
    """The household's score in ``run``, or None."""
    return HouseholdScore.objects.of_run(run).filter(household=household).first()


def inbox_regions(user) -> list[Region]:
    """The regions whose inbox the top bar's "Early warning" entry leads ``user`` to (one or two
    queries), by level and code: the regions assigned to the user in any read role, but for those
    inside another of them (a county's official who is also clerk of one of its villages gets the
    county); for a superuser, the top-level regions with a flagged household in a current published
    run of the default methodology. Empty for a user without assignments (and an anonymous one)."""
    paths = user_region_paths(user)
    if paths is None:
        flagged = HouseholdScore.objects.served().filter(flagged=True, province_code=OuterRef("code"))
        return list(Region.objects.filter(parent__isnull=True).filter(Exists(flagged)).order_by("level", "code"))
    top = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return list(Region.objects.filter(path__in=top).order_by("level", "code")) if top else []

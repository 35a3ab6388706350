"""Drill-down below county level: a region's children, a village and its households, a household.

All three pages need a login and answer 404 for anything outside the user's regions (the same answer
as for a code that does not exist, so a code reveals nothing). Every table downloads with
``?format=csv|xlsx``. Numbers come from the current published run of a period (``?period=``, latest
by default) under the default methodology, and each chart and table names that run.
"""

from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from config.exports import FORMATS, table_response
from config.formats import datetime_iso, list_join
from config.formats import number_display as measure_display
from households.selectors import household_get, households_visible_to, registry_reveal_paths, registry_shown
from indicators import drilldown_data as data
from indicators import selectors
from indicators.registry import BY_CODE, INDICATORS, unit_of
from indicators.views.params import choice, params_only, period_parse
from regions.models import CN, Level
from regions.selectors import region_ancestors, regions_visible_to

DEFAULT_MEASURE = "eqi"
#: Columns of the children table on the page (the export has every registry measure).
TABLE_MEASURES = (
    "households",
    "persons",
    "eqi",
    "d1_income",
    "d2_resilience",
    "d3_public_services",
    "d4_industry",
    "headcount_ratio",
    "headcount_ratio_monitoring",
    "mpi_m0",
    "flagged_share",
    "mean_vulnerability",
)


def _run(request) -> tuple[list, object]:
    """The published runs and the one ``?period=`` asks for (the latest by default); 400 for a bad year."""
    runs = selectors.current_runs()
    period = period_parse(request.GET.get("period"), (r.period_id for r in runs))
    return runs, data.run_of_period(runs, period)


def _provenance(run) -> dict:
    """What every chart and table names: period, methodology version, when its run finished."""
    if run is None:
        return {}
    return {
        "period": run.period_id,
        "methodology": run.methodology.version,
        "computed_at": datetime_iso(run.finished_at) or "",
    }


def _export(request, rows, columns, *, filename: str, run):
    fmt = choice(request, "format", FORMATS, None)
    if fmt is None:
        return None
    stamp = _provenance(run)
    columns = [*columns, ("period", _("Period")), ("methodology", _("Methodology")), ("computed_at", _("Computed at"))]
    return table_response([{**row, **stamp} for row in rows], columns, filename=filename, fmt=fmt)


def _common(run, runs) -> dict:
    return {"run": run, "periods": [r.period_id for r in runs]}


def _measure_label(code: str) -> str:
    return str(BY_CODE[code].name)


def _bars_chart(rows: list[dict], measure: str, *, axis: str) -> dict:
    """The bar chart's data: the rows with a value of ``measure``, best first (by its direction);
    ``axis`` titles the axis of the child regions' names."""
    ranked = data.rows_sorted(rows, key=measure, descending=BY_CODE[measure].direction == "higher_better")
    ranked = [r for r in ranked if r[measure] is not None]
    return {
        "kind": "bars",
        "measure": measure,
        "label": _measure_label(measure),
        "unit": BY_CODE[measure].unit,
        "names": [r["name"] for r in ranked],
        "codes": [r["code"] for r in ranked],
        "values": [r[measure] for r in ranked],
        "texts": [measure_display(r[measure], BY_CODE[measure].unit) for r in ranked],
        "axis": axis,
    }


@login_required
@require_safe
def children(request, code: str):
    """The townships of a county or the villages of a township, ranked by a measure (``?measure=``),
    sorted by any column (``?sort=``, ``?order=asc|desc``); export with ``?format=csv|xlsx``."""
    params_only(request, ("measure", "sort", "order", "period", "format"))
    region = (
        regions_visible_to(request.user)
        .filter(code=code, level__gte=settings.TUOPIN_PUBLIC_MAX_LEVEL)
        .exclude(Q(scheme=CN) & Q(level=Level.VILLAGE))
        .first()
    )
    if region is None:
        raise Http404(_("No such region in your regions."))
    measure = choice(request, "measure", data.MEASURES, DEFAULT_MEASURE)
    sort = choice(request, "sort", {"code", "name", *data.MEASURES}, measure)
    descending = choice(request, "order", {"asc", "desc"}, "asc" if sort in ("code", "name") else "desc") == "desc"
    runs, run = _run(request)
    rows = data.rows_sorted(data.children_rows(region=region, run=run), key=sort, descending=descending)
    columns = [("code", _("Code")), ("name", _("Name")), *((m, _measure_label(m)) for m in data.MEASURES)]
    export = _export(
        request, rows, columns, filename=f"children-{region.code}-{run.period_id if run else 'none'}", run=run
    )
    if export is not None:
        return export

    shown = [*TABLE_MEASURES, *([measure] if measure not in TABLE_MEASURES else [])]
    child_is_village = region.scheme == CN and region.level == Level.TOWNSHIP
    for row in rows:
        row["cells"] = [measure_display(row[m], BY_CODE[m].unit) for m in shown]
        row["url"] = reverse("indicators:village" if child_is_village else "indicators:children", args=[row["code"]])
    chart = _bars_chart(rows, measure, axis=_("Village") if child_is_village else _("Child region"))
    context = {
        **_common(run, runs),
        "region": region,
        "ancestors": region_ancestors(region=region),
        "rows": rows,
        "measures": [(i.code, str(i.name)) for i in INDICATORS],
        "measure": measure,
        "measure_label": _measure_label(measure),
        "headers": [(m, _measure_label(m)) for m in shown],
        "sort": sort,
        "descending": descending,
        "chart": chart,
        "chart_height": max(420, 24 * len(chart["values"]) + 100),
        "no_data": [r["name"] for r in rows if r[measure] is None],
    }
    return render(request, "indicators/children.html", context)


VILLAGE_COLUMNS = (
    ("household", gettext_lazy("Household")),  # its public id, as in the page's address
    ("registry", gettext_lazy("Registry number")),
    ("persons", gettext_lazy("Persons")),
    ("income", gettext_lazy("Income per person")),
    ("ratio", gettext_lazy("Income / poverty line")),
    ("margin", gettext_lazy("Income / monitoring line")),
    ("eqi", gettext_lazy("Exit-quality index")),
    ("d1_income", gettext_lazy("D1 income")),
    ("d2_resilience", gettext_lazy("D2 resilience")),
    ("d3_public_services", gettext_lazy("D3 public services")),
    ("d4_industry", gettext_lazy("D4 industrial support")),
    ("vulnerability", gettext_lazy("Vulnerability")),
    ("deprivation_score", gettext_lazy("Deprivation score")),
    ("flagged", gettext_lazy("Flagged")),
    ("category", gettext_lazy("Category")),
    ("reasons_text", gettext_lazy("Reasons")),
)


def _village_export_rows(households: list[dict]) -> list[dict]:
    return [
        {
            **h,
            "flagged": _("yes") if h["flagged"] else _("no"),  # in the reader's language, as the page says
            "category": data.category_label(h["category"]) if h["category"] else "",
            "reasons_text": list_join(data.REASON_LABELS[r] for r in h["reasons"]),
        }
        for h in households
    ]


@login_required
@require_safe
def village(request, code: str):
    """A village: KPI numbers, the distribution of its households' scores, the AF contributions and
    a table of its households (registry numbers masked but for the village's data clerks and admins,
    no names); export with ``?format=csv|xlsx``."""
    params_only(request, ("period", "format"))
    region = regions_visible_to(request.user).filter(code=code, level=Level.VILLAGE, scheme=CN).first()
    if region is None:
        raise Http404(_("No such village in your regions."))
    runs, run = _run(request)
    households = data.village_households(region=region, run=run, reveal_paths=registry_reveal_paths(request.user))
    columns = list(VILLAGE_COLUMNS)
    filename = f"village-{region.code}-{run.period_id if run else 'none'}"
    export = _export(request, _village_export_rows(households), columns, filename=filename, run=run)
    if export is not None:
        return export

    score = data.region_score(region=region, run=run)
    af = data.af_rows(score)
    for h in households:
        h["cells"] = {
            f: measure_display(h[f], unit_of(f))
            for f in ("income", "ratio", "margin", "vulnerability", *data.DIMENSIONS)
        }
        h["category_label"] = data.category_label(h["category"]) if h["category"] else ""
        h["reason_labels"] = [data.REASON_LABELS[r] for r in h["reasons"]]
    kpis = [
        (_measure_label(k), measure_display(score[k], BY_CODE[k].unit) if score else None) for k in data.VILLAGE_KPIS
    ]
    cutoff = measure_display(run.methodology.parameters["mpi_k"], "share") if run else None
    af_note = data.af_chart_note(score, k=cutoff) if run else None
    chart = {
        "kind": "village",
        "histograms": [{"label": _measure_label(d), "values": [h[d] for h in households]} for d in data.DIMENSIONS],
        "af": {
            "labels": [a["label"] for a in af if a["contribution"] is not None],
            "values": [a["contribution"] for a in af if a["contribution"] is not None],
            "title": _("Contribution to M0"),
            "axis": _("Indicator"),
            "note": af_note,
        },
        "householdsLabel": _("Households"),
        "scoreAxis": _("Score (0-100)"),
    }
    context = {
        **_common(run, runs),
        "region": region,
        "ancestors": region_ancestors(region=region),
        "households": households,
        "score": score,
        "kpis": kpis,
        "af": [
            {
                **a,
                "contribution": measure_display(a["contribution"], "share"),
                "censored": measure_display(a["censored_headcount"], "share"),
            }
            for a in af
        ],
        "chart": chart,
    }
    return render(request, "indicators/village.html", context)


HOUSEHOLD_COLUMNS = (
    ("period", gettext_lazy("Period")),
    ("methodology", gettext_lazy("Methodology")),
    ("computed_at", gettext_lazy("Computed at")),
    *(c for c in VILLAGE_COLUMNS if c[0] not in ("reasons_text",)),
    ("reasons_text", gettext_lazy("Reasons")),
    ("deprived_text", gettext_lazy("Deprived in")),
    *((code, label) for code, label in data.COMPONENT_LABELS.items()),
)


def _household_export_rows(periods: list[dict]) -> list[dict]:
    return [
        {
            **row,
            **row["components"],
            "computed_at": datetime_iso(row["finished_at"]) or "",
            "deprived_text": list_join(data.af_indicator_label(c) for c in row["deprived_in"]),
        }
        for row in _village_export_rows(periods)
    ]


@login_required
@require_safe
def household(request, pk: UUID):
    """A household's scores in every published period: D1-D4, EQI, components, income ratio, margin,
    vulnerability, deprivations, flags, reasons and category. Registry number masked
    but for a data clerk or admin of the village; no names or IDs."""
    params_only(request, ("format",))
    household = household_get(households_visible_to(request.user).select_related("region"), public_id=pk)
    reveal_paths = registry_reveal_paths(request.user)
    periods = data.household_periods(household=household, reveal_paths=reveal_paths)
    data.surveys_changed_after(periods, household=household)
    fmt = choice(request, "format", FORMATS, None)
    if fmt is not None:
        return table_response(
            _household_export_rows(periods), HOUSEHOLD_COLUMNS, filename=f"household-{household.public_id}", fmt=fmt
        )
    for p in periods:
        p["cells"] = {
            f: measure_display(p[f], unit_of(f))
            for f in ("income", "ratio", "margin", "vulnerability", "deprivation_score")
        }
        p["dimensions"] = [(_measure_label(d), measure_display(p[d], "score")) for d in data.DIMENSIONS]
        p["component_rows"] = [
            (data.COMPONENT_LABELS[c], measure_display(p["components"][c], "score")) for c in data.COMPONENT_LABELS
        ]
        p["deprivation_labels"] = [data.af_indicator_label(c) for c in p["deprived_in"]]
        p["reason_labels"] = [data.REASON_LABELS[r] for r in p["reasons"]]
        p["category_label"] = data.category_label(p["category"]) if p["category"] else ""
    context = {
        "household": household,
        "registry": registry_shown(
            household.registry_number, village_path=household.region.path, reveal_paths=reveal_paths
        ),
        "periods": periods,
    }
    return render(request, "indicators/household.html", context)

"""The national and region dashboards: ``/`` and ``/regions/<code>/`` (public at county level and above).

A choropleth of the area's counties by any registry measure (switched in the browser), the period
chosen with ``?period=``, trend lines of D1-D4 and EQI, a radar against the parent, rankings and
KPI cards. The numbers come from ``indicators.dashboard_data`` (current runs, small cells hidden).
"""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from config.exports import FORMATS, table_response
from indicators import dashboard_data as data
from indicators import dashboard_uncertainty, selectors
from indicators.views.params import measure_unknown, period_parse
from regions import map_style
from regions import selectors as region_selectors
from regions.models import CN, Level, Region


def _period(request, periods: list[int]) -> int | None:
    period = period_parse(request.GET.get("period"), periods)
    if period is None:
        return periods[-1] if periods else None
    return period


def _labels() -> dict[str, str]:
    return {
        "noData": _("No data"),
        "suppressed": _("Not shown: fewer than 10 surveyed households, or withheld with such a region"),
        "belowPublic": _("Below county level the numbers are shown after signing in, within your regions."),
        "code": _("Code"),
        "rank": _("Rank"),
        "of": _("of"),
        "period": _("Period"),
        "methodology": _("Methodology"),
        "computed": _("computed"),
        "parent": _("Parent"),
        "persons": _("Persons"),
        "households": _("Surveyed households"),
        "incidence": _("Poverty incidence"),
        "exitLine": _("exit line"),
        "exitMet": _("below the exit line"),
        "exitNotMet": _("not below the exit line"),
        "flagged": _("Flagged households"),
        "weakest": _("Weakest"),
        "strongest": _("Strongest"),
        "withoutData": _("counties without data"),
        "noRun": _("No published scores yet."),
        "periodAxis": _("Period"),
        "scoreAxis": _("Score (0-100)"),
        # the radar of a region holding all its parent's surveyed households draws one shape and says so
        "sameAsParent": _(
            "%(region)s is the only part of %(parent)s with surveyed households: their D1-D4 are the same,"
            " so one shape is drawn."
        ),
        "darkerWorse": _("darker is worse"),
        # the EQI's rank bands (indicators.methods.sensitivity): the rankings, the map's hover, the chart
        "band": _("median rank %(median)s (90 %%: %(low)s–%(high)s)"),
        "bandHover": _("Median rank under the method's variants: %(median)s of %(ranked)s (90 %%: %(low)s–%(high)s)"),
        "bandNone": _("not ranked (fewer than 10 surveyed households, or withheld with such a region)"),
        "bandAxis": _("Rank (1 = highest exit-quality index)"),
        "bandNominal": _("rank as published"),
        "bandMedian": _("median rank, with the 90 % band"),
        "shareAxis": _("Share of persons"),
        "rankOverlap": _(
            # xgettext:no-python-format
            "its 95% interval overlaps a neighbour's"
        ),
        "rankOverlapNote": _(
            # xgettext:no-python-format
            "≈ its 95% confidence interval overlaps that of the county ranked next above or below, so the two "
            "ranks may not differ (overlapping intervals are a cautious check, not a test at the 5% level)."
        ),
        "povertyTrendNote": _(
            # xgettext:no-python-format
            "The band is the 95% confidence interval, where the households are a sample; a census has no "
            "sampling error, and a small cell shows none."
        ),
    }


def _export(map_data: data.MapData, *, run, region: Region | None, fmt: str):
    """The counties of the map as a table: code, name, period, methodology, every measure and the
    standard errors and 95 % intervals (suppressed counties have empty cells, as on the map)."""
    measures = list(data.MEASURES)
    columns = [("code", _("Code")), ("name", _("Name")), ("period", _("Period")), ("methodology", _("Methodology"))]
    columns += [(m.code, str(m.name)) for m in measures]
    columns += dashboard_uncertainty.export_columns()  # empty cells for a census
    rows = [
        {
            "code": code,
            "name": name,
            "period": run.period_id if run else None,
            "methodology": run.methodology.version if run else "",
            **{m.code: map_data.values[m.code][i] for m in measures},
            **{f: values[i] for f, values in map_data.intervals.items()},
        }
        for i, (code, name) in enumerate(zip(map_data.codes, map_data.names, strict=True))
    ]
    name = f"counties-{region.code if region else 'cn'}-{run.period_id if run else 'none'}"
    return table_response(rows, columns, filename=name, fmt=fmt)


def _dashboard(request, *, region: Region | None):
    runs = selectors.current_runs()
    periods = [run.period_id for run in runs]
    period = _period(request, periods)
    run = next((r for r in runs if r.period_id == period), None)
    access = data.access_for(request.user)
    mapped = region is None or (region.scheme == CN and region.level < Level.COUNTY)
    fmt = request.GET.get("format")
    if fmt is not None and (fmt not in FORMATS or not mapped):
        raise BadRequest(
            _("Exports (csv, xlsx) come from pages with a county map; below a county, from its townships' page.")
        )
    if fmt is not None:
        return _export(data.map_data(region=region, run=run, access=access), run=run, region=region, fmt=fmt)
    if region is None:  # the trend and KPIs follow a province chosen on the page
        focus = list(Region.objects.filter(scheme=CN, level=Level.PROVINCE).order_by("code"))
    else:
        focus = [region] + ([region.parent] if region.parent_id else [])
    series = data.region_series(regions=focus, runs=runs, access=access)
    sensitivity = data.sensitivity_of(run)
    provinces = data.province_bands(run=run, provinces=focus, series=series) if region is None and sensitivity else []
    with_data = [r.code for r in focus if any(series[r.code]["periods"].values())]
    selected = region.code if region is not None else (with_data[0] if with_data else None)
    names = {m.code: str(m.name) for m in data.MEASURES}
    measure = request.GET.get("measure", "eqi")  # kept when the period changes
    if measure not in names:
        raise BadRequest(measure_unknown(measure))
    payload = {
        "lang": get_language() or "zh-hans",
        "period": period,
        "periods": periods,
        "run": {
            "version": run.methodology.version,
            "finished": date_format(localtime(run.finished_at), "DATETIME_FORMAT") if run.finished_at else "",
        }
        if run
        else None,
        "methodologyUrl": reverse("indicators:methodology"),
        "measures": [data.measure_legend(m) for m in data.MEASURES],
        "noDataColour": map_style.NO_DATA,
        "dimensions": list(data.DIMENSIONS),
        "trendCodes": list(data.TREND),
        "measure": measure,
        # the whole country draws simplified lines (a fifth of the points, under half a pixel off)
        "geometryUrl": reverse("regions:topojson", args=[int(Level.COUNTY)])
        + ("?detail=national" if region is None else ""),
        # plotly.js loads its base map from here, never from its CDN
        "topojsonUrl": f"{settings.STATIC_URL}vendor/plotly-topojson/",
        "areaPrefix": region.code if region is not None else "",
        "focus": {
            "candidates": [
                {"code": r.code, "name": r.name} for r in focus if region is not None or r.code in with_data
            ],
            "selected": selected,
            "parent": region.parent.code if region is not None and region.parent_id else None,
            "series": series,
            # poverty incidence and M0 with their 95 % bands, per region of the focus
            "povertyTrend": {
                code: dashboard_uncertainty.poverty_trend(entry, periods=periods) for code, entry in series.items()
            },
            "exitLines": {r.code: data.exit_line(r.province_code or r.code[:2]) for r in focus},
            # the flagged-households card links to the region's early-warning inbox for a reader
            # who may open it (the reader's scope, already read for the access: no query)
            "warnings": {r.code: reverse("indicators:warnings", args=[r.code]) for r in focus if access.scoped(r.path)},
        },
        "regionUrl": reverse("indicators:region", args=["CODE"]),
        # the chart of rank bands: the provinces on the national page, else the area's counties (map data)
        "bands": {"provinces": provinces} if sensitivity else None,
        "labels": _labels(),
    }
    context = {
        "region": region,
        "display_name": region_selectors.region_display_name(region) if region else _("China"),
        "ancestors": region_selectors.region_ancestors(region=region) if region else [],
        "period": period,
        "periods": periods,
        "run": run,
        "mapped": mapped,
        "dashboard": payload,
        # the counties and their measures (or null), cached per run, area and access
        "map_script": data.map_script(region=region, run=run, access=access) if mapped else "",
        "drilldown": region is not None and region.level >= Level.COUNTY and region.scheme == CN,
        "sensitivity": sensitivity,  # what the rank bands were computed with, for their explanation
    }
    return render(request, "indicators/dashboard.html", context)


@require_safe
def dashboard(request):
    """The national dashboard: every county of China (``?period=YEAR``, default the latest)."""
    return _dashboard(request, region=None)


@require_safe
def region(request, code: str):
    """A region's dashboard: its counties on the map, its own trend, radar against its parent.

    Raises:
        Http404: no region has this code.
        BadRequest: ``?period=`` is not a year or names a period without a current run.
    """
    return _dashboard(request, region=region_selectors.region_get(code=code))

"""Reads for the national and region dashboards (``/`` and ``/regions/<code>/``).

Everything comes from ``RegionScore`` rows of the current runs (default methodology), a fixed number
of queries whatever the number of regions. Public readers see scores at county level and above
(``TUOPIN_PUBLIC_MAX_LEVEL``) and nothing of a small cell (fewer than ``SMALL_CELL`` surveyed
households); a user assigned a region sees its subtree whole.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.html import json_script
from django.utils.safestring import SafeString, mark_safe

from config.formats import number_display
from indicators import dashboard_uncertainty
from indicators.models import UNCERTAINTY_FIELDS, ComputationRun, RegionRankBand, RegionScore
from indicators.registry import INDICATORS, Indicator
from indicators.selectors import cells_hidden, paths_digest
from indicators.services.rollup import SMALL_CELL, WESTERN_PROVINCES
from regions import map_style
from regions.models import CN, Level, Region
from regions.selectors import user_region_paths

#: The measures the dashboards colour by, trend and rank: every registry indicator.
MEASURES: tuple[Indicator, ...] = INDICATORS
DIMENSIONS = ("d1_income", "d2_resilience", "d3_public_services", "d4_industry")
TREND = (*DIMENSIONS, "eqi")
KPI_FIELDS = ("persons", "households", "headcount_ratio", "flagged_households", "exit_check")
#: Number of quantile classes of the choropleth.
CLASSES = 5
#: Seconds a map's rendered JSON stays cached (its key names the run, whose scores never change).
MAP_CACHE_SECONDS = 24 * 3600


@dataclass
class Access:
    """Who reads: ``paths`` None for a superuser, else the subtrees assigned (empty for the public)."""

    paths: list[str] | None
    _hidden: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        """A short text naming what this reader may see: ``all``, ``public`` or a digest of the paths."""
        if self.paths is None:
            return "all"
        if not self.paths:
            return "public"
        return paths_digest(self.paths)

    def scoped(self, path: str) -> bool:
        """True when the user is assigned the region at ``path`` or an ancestor of it."""
        return self.paths is None or any(path.startswith(p) for p in self.paths)

    def shows(self, row: dict) -> bool:
        """May this reader see the numbers of a ``RegionScore`` row (``_scores``)? Inside their subtrees
        always; else only at a public level, and neither a small cell nor its complement
        (``indicators.selectors.cells_hidden``, computed once per run and reader)."""
        if self.scoped(row["region__path"]):
            return True
        if row["level"] > settings.TUOPIN_PUBLIC_MAX_LEVEL or row["households"] < SMALL_CELL:
            return False
        if row["run_id"] not in self._hidden:
            self.prefetch([row["run_id"]])
        return row["region_id"] not in self._hidden[row["run_id"]]

    def prefetch(self, run_ids: list[int]) -> None:
        """Find the hidden cells of ``run_ids`` at once (one query for those not cached)."""
        wanted = [run_id for run_id in run_ids if run_id not in self._hidden]
        if wanted:
            self._hidden.update(cells_hidden(run_ids=wanted, paths=self.paths))


def access_for(user) -> Access:
    """The reader's access (one query for a signed-in user, none for the public)."""
    return Access(paths=user_region_paths(user))


def quantile_classes(values: list[float | None], *, k: int = CLASSES) -> tuple[list[int | None], list[list[float]]]:
    """Quantile classes of ``values`` (None stays None), ties in one class.

    A value's class is ``min(k - 1, floor(k * i / n))`` where ``i`` counts the values strictly below
    it and ``n`` the values present; so with n = 3 and k = 5 the classes are 0, 1 and 3.

    Returns:
        (class index per value, ``[low, high]`` of each class index 0..k-1 that has values, else
        ``[]`` for an empty class).
    """
    present = sorted(v for v in values if v is not None)
    n = len(present)
    classes: list[int | None] = []
    ranges: list[list[float]] = [[] for _ in range(k)]
    below: dict[float, int] = {}
    for i, v in enumerate(present):
        below.setdefault(v, i)
    for v in values:
        if v is None:
            classes.append(None)
            continue
        c = min(k - 1, (k * below[v]) // n)
        classes.append(c)
        ranges[c] = [min(ranges[c][0], v), max(ranges[c][1], v)] if ranges[c] else [v, v]
    return classes, ranges


def ranks(values: list[float | None], *, direction: str) -> list[int | None]:
    """Competition ranks (1 = best: highest for ``higher_better``, lowest otherwise); None stays None."""
    present = sorted((v for v in values if v is not None), reverse=direction == "higher_better")
    first = {}
    for i, v in enumerate(present):
        first.setdefault(v, i + 1)
    return [None if v is None else first[v] for v in values]


def measure_legend(measure: Indicator) -> dict:
    """What the map's legend needs of a measure, in the active language.

    Returns:
        ``code``, ``name``, ``unit``, ``direction``; ``better``, the legend's "Higher is better" or
        "Lower is better"; ``colours``, the colour of each quantile class (class 0 the lowest values),
        darker for worse whichever the direction (``regions.map_style.class_colours``).
    """
    return {
        "code": measure.code,
        "name": str(measure.name),
        "unit": measure.unit,
        "direction": measure.direction,
        "better": map_style.direction_text(measure.direction),
        "colours": map_style.class_colours(measure.direction),
    }


def _fields() -> list[str]:
    return sorted({m.code for m in MEASURES} | set(KPI_FIELDS) | {"households"} | set(UNCERTAINTY_FIELDS))


def _scores(queryset: QuerySet[RegionScore]) -> list[dict]:
    return list(
        queryset.values(
            "run_id",
            "region_id",
            "level",
            "region__code",
            "region__name",
            "region__path",
            "region__province_code",
            *_fields(),
        )
    )


@dataclass
class MapData:
    """The choropleth of an area's counties for one run: parallel lists by code."""

    codes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    suppressed: list[bool] = field(default_factory=list)
    values: dict[str, list] = field(default_factory=dict)
    classes: dict[str, list] = field(default_factory=dict)
    ranges: dict[str, list] = field(default_factory=dict)
    ranks: dict[str, list] = field(default_factory=dict)
    #: The EQI rank bands of the counties in the area (``area_bands``): lists ``rank``, ``median``,
    #: ``low``, ``high`` parallel to ``codes`` (None: not ranked or not shown) and ``ranked``, a count.
    bands: dict = field(default_factory=dict)
    #: per measure with intervals: whether each county's overlaps a ranking neighbour's (None: no
    #: interval); a measure without any interval (a census) is left out
    overlaps: dict[str, list] = field(default_factory=dict)
    #: the interval fields (``UNCERTAINTY_FIELDS``) per county, None when not shown (for the exports)
    intervals: dict[str, list] = field(default_factory=dict)
    counties: int = 0
    without_data: int = 0

    def as_json(self) -> dict:
        """A JSON-ready dict (lists of numbers, None as null) for the page's map.

        Values go to ``JSON_DIGITS`` significant digits: the page shows at most four (a share as a
        percentage with two decimals, a score with one), and full floats made up nine tenths of the
        page's bytes. Classes, ranks and ranges come from the unrounded values.
        """
        return {
            "codes": self.codes,
            "names": self.names,
            "suppressed": self.suppressed,
            "values": {code: [_significant(v) for v in values] for code, values in self.values.items()},
            "classes": self.classes,
            "ranges": self.ranges,
            "ranks": self.ranks,
            "bands": self.bands,
            "overlaps": self.overlaps,
            "counties": self.counties,
            "withoutData": self.without_data,
        }


#: Significant digits of the map's values in the page (``MapData.as_json``).
JSON_DIGITS = 6


def _significant(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.{JSON_DIGITS}g}")


def area_counties(*, region: Region | None) -> QuerySet[Region]:
    """Counties (scheme ``cn``) of the area: all of China when ``region`` is None."""
    queryset = Region.objects.filter(scheme=CN, level=Level.COUNTY)
    return queryset if region is None else queryset.filter(path__startswith=region.path)


def band_within(region: Region | None) -> int:
    """The ranking a dashboard's area shows: counties in the country (no region), in the province or in
    the prefecture (``RegionRankBand.Within``)."""
    if region is None:
        return RegionRankBand.Within.COUNTRY
    return RegionRankBand.Within.PROVINCE if region.level == Level.PROVINCE else RegionRankBand.Within.PREFECTURE


#: The fields of a rank band on the pages (``RegionRankBand``: nominal, median, 5th and 95th percentile rank).
BAND_FIELDS = {"rank": "rank", "median": "rank_median", "low": "rank_low", "high": "rank_high"}


def area_bands(*, run: ComputationRun, level: int, within: int, path: str | None = None) -> dict[int, dict]:
    """The EQI rank bands of ``run`` at ``level`` ranked ``within`` (inside the subtree at ``path``), by
    region id: dicts ``rank``, ``median``, ``low``, ``high``, ``ranked`` (one query)."""
    queryset = RegionRankBand.objects.filter(run=run, level=level, within=within)
    if path is not None:
        queryset = queryset.filter(region__path__startswith=path)
    names = list(BAND_FIELDS.values())
    return {
        row[0]: {**dict(zip(BAND_FIELDS, row[1:5], strict=True)), "ranked": row[5]}
        for row in queryset.values_list("region_id", *names, "ranked")
    }


def map_data(*, region: Region | None, run: ComputationRun | None, access: Access) -> MapData:
    """Every measure of the area's counties in ``run``, with quantile classes, ranks and the EQI's rank
    bands (three queries).

    A county whose numbers the reader may not see (``Access.shows``) is listed with ``suppressed``
    True and every value None (its band too). ``without_data`` counts the area's counties with no
    value for the default measure (EQI): no row, a null EQI, or suppressed.
    """
    data = MapData(counties=area_counties(region=region).count())
    rows = []
    if run is not None:
        queryset = RegionScore.objects.of_run(run).filter(level=Level.COUNTY, region__scheme=CN)
        if region is not None:
            queryset = queryset.filter(region__path__startswith=region.path)
        rows = _scores(queryset.order_by("region__code"))
    bands = {}
    if rows:
        path = region.path if region is not None else None
        bands = area_bands(run=run, level=Level.COUNTY, within=band_within(region), path=path)
    data.bands = {key: [] for key in BAND_FIELDS}
    data.bands["ranked"] = max((b["ranked"] for b in bands.values()), default=0)
    intervals = data.intervals = {f: [] for f in UNCERTAINTY_FIELDS}
    for row in rows:
        shown = access.shows(row)
        data.codes.append(row["region__code"])
        data.names.append(row["region__name"])
        data.suppressed.append(not shown)
        for m in MEASURES:
            data.values.setdefault(m.code, []).append(row[m.code] if shown else None)
        band = bands.get(row["region_id"]) if shown else None
        for key in BAND_FIELDS:
            data.bands[key].append(band[key] if band else None)
        for f in UNCERTAINTY_FIELDS:
            intervals[f].append(row[f] if shown else None)
    for m in MEASURES:
        values = data.values.setdefault(m.code, [])
        data.classes[m.code], data.ranges[m.code] = quantile_classes(values)
        data.ranks[m.code] = ranks(values, direction=m.direction)
    for code in dashboard_uncertainty.MEASURES:
        marks = dashboard_uncertainty.rank_overlaps(
            data.values[code], intervals[f"{code}_ci_low"], intervals[f"{code}_ci_high"], data.ranks[code], data.codes
        )
        if any(mark is not None for mark in marks):  # a census has no intervals: no list of nulls in the page
            data.overlaps[code] = marks
    data.without_data = data.counties - sum(v is not None for v in data.values["eqi"])
    return data


def province_bands(*, run: ComputationRun | None, provinces: list[Region], series: dict) -> list[dict]:
    """The EQI rank bands of ``provinces`` in the country in ``run``, best first (one query): dicts
    ``code``, ``name``, ``rank``, ``median``, ``low``, ``high``, ``ranked``, for the provinces whose
    numbers the reader sees in ``series`` (``region_series``)."""
    if run is None or not provinces:
        return []
    bands = area_bands(run=run, level=Level.PROVINCE, within=RegionRankBand.Within.COUNTRY)
    out = []
    for province in provinces:
        row = series.get(province.code, {}).get("periods", {}).get(run.period_id)
        band = bands.get(province.pk)
        if band and row and not row["suppressed"]:
            out.append({"code": province.code, "name": province.name, **band})
    return sorted(out, key=lambda b: (b["rank"], b["code"]))


def sensitivity_of(run: ComputationRun | None) -> dict | None:
    """What the run's rank bands were computed with (``notes["sensitivity"]["spec"]``), as the page
    writes it: ``scenarios`` (``1,000``) and ``spread`` (``20%``, or ``12.50%`` when not a whole
    percent); None when the run has no bands (computed before them, or turned off)."""
    notes = (run.notes or {}).get("sensitivity") if run is not None else None
    if not notes or not notes.get("enabled"):
        return None
    spread = notes["spec"]["weight_spread"]
    whole = abs(spread * 100 - round(spread * 100)) < 1e-9
    return {
        "scenarios": number_display(notes["spec"]["scenarios"], "count"),
        "spread": f"{spread:.0%}" if whole else number_display(spread, "share"),
    }


def map_script(*, region: Region | None, run: ComputationRun | None, access: Access) -> SafeString:
    """``map_data`` as the page's ``<script id="dashboard-map-data" type="application/json">`` element.

    Built once per run, area and reader's access (``Access.key``) and then read from the cache: the
    national map's 2,978 counties x 23 measures with classes and ranks take a few hundred
    milliseconds to build and serialise, and every visitor of the public map gets the same bytes.
    A run's scores never change once published, so a new run is a new key.
    """
    if run is None:
        return json_script(None, "dashboard-map-data")
    key = f"indicators:dashboard-map:{run.pk}:{region.code if region else 'cn'}:{access.key}"
    cached = cache.get(key)
    if cached is None:
        cached = str(json_script(map_data(region=region, run=run, access=access).as_json(), "dashboard-map-data"))
        cache.set(key, cached, MAP_CACHE_SECONDS)
    return mark_safe(cached)  # noqa: S308 (json_script's own escaped output, kept as text in the cache)


def _public_row(row: dict | None, access: Access) -> dict | None:
    if row is None:
        return None
    shown = access.shows(row)
    out = {"code": row["region__code"], "name": row["region__name"], "suppressed": not shown}
    # why: below the public level (sign in), or too few surveyed households
    out["hidden"] = None if shown else ("level" if row["level"] > settings.TUOPIN_PUBLIC_MAX_LEVEL else "small")
    out.update({f: (row[f] if shown else None) for f in _fields()})
    if not shown:
        out["households"] = None
    return out


def region_series(*, regions: list[Region], runs: list[ComputationRun], access: Access) -> dict[str, dict]:
    """Each region's scores in every current run (one query).

    Returns:
        ``{code: {"name", "periods": {year: row or None}}}`` where a row has every measure and KPI
        field (None when not shown; ``suppressed`` says why) and a missing period is None, so a trend
        shows a gap.
    """
    by_run = {run.pk: run.period_id for run in runs}
    rows = _scores(RegionScore.objects.of_runs(runs).filter(region__in=regions)) if regions and runs else []
    found = {(row["region__code"], by_run[row["run_id"]]): row for row in rows}
    if rows:
        access.prefetch(list(by_run))
    return {
        r.code: {
            "name": r.name,
            "periods": {run.period_id: _public_row(found.get((r.code, run.period_id)), access) for run in runs},
        }
        for r in regions
    }


def trend(series: dict, *, periods: list[int]) -> dict[str, list]:
    """D1-D4 and EQI of one region over ``periods``: a list per dimension, None for a missing period."""
    return {code: [(series["periods"].get(p) or {}).get(code) for p in periods] for code in TREND}


def exit_line(province_code: str) -> float:
    """The exit line on poverty incidence: 0.03 in the western provinces, else 0.02 (DESIGN §5)."""
    return 0.03 if province_code in WESTERN_PROVINCES else 0.02

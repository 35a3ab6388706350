"""The EQI rank bands a recompute stores (indicators.services.rank_bands) and where they are shown: the
dashboards (rankings, map, chart), the region-scores API and the methodology page.

The counties, 12 households each (3 persons, wage only, so the VEP, D1 and D2 follow the income):
Inner Mongolia 150102 (9,000 yuan per person) and 150103 (7,000), both of prefecture 1501; Ningxia
640104 (8,000), 640105 (6,000), 640106 (4,000: below the monitoring line) and 640121 (8,500, but no
guarantee met: D3 = 0), all of prefecture 6401; and in 6404 a small cell, 640422 (5 households), with
640402 (12), withheld as its complement. No village survey: D3 and D4 are the household parts.
"""

import copy
import json
import re

import numpy as np
import pytest
from django.utils import translation

from households.models import HouseholdSurvey
from households.services.registry import changes_mark
from indicators.models import ComputationRun, Methodology, RegionRankBand, RegionScore
from indicators.services import rank_bands as service
from indicators.services import recompute
from indicators.services.methodology import parameters_validate
from regions.models import Region
from tests.indicators.builders import Row, households_write
from tests.indicators.test_dashboard import page_map

pytestmark = pytest.mark.django_db

INCOME = {"150102": 9000, "150103": 7000, "640104": 8000, "640105": 6000, "640106": 4000, "640121": 8500}
NO_GUARANTEES = "640121"
SMALL, COMPLEMENT = "640422", "640402"
COUNTRY, PROVINCE, PREFECTURE = (w.value for w in RegionRankBand.Within)


def _village(county: str) -> str:
    """The county's first village (Ningxia has villages in the test tree), else the county itself."""
    village = Region.objects.filter(level=5, county_code=county).order_by("code").first()
    return village.code if village else county


@pytest.fixture
def counties():
    rows = []
    for county, income in INCOME.items():
        place = _village(county)
        rows += [Row(place, i + 1, wage=3 * income, persons=3, guarantees=county != NO_GUARANTEES) for i in range(12)]
    rows += [Row(_village(SMALL), i + 1, wage=3 * 7500, persons=3) for i in range(5)]
    rows += [Row(_village(COMPLEMENT), i + 1, wage=3 * 7500, persons=3) for i in range(12)]
    households_write(rows, period=2020)
    return recompute.recompute(period=2020)


def _bands(run, within: int, level: int = 3) -> dict[str, tuple]:
    rows = RegionRankBand.objects.filter(run=run, within=within, level=level).select_related("region")
    return {b.region.code: (b.rank, b.rank_median, b.rank_low, b.rank_high, b.ranked) for b in rows}


def test_a_recompute_stores_the_bands_of_every_ranking(counties):
    run = counties
    country = _bands(run, COUNTRY)
    assert set(country) == set(INCOME)  # the small cell and its complement are not ranked
    # 150102 has the highest income and every guarantee: first on D1 and D2, level on D3 and D4, in every variant
    assert country["150102"] == (1, 1, 1, 1, 6)
    assert _bands(run, PROVINCE)["150102"] == (1, 1, 1, 1, 2) == _bands(run, PREFECTURE)["150102"]
    assert _bands(run, PREFECTURE)["150103"] == (2, 2, 2, 2, 2)
    # the provinces: Inner Mongolia's two counties beat Ningxia's on every dimension
    assert _bands(run, COUNTRY, level=1) == {"15": (1, 1, 1, 1, 2), "64": (2, 2, 2, 2, 2)}
    # within Ningxia and within 6401 (the same four counties): the same ranks, ranked among 4
    assert _bands(run, PROVINCE) == {**_bands(run, PREFECTURE)} and _bands(run, PROVINCE)["640104"][4] == 4
    assert RegionRankBand.objects.filter(run=run).count() == 6 + 6 + 6 + 2


def test_the_stored_rank_is_the_rank_of_the_stored_eqi_and_bands_are_ordered(counties):
    run = counties
    eqi = dict(RegionScore.objects.of_run(run).filter(region__code__in=INCOME).values_list("region__code", "eqi"))
    for code, (rank, median, low, high, ranked) in _bands(run, COUNTRY).items():
        assert rank == 1 + sum(other > eqi[code] for other in eqi.values()), code
        assert 1 <= low <= median <= high <= ranked == 6
    # without any guarantee met, 640121 is last as published (geometric mean: D3 = 0 is floored at 1) ...
    no_guarantees = _bands(run, COUNTRY)[NO_GUARANTEES]
    assert no_guarantees[0] == 6
    # ... but its high income lifts it in the variants that add D1-D4 up: its band is wide
    assert no_guarantees[2] < no_guarantees[3] == 6
    assert _bands(run, COUNTRY)["640106"][3] == 6 and _bands(run, COUNTRY)["640106"][2] == 5


def test_the_bands_are_reproduced_by_a_rerun_and_noted_on_the_run(counties):
    first = counties
    second = recompute.recompute(period=2020, full=True)
    assert _bands(first, COUNTRY) == _bands(second, COUNTRY) and _bands(first, PROVINCE) == _bands(second, PROVINCE)
    notes = ComputationRun.objects.get(pk=second.pk).notes["sensitivity"]
    assert notes["enabled"] and notes["spec"]["scenarios"] == 1000 and notes["spec"]["seed"] == 1
    assert notes["rankings"]["3:country"]["regions"] == 6 and notes["rankings"]["1:country"]["regions"] == 2
    assert notes["rankings"]["1:country"]["median_shift"] == 0.0 and notes["seconds"] >= 0
    # written again (idempotent): the same rows, not twice as many
    service.rank_bands_write(run=second)
    assert RegionRankBand.objects.filter(run=second).count() == 20


def test_an_incremental_run_ranks_as_a_full_one(counties):
    """A province copied from the previous run still counts among the peers of a changed one: the bands
    are computed at publish from every province's rows."""
    changed = HouseholdSurvey.objects.filter(household__region__code__startswith="640105", period_id=2020)
    assert changed.update(wage_income=3 * 8200) == 12  # 640105 overtakes 640104 (8,000)
    changes_mark(province_code="64", periods=[2020])
    incremental = recompute.recompute(period=2020)
    assert {c.province_code: c.copied for c in incremental.chunks.all()} == {"64": False, "15": True}
    full = recompute.recompute(period=2020, full=True)
    for within in (COUNTRY, PROVINCE, PREFECTURE):
        assert _bands(incremental, within) == _bands(full, within)
    assert _bands(full, COUNTRY)["640105"][0] == 2 and _bands(full, COUNTRY)["640104"][0] == 3
    assert _bands(full, COUNTRY)["150103"][0] == 4  # Inner Mongolia's rows were copied, its ranks moved


def test_a_methodology_with_the_analysis_off_stores_no_band(counties):
    params = parameters_validate({"sensitivity": {"enabled": False}})
    off = Methodology.objects.create(version="v-off", name="no bands", parameters=params)
    run = recompute.recompute(period=2020, methodology=off)
    assert not RegionRankBand.objects.filter(run=run).exists()
    assert ComputationRun.objects.get(pk=run.pk).notes["sensitivity"] == {"enabled": False}


def _min_max_ranks(dims: dict[str, list[float]]) -> dict[str, int]:
    """By hand: each of D1-D4 rescaled 0-100 from the lowest to the highest region (a dimension where all
    are equal is a constant), the four added up, ranked highest first."""
    codes = list(dims)
    d = np.array([dims[c] for c in codes])
    span = d.max(axis=0) - d.min(axis=0)
    scaled = np.where(span > 0, 100 * (d - d.min(axis=0)) / np.where(span > 0, span, 1), 100.0)
    total = scaled.sum(axis=1)
    return {c: 1 + int((total > total[i]).sum()) for i, c in enumerate(codes)}


def test_a_methodology_of_min_max_variants_ranks_the_stored_dimensions_so(counties):
    params = copy.deepcopy(parameters_validate({}))
    params["sensitivity"].update(
        weight_spread=0.0, scenarios=20, normalisations=["min_max"], aggregations=["arithmetic"]
    )
    run = recompute.recompute(
        period=2020, methodology=Methodology.objects.create(version="v-mm", name="mm", parameters=params)
    )
    fields = ("d1_income", "d2_resilience", "d3_public_services", "d4_industry")
    dims = {
        row[0]: list(row[1:])
        for row in RegionScore.objects.of_run(run).filter(region__code__in=INCOME).values_list("region__code", *fields)
    }
    expected = _min_max_ranks(dims)
    # 640121's high income counts for more once D1 and D2 are stretched over the counties' own range
    assert expected == {"150102": 1, "640104": 2, "150103": 3, NO_GUARANTEES: 4, "640105": 5, "640106": 6}
    assert {code: band[1:4] for code, band in _bands(run, COUNTRY).items()} == {
        code: (rank, rank, rank) for code, rank in expected.items()
    }
    ningxia = _min_max_ranks({code: d for code, d in dims.items() if code.startswith("64")})
    assert {code: band[1] for code, band in _bands(run, PROVINCE).items() if code.startswith("64")} == ningxia
    notes = ComputationRun.objects.get(pk=run.pk).notes["sensitivity"]
    assert notes["spec"]["scenarios"] == 20 and notes["rankings"]["3:country"]["median_shift"] == pytest.approx(4 / 6)


def test_the_national_dashboard_shows_the_county_bands_and_the_province_chart(client, counties):
    response = client.get("/?measure=eqi", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    m = page_map(response)
    bands = {code: m["bands"]["median"][i] for i, code in enumerate(m["codes"])}
    assert bands["150102"] == 1 and bands[SMALL] is None and bands[COMPLEMENT] is None
    i = m["codes"].index(NO_GUARANTEES)
    assert (m["bands"]["rank"][i], m["bands"]["high"][i], m["bands"]["ranked"]) == (6, 6, 6)
    payload = json.loads(re.search(r'id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert [(p["code"], p["median"], p["low"], p["high"]) for p in payload["bands"]["provinces"]] == [
        ("15", 1, 1, 1),
        ("64", 2, 2, 2),
    ]
    assert "How firm are the provinces&#x27; ranks?" in html or "How firm are the provinces' ranks?" in html
    assert "under 1,000 variants of the method: each weight of D1-D4 within ±20% of its value" in html
    assert payload["labels"]["band"] == "median rank %(median)s (90 %%: %(low)s–%(high)s)"


def test_a_province_page_ranks_its_counties_within_the_province(client, counties):
    response = client.get("/regions/64/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    m = page_map(response)
    ranked = {
        code: (m["bands"]["rank"][i], m["bands"]["low"][i], m["bands"]["high"][i])
        for i, code in enumerate(m["codes"])
        if m["bands"]["rank"][i] is not None
    }
    assert set(ranked) == {"640104", "640105", "640106", NO_GUARANTEES} and m["bands"]["ranked"] == 4
    stored = _bands(counties, PROVINCE)
    assert ranked == {code: stored[code][:1] + stored[code][2:4] for code in ranked}
    html = response.content.decode()
    assert "排名有多稳" in html and "排名的 90%" in html  # the chart's title and explanation in Chinese


def test_the_region_scores_api_serves_the_bands_and_none_for_a_small_cell(client, counties):
    rows = client.get("/api/v1/region-scores/", {"period": 2020, "level": 3, "region": "64"}).json()["results"]
    by_code = {r["region"]: r for r in rows}
    assert by_code["640104"]["eqi_rank_bands"]["province"]["ranked"] == 4
    assert set(by_code["640104"]["eqi_rank_bands"]) == {"country", "province", "prefecture"}
    assert by_code[SMALL]["suppressed"] and by_code[SMALL]["eqi_rank_bands"] is None
    assert by_code[COMPLEMENT]["eqi_rank_bands"] is None  # withheld with the small cell
    rank, median, low, high, ranked = _bands(counties, COUNTRY)[NO_GUARANTEES]
    assert by_code[NO_GUARANTEES]["eqi_rank_bands"]["country"] == {
        "rank": rank,
        "median": median,
        "low": low,
        "high": high,
        "ranked": ranked,
    }
    province = client.get("/api/v1/region-scores/", {"period": 2020, "level": 1, "region": "15"}).json()["results"]
    assert province[0]["eqi_rank_bands"] == {"country": {"rank": 1, "median": 1, "low": 1, "high": 1, "ranked": 2}}


def test_the_methodology_page_lists_the_parameters_of_the_analysis(client):
    with translation.override("en"):
        html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in (
        "Rank bands of the exit-quality index",
        "Variants of the method</td><td>how many variants the ranks are computed under</td><td>1,000",
        "Spread of the weights",
        "20.00%",
        "weighted geometric mean, weighted arithmetic mean",
        "as published (fixed goalposts), rescaled from the lowest to the highest of the regions ranked together, "
        "z-scores across the regions ranked together (arithmetic mean only)",
        'id="rank-bands"',
    ):
        assert text in html, text
    zh = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "排名区间：每次计算都在方法的多种变体下" in zh and "方法变体数</td>" in zh


@pytest.mark.parametrize(
    ("sensitivity", "message"),
    [
        ({"scenarios": 0}, "sensitivity.scenarios"),
        ({"weight_spread": -0.1}, "sensitivity.weight_spread"),
        ({"normalisations": ["rank"]}, "sensitivity.normalisations"),
        ({"spread": 0.2}, "unknown parameter.*sensitivity.spread"),
    ],
)
def test_a_methodology_with_bad_sensitivity_parameters_is_refused(sensitivity, message):
    from django.core.exceptions import ValidationError

    methodology = Methodology(version="v-bad", name="bad", parameters={"sensitivity": sensitivity})
    with pytest.raises(ValidationError, match=message):
        methodology.clean()
    assert np.isfinite(1.0)

"""The dashboards' sampling error (issue 15): the poverty trend's 95 % band in the chart JSON and the
rankings' mark where a county's interval overlaps a neighbour's, from hand-made region scores."""

import pytest
from django.utils import timezone

from households.models import SurveyPeriod
from indicators.dashboard_uncertainty import rank_overlaps
from indicators.models import ComputationRun, Methodology, RegionScore
from regions.models import Region
from tests.indicators.builders import served
from tests.indicators.test_dashboard import page_map

pytestmark = pytest.mark.django_db

# county: headcount ratio and its interval in 2020 (None: no interval, as for a census)
COUNTIES = {
    "620102": (0.010, 0.005, 0.015),
    "621126": (0.020, 0.012, 0.028),  # overlaps 620102 (0.012 <= 0.015): both marked
    "622921": (0.060, 0.050, 0.070),  # apart from 621126 (0.028 < 0.050) and from 620105 (0.070 < 0.090)
    "620105": (0.100, 0.090, 0.110),  # next to 620103, which has no interval: not compared
    "620103": (0.200, None, None),
}


def _run(year: int) -> ComputationRun:
    SurveyPeriod.objects.get_or_create(year=year)
    return ComputationRun.objects.create(
        period_id=year,
        methodology=Methodology.objects.get(is_default=True),
        status=ComputationRun.Status.PUBLISHED,
        is_current=True,
        finished_at=timezone.now(),
    )


def _score(run, code, **values) -> RegionScore:
    region = Region.objects.get(code=code)
    values.setdefault("households", 100)
    return RegionScore.objects.create(
        snapshot=served(run), region=region, period_id=run.period_id, level=region.level, **values
    )


@pytest.fixture
def runs():
    runs = {year: _run(year) for year in (2018, 2019, 2020)}
    for code, (value, low, high) in COUNTIES.items():
        _score(runs[2020], code, headcount_ratio=value, headcount_ratio_ci_low=low, headcount_ratio_ci_high=high)
    # 621126 over three years: no interval in 2018 (a census then), one in 2019 and 2020
    _score(runs[2018], "621126", headcount_ratio=0.05, mpi_m0=0.03)
    _score(
        runs[2019],
        "621126",
        headcount_ratio=0.04,
        headcount_ratio_se=0.005,
        headcount_ratio_ci_low=0.030,
        headcount_ratio_ci_high=0.050,
        mpi_m0=0.025,
    )
    _score(
        runs[2020], "620111", headcount_ratio=0.3, headcount_ratio_ci_low=0.1, headcount_ratio_ci_high=0.5, households=4
    )
    return runs


def test_rank_overlaps_marks_neighbours_whose_intervals_overlap():
    values = [0.30, 0.10, 0.20, None, 0.20]
    low = [0.25, 0.05, 0.16, None, 0.19]
    high = [0.35, 0.15, 0.22, None, 0.21]
    ranks = [4, 1, 2, None, 2]  # lower is better: 0.10, then the tie at 0.20, then 0.30
    # in order 1 (0.05-0.15), 2 (0.16-0.22), 4 (0.19-0.21), 0 (0.25-0.35): 1|2 apart, 2|4 overlap, 4|0 apart
    assert rank_overlaps(values, low, high, ranks, ["a", "b", "c", "d", "e"]) == [False, False, True, None, True]
    assert rank_overlaps([0.1, 0.2], [None, 0.1], [None, 0.3], [1, 2], ["a", "b"]) == [None, False]


def test_national_rankings_mark_overlapping_neighbours(client, runs):
    m = page_map(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    marks = dict(zip(m["codes"], m["overlaps"]["headcount_ratio"], strict=True))
    assert {code: marks[code] for code in COUNTIES} == {
        "620102": True,
        "621126": True,
        "622921": False,
        "620105": False,
        "620103": None,
    }
    assert marks["620111"] is None  # a small cell: neither its value nor its interval is shown
    assert "mpi_m0" not in m["overlaps"]  # no M0 interval anywhere: no list of nulls in the page
    labels = client.get("/", HTTP_ACCEPT_LANGUAGE="en").context["dashboard"]["labels"]
    assert labels["rankOverlapNote"].startswith("≈ its 95% confidence interval overlaps")
    zh = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").context["dashboard"]["labels"]
    assert zh["rankOverlap"] == "95%置信区间与相邻地区重叠"


def test_the_trend_chart_has_a_band_where_the_values_have_an_interval(client, runs):
    dashboard = client.get("/regions/621126/", HTTP_ACCEPT_LANGUAGE="en").context["dashboard"]
    assert dashboard["periods"] == [2018, 2019, 2020]
    traces = dashboard["focus"]["povertyTrend"]["621126"]
    bands = [t for t in traces if t.get("fill") == "toself"]
    assert len(bands) == 1  # the headcount ratio of 2019-2020; M0 has no interval; 2018 none
    (band,) = bands
    assert band["name"] == "95% confidence interval" and band["showlegend"] is True
    assert band["x"] == [2019, 2020, 2020, 2019]
    assert band["y"] == [0.050, 0.028, 0.012, 0.030]  # along the upper ends, back along the lower ends
    lines = {t["name"]: t for t in traces if "fill" not in t}
    incidence = lines["Poverty incidence (national line)"]
    assert incidence["y"] == [0.05, 0.04, 0.02] and incidence["x"] == [2018, 2019, 2020]
    assert incidence["text"][1] == "4.00% (95% confidence interval 3.00% to 5.00%)"
    assert incidence["text"][0] == "5.00%"
    assert lines["Adjusted headcount M0"]["y"] == [0.03, 0.025, None]
    zh = client.get("/regions/621126/", HTTP_ACCEPT_LANGUAGE="zh-hans").context["dashboard"]
    assert [t["name"] for t in zh["focus"]["povertyTrend"]["621126"] if t.get("fill")] == ["95% 置信区间"]


def test_a_census_trend_has_no_band_and_a_small_cell_shows_none(client, runs):
    dashboard = client.get("/regions/620111/", HTTP_ACCEPT_LANGUAGE="en").context["dashboard"]
    traces = dashboard["focus"]["povertyTrend"]["620111"]  # 4 households: suppressed for the public
    assert traces and not [t for t in traces if t.get("fill")]
    assert all(v is None for t in traces for v in t["y"])
    census = client.get("/regions/620103/", HTTP_ACCEPT_LANGUAGE="en").context["dashboard"]
    assert not [t for t in census["focus"]["povertyTrend"]["620103"] if t.get("fill")]


def test_the_county_export_has_the_interval_columns(client, runs):
    text = client.get("/?period=2020&format=csv", HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert "Poverty incidence (national line): lower end of the 95% confidence interval" in header
    assert "Adjusted headcount M0: standard error" in header
    low = header.index("Poverty incidence (national line): lower end of the 95% confidence interval")
    line = next(r for r in text.splitlines() if r.startswith("621126,"))
    assert line.split(",")[low] == "0.012"

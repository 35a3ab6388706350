"""The national and region dashboards and the methodology page, from hand-made RegionScore rows."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from django.utils.html import escape

from households.models import SurveyPeriod
from indicators import dashboard_data
from indicators.models import ComputationRun, Methodology, RegionScore
from regions.models import Assignment, Region, Role
from tests.indicators.builders import served

User = get_user_model()

# county: (eqi, headcount_ratio, households) in 2020; 620103 is a small cell (5 households)
COUNTIES_2020 = {
    "621126": (60.0, 0.010, 120),
    "622921": (70.0, 0.040, 80),
    "620102": (80.0, 0.001, 300),
    "620103": (90.0, 0.000, 5),
}


def page_map(response) -> dict | None:
    """The map the page embeds (``<script id="dashboard-map-data">``), parsed as the browser parses it;
    None when the page has no map."""
    found = re.search(
        r'<script id="dashboard-map-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1)) if found else None


def _run(year: int) -> ComputationRun:
    SurveyPeriod.objects.get_or_create(year=year)
    methodology = Methodology.objects.get(is_default=True)
    return ComputationRun.objects.create(
        period_id=year,
        methodology=methodology,
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
def scores(db):
    """Runs of 2018, 2019 and 2020; 621126 has no row in 2019 (a gap); Gansu (62) has all three."""
    runs = {year: _run(year) for year in (2018, 2019, 2020)}
    for code, (eqi, hcr, households) in COUNTIES_2020.items():
        _score(
            runs[2020],
            code,
            eqi=eqi,
            headcount_ratio=hcr,
            households=households,
            d1_income=eqi - 10,
            d2_resilience=eqi,
            d3_public_services=eqi + 5,
            d4_industry=eqi - 20,
            persons=households * 4,
            flagged_households=households // 10,
        )
    _score(
        runs[2018], "621126", eqi=50.0, d1_income=40.0, d2_resilience=50.0, d3_public_services=55.0, d4_industry=30.0
    )
    for year, eqi in ((2018, 55.0), (2019, 58.0), (2020, 66.0)):
        _score(
            runs[year],
            "62",
            eqi=eqi,
            d1_income=eqi - 1,
            d2_resilience=eqi,
            d3_public_services=eqi + 1,
            d4_industry=eqi - 2,
            headcount_ratio=0.025,
            exit_check=True,
            persons=2000,
            households=505,
            flagged_households=42,
        )
    township = Region.objects.filter(parent__code="640104").order_by("code").first()
    _score(runs[2020], township.code, eqi=55.0, households=50)
    return {"runs": runs, "township": township}


def test_quantile_classes_hand_computed():
    # n = 3 present, k = 5: class = floor(5 i / 3) for i = 0, 1, 2 -> 0, 1, 3
    classes, ranges = dashboard_data.quantile_classes([70.0, None, 60.0, 80.0])
    assert classes == [1, None, 0, 3]
    assert ranges == [[60.0, 60.0], [70.0, 70.0], [], [80.0, 80.0], []]
    # ties share a class (the class of their first position); 10 values -> two per class
    classes, _ = dashboard_data.quantile_classes([1.0, 1.0, 2.0, 3, 4, 5, 6, 7, 8, 9])
    assert classes == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    classes, _ = dashboard_data.quantile_classes([5.0, 5.0, 5.0, 7.0])
    assert classes == [0, 0, 0, 3]


def test_ranks_follow_the_direction():
    assert dashboard_data.ranks([60.0, None, 80.0, 80.0], direction="higher_better") == [3, None, 1, 1]
    assert dashboard_data.ranks([0.01, 0.04, None], direction="lower_better") == [1, 2, None]


@pytest.mark.django_db
def test_national_dashboard_values_classes_and_small_cell_for_the_public(client, scores):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    data = response.context["dashboard"]
    assert data["period"] == 2020 and data["periods"] == [2018, 2019, 2020]
    assert data["run"]["version"] == "v1"
    m = page_map(response)
    assert m["codes"] == ["620102", "620103", "621126", "622921"]
    assert m["values"]["eqi"] == [80.0, None, 60.0, 70.0]  # 620103: 5 households, not shown
    assert m["suppressed"] == [False, True, False, False]
    assert m["values"]["headcount_ratio"] == [0.001, None, 0.010, 0.040]
    assert m["classes"]["eqi"] == [3, None, 0, 1]
    assert m["ranks"]["eqi"] == [1, None, 3, 2]
    assert m["ranks"]["headcount_ratio"] == [1, None, 2, 3]  # lower is better
    assert m["counties"] == 2978 and m["withoutData"] == 2978 - 3
    html = response.content.decode()
    assert "90.0" not in html and "/static/vendor/plotly-tuopin-3.7.0.min.js" in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)  # every script, style and link is local
    assert "Period 2020, methodology v1, computed" in html and 'href="/methodology/"' in html
    # the trend follows Gansu, the one province with rows
    assert data["focus"]["selected"] == "62" and [c["code"] for c in data["focus"]["candidates"]] == ["62"]


@pytest.mark.django_db
def test_national_dashboard_earlier_period_and_unknown_period(client, scores):
    m = page_map(client.get("/?period=2018"))
    assert m["codes"] == ["621126"] and m["values"]["eqi"] == [50.0]
    assert client.get("/?period=2019&measure=headcount_ratio").context["dashboard"]["measure"] == "headcount_ratio"
    assert client.get("/?measure=nope").status_code == 400  # an unknown measure: a bad request (issue 14, 9)
    assert client.get("/?period=2017").status_code == 400  # no published scores: the 400 says so
    assert client.get("/?period=abc").status_code == 400  # not a year: a bad request, not a missing page


@pytest.mark.django_db
def test_region_dashboard_trend_has_none_for_a_missing_period(client, scores):
    response = client.get("/regions/621126/")
    data = response.context["dashboard"]
    series = data["focus"]["series"]["621126"]["periods"]
    assert series[2019] is None
    trend = dashboard_data.trend(data["focus"]["series"]["621126"], periods=data["periods"])
    assert trend["eqi"] == [50.0, None, 60.0]
    assert trend["d1_income"] == [40.0, None, 50.0] and trend["d4_industry"] == [30.0, None, 40.0]
    assert page_map(response) is None  # no boundaries below county level
    assert data["focus"]["parent"] == "6211" and data["focus"]["exitLines"]["621126"] == 0.03


@pytest.mark.django_db
def test_province_dashboard_maps_its_counties_with_kpis_and_exit_line(client, scores):
    response = client.get("/regions/62/")
    data, m = response.context["dashboard"], page_map(response)
    assert m["codes"] == ["620102", "620103", "621126", "622921"]
    assert m["counties"] == Region.objects.filter(level=3, code__startswith="62").count()
    row = data["focus"]["series"]["62"]["periods"][2020]
    assert (row["persons"], row["households"], row["headcount_ratio"], row["flagged_households"]) == (
        2000,
        505,
        0.025,
        42,
    )
    assert row["exit_check"] is True and data["focus"]["exitLines"]["62"] == 0.03
    assert data["areaPrefix"] == "62"
    beijing = client.get("/regions/11/")
    assert beijing.context["dashboard"]["focus"]["exitLines"]["11"] == 0.02 and page_map(beijing)["codes"] == []


@pytest.mark.django_db
def test_anonymous_sees_no_township_numbers_and_an_assigned_official_does(client, scores):
    township = scores["township"]
    data = client.get(f"/regions/{township.code}/").context["dashboard"]
    row = data["focus"]["series"][township.code]["periods"][2020]
    assert row["suppressed"] is True and row["eqi"] is None and row["households"] is None
    assert row["hidden"] == "level"  # 50 households: hidden for its level, not as a small cell
    county = page_map(client.get("/regions/62/"))
    assert county["suppressed"][county["codes"].index("620103")] is True  # the small cell
    small = client.get("/regions/620103/").context["dashboard"]["focus"]["series"]["620103"]["periods"][2020]
    assert small["suppressed"] is True and small["hidden"] == "small"
    response = client.get("/regions/620103/?format=csv", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and b"county map" in response.content
    official = User.objects.create_user("official-64")
    Assignment.objects.create(user=official, role=Role.OFFICIAL, region=Region.objects.get(code="640104"))
    client.force_login(official)
    row = client.get(f"/regions/{township.code}/").context["dashboard"]["focus"]["series"][township.code]["periods"][
        2020
    ]
    assert row["suppressed"] is False and row["eqi"] == 55.0


@pytest.mark.django_db
def test_cached_map_is_per_access_and_per_run(client, scores):
    assert page_map(client.get("/"))["values"]["eqi"] == [80.0, None, 60.0, 70.0]  # cached for the public
    client.force_login(User.objects.create_superuser("root", password="pw"))
    assert page_map(client.get("/"))["values"]["eqi"] == [80.0, 90.0, 60.0, 70.0]  # not the public's copy
    client.logout()
    assert page_map(client.get("/"))["values"]["eqi"] == [80.0, None, 60.0, 70.0]
    ComputationRun.objects.filter(pk=scores["runs"][2020].pk).update(is_current=False)
    newer = _run(2020)  # a new run of the period: a new key, no stale map
    _score(newer, "621126", eqi=65.5, households=100)
    assert page_map(client.get("/"))["values"]["eqi"] == [65.5]


@pytest.mark.django_db
def test_superuser_sees_the_small_cell(client, scores):
    client.force_login(User.objects.create_superuser("root", password="pw"))
    m = page_map(client.get("/"))
    assert m["values"]["eqi"] == [80.0, 90.0, 60.0, 70.0] and m["classes"]["eqi"] == [2, 3, 0, 1]
    assert m["withoutData"] == 2978 - 4


@pytest.mark.django_db
def test_page_map_values_have_six_significant_digits_and_classes_come_from_full_values(client, scores):
    run = scores["runs"][2020]
    RegionScore.objects.of_run(run).filter(region__code="621126").update(eqi=200 / 3, headcount_ratio=1 / 7)
    # 622921 differs from 621126 only in the ninth digit: the page shows them equal, the ranks do not
    RegionScore.objects.of_run(run).filter(region__code="622921").update(eqi=200 / 3 + 1e-7)
    m = page_map(client.get("/"))
    i, j = m["codes"].index("621126"), m["codes"].index("622921")
    assert m["values"]["eqi"][i] == m["values"]["eqi"][j] == 66.6667
    assert m["values"]["headcount_ratio"][i] == 0.142857
    assert m["ranks"]["eqi"][j] == m["ranks"]["eqi"][i] - 1  # higher is better: 622921 ranks first
    csv = client.get("/?period=2020&format=csv", HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8")
    assert "66.66666666666667" in csv  # exports keep the full value


def _more_counties(run, n: int) -> None:
    codes = list(
        Region.objects.filter(level=3, code__startswith="13").order_by("code").values_list("code", flat=True)[:n]
    )
    for i, code in enumerate(codes):
        _score(run, code, eqi=40.0 + i / 10)


@pytest.mark.django_db
def test_dashboard_query_count_does_not_grow_with_the_counties(client, scores, django_assert_num_queries):
    with django_assert_num_queries(7):  # with the runs' suppression pattern (secondary suppression), the rank bands
        client.get("/")
    with django_assert_num_queries(3):  # the map of this run, area and access comes from the cache
        client.get("/")
    _more_counties(scores["runs"][2020], 100)
    cache.clear()  # rows added to a published run (which a recompute never does): build the map again
    with django_assert_num_queries(7):
        response = client.get("/")
    assert len(page_map(response)["codes"]) == 104
    with django_assert_num_queries(7):  # the region, its tags, its ancestors instead of the provinces
        client.get("/regions/13/")


@pytest.mark.django_db
def test_dashboard_without_runs_says_so(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response.context["dashboard"]["run"] is None
    assert "No published scores yet." in response.content.decode()


@pytest.mark.django_db
def test_dashboard_speaks_both_languages(client, scores):
    zh = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans").context["dashboard"]
    en = client.get("/", HTTP_ACCEPT_LANGUAGE="en").context["dashboard"]
    names = {lang: {m["code"]: m["name"] for m in d["measures"]} for lang, d in (("zh", zh), ("en", en))}
    assert names["en"]["eqi"] == "Exit-quality index" and names["zh"]["eqi"] == "脱贫质量指数"
    assert zh["lang"] == "zh-hans" and en["lang"] == "en"


@pytest.mark.django_db
def test_methodology_page_lists_every_indicator_goalpost_weight_and_line(client):
    from indicators.models import PovertyLine
    from indicators.registry import INDICATORS

    response = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    for indicator in INDICATORS:
        assert f'id="indicator-{indicator.code}"' in html
        names = indicator.names()
        assert escape(names["en"]) in html and escape(names["zh_hans"]) in html
    assert "Income adequacy y/z (scored on the log scale)" in html
    methodology = response.context["methodologies"][0]
    assert methodology["object"].version == "v1"
    assert [(code, str(name), weight) for code, name, weight in methodology["weights"]] == [
        ("d1_income", "D1 income", 1.0),
        ("d2_resilience", "D2 resilience", 1.0),
        ("d3_public_services", "D3 public services", 1.0),
        ("d4_industry", "D4 industrial support", 1.0),
    ]
    assert ("Margin over the monitoring line y/z_m", 1.0, 2.0) in methodology["goalposts"]
    line = PovertyLine.objects.filter(year=2020, line_type="national", superseded_at__isnull=True).get()
    assert line in response.context["lines"] and f"<td>{line.value:,.0f}</td>" in html  # whole yuan
    assert "FGT(0): person-weighted share with y &lt; z" in html and "DESIGN" not in html


@pytest.mark.django_db
def test_methodology_page_in_chinese_explains_formulas_weights_and_lines(client):
    html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "FGT(0)：y &lt; z 的人口加权比例" in html  # the formula of headcount_ratio
    assert "v ≥ 0.5 的人口加权比例" in html
    assert "<td>D1 收入</td><td>1.0</td>" in html  # a weight names its dimension
    assert "方法 v1：四个维度" in html and "脱贫质量监测设计的默认设置" in html  # the seeded methodology
    assert "插值（已知年份之间按对数线性）" in html and "已确认（官方数值）" in html  # poverty-line status
    assert "person-weighted" not in html and "DESIGN" not in html


@pytest.mark.django_db
def test_the_map_table_exports_to_csv_and_excel_with_small_cells_empty(client, scores):
    import io

    from openpyxl import load_workbook

    response = client.get("/?period=2020&format=csv", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('counties-cn-2020.csv"')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffCode,Name,Period,Methodology,")
    lines = text.splitlines()
    header = lines[0].lstrip("\ufeff").split(",")
    rows = {line.split(",")[0]: dict(zip(header, line.split(","), strict=True)) for line in lines[1:]}
    assert list(rows) == ["620102", "620103", "621126", "622921"]
    assert rows["621126"]["Period"] == "2020" and rows["621126"]["Methodology"] == "v1"
    eqi = str(dashboard_data.MEASURES[[m.code for m in dashboard_data.MEASURES].index("eqi")].name)
    assert float(rows["621126"][eqi]) == 60.0
    assert rows["620103"][eqi] == ""  # 5 surveyed households: not shown to the public

    book = load_workbook(io.BytesIO(client.get("/regions/62/?period=2020&format=xlsx").content))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("代码", "名称") or values[0][:2] == ("Code", "Name")
    assert [r[0] for r in values[1:]] == ["620102", "620103", "621126", "622921"]  # text, not numbers
    assert client.get("/?format=pdf").status_code == 400

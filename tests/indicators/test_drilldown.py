"""Drill-down pages below county level: a region's children, a village, a household.

Scores are written by hand (a published run with chosen values) so every number on the pages is
known; one test runs a small real recompute end to end. Personas: a superuser, an admin of the county,
the official of the county, the official of another county, the clerk of village A, and an anonymous
visitor. Out of scope is 404 (the same as a code that does not exist), anonymous is a login redirect,
and no page or export carries an unmasked registry number or resident ID.
"""

import csv
import datetime as dt
import io
import re
import uuid

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from households import ids
from households.models import Household, HouseholdSurvey, Member, SurveyPeriod
from indicators import drilldown_data as data
from indicators.models import ComputationRun, HouseholdScore, Methodology, RegionScore
from indicators.services import recompute as service
from regions.models import Assignment, Region, Role
from tests.indicators.builders import Row, households_write, served, villages_write

pytestmark = pytest.mark.django_db

COUNTY, OTHER_COUNTY = "640422", "640402"
FINISHED = dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC)  # 10:30 in Asia/Shanghai
RESIDENT_ID = "640422198001010" + "01"
RESIDENT_ID += ids.check_character(RESIDENT_ID)


def _township() -> tuple[Region, list[Region]]:
    """The first township of the county with at least three villages, and three of its villages."""
    for township in Region.objects.filter(parent_id=COUNTY).order_by("code"):
        villages = list(Region.objects.filter(parent=township).order_by("code")[:3])
        if len(villages) == 3:
            return township, villages
    raise AssertionError("no township with three villages in 640422")


def _run(period: int, *, finished=FINISHED) -> ComputationRun:
    SurveyPeriod.objects.get_or_create(year=period)
    return ComputationRun.objects.create(
        period_id=period,
        methodology=Methodology.objects.get(is_default=True),
        status=ComputationRun.Status.PUBLISHED,
        is_current=True,
        finished_at=finished,
    )


def _region_score(run, region, **values) -> RegionScore:
    return RegionScore.objects.create(
        snapshot=served(run), region=region, period_id=run.period_id, level=region.level, **values
    )


def _household_score(run, household, **values) -> HouseholdScore:
    defaults = {"persons": 2, "weight": 1.0, "province_code": household.region.province_code}
    return HouseholdScore.objects.create(
        snapshot=served(run),
        period_id=run.period_id,
        household=household,
        region=household.region,
        **(defaults | values),
    )


@pytest.fixture
def client(client):
    """The test client, asking for English pages (the default language is Chinese)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _user(name, role=None, code=None, **extra) -> User:
    account = User.objects.create_user(name, password="pw-" + name, **extra)
    if role:
        Assignment.objects.create(user=account, role=role, region=Region.objects.get(code=code))
    return account


@pytest.fixture
def world(db):
    township, (village_a, village_b, village_c) = _township()
    run = _run(2020)
    old = _run(2019, finished=dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.UTC))
    _region_score(run, village_a, eqi=61.27, d1_income=70.0, headcount_ratio=0.125, households=2, persons=5)
    _region_score(
        run,
        village_b,
        eqi=48.04,
        d1_income=55.5,
        headcount_ratio=0.3,
        households=12,
        persons=40,
        mpi_m0=0.2,
        mpi_h=0.4,
        mpi_a=0.5,
        mpi_contributions={"food_secure": 0.25, "income": 0.75},
        mpi_censored_headcounts={"food_secure": 0.1, "income": 0.3},
    )
    # village C has no score this period: "no data", last whatever the order
    _region_score(run, township, eqi=50.0, households=14, persons=45)

    # public ids in the order of the numbers, so the masked tables (by public id) keep that order here
    first = Household.objects.create(
        registry_number=f"{village_b.code}0001", region=village_b, public_id=uuid.UUID(int=1)
    )
    second = Household.objects.create(
        registry_number=f"{village_b.code}0002", region=village_b, public_id=uuid.UUID(int=2)
    )
    Member.objects.create(
        household=first,
        member_no=1,
        name="张三",
        resident_id_encrypted=ids.id_encrypt(RESIDENT_ID),
        resident_id_hash=ids.id_hash(RESIDENT_ID),
        resident_id_masked=ids.id_mask(RESIDENT_ID),
    )
    _household_score(
        run,
        first,
        income=6618.0,
        ratio=2.0,
        margin=1.3333,
        eqi=55.0,
        d1_income=60.0,
        d2_resilience=40.0,
        d3_public_services=75.0,
        d4_industry=50.0,
        vulnerability=0.62,
        deprivation_score=2 / 7,
        deprivations=0b1000001,  # food and income
        flagged=True,
        reasons=["vulnerable", "shock"],
        category="sudden_hardship",
        c_adequacy=63.09,
        c_growth=None,
    )
    _household_score(run, second, income=12000.0, ratio=3.63, eqi=91.0, d1_income=95.0, flagged=False)
    _household_score(old, first, income=5000.0, ratio=1.6, eqi=44.4, flagged=False)

    people = {
        "superuser": _user("root", is_superuser=True, is_staff=True),
        "admin": _user("admin", Role.ADMIN, COUNTY),
        "official": _user("official", Role.OFFICIAL, COUNTY),
        "other_official": _user("other", Role.OFFICIAL, OTHER_COUNTY),
        "clerk_b": _user("clerk", Role.CLERK, village_b.code),
    }
    return {
        "township": township,
        "villages": (village_a, village_b, village_c),
        "run": run,
        "households": (first, second),
        "people": people,
    }


def _table_rows(html: str, table_id: str) -> list[list[str]]:
    """The cells of a table's body as text, row by row (tags stripped)."""
    import re

    body = html.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


# --- children -------------------------------------------------------------------------------------


def test_children_table_shows_hand_made_values_sorted_with_no_data_last(client, world):
    client.force_login(world["people"]["official"])
    a, b, c = world["villages"]
    url = reverse("indicators:children", args=[world["township"].code])
    response = client.get(url, {"measure": "eqi", "period": 2020})
    assert response.status_code == 200
    html = response.content.decode()
    rows = _table_rows(html, "children-table")
    assert [r[0] for r in rows[:3]] == [a.code, b.code, c.code]  # EQI 61.27, 48.04, none
    # columns: code, name, households, persons, eqi, d1, d2, d3, d4, headcount, ...
    assert rows[0][2:6] == ["2", "5", "61.3", "70.0"]
    assert rows[0][9] == "12.50%" and rows[1][9] == "30.00%"
    assert rows[2][4] == "no data"
    ascending = _table_rows(client.get(url, {"sort": "eqi", "order": "asc"}).content.decode(), "children-table")
    assert [r[0] for r in ascending[:3]] == [b.code, a.code, c.code]  # None still last
    by_headcount = _table_rows(client.get(url, {"measure": "headcount_ratio"}).content.decode(), "children-table")
    assert [r[0] for r in by_headcount[:2]] == [b.code, a.code]  # descending by default
    # the chart ranks best first: incidence is lower-better, so A (12.5 %) before B
    chart = client.get(url, {"measure": "headcount_ratio"}).context["chart"]
    assert chart["codes"] == [a.code, b.code] and chart["values"] == [0.125, 0.3]
    assert reverse("indicators:village", args=[a.code]) in html  # villages link to their page


def test_children_page_names_period_methodology_and_run_time_and_links_methodology(client, world):
    client.force_login(world["people"]["official"])
    html = client.get(reverse("indicators:children", args=[world["township"].code]))
    text = html.content.decode()
    assert "Period 2020 · methodology v1 · computed March 1, 2026, 10:30 a.m." in text
    assert 'href="/methodology/"' in text
    older = client.get(reverse("indicators:children", args=[world["township"].code]), {"period": 2019})
    assert "Period 2019 · methodology v1 · computed March 1, 2025, 10 a.m." in older.content.decode()
    assert client.get(reverse("indicators:children", args=[COUNTY])).status_code == 200  # townships of the county


@pytest.mark.parametrize(
    "params", [{"measure": "name_of_nothing"}, {"period": "1999"}, {"format": "pdf"}, {"order": "up"}, {"sort": "x"}]
)
def test_children_page_rejects_bad_parameters(client, world, params):
    client.force_login(world["people"]["official"])
    assert client.get(reverse("indicators:children", args=[world["township"].code]), params).status_code == 400


def test_children_export_round_trip_csv_and_xlsx(client, world):
    client.force_login(world["people"]["official"])
    a, b, c = world["villages"]
    url = reverse("indicators:children", args=[world["township"].code])
    response = client.get(url, {"format": "csv", "sort": "eqi"})
    assert response["Content-Disposition"] == f'attachment; filename="children-{world["township"].code}-2020.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Code"] for r in table[:3]] == [a.code, b.code, c.code]
    first = table[0]
    assert float(first["Exit-quality index"]) == 61.27 and float(first["Poverty incidence (national line)"]) == 0.125
    assert first["Surveyed households"] == "2" and table[2]["Exit-quality index"] == ""
    assert (first["Period"], first["Methodology"], first["Computed at"]) == ("2020", "v1", "2026-03-01T10:30:00+08:00")

    response = client.get(url, {"format": "xlsx", "sort": "eqi"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Code", "Name", "Exit-quality index"]
    assert sheet["A2"].value == a.code and isinstance(sheet["A2"].value, str) and sheet["A2"].number_format == "@"
    assert sheet["C2"].value == 61.27 and sheet["C4"].value is None
    assert sheet.max_row == 1 + Region.objects.filter(parent=world["township"]).count()


# --- village --------------------------------------------------------------------------------------


def test_village_page_kpis_households_af_and_histograms(client, world):
    client.force_login(world["people"]["official"])
    _, b, _ = world["villages"]
    first, second = world["households"]
    response = client.get(reverse("indicators:village", args=[b.code]))
    assert response.status_code == 200
    html = response.content.decode()
    kpis = dict(response.context["kpis"])
    assert kpis["Surveyed households"] == "12" and kpis["Exit-quality index"] == "48.0"
    assert kpis["Poverty incidence (national line)"] == "30.00%" and kpis["Adjusted headcount M0"] == "20.00%"
    assert kpis["Mean vulnerability"] is None  # not in the run: "no data", never 0
    af = _table_rows(html, "af-table")
    assert af[0] == ["food secure", "10.00%", "25.00%"] and af[-1] == [
        "Income below the national line",
        "30.00%",
        "75.00%",
    ]
    chart = response.context["chart"]
    assert chart["af"]["values"] == [0.25, 0.75]
    assert chart["histograms"][0]["values"] == [55.0, 91.0]  # EQI of the two households, by registry number
    assert chart["histograms"][4]["values"] == [50.0, None]  # D4
    rows = _table_rows(html, "households-table")
    masked = f"{b.code}****"  # households.ids.registry_mask
    assert rows[0][:6] == [masked, "2", "6,618", "2.00", "1.33", "55.0"]
    assert rows[0][10] == "62.00%" and rows[0][11] == "yes (sudden severe hardship)"
    assert rows[0][12] == "vulnerable (expected poverty), shock (disaster loss or job loss)"
    assert rows[1][11] == "no"
    assert reverse("indicators:household", args=[first.public_id]) in html
    assert reverse("households:detail", args=[second.public_id]) in html
    assert first.registry_number not in html and "张三" not in html and RESIDENT_ID not in html
    assert "Period 2020 · methodology v1 · computed March 1, 2026, 10:30 a.m." in html


def test_village_households_masked_are_in_public_id_order_not_serial_order(client, world):
    _, b, _ = world["villages"]
    first, second = world["households"]
    Household.objects.filter(pk=first.pk).update(public_id=uuid.UUID(int=3))  # now after the second's

    def households(persona):
        client.force_login(world["people"][persona])
        return [h["household"] for h in client.get(reverse("indicators:village", args=[b.code])).context["households"]]

    assert households("official") == [second.public_id, uuid.UUID(int=3)]  # masked: the serials stay hidden
    assert households("clerk_b") == [uuid.UUID(int=3), second.public_id]  # numbers whole: by number


def test_village_export_round_trip_masks_registry_numbers(client, world):
    client.force_login(world["people"]["official"])
    _, b, _ = world["villages"]
    first, second = world["households"]
    url = reverse("indicators:village", args=[b.code])
    response = client.get(url, {"format": "csv"})
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert first.registry_number not in text and RESIDENT_ID not in text and "张三" not in text
    table = list(csv.DictReader(io.StringIO(text)))
    assert [r["Household"] for r in table] == [str(first.public_id), str(second.public_id)]
    assert table[0]["Registry number"] == f"{b.code}****" == ids.registry_mask(first.registry_number, b.code)
    assert float(table[0]["Income / poverty line"]) == 2.0 and table[0]["Flagged"] == "yes"
    assert table[0]["Category"] == "sudden severe hardship" and table[1]["Category"] == ""
    assert table[0]["Reasons"] == "vulnerable (expected poverty), shock (disaster loss or job loss)"

    response = client.get(url, {"format": "xlsx", "period": 2019})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2  # in 2019 only the first household was scored
    row = {sheet.cell(1, i).value: sheet.cell(2, i).value for i in range(1, sheet.max_column + 1)}
    assert row["Household"] == str(first.public_id) and row["Income / poverty line"] == 1.6 and row["Period"] == 2019


# --- household ------------------------------------------------------------------------------------


def test_household_page_every_period_components_deprivations_and_masked_ids(client, world):
    client.force_login(world["people"]["official"])
    first, _ = world["households"]
    response = client.get(reverse("indicators:household", args=[first.public_id]))
    assert response.status_code == 200
    periods = response.context["periods"]
    assert [p["period"] for p in periods] == [2020, 2019]
    latest = periods[0]
    assert latest["deprived_in"] == ["food_secure", "income"]
    assert dict(latest["dimensions"])["D2 resilience"] == "40.0"
    assert dict(latest["component_rows"])["Income adequacy"] == "63.1"
    assert dict(latest["component_rows"])["Real income growth"] is None
    assert latest["cells"] == {
        "income": "6,618",
        "ratio": "2.00",
        "margin": "1.33",
        "vulnerability": "62.00%",
        "deprivation_score": "28.57%",
    }
    html = response.content.decode()
    assert "food secure, Income below the national line" in html
    assert "sudden severe hardship" in html
    assert "vulnerable (expected poverty), shock (disaster loss or job loss)" in html
    assert "Period 2019 · methodology v1 · computed March 1, 2025, 10 a.m." in html
    assert first.registry_number not in html and RESIDENT_ID not in html and "张三" not in html
    assert ids.registry_mask(first.registry_number, first.region.code) in html
    assert reverse("households:detail", args=[first.public_id]) in html


def test_household_export_one_row_per_period_with_components(client, world):
    client.force_login(world["people"]["official"])
    first, _ = world["households"]
    response = client.get(reverse("indicators:household", args=[first.public_id]), {"format": "xlsx"})
    assert response["Content-Disposition"] == f'attachment; filename="household-{first.public_id}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [
        dict(zip([c.value for c in sheet[1]], [c.value for c in r], strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    assert [(r["Period"], r["Exit-quality index"]) for r in rows] == [(2020, 55.0), (2019, 44.4)]
    assert rows[0]["Income adequacy"] == 63.09 and rows[0]["Real income growth"] is None
    assert rows[0]["Deprived in"] == "food secure, Income below the national line"
    assert rows[0]["Computed at"] == "2026-03-01T10:30:00+08:00" and rows[1]["Methodology"] == "v1"
    assert rows[0]["Registry number"] == ids.registry_mask(first.registry_number, first.region.code)
    text = client.get(reverse("indicators:household", args=[first.public_id]), {"format": "csv"}).content.decode(
        "utf-8-sig"
    )
    assert first.registry_number not in text and RESIDENT_ID not in text and "张三" not in text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_household_export_headers_are_distinct_in_each_language(client, world, language):
    client.force_login(world["people"]["official"])
    first, _ = world["households"]
    with translation.override(language):
        response = client.get(
            reverse("indicators:household", args=[first.public_id]), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE=language
        )
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(header) == len(set(header)), sorted(h for h in header if header.count(h) > 1)


def test_household_detail_links_to_the_scores_page(client, world):
    client.force_login(world["people"]["official"])
    first, _ = world["households"]
    html = client.get(reverse("households:detail", args=[first.public_id])).content.decode()
    assert reverse("indicators:household", args=[first.public_id]) in html


def test_only_the_current_run_of_the_default_methodology_is_shown(client, world):
    first, _ = world["households"]
    run = world["run"]
    ComputationRun.objects.filter(pk=run.pk).update(is_current=False)
    stale = ComputationRun.objects.create(
        period_id=2020, methodology=run.methodology, status="published", is_current=True, finished_at=FINISHED
    )
    _household_score(stale, first, eqi=12.5)
    periods = data.household_periods(household=first, reveal_paths=[])
    assert [(p["period"], p["eqi"]) for p in periods] == [(2020, 12.5), (2019, 44.4)]


# --- permissions ----------------------------------------------------------------------------------


def _urls(world) -> dict[str, str]:
    _, b, _ = world["villages"]
    first, _ = world["households"]
    return {
        "township": reverse("indicators:children", args=[world["township"].code]),
        "county": reverse("indicators:children", args=[COUNTY]),
        "village": reverse("indicators:village", args=[b.code]),
        "village_export": reverse("indicators:village", args=[b.code]) + "?format=csv",
        "household": reverse("indicators:household", args=[first.public_id]),
        "household_export": reverse("indicators:household", args=[first.public_id]) + "?format=csv",
    }


PAGES = ("township", "county", "village", "village_export", "household", "household_export")
EXPECTED = {
    "superuser": dict.fromkeys(PAGES, 200),
    "admin": dict.fromkeys(PAGES, 200),
    "official": dict.fromkeys(PAGES, 200),
    "other_official": dict.fromkeys(PAGES, 404),
    # the clerk of village B reads its village and households, not the township or county tables
    "clerk_b": {"township": 404, "county": 404} | dict.fromkeys(PAGES[2:], 200),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_permissions_by_persona(client, world, persona):
    client.force_login(world["people"][persona])
    for name, url in _urls(world).items():
        response = client.get(url)
        assert response.status_code == EXPECTED[persona][name], (persona, name, response.status_code)
        assert RESIDENT_ID not in response.content.decode("utf-8-sig")


def test_out_of_scope_is_the_same_404_as_a_code_that_does_not_exist(client, world):
    client.force_login(world["people"]["other_official"])
    _, b, _ = world["villages"]
    hidden = client.get(reverse("indicators:village", args=[b.code]))
    missing = client.get(reverse("indicators:village", args=["640422999999"]))
    assert hidden.status_code == missing.status_code == 404
    # the site's 404 page differs only by the path asked for and its per-response CSRF token
    assert _page_404(hidden, b.code) == _page_404(missing, "640422999999")
    gone = client.get(reverse("indicators:household", args=[uuid.uuid4()]))
    assert _page_404(client.get(_urls(world)["household"]), "") == _page_404(gone, "")


def _page_404(response, code: str) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r'name="next" type="hidden" value="[^"]*"', "", text.replace(code, "CODE") if code else text)


def test_anonymous_is_sent_to_the_login_page(client, world):
    for url in _urls(world).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login") + "?next=")


def test_a_village_is_not_a_children_page_and_a_county_children_page_needs_scope(client, world):
    client.force_login(world["people"]["superuser"])
    _, b, _ = world["villages"]
    assert client.get(reverse("indicators:children", args=[b.code])).status_code == 404
    assert client.get(reverse("indicators:children", args=["64"])).status_code == 404  # public level: dashboard


# --- query counts ---------------------------------------------------------------------------------


def _custom_tree(n: int) -> Region:
    """A region of another scheme with ``n`` scored children (codes padded so the order is by code)."""
    run = ComputationRun.objects.get(period_id=2020, is_current=True)
    root = Region.objects.create(code=f"QC{n}", name="root", level=3, path=f"/QC{n}/", scheme="qc")
    children = Region.objects.bulk_create(
        Region(code=f"QC{n}-{i:03d}", name=f"c{i}", level=4, parent=root, path=f"/QC{n}/QC{n}-{i:03d}/", scheme="qc")
        for i in range(n)
    )
    RegionScore.objects.bulk_create(
        RegionScore(snapshot=served(run), region=c, period_id=2020, level=4, eqi=float(i % 90), households=10)
        for i, c in enumerate(children)
    )
    return root


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_rows(client, world, django_assert_num_queries):
    client.force_login(world["people"]["superuser"])
    small, large = _custom_tree(10), _custom_tree(100)
    for params in ({}, {"format": "csv"}):
        counts = {_queries(client, reverse("indicators:children", args=[r.code]), params) for r in (small, large)}
        assert len(counts) == 1, params
    with django_assert_num_queries(2):
        assert len(data.children_rows(region=large, run=world["run"])) == 100

    c = world["villages"][2]
    households = Household.objects.bulk_create(
        Household(registry_number=f"{c.code}{i:04d}", region=c) for i in range(1, 101)
    )
    for h in households[:10]:
        _household_score(world["run"], h, eqi=50.0)
    ten = _queries(client, reverse("indicators:village", args=[c.code]))
    for h in households[10:]:
        _household_score(world["run"], h, eqi=50.0)
    assert _queries(client, reverse("indicators:village", args=[c.code])) == ten
    with django_assert_num_queries(1):
        assert len(data.village_households(region=c, run=world["run"], reveal_paths=[])) == 100
    with django_assert_num_queries(1):
        assert len(data.household_periods(household=households[0], reveal_paths=[])) == 1


def test_query_count_of_each_page_is_pinned(client, world):
    client.force_login(world["people"]["official"])
    urls = _urls(world)
    # session, user, the user's paths, the region, the runs, ancestors, children, their scores
    assert _queries(client, urls["township"]) == 8
    # session, user, paths, the village, runs, clerk/admin paths (registry numbers), household rows,
    # village score, ancestors
    assert _queries(client, urls["village"]) == 9
    # session, user, paths, the household with its village, clerk/admin paths, its scores in every period,
    # the last change of its surveys
    assert _queries(client, urls["household"]) == 7


# --- end to end -----------------------------------------------------------------------------------


def test_real_recompute_values_reach_the_village_page(client, world):
    """Two households scored by the real recompute: y = 6,618 and 3,309 yuan per person, z = 3,309."""
    _, _, c = world["villages"]
    households_write([Row(c.code, 1, wage=2 * 6618, persons=2), Row(c.code, 2, wage=3309, persons=1)], period=2021)
    villages_write([c.code], period=2021)
    service.recompute(period=2021)
    client.force_login(world["people"]["official"])
    response = client.get(reverse("indicators:village", args=[c.code]), {"period": 2021})
    assert response.status_code == 200
    rows = _table_rows(response.content.decode(), "households-table")
    z = service.current_run(period=2021).lines["national"]["2021"]["64"]
    # (persons, ratio) per household; masked for the official, so in the order of the random public ids
    assert sorted((r[1], r[3]) for r in rows) == [("1", f"{3309 / z:.2f}"), ("2", f"{6618 / z:.2f}")]
    kpis = dict(response.context["kpis"])
    assert kpis["Surveyed households"] == "2" and kpis["Persons"] == "3"


def test_a_bad_value_gets_the_site_400_page_naming_it(client):
    """handler400: the site's layout and the view's own reason, in the reader's language."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root400", password="pw"))
    response = client.get("/regions/621126/children/?measure=xxx", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 400 and "Unknown measure xxx: the measures and their codes" in page
    assert 'href="/"' in page
    zh = client.get("/regions/621126/children/?measure=xxx", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "未知的指标 xxx：各指标的名称与代码见“方法”页 /methodology/。" in zh
    zh = client.get("/regions/621126/children/?order=up", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "参数 order 的值 up 无效。" in zh


def test_household_page_says_when_a_survey_changed_after_the_scores(client, world):
    client.force_login(world["people"]["official"])
    first, second = world["households"]
    url = reverse("indicators:household", args=[first.public_id])
    assert [p["survey_changed"] for p in client.get(url).context["periods"]] == [None, None]
    survey = HouseholdSurvey.objects.create(household=first, period_id=2019)
    changed = dt.datetime(2025, 6, 1, 4, 0, tzinfo=dt.UTC)  # after the 2019 run (2025-03-01), before the 2020 one
    HouseholdSurvey.history.filter(id=survey.pk).update(history_date=changed)
    response = client.get(url)
    assert [p["survey_changed"] for p in response.context["periods"]] == [None, changed]  # 2020, then 2019
    html = response.content.decode()
    assert html.count("A survey of this household changed on June 1, 2025, noon, after these scores were computed") == 1
    second_page = client.get(reverse("indicators:household", args=[second.public_id])).content.decode()
    assert "A survey of this household changed" not in second_page  # another household's survey, not this one's


def test_shares_show_two_decimals_always_and_small_ones_do_not_vanish():
    from indicators.views.drilldown import measure_display

    assert [measure_display(v, "share") for v in (0.0003, 0.125, 0.3, 2 / 7, 0.0)] == [
        "0.03%",  # was "0.0 %": a small incidence vanished
        "12.50%",  # one decimal count for the whole column (issue 14, item 7)
        "30.00%",
        "28.57%",
        "0.00%",
    ]


def test_village_af_box_is_drawn_or_says_why_there_is_nothing_to_draw(client, world):
    """Issue 14, item 6: never an empty chart frame. Village B has contributions (a chart box, no
    note); C with nobody multidimensionally poor (M0 = 0: the shares of M0 are undefined) says so
    with the methodology's k (v1: 1/3); A has no AF numbers; a village without scores says that."""
    client.force_login(world["people"]["official"])
    a, b, c = world["villages"]
    run = world["run"]
    _region_score(
        run,
        c,
        eqi=70.0,
        households=11,
        persons=30,
        mpi_h=0.0,
        mpi_m0=0.0,
        mpi_contributions=dict.fromkeys(("food_secure", "income")),
        mpi_censored_headcounts={"food_secure": 0.0, "income": 0.0},
    )

    def page(village):
        html = client.get(reverse("indicators:village", args=[village.code])).content.decode()
        note = re.search(r'<p class="chart-note" id="drilldown-af-note">(.*?)</p>', html, flags=re.S)
        return ('id="drilldown-af"' in html), (note.group(1) if note else None)

    assert page(b) == (True, None)
    assert page(c) == (
        False,
        "No household of this village is multidimensionally poor (deprived in at least 33.33% of the weighted"
        " indicators): M0 is 0, so no indicator contributes to it and there is nothing to draw.",
    )
    assert page(a) == (
        False,
        "No household of this village has data on the deprivation indicators: there is nothing to draw.",
    )
    RegionScore.objects.filter(region=c).delete()
    assert page(c) == (
        False,
        "No household of this village was scored in this period, so there are no contributions to draw.",
    )
    with translation.override("zh-hans"):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        assert page(c)[1] == "本期本村没有农户得分，因此没有可绘制的贡献。"

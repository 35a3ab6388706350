"""One format everywhere (issue 14, item 7): a measure has one unit and a fixed number of decimals on
every page, dates follow the reader's locale, lists take the language's separator, and the whole API
writes date-times in one form.

A hand-made household (vulnerability 0.8765, margin 0.8, EQI 30.54, two reasons) of a published run
that finished 2026-03-01 02:30 UTC (10:30 in Asia/Shanghai) is read on the warnings inbox, its warning
case, its village and its own page, in English and in Chinese.
"""

import csv
import datetime as dt
import io
import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from config.formats import datetime_iso, list_join, number_display
from households.models import Household, ImportBatch, SurveyPeriod
from indicators.models import ComputationRun, HouseholdScore, Methodology, RegionScore
from regions.models import Assignment, Region, Role
from tests.indicators.builders import served

pytestmark = pytest.mark.django_db

VILLAGE, TOWNSHIP, COUNTY = "640422100002", "640422100", "640422"
FINISHED = dt.datetime(2026, 3, 1, 2, 30, 15, 123456, tzinfo=dt.UTC)  # 10:30:15.123456 in Asia/Shanghai
#: ISO 8601 to the second with the +08:00 offset of TIME_ZONE (Asia/Shanghai): the API's one form
API_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


@pytest.fixture
def world(db):
    SurveyPeriod.objects.get_or_create(year=2020)
    run = ComputationRun.objects.create(
        period_id=2020,
        methodology=Methodology.objects.get(is_default=True),
        status=ComputationRun.Status.PUBLISHED,
        is_current=True,
        started_at=FINISHED - dt.timedelta(minutes=5),
        finished_at=FINISHED,
    )
    village = Region.objects.get(code=VILLAGE)
    household = Household.objects.create(registry_number=f"{VILLAGE}0001", region=village, public_id=uuid.UUID(int=7))
    HouseholdScore.objects.create(
        snapshot=served(run),
        period_id=run.period_id,
        household=household,
        region=village,
        province_code="64",
        persons=3,
        weight=1.0,
        income=5000.0,
        ratio=1.2,
        margin=0.8,
        vulnerability=0.8765,
        eqi=30.54,
        flagged=True,
        reasons=["below_monitoring_line", "shock"],
        category="sudden_hardship",
    )
    RegionScore.objects.create(
        snapshot=served(run),
        region=village,
        period_id=2020,
        level=5,
        households=1,
        persons=3,
        mean_vulnerability=0.8765,
    )
    county = Region.objects.get(code=COUNTY)
    RegionScore.objects.create(
        snapshot=served(run), region=county, period_id=2020, level=3, households=12, persons=40, eqi=55.0
    )
    official = User.objects.create_user("official", password="pw")
    Assignment.objects.create(user=official, role=Role.OFFICIAL, region=county)
    return {"run": run, "household": household, "official": official}


def _cells(html: str, header: str) -> list[str]:
    """The texts of the column headed ``header`` in the first table that has it."""

    def headers_of(table: str) -> list[str]:
        return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S)]

    table = next(t for t in re.findall(r"<table.*?</table>", html, flags=re.S) if header in headers_of(t))
    headers = headers_of(table)
    column = headers.index(header)
    body = table.split("<tbody>", 1)[1]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S) for tr in re.findall(r"<tr.*?</tr>", body, flags=re.S)]
    return [re.sub(r"<[^>]+>", "", r[column]).strip() for r in rows if len(r) > column]


def _fact(html: str, label: str) -> str:
    """The text of the ``<dd>`` after the ``<dt>`` named ``label``."""
    match = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd>(.*?)</dd>", html, flags=re.S)
    assert match, label
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def _pages(client, world, language: str) -> dict[str, str]:
    client.force_login(world["official"])
    household = world["household"]
    urls = {
        "inbox": f"/warnings/{TOWNSHIP}/",
        "case": f"/warnings/{VILLAGE}/households/{household.public_id}/",
        "village": f"/villages/{VILLAGE}/scores/",
        "household": f"/households/{household.public_id}/scores/",
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_vulnerability_margin_and_eqi_in_one_unit_with_fixed_decimals_on_every_page(client, world, language):
    pages = _pages(client, world, language)
    with translation.override(language):
        vulnerability, margin, eqi = (
            translation.gettext(t) for t in ("Vulnerability", "Income / monitoring line", "Exit-quality index")
        )
    # 0.8765 is 87.65 % everywhere (it was 0.876 on the warnings pages and 87.65% on the household page)
    assert _cells(pages["inbox"], vulnerability) == ["87.65%"]
    assert _fact(pages["case"], vulnerability) == "87.65%"
    assert _cells(pages["village"], vulnerability) == ["87.65%"]
    assert _fact(pages["household"], vulnerability) == "87.65%"
    # a ratio has two decimals (0.8 was "0.8" in the inbox and "0.800" on the case), a score one
    assert _cells(pages["inbox"], margin) == ["0.80"] and _fact(pages["case"], margin) == "0.80"
    assert _cells(pages["village"], margin) == ["0.80"] and _fact(pages["household"], margin) == "0.80"
    assert _cells(pages["inbox"], eqi) == ["30.5"] and _fact(pages["case"], eqi) == "30.5"
    assert _cells(pages["village"], eqi) == ["30.5"]


def test_dates_follow_the_readers_locale_on_every_page(client, world):
    english = _pages(client, world, "en")
    chinese = _pages(client, world, "zh-hans")
    for name in ("inbox", "case", "village", "household"):
        assert "March 1, 2026, 10:30 a.m." in english[name], name
        assert "2026年3月1日 10:30" in chinese[name], name
        assert "2026-03-01" not in english[name] + chinese[name], name


def test_reasons_are_joined_with_the_languages_separator(client, world):
    english = _pages(client, world, "en")
    chinese = _pages(client, world, "zh-hans")
    assert "income below the monitoring line, shock (disaster loss or job loss)" in english["inbox"]
    assert "收入低于监测线、冲击（灾害损失或失业）" in chinese["inbox"]
    assert "income below the monitoring line, shock (disaster loss or job loss)" in english["case"]
    assert "收入低于监测线、冲击（灾害损失或失业）" in chinese["case"]
    # one label set on every page (the household and village pages had "Disaster loss or job lost")
    assert "income below the monitoring line, shock (disaster loss or job loss)" in english["household"]
    assert "income below the monitoring line, shock (disaster loss or job loss)" in english["village"]
    assert "收入低于监测线、冲击（灾害损失或失业）" in chinese["household"]
    assert "收入低于监测线、冲击（灾害损失或失业）" in chinese["village"]
    assert "Disaster loss or job lost" not in english["household"] + english["village"]
    for page in (*english.values(), *chinese.values()):
        assert "监测线; " not in page and "line; " not in page  # no "; " between reasons in either language
    # the exports join them the same way
    client.force_login(world["official"])
    export = client.get(f"/warnings/{TOWNSHIP}/?format=csv", HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[1][4] == "收入低于监测线、冲击（灾害损失或失业）"


def test_every_date_time_of_the_api_has_one_form(client, world):
    root = User.objects.create_superuser("root", password="pw")
    ImportBatch.objects.create(kind="households", original_name="h.csv", sha256="0" * 64, uploaded_by=root)
    client.force_login(root)
    region_scores = client.get("/api/v1/region-scores/", {"period": 2020, "region": COUNTY}).json()["results"]
    runs = client.get("/api/v1/runs/").json()["results"]
    lines = client.get("/api/v1/poverty-lines/").json()["results"]
    imports = client.get("/api/v1/imports/").json()
    imports = imports["results"] if isinstance(imports, dict) else imports
    found = {
        "region-scores computed_at": [r["computed_at"] for r in region_scores],
        "runs started_at": [r["started_at"] for r in runs],
        "runs finished_at": [r["finished_at"] for r in runs],
        "poverty-lines created_at": [r["created_at"] for r in lines],
        "imports created_at": [r["created_at"] for r in imports],
    }
    for name, values in found.items():
        assert values, name
        assert all(API_DATETIME.match(v) for v in values), (name, values[:3])
    # the run's own time, to the second, in +08:00, the same in region-scores and runs
    assert set(found["region-scores computed_at"]) == {"2026-03-01T10:30:15+08:00"}  # the county and its village
    assert "2026-03-01T10:30:15+08:00" in found["runs finished_at"]
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/api/v1/region-scores/", {"period": 2020, "region": COUNTY, "format": "csv"}
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert {r["computed_at"] for r in csv_rows} == {"2026-03-01T10:30:15+08:00"}
    # the page exports stamp their rows the same way
    client.force_login(world["official"])
    village = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/villages/{VILLAGE}/scores/?format=csv", HTTP_ACCEPT_LANGUAGE="en").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert village[0]["Computed at"] == "2026-03-01T10:30:15+08:00"


def test_the_format_functions():
    assert [number_display(v, "share") for v in (0.8765, 0.0003, 0.3, None)] == ["87.65%", "0.03%", "30.00%", None]
    assert [number_display(v, "score") for v in (30.54, 100.0)] == ["30.5", "100.0"]
    assert number_display(0.8, "ratio") == "0.80" and number_display(6618.4, "yuan") == "6,618"
    assert datetime_iso(FINISHED) == "2026-03-01T10:30:15+08:00" and datetime_iso(None) is None
    with pytest.raises(ValueError):
        datetime_iso(dt.datetime(2026, 3, 1))  # naive
    with translation.override("zh-hans"):
        assert list_join(["甲", "乙"]) == "甲、乙"
    with translation.override("en"):
        assert list_join(["a", "b"]) == "a, b"


def test_the_bar_chart_writes_its_values_as_the_table_does(client, world):
    client.force_login(world["official"])
    response = client.get(
        f"/regions/{TOWNSHIP}/children/", {"measure": "mean_vulnerability"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.context["chart"]["texts"] == ["87.65%"]  # the bars' labels (was 87.7 % in the chart)
    assert _cells(response.content.decode(), "Mean vulnerability")[0] == "87.65%"


# Formats found by a fresh-eyes tester (issue 14, finding 9)


def test_the_run_line_of_the_warning_pages_has_no_doubled_full_stop(client, world):
    english = _pages(client, world, "en")
    chinese = _pages(client, world, "zh-hans")
    for name in ("inbox", "case"):  # "computed March 1, 2026, 10:30 a.m.. How households are flagged"
        assert re.search(r"Period 2020 · methodology v1 · computed March 1, 2026, 10:30 a\.m\.\s*[·<]", english[name])
        assert re.search(r"年度 2020 · 方法 v1 · 计算于 2026年3月1日 10:30\s*[·<]", chinese[name]), name
    for page in (*english.values(), *chinese.values()):
        assert "a.m.." not in page and "p.m.." not in page


def test_the_dashboard_names_the_period_as_every_page_does_in_chinese(client, world):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "年度 2020，方法版本 v1，计算于 2026年3月1日 10:30" in page
    assert "时期" not in page  # the period selector says 年度: one term on one page


def _poverty_lines(client, language: str) -> list[list[str]]:
    page = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    table = page[page.index('id="poverty-lines"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        for tr in re.findall(r"<tr.*?</tr>", body, flags=re.S)
    ]


def test_poverty_lines_in_whole_yuan_with_thousands_separators_for_all_provinces(client, world):
    english = _poverty_lines(client, "en")
    chinese = _poverty_lines(client, "zh-hans")
    # data/poverty_lines.csv: 2010 national 2300 (confirmed), 2011 national 2416 (interpolated)
    assert english[0][:4] == ["2010", "national poverty line", "all provinces", "2,300"]
    assert english[1][3] == "2,416"
    assert chinese[0][2:4] == ["全国", "2,300"]
    assert all(row[2] != "*" and not row[3].endswith(".00") for row in english + chinese)


def test_gini_is_a_coefficient_with_three_decimals_not_a_percentage(client, world):
    assert number_display(0.31876, "coefficient") == "0.319" and number_display(0.0, "coefficient") == "0.000"
    RegionScore.objects.filter(region__code=VILLAGE).update(gini=0.31876)
    client.force_login(world["official"])
    for language, header in (("en", "Gini coefficient"), ("zh-hans", "基尼系数")):
        response = client.get(f"/regions/{TOWNSHIP}/children/", {"measure": "gini"}, HTTP_ACCEPT_LANGUAGE=language)
        page = response.content.decode()
        assert _cells(page, header)[0] == "0.319" and "31.88%" not in page  # the village with data first
        assert response.context["chart"]["texts"] == ["0.319"]
    catalogue = {i["code"]: i for i in client.get("/api/v1/indicators/").json()}
    assert catalogue["gini"]["unit"] == "coefficient"
    export = client.get(f"/regions/{TOWNSHIP}/children/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    assert next(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))["Gini coefficient"] == "0.31876"


def test_the_early_warning_api_csv_joins_reasons_and_json_keeps_the_list(client, world):
    client.force_login(world["official"])
    answer = client.get("/api/v1/early-warning/", {"period": 2020})
    assert answer.json()["results"][0]["reasons"] == ["below_monitoring_line", "shock"]
    table = client.get("/api/v1/early-warning/", {"period": 2020, "format": "csv"}).content.decode("utf-8-sig")
    assert next(csv.DictReader(io.StringIO(table)))["reasons"] == "below_monitoring_line; shock"  # was a JSON list


def test_page_exports_write_flagged_as_yes_or_no_in_the_readers_language(client, world):
    client.force_login(world["official"])
    for language, header, yes in (("en", "Flagged", "yes"), ("zh-hans", "已预警", "是")):
        export = client.get(f"/villages/{VILLAGE}/scores/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE=language)
        row = next(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert row[header] == yes, row  # was 1

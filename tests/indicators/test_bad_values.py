"""Bad query values answer 400 with a message, as the API does for its other parameters (issue 14, item 9)."""

import csv
import datetime as dt
import html as html_lib
import io
import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client

from households.models import Household, SurveyPeriod
from indicators.models import ComputationRun, HouseholdScore, Methodology
from indicators.registry import INDICATORS
from regions.models import Assignment, Region, Role
from tests.indicators.builders import served

pytestmark = pytest.mark.django_db


def test_dashboard_with_an_unknown_measure_answers_400_naming_the_known_ones():
    answer = Client().get("/", {"measure": "bogus"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert "Unknown measure bogus: the measures and their codes are listed on the methodology page" in (
        answer.content.decode()
    )
    assert Client().get("/regions/62/", {"measure": "bogus"}).status_code == 400
    assert Client().get("/", {"measure": "headcount_ratio"}).status_code == 200


def test_region_scores_level_beyond_chinas_five_answers_400():
    answer = Client().get("/api/v1/region-scores/", {"level": 9}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert answer.json() == {"level": ["China's tree has levels 1 (province) to 5 (village)."]}
    assert Client().get("/api/v1/region-scores/", {"level": 5}).status_code == 200


def test_indicator_catalogue_in_csv_and_other_formats_refused():
    answer = Client().get("/api/v1/indicators/", {"format": "csv"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [row["code"] for row in rows] == [i.code for i in INDICATORS]
    refused = Client().get("/api/v1/indicators/", {"format": "xml"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and refused.json() == {"format": ["One of: json, csv."]}


# Bad parameters of the score pages (fresh-eyes findings on issue 14, 7 and 8): each is a 400 whose
# message, in the reader's language, says what is wrong; none is silently ignored.

VILLAGE, TOWNSHIP, COUNTY = "640422100002", "640422100", "640422"


@pytest.fixture
def official(db):
    """An official of county 640422 and a published run of 2020 with one flagged household."""
    SurveyPeriod.objects.get_or_create(year=2020)
    run = ComputationRun.objects.create(
        period_id=2020,
        methodology=Methodology.objects.get(is_default=True),
        status=ComputationRun.Status.PUBLISHED,
        is_current=True,
        finished_at=dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC),
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
        vulnerability=0.8,
        flagged=True,
        reasons=["shock"],
        category="sudden_hardship",
    )
    user = User.objects.create_user("official", password="pw")
    Assignment.objects.create(user=user, role=Role.OFFICIAL, region=Region.objects.get(code=COUNTY))
    client = Client()
    client.force_login(user)
    return client


def _refusal(client, url: str, params: dict, language: str) -> str:
    """The message of the 400 page ``url`` answers ``params`` with (asserting it is a 400)."""
    response = client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400, (url, params, response.status_code)
    return html_lib.unescape(re.search(r"</h1>\s*<p>(.*?)</p>", response.content.decode(), re.S).group(1))


INBOX = f"/warnings/{COUNTY}/"
INBOX_EN = "this page takes format, page, period, reason, sort, view, village."
INBOX_ZH = "本页可用的参数：format、page、period、reason、sort、view、village。"


@pytest.mark.parametrize("name", ["status", "category"])
def test_warnings_inbox_refuses_a_parameter_it_does_not_take(official, name):
    assert official.get(INBOX).status_code == 200
    assert _refusal(official, INBOX, {name: "bogus"}, "en") == f"Unknown parameter {name}: {INBOX_EN}"
    assert _refusal(official, INBOX, {name: "bogus"}, "zh-hans") == f"未知的参数 {name}。{INBOX_ZH}"
    assert _refusal(official, INBOX, {"view": "old"}, "en") == "Unknown value old for view."


def test_a_period_that_is_not_a_year_or_has_no_scores_says_which(official):
    for url in (INBOX, f"/regions/{TOWNSHIP}/children/", f"/villages/{VILLAGE}/scores/", "/"):
        assert _refusal(official, url, {"period": "abc"}, "en") == "The period is a year, such as 2020: abc is not."
        assert _refusal(official, url, {"period": "abc"}, "zh-hans") == "年度应为年份，如 2020：abc 不是。"
        assert _refusal(official, url, {"period": "1900"}, "en") == (
            "No published scores for period 1900. Periods with published scores: 2020."
        )
        assert _refusal(official, url, {"period": "1900"}, "zh-hans") == (
            "1900 年度没有已发布的得分。已发布得分的年度：2020。"
        )
        assert official.get(url, {"period": "2020"}).status_code == 200


def test_village_page_refuses_a_measure_and_children_page_a_level(official):
    village = f"/villages/{VILLAGE}/scores/"
    assert _refusal(official, village, {"measure": "bogus"}, "en") == (
        "Unknown parameter measure: this page takes format, period."
    )
    assert _refusal(official, village, {"measure": "bogus"}, "zh-hans") == (
        "未知的参数 measure。本页可用的参数：format、period。"
    )
    children = f"/regions/{TOWNSHIP}/children/"
    assert _refusal(official, children, {"level": "9"}, "en") == (
        "Unknown parameter level: this page takes format, measure, order, period, sort."
    )
    assert official.get(f"/households/{uuid.UUID(int=7)}/scores/", {"period": "2020"}).status_code == 400


def test_an_unknown_measure_points_to_the_methodology_page_not_a_list_of_codes(official):
    for url in ("/", f"/regions/{TOWNSHIP}/children/"):
        assert _refusal(official, url, {"measure": "bogus"}, "en") == (
            "Unknown measure bogus: the measures and their codes are listed on the methodology page, /methodology/."
        )
        assert _refusal(official, url, {"measure": "bogus"}, "zh-hans") == (
            "未知的指标 bogus：各指标的名称与代码见“方法”页 /methodology/。"
        )


def test_import_list_api_refuses_a_page_it_does_not_paginate(official):
    answer = official.get("/api/v1/imports/", {"page": "abc"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert answer.json() == {"page": ["Unknown query parameter. Allowed: format."]}
    assert official.get("/api/v1/imports/").status_code == 200

"""Issue 14 (fresh eyes, items 6 and 13): every "not found" reason in the reader's language, the API's
404s as JSON whatever the path, the import kinds by their names, and the admin's name of an assignment.

The pages' 404 reason is the ``exception`` of the 404 template's context (Django's ``page_not_found``);
the API's is its ``detail``.
"""

import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from households.models import Household
from regions.models import Assignment, Region, Role

VILLAGE_A = "640422100002"  # 西吉县 吉强镇 中街社区
NOBODY = uuid.UUID(int=0)
NO_HOUSEHOLD = ("您负责的区域内没有这个农户。", "No such household in your regions.")


@pytest.fixture
def clerk(db):
    user = User.objects.create_user("clerk-nf", password="pw")
    Assignment.objects.create(user=user, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_A))
    return user


def _page(user, path: str, language: str, method: str = "get"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(path)
    assert response.status_code == 404
    return response.context["exception"]


def _api(user, path: str, language: str, method: str = "get"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    response = getattr(client, method)(path)
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    return response.json()


@pytest.mark.django_db
def test_the_404_pages_give_their_reason_in_chinese_and_english(clerk):
    household = Household.objects.create(
        registry_number=f"{VILLAGE_A}0001", region=Region.objects.get(code=VILLAGE_A), registration_year=2014
    )
    cases = [
        (None, "/regions/abc/", "get", "没有代码为 abc 的区划。", "No region with code abc."),
        (clerk, f"/households/{NOBODY}/scores/", "get", *NO_HOUSEHOLD),
        (clerk, f"/households/{NOBODY}/", "get", *NO_HOUSEHOLD),
        (
            clerk,
            f"/warnings/{VILLAGE_A}/households/{NOBODY}/",
            "get",
            *NO_HOUSEHOLD,
        ),
        (
            clerk,
            f"/households/{household.public_id}/members/999/reveal/",
            "post",
            "这一户没有这个成员。",
            "No such member of this household.",
        ),
        (clerk, "/imports/99999999999999999999/", "get", "没有这个导入批次。", "No such import batch."),
        (clerk, "/imports/9999/", "get", "没有这个导入批次。", "No such import batch."),
    ]
    for user, path, method, zh, en in cases:
        assert (_page(user, path, "zh-hans", method), _page(user, path, "en", method)) == (zh, en), path


@pytest.mark.django_db
def test_the_apis_404s_are_json_in_the_readers_language(clerk, settings):
    for method, path in [
        ("get", "/api/v1/imports/9999/"),
        ("post", "/api/v1/imports/9999/commit/"),
        ("post", "/api/v1/imports/9999/undo/"),
        ("get", "/api/v1/imports/99999999999999999999/rejected.xlsx"),
    ]:
        assert _api(clerk, path, "zh-hans", method) == {"detail": "没有这个导入批次。"}, path
        assert _api(clerk, path, "en", method) == {"detail": "No such import batch."}, path
    assert _api(clerk, "/api/v1/regions/abc/", "zh-hans") == {"detail": "没有代码为 abc 的区划。"}
    # an id that is no number is no batch either: the API answers it, not the URL resolver (whose
    # 404 is Django's HTML debug page under DEBUG)
    settings.DEBUG = True
    for path in ["/api/v1/imports/abc/", "/api/v1/imports/abc/commit/", "/api/v1/imports/-1/rejected.xlsx"]:
        method = "post" if path.endswith("commit/") else "get"
        assert _api(clerk, path, "zh-hans", method) == {"detail": "没有这个导入批次。"}, path


@pytest.mark.django_db
def test_the_imports_page_names_the_kinds_of_its_templates(clerk):
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    zh.force_login(clerk)
    html = zh.get(reverse("households:imports")).content.decode()
    for label, kind in [("农户", "households"), ("家庭成员", "members"), ("农户调查", "household-surveys")]:
        assert f'<span class="tag">{label}：<a href="/api/v1/imports/templates/{kind}.csv">CSV</a>' in html
    assert '<span class="tag">村调查：<a href="/api/v1/imports/templates/village-surveys.csv">CSV</a>' in html
    assert "households: " not in html


@pytest.mark.django_db
def test_an_assignment_reads_as_user_role_and_region():
    user = User.objects.create_user("clerk1", password="pw", first_name="张", last_name="三")
    region = Region.objects.get(code="640422")
    assignment = Assignment.objects.create(user=user, role=Role.CLERK, region=region)
    with translation.override("zh-hans"):
        assert str(assignment) == "clerk1：西吉县（640422）数据录入员"
    with translation.override("en"):
        assert str(assignment) == "clerk1: data clerk of 西吉县 (640422)"

"""The way into the early-warning inbox (fresh-eyes test 14, item 1): the top bar's "Early warning"
entry and the dashboard's flagged-households card.

Personas: the admin and the official of county 640422, the clerk of its village A, an official of
two other counties, a superuser, a signed-in user without assignment and an anonymous visitor; the
hand-made scores of ``test_warnings.world`` (flagged households in villages A and B of township
640422100 and in county 640402, all in province 64).
"""

import json
import re

import pytest
from django.contrib.auth.models import User

from regions.models import Assignment, Region, Role
from tests.indicators.test_warnings import COUNTY, VILLAGE_A, _user, world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<header class="site-header">.*?</header>', re.S)


def _nav(response) -> str:
    return NAV.search(response.content.decode()).group(0)


@pytest.fixture
def people(world):  # noqa: F811 (the fixture imported above)
    admin = _user("admin-c", Role.ADMIN, COUNTY)
    two = _user("official-two", Role.OFFICIAL, "640402")
    Assignment.objects.create(user=two, role=Role.OFFICIAL, region=Region.objects.get(code="640423"))
    nested = _user("official-nested", Role.OFFICIAL, COUNTY)
    Assignment.objects.create(user=nested, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_A))
    return {
        "admin": admin,
        "official": world["people"]["official"],
        "clerk": world["people"]["clerk_a"],
        "two_counties": two,
        "nested": nested,
        "superuser": User.objects.create_superuser("root-nav", password="pw"),
        "outsider": world["people"]["outsider"],
    }


@pytest.mark.parametrize(
    ("persona", "inbox"),
    [
        ("admin", f"/warnings/{COUNTY}/"),
        ("official", f"/warnings/{COUNTY}/"),
        ("clerk", f"/warnings/{VILLAGE_A}/"),
        ("nested", f"/warnings/{COUNTY}/"),  # the county holds the village: the highest region
        ("superuser", "/warnings/64/"),  # the only province with flagged households
    ],
)
def test_the_top_bar_leads_each_role_to_the_inbox_of_its_region(client, people, persona, inbox):
    client.force_login(people[persona])
    for page in ("/", "/households/", f"/regions/{COUNTY}/"):
        nav = _nav(client.get(page, HTTP_ACCEPT_LANGUAGE="zh-hans"))
        assert '<a href="/warnings/">预警</a>' in nav, (persona, page)
    assert '<a href="/warnings/">Early warning</a>' in _nav(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
    response = client.get("/warnings/")
    assert response.status_code == 302 and response["Location"] == inbox
    response = client.get(inbox, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["rows"], persona  # flagged households of the region, not an empty page
    assert client.get("/warnings/?period=2020")["Location"] == inbox + "?period=2020"


def test_two_regions_get_a_chooser_of_both_and_no_region_says_so(client, people):
    client.force_login(people["two_counties"])
    response = client.get("/warnings/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    links = re.findall(r'href="(/warnings/\d+/)"', body)
    assert links == ["/warnings/640402/", "/warnings/640423/"]
    for link in links:
        assert client.get(link).status_code == 200
    client.force_login(people["outsider"])
    response = client.get("/warnings/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert re.findall(r'href="/warnings/\d+/"', response.content.decode()) == []
    assert "没有分配给您的地区" in response.content.decode()
    assert client.get("/warnings/?village=1").status_code == 400


def test_anonymous_visitors_have_no_entry_and_are_sent_to_log_in(client, world):  # noqa: F811
    for page in ("/", f"/regions/{COUNTY}/", "/methodology/"):
        assert "/warnings/" not in _nav(client.get(page))
    response = client.get("/warnings/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/warnings/"


def _card_links(client, code: str) -> dict:
    response = client.get(f"/regions/{code}/")
    assert response.status_code == 200
    payload = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(payload.group(1))["focus"]["warnings"]


def test_the_flagged_households_card_links_to_the_inbox_where_the_user_may_see_it(client, people):
    assert _card_links(client, COUNTY) == {}  # anonymous
    for persona in ("admin", "official"):
        client.force_login(people[persona])
        # the county's card links to its inbox; the prefecture (its parent, also drawn) is not theirs
        assert _card_links(client, COUNTY) == {COUNTY: f"/warnings/{COUNTY}/"}, persona
        assert _card_links(client, "6404") == {}, persona
        assert client.get(f"/warnings/{COUNTY}/").status_code == 200
    client.force_login(people["clerk"])  # a village's clerk: not the county's inbox
    assert _card_links(client, COUNTY) == {}
    client.force_login(people["superuser"])
    assert _card_links(client, COUNTY) == {COUNTY: f"/warnings/{COUNTY}/", "6404": "/warnings/6404/"}
    assert client.get("/warnings/6404/").status_code == 200

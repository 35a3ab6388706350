"""Scope in a real browser: an official of one demo county logs in through the log-in form, reads a
village page of their county, and gets the 404 page for a village of another demo county.

``generate_demo`` (two of the three demo counties, 2020) and a real recompute; headless Chromium
through Playwright, every request kept on this machine; screenshots go to ``test-artifacts/``.
"""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from households.models import Household
from indicators.models import HouseholdScore
from regions.models import Assignment, Region, Role
from tests.conftest import load_tree
from tests.indicators.test_dashboard_browser import CHROMIUM_ARGS, _artifacts, _guarded_page

OWN_COUNTY, OTHER_COUNTY = "621126", "513431"  # 岷县, 昭觉县


@pytest.fixture
def demo_2020():
    """The real tree, the demo households of two counties in 2020, scored and published."""
    load_tree()
    importlib.import_module("indicators.migrations.0002_methodology_v1_and_lines").forwards(apps, None)
    call_command("generate_demo", counties=f"{OWN_COUNTY},{OTHER_COUNTY}", periods="2020", verbosity=0)
    call_command("recompute", period=2020, verbosity=0)


def _scored_village(county: str) -> str:
    """The first village of ``county`` (by code) with scored households."""
    return (
        HouseholdScore.objects.filter(region__code__startswith=county)
        .order_by("region__code")
        .values_list("region__code", flat=True)
        .first()
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_official_reads_own_county_village_and_gets_404_for_another_county(live_server, chromium, demo_2020):
    own, other = _scored_village(OWN_COUNTY), _scored_village(OTHER_COUNTY)
    assert own and other
    official = User.objects.create_user("official-minxian", password="pw-official-minxian")
    Assignment.objects.create(user=official, role=Role.OFFICIAL, region=Region.objects.get(code=OWN_COUNTY))
    own_numbers = list(Household.objects.filter(region__code=own).values_list("registry_number", flat=True))
    scored = HouseholdScore.objects.filter(region__code=own).count()
    own_name, other_name = Region.objects.get(code=own).name, Region.objects.get(code=other).name
    # no ORM below: Playwright's sync API runs an event loop in this thread
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = _guarded_page(browser, outside, errors)
        response = page.goto(f"{live_server.url}/villages/{own}/scores/")
        assert "/accounts/login/" in page.url  # not logged in yet: the log-in page, with next=
        page.fill("input[name=username]", "official-minxian")
        page.fill("input[name=password]", "pw-official-minxian")
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
        assert page.url == f"{live_server.url}/villages/{own}/scores/"
        page.wait_for_selector("#households-table")
        rows = page.locator("#households-table tbody tr")
        assert rows.count() == scored > 0
        html = page.content()
        assert own in html and own_name in html
        assert f"{own}**" in html  # registry numbers masked for an official
        assert not any(number in html for number in own_numbers)
        page.screenshot(path=str(_artifacts() / "scope_own_village.png"), full_page=True)

        response = page.goto(f"{live_server.url}/villages/{other}/scores/")
        assert response.status == 404
        html = page.content()
        assert other_name not in html  # the 404 names nothing of the village
        assert page.locator("#households-table").count() == 0
        assert page.locator("main h1").inner_text() in ("Not found", "未找到")  # the site's 404 page
        assert "official-minxian" in page.locator("header").inner_text()  # still logged in
        page.screenshot(path=str(_artifacts() / "scope_other_county_village_404.png"), full_page=True)
        browser.close()
    assert outside == [], f"requests left this machine: {outside[:5]}"
    assert errors == []

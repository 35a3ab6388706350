"""The EQI's rank bands in headless Chromium after ``generate_demo`` and a real recompute: the chart of
the provinces' bands on the national page, the counties' on a province page, and the band after each
county of the rankings. Screenshots go to ``test-artifacts/``."""

import pytest
from playwright.sync_api import sync_playwright

from indicators.models import RegionRankBand
from tests.indicators.test_dashboard_browser import (
    CHROMIUM_ARGS,
    _artifacts,
    _guarded_page,
    _wait_rendered,
    demo_scores,  # noqa: F401 (a fixture)
)

BANDS_JS = """() => { const el = document.getElementById('bands-chart');
    return el.data.map(t => ({name: t.name, x: t.x, y: t.y, plus: t.error_x && t.error_x.array,
                             minus: t.error_x && t.error_x.arrayminus})); }"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_rank_bands_are_drawn_and_listed(live_server, chromium, demo_scores):  # noqa: F811
    provinces = RegionRankBand.objects.filter(level=1, within=0, run__is_current=True, run__period_id=2020)
    expected = {b.region.code: (b.rank_median, b.rank_low, b.rank_high) for b in provinces.select_related("region")}
    assert expected  # the demo's provinces are ranked
    province = min(expected)
    counties = RegionRankBand.objects.filter(
        level=3, within=1, run__is_current=True, run__period_id=2020, region__province_code=province
    )
    county_codes = sorted(counties.values_list("region__code", flat=True))
    outside, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = _guarded_page(browser, outside, errors)
        page.goto(f"{live_server.url}/?period=2020&measure=eqi")
        _wait_rendered(page)
        page.wait_for_selector("#bands-chart[data-rendered]", timeout=30_000)
        median, nominal = page.evaluate(BANDS_JS)
        drawn = {
            code: (x, x - minus, x + plus)
            for code, x, plus, minus in zip(median["y"], median["x"], median["plus"], median["minus"], strict=True)
        }
        assert drawn == expected and sorted(nominal["y"]) == sorted(expected)
        items = page.locator("#strongest li").all_inner_texts()
        assert items and all("排名中位数" in item for item in items), items  # zh-CN: the band after each county
        page.locator("#bands-panel").screenshot(path=str(_artifacts() / "rank-bands-provinces.png"))
        page.locator(".rankings").screenshot(path=str(_artifacts() / "rank-bands-rankings.png"))

        page.goto(f"{live_server.url}/regions/{province}/?period=2020&measure=eqi")
        _wait_rendered(page)
        page.wait_for_selector("#bands-chart[data-rendered]", timeout=30_000)
        median, _nominal = page.evaluate(BANDS_JS)
        assert sorted(median["y"]) == county_codes
        page.locator("#bands-panel").screenshot(path=str(_artifacts() / "rank-bands-counties.png"))
        page.select_option("#measure-select", "headcount_ratio")  # another measure: no bands in the lists
        assert not any("排名中位数" in item for item in page.locator("#strongest li").all_inner_texts())
        browser.close()
    assert outside == [] and errors == []

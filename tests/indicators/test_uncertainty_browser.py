"""The sampling error on the dashboard in headless Chromium (issue 15): the county rankings mark ≈ the
counties whose interval overlaps a neighbour's and show the footnote; the poverty trend draws its
95 % band with one legend entry, with axis titles and nothing cut off. Hand-made region scores of
the dashboard test (``test_dashboard_uncertainty``), offline."""

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import sync_playwright

from tests.conftest import load_tree
from tests.indicators.test_charts_browser import CHART_JS
from tests.indicators.test_dashboard_browser import CHROMIUM_ARGS, _artifacts, _guarded_page
from tests.indicators.test_dashboard_uncertainty import COUNTIES, _run, _score

BAND_JS = """() => document.getElementById('poverty-trend-chart').data
    .map(t => [t.name, t.fill || null, t.showlegend === undefined ? true : t.showlegend, t.x, t.y])"""

LEGEND_JS = (
    """() => [...document.querySelectorAll('#poverty-trend-chart g.legend text.legendtext')].map(t => t.textContent)"""
)


@pytest.fixture
def scores():
    load_tree()
    importlib.import_module("indicators.migrations.0002_methodology_v1_and_lines").forwards(apps, None)
    runs = {year: _run(year) for year in (2019, 2020)}
    for code, (value, low, high) in COUNTIES.items():
        _score(runs[2020], code, headcount_ratio=value, headcount_ratio_ci_low=low, headcount_ratio_ci_high=high)
    _score(runs[2019], "621126", headcount_ratio=0.04, headcount_ratio_ci_low=0.03, headcount_ratio_ci_high=0.05)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_rankings_mark_overlaps_and_the_trend_draws_its_band(live_server, chromium, scores):
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = _guarded_page(browser, outside, errors)
        page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
        page.goto(f"{live_server.url}/?measure=headcount_ratio")
        page.wait_for_selector("#dashboard-map[data-rendered]", timeout=60_000)
        # lower is better: 620102 and 621126 (overlapping) are the strongest, 620103 has no interval
        strongest = page.locator("#strongest li").all_inner_texts()
        marked = [text for text in strongest if text.endswith("≈")]
        note = page.locator("#rank-note")
        note_visible, note_text = note.is_visible(), note.inner_text()
        title = page.locator("#strongest .rank-overlap").first.get_attribute("title")
        page.screenshot(path=str(_artifacts() / "uncertainty_rankings_zh.png"), full_page=True)
        page.select_option("#measure-select", "eqi")  # no interval for the EQI: no mark, no note
        page.wait_for_selector("#dashboard-map[data-measure=eqi][data-rendered]", timeout=30_000)
        eqi_marks = page.locator(".rank-overlap").count()
        eqi_note = page.locator("#rank-note").is_visible()

        page.goto(f"{live_server.url}/regions/621126/")
        page.wait_for_selector("#poverty-trend-chart[data-rendered]", timeout=60_000)
        traces = page.evaluate(BAND_JS)
        chart = page.evaluate(CHART_JS, "poverty-trend-chart")
        legend = page.evaluate(LEGEND_JS)
        page.screenshot(path=str(_artifacts() / "uncertainty_trend_zh.png"), full_page=True)
        browser.close()

    assert outside == [] and errors == []
    assert len(strongest) == 5 and len(marked) == 2, strongest
    assert note_visible and note_text.startswith("≈ 其 95% 置信区间与排名紧邻其上或其下的县的区间重叠")
    assert title == "95%置信区间与相邻地区重叠"
    assert eqi_marks == 0 and not eqi_note
    bands = [t for t in traces if t[1] == "toself"]
    assert [(name, x, y) for name, _, _, x, y in bands] == [
        ("95% 置信区间", [2019, 2020, 2020, 2019], [0.05, 0.028, 0.012, 0.03])
    ]
    assert sorted(legend) == sorted(["95% 置信区间", "贫困发生率（国家线）", "调整后多维贫困指数 M0"])
    assert chart["titles"] == {"xaxis": "年度", "yaxis": "人口占比"}
    assert chart["cut"] == [] and chart["covered"] == [] and chart["clash"] == []

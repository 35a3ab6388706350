"""The dashboard's map in headless Chromium: the legend says which way is better, darker is worse on
every measure, the frame zooms to the counties with data when they are few, and shows the whole
country with the South China Sea inset when they are spread out. Scores are hand-made rows."""

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import sync_playwright

from tests.conftest import load_tree
from tests.indicators.test_dashboard import _run, _score
from tests.indicators.test_dashboard_browser import CHROMIUM_ARGS, _artifacts, _guarded_page

FILLS_JS = """() => Array.from(document.querySelectorAll('#dashboard-map path.choroplethlocation'))
    .map(p => [(p.closest('.geo2') ? 'inset:' : '') + p.__data__.loc, getComputedStyle(p).fill])"""
# the view, and where each county with data is drawn (its path's box) within the map's frame
VIEW_JS = """() => { const el = document.getElementById('dashboard-map'), f = el._fullLayout, g = f.geo._subplot;
    const frame = el.getBoundingClientRect(), m = JSON.parse(document.getElementById('dashboard-map-data').textContent);
    const drawn = {};
    el.querySelectorAll('.geo:not(.geo2) path.choroplethlocation').forEach(p => {
      if (m.codes.includes(p.__data__.loc)) {
        const r = p.getBoundingClientRect(), x = frame.left, y = frame.top;
        drawn[p.__data__.loc] = [r.left - x, r.top - y, r.right - x, r.bottom - y]; } });
    return { view: el.dataset.view, lon: f.geo.lonaxis.range, lat: f.geo.lataxis.range, inset: Boolean(f.geo2),
             bounds: g.bounds, size: [f._size.w, f._size.h], drawn: drawn }; }"""
RGB = {
    "#67001f": "rgb(103, 0, 31)",
    "#a50026": "rgb(165, 0, 38)",
    "#d73027": "rgb(215, 48, 39)",
    "#f46d43": "rgb(244, 109, 67)",
    "#fdae61": "rgb(253, 174, 97)",
    "#f0f0f0": "rgb(240, 240, 240)",
}


@pytest.fixture
def map_scores():
    """2020: three counties in Gansu and Sichuan (few, close together); 2019: four far apart."""
    load_tree()
    importlib.import_module("indicators.migrations.0002_methodology_v1_and_lines").forwards(apps, None)
    runs = {year: _run(year) for year in (2019, 2020)}
    # eqi, headcount_ratio: three values give the classes 0, 1 and 3 (quantile_classes)
    for code, eqi, hcr in (("621126", 60.0, 0.010), ("622921", 70.0, 0.040), ("513431", 80.0, 0.001)):
        _score(runs[2020], code, eqi=eqi, headcount_ratio=hcr)
    for code, eqi in (("232701", 50.0), ("653121", 55.0), ("460202", 65.0), ("622921", 75.0)):
        _score(runs[2019], code, eqi=eqi, headcount_ratio=0.02)


def _switch(page, measure):
    page.select_option("#measure-select", measure)
    page.wait_for_selector(f"#dashboard-map[data-measure='{measure}'][data-rendered]", timeout=30_000)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_map_legend_direction_colours_zoom_and_inset(live_server, chromium, map_scores):
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = _guarded_page(browser, outside, errors)
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{live_server.url}/")
        page.wait_for_selector("#dashboard-map[data-rendered], #dashboard-map[data-error]", timeout=60_000)
        assert page.get_attribute("#dashboard-map", "data-error") is None
        eqi = {"direction": page.text_content("#map-direction"), "fills": dict(page.evaluate(FILLS_JS))}
        zoomed = page.evaluate(VIEW_JS)
        page.screenshot(path=str(_artifacts() / "map_legend_zoomed_zh.png"), full_page=True)
        _switch(page, "headcount_ratio")
        hcr = {"direction": page.text_content("#map-direction"), "fills": dict(page.evaluate(FILLS_JS))}

        page.goto(f"{live_server.url}/?period=2019&measure=eqi")  # four counties across the country
        page.wait_for_selector("#dashboard-map[data-rendered]", timeout=60_000)
        whole = page.evaluate(VIEW_JS)
        whole_fills = dict(page.evaluate(FILLS_JS))
        page.screenshot(path=str(_artifacts() / "map_legend_whole_zh.png"), full_page=True)
        # the quick recolour of a measure switch paints the inset as the redraw does
        recoloured = dict(
            page.evaluate(
                "(fills) => { const s = document.getElementById('measure-select'); s.value = 'headcount_ratio';"
                " s.dispatchEvent(new Event('change')); return fills(); }".replace("fills()", f"({FILLS_JS})()")
            )
        )
        page.wait_for_selector("#dashboard-map[data-measure='headcount_ratio'][data-rendered]", timeout=30_000)
        redrawn = dict(page.evaluate(FILLS_JS))

        page.click("form.language button[value='en']")
        page.wait_for_load_state("load")
        page.wait_for_selector("#dashboard-map[data-rendered]", timeout=60_000)
        english = page.text_content("#map-direction")
        browser.close()

    assert outside == [] and errors == []
    # the legend names the direction of each measure, and that darker is worse
    assert eqi["direction"] == "越高越好 · 颜色越深越差"
    assert hcr["direction"] == "越低越好 · 颜色越深越差"
    assert english == "Lower is better · darker is worse"  # the language switch keeps headcount_ratio
    # EQI, higher is better: the lowest county (621126, class 0) is the darkest, 513431 (class 3) light
    assert eqi["fills"]["621126"] == RGB["#67001f"] and eqi["fills"]["513431"] == RGB["#f46d43"]
    assert eqi["fills"]["622921"] == RGB["#a50026"]
    # incidence, lower is better: the highest (622921, class 3) is dark, the lowest (513431) the lightest
    assert hcr["fills"]["513431"] == RGB["#fdae61"] and hcr["fills"]["622921"] == RGB["#a50026"]
    assert hcr["fills"]["621126"] == RGB["#f46d43"]
    assert eqi["fills"]["620102"] == hcr["fills"]["620102"] == eqi["fills"]["710000"] == RGB["#f0f0f0"]

    # three counties between 102.5 and 104.5 E, 27.5 and 35.5 N: the frame shows them, not all China
    assert zoomed["view"] == "data" and zoomed["inset"] is False
    assert zoomed["lon"][0] < 102.5 and zoomed["lon"][1] > 104.5 and zoomed["lon"][1] - zoomed["lon"][0] < 40
    assert zoomed["lat"][0] < 27.5 and zoomed["lat"][1] > 35.5 and zoomed["lat"][1] - zoomed["lat"][0] < 16
    # counties from Mohe (53 N) to Shufu (76 E) and Sanya: the whole country, the islands (南沙群岛 460322) in the inset
    assert whole["view"] == "area" and whole["inset"] is True
    # the main frame reaches Hainan (18.1 N), not the Nansha islands (south of 11.6 N)
    assert whole["lon"][0] < 73.6 and whole["lon"][1] > 135 and 11.6 < whole["lat"][0] < 18.1
    assert "inset:460322" in whole_fills and "inset:460202" in whole_fills
    assert whole_fills["inset:460202"] == whole_fills["460202"] != RGB["#f0f0f0"]
    for view in (zoomed, whole):  # the map fills its frame: the range box is the plot area, to a pixel
        (x0, y0), (x1, y1) = view["bounds"]
        assert abs(x1 - x0 - view["size"][0]) <= 1.5 and abs(y1 - y0 - view["size"][1]) <= 1.5, view
        # and every county with data is drawn whole inside it (Mohe, 53.6 N, at the top of the country)
        width, height = view["size"]
        assert len(view["drawn"]) in (3, 4), view["drawn"]
        for code, (left, top, right, bottom) in view["drawn"].items():
            assert 0 < left < right < width and 0 < top < bottom < height, (code, view)
            assert bottom - top > 2, (code, view)  # drawn, not a clipped sliver
    assert recoloured == redrawn and redrawn["inset:460202"] == redrawn["460202"]

"""The national dashboard in headless Chromium after ``generate_demo`` and a real recompute, offline.

Every request must stay on this machine; screenshots go to ``test-artifacts/``. The page's bench
hooks (``window.__tuopinTimings``) are read here so a bench can rely on them.
"""

import importlib
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from tests.conftest import load_tree

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"]
DEMO_COUNTIES = ("621126", "513431", "622921")

FILLS_JS = """() => Array.from(document.querySelectorAll('#dashboard-map path.choroplethlocation'))
    .map(p => [p.__data__ && p.__data__.loc, getComputedStyle(p).fill])"""
TRACES_JS = """() => document.getElementById('trend-chart').data.map(t => [t.name, t.y, t.connectgaps])"""


def _artifacts() -> Path:
    path = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def demo_scores():
    """The real tree, the demo households of 2019-2020 and both periods scored and published."""
    load_tree()
    # a transactional test starts from empty tables: the default methodology and lines come back
    importlib.import_module("indicators.migrations.0002_methodology_v1_and_lines").forwards(apps, None)
    call_command("generate_demo", periods="2019-2020", verbosity=0)
    for year in (2019, 2020):
        call_command("recompute", period=year, verbosity=0)


def _guarded_page(browser, outside: list[str], errors: list[str]):
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, locale="zh-CN")

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("pageerror", lambda error: errors.append(str(error)))
    # the Content-Security-Policy refuses inline scripts and other origins: a violation is an error
    page.on("console", lambda m: m.type == "error" and "Content Security Policy" in m.text and errors.append(m.text))
    return page


def _log_in(page, url: str, username: str, password: str) -> None:
    """Log in through the log-in form and wait for the page it leads to."""
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")


def _wait_rendered(page):
    page.wait_for_selector("#dashboard-map[data-rendered], #dashboard-map[data-error]", timeout=60_000)
    assert page.get_attribute("#dashboard-map", "data-error") is None
    page.wait_for_selector("#trend-chart[data-rendered]", timeout=30_000)  # drawn after the map


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_national_dashboard_draws_counties_trend_and_switches_measure_and_language(live_server, chromium, demo_scores):
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = _guarded_page(browser, outside, errors)
        requested: list[str] = []
        page.on("request", lambda request: requested.append(urlparse(request.url).path))
        page.goto(f"{live_server.url}/")
        _wait_rendered(page)
        # the head's preloads are what the page's scripts use: each map file is downloaded once
        downloads = {
            name: sum(path.endswith(name) for path in requested) for name in ("/3.topojson", "/world_110m.json")
        }
        fills = dict(page.evaluate(FILLS_JS))
        legend = page.eval_on_selector_all("#map-legend li", "items => items.map(li => li.textContent)")
        traces_zh = page.evaluate(TRACES_JS)
        values = page.evaluate(
            "() => { const m = JSON.parse(document.getElementById('dashboard-map-data').textContent);"
            " return Object.fromEntries(m.codes.map((c, i) => [c, m.values.eqi[i]])); }"
        )
        page.screenshot(path=str(_artifacts() / "dashboard_national_zh.png"), full_page=True)

        page.select_option("#measure-select", "headcount_ratio")
        page.wait_for_selector("#dashboard-map[data-measure='headcount_ratio'][data-rendered]", timeout=30_000)
        timings = page.evaluate("() => window.__tuopinTimings")
        switched = dict(page.evaluate(FILLS_JS))
        # the fast recolour (before Plotly's redraw) paints what the redraw paints
        recoloured = dict(
            page.evaluate(
                "(fills) => { const s = document.getElementById('measure-select'); s.value = 'd1_income';"
                " s.dispatchEvent(new Event('change')); return fills(); }".replace("fills()", f"({FILLS_JS})()")
            )
        )
        page.wait_for_selector("#dashboard-map[data-measure='d1_income'][data-rendered]", timeout=30_000)
        redrawn = dict(page.evaluate(FILLS_JS))
        timings_d1 = page.evaluate("() => window.__tuopinTimings")
        address = page.url
        # a drag pans the map and a double click resets it: neither opens the county under the pointer
        box = page.locator("#dashboard-map").bounding_box()
        x, y = box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 80, y + 30, steps=8)
        page.mouse.up()
        page.mouse.dblclick(x, y)
        page.wait_for_timeout(600)
        after_drag = page.url

        page.click("form.language button[value='en']")
        page.wait_for_load_state("load")
        _wait_rendered(page)
        traces_en = page.evaluate(TRACES_JS)
        title_en = page.text_content("#map-title")
        page.screenshot(path=str(_artifacts() / "dashboard_national_en.png"), full_page=True)
        browser.close()

    assert outside == [], f"requests left this machine: {outside[:5]}"
    assert errors == []
    assert downloads == {"/3.topojson": 1, "/world_110m.json": 1}, requested
    # three counties with data: three classes of one value each, shown once ("76.6", not "76.6 – 76.6"), and no data
    assert len(legend) == 4 and all(item and "–" not in item for item in legend[:3]), legend
    assert len(fills) >= 2800
    no_data = fills["620102"]  # 兰州 城关区: no households
    assert fills["710000"] == no_data  # Taiwan: no data, same style
    demo = {code: fills[code] for code in DEMO_COUNTIES}
    assert all(fill != no_data for fill in demo.values()), demo
    for a in DEMO_COUNTIES:
        for b in DEMO_COUNTIES:
            if a < b and values[a] != values[b]:
                assert demo[a] != demo[b], (a, b, demo)
    assert switched["620102"] == no_data and all(switched[c] != no_data or values[c] is None for c in DEMO_COUNTIES)
    # one line per dimension and the EQI, a gap (None) where a period is missing, never joined
    assert traces_zh[0][0] == "D1 收入" and traces_zh[4][0] == "脱贫质量指数"
    assert len(traces_zh) == 5 and all(t[2] is False and len(t[1]) == 2 for t in traces_zh)
    assert [t[0] for t in traces_en] == [
        "D1 income",
        "D2 resilience",
        "D3 public services",
        "D4 industrial support",
        "Exit-quality index",
    ]
    assert [t[0] for t in traces_zh] != [t[0] for t in traces_en]
    assert address.endswith("/?measure=d1_income") and after_drag == address
    assert title_en == "D1 income"  # the language switch keeps the chosen measure
    assert timings["firstRender"] > 0 and timings["measureSwitch"] > 0
    # the map is painted first (navigation-relative times), the trend and radar drawn after it
    assert timings["scriptStart"] + timings["firstRender"] <= timings["mapPainted"]
    assert timings["mapPainted"] <= timings["scriptStart"] + timings["focusRender"]
    assert len(redrawn) >= 2800 and recoloured == redrawn and recoloured != switched
    assert 0 < timings_d1["measureSwitch"] <= timings_d1["measureRedraw"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_tables_scroll_sideways_on_a_phone_instead_of_breaking_every_character(live_server, chromium):
    importlib.import_module("indicators.migrations.0002_methodology_v1_and_lines").forwards(apps, None)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 800}, locale="zh-CN")
        page.goto(f"{live_server.url}/methodology/")
        cell = page.evaluate(
            "() => { const td = document.querySelector('#indicator-headcount_ratio td:nth-child(2)');"
            " const t = td.closest('.table-scroll'); return {height: td.getBoundingClientRect().height,"
            " line: parseFloat(getComputedStyle(td).lineHeight) || 24, scroll: t.scrollWidth, width: t.clientWidth,"
            " nav: document.querySelector('.site-header nav').getBoundingClientRect().height}; }"
        )
        page.screenshot(path=str(_artifacts() / "methodology_390.png"))
        browser.close()
    assert cell["height"] < 2.5 * cell["line"], cell  # one line: the name is not broken a character a line
    assert cell["scroll"] > cell["width"], cell  # the table scrolls inside its wrapper
    assert cell["nav"] < 3 * cell["line"], cell  # the menu is one line of its own, not a column

"""The national county map in headless Chromium, with every request kept on this machine."""

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import load_tree

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

FILLS_JS = """() => Array.from(document.querySelectorAll('path.choroplethlocation'))
    .map(p => [p.__data__ && p.__data__.loc, getComputedStyle(p).fill])"""


# the main frame's ranges and fill, the inset's, and the boxes of Mohe (the northern tip) and 南沙群岛
VIEW_JS = """() => { const el = document.getElementById('county-map'), f = el._fullLayout;
    const frame = el.getBoundingClientRect(), box = (sel, code) => {
      const p = Array.from(el.querySelectorAll(sel + ' path.choroplethlocation')).find(p => p.__data__.loc === code);
      if (!p) { return null; } const r = p.getBoundingClientRect();
      return [r.left - frame.left, r.top - frame.top, r.right - frame.left, r.bottom - frame.top]; };
    return { lat: f.geo.lataxis.range, size: [f._size.w, f._size.h], bounds: f.geo._subplot.bounds,
             inset: f.geo2 && { lon: f.geo2.lonaxis.range, lat: f.geo2.lataxis.range, domain: f.geo2.domain },
             mohe: box('.geo:not(.geo2)', '232701'), nansha: box('.geo2', '460322'),
             nanshaMain: box('.geo:not(.geo2)', '460322') }; }"""


def _artifacts() -> Path:
    path = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_national_map_draws_every_county_offline_with_tagged_counties_coloured(live_server, chromium, shared_data):
    load_tree()
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")

        def guard(route):
            host = urlparse(route.request.url).hostname or ""
            if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        csp = "Content Security Policy"  # a violation of the CSP is an error too
        page.on("console", lambda m: m.type == "error" and csp in m.text and errors.append(m.text))
        page.goto(f"{live_server.url}/map/tags/?tag=poverty_county_832")
        page.wait_for_selector("#county-map[data-rendered], #county-map[data-error]", timeout=60_000)
        assert page.get_attribute("#county-map", "data-error") is None
        fills = dict(page.evaluate(FILLS_JS))
        view = page.evaluate(VIEW_JS)
        fitted = page.evaluate("() => TuopinGeometry.fitBox({lon: [100, 110], lat: [0, 10]}, 2, 0, 0)")
        page.screenshot(path=str(_artifacts() / "national_map.png"), full_page=True)
        page.set_viewport_size({"width": 900, "height": 1000})  # a narrower frame: fitted again
        page.wait_for_function(
            "() => { const f = document.getElementById('county-map')._fullLayout, b = f.geo._subplot.bounds;"
            " return f._size.w < 1000 && Math.abs(b[1][0] - b[0][0] - f._size.w) < 1.5"
            " && Math.abs(b[1][1] - b[0][1] - f._size.h) < 1.5; }",  # refitted both ways: on a busy
            # machine the width is fitted a moment before the height
            timeout=10_000,
        )
        narrow = page.evaluate(VIEW_JS)
        browser.close()

    assert outside == [], f"requests left this machine: {outside[:5]}"
    assert errors == []
    assert len(fills) >= 2800
    tagged_2020, tagged_2016, untagged = fills["622926"], fills["130631"], fills["620102"]
    assert tagged_2020 != untagged and tagged_2016 != untagged and tagged_2020 != tagged_2016
    assert fills["710000"] == fills["810001"] == fills["820001"]  # Taiwan, Hong Kong, Macao: no data
    assert fills["710000"] not in {untagged, tagged_2020}
    assert fills["710000"] == "rgb(240, 240, 240)"  # the one no-data style (regions.map_style.NO_DATA)

    # the whole country fills the frame; the South China Sea islands are in their own frame, bottom right
    width, height = view["size"]
    (x0, y0), (x1, y1) = view["bounds"]
    assert abs(x1 - x0 - width) <= 1.5 and abs(y1 - y0 - height) <= 1.5, view
    assert 11.6 < view["lat"][0] < 18.1, view  # Hainan (18.1 N) in the main frame, Nansha (south of 11.6 N) not
    left, top, right, bottom = view["mohe"]
    assert 0 < top < bottom < height and bottom - top > 5, view  # Mohe drawn whole at the top
    assert view["inset"]["lon"] == [106, 122] and view["inset"]["lat"] == [3, 23.5]
    assert view["inset"]["domain"]["x"][1] == 0.995 and view["inset"]["domain"]["y"][0] == 0.01
    left, top, right, bottom = view["nansha"]
    assert width * 0.8 < left < right < width and height * 0.6 < top < bottom < height, view
    main = view["nanshaMain"]  # clipped away in the main frame: an empty path, or below its bottom
    assert main is None or (main[2] - main[0] < 1 and main[3] - main[1] < 1) or main[1] >= height - 1, view
    (x0, y0), (x1, y1) = narrow["bounds"]
    assert abs(y1 - y0 - narrow["size"][1]) <= 1.5 and narrow["size"][0] < width, narrow
    # fitBox: a 10 x 10 degree box at the equator widened to a frame twice as wide as high; by hand,
    # dy = ln tan(45 + 10/2) = 0.175426 rad, dx = 2 dy = 20.1023 degrees about 105; the north edge moved
    # in for plotly.js's great-circle arcs: atan(tan 10 cos(dx / 8)) = 9.99058; centre unmercator(dy / 2) = 5.01915
    assert fitted["lon"] == pytest.approx([94.94884, 115.05116], abs=1e-5)
    assert fitted["lat"] == pytest.approx([0, 9.99058], abs=1e-5)
    assert fitted["center"] == pytest.approx({"lon": 105, "lat": 5.01915}, abs=1e-5)

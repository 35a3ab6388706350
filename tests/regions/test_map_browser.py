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
        page.screenshot(path=str(_artifacts() / "national_map.png"), full_page=True)
        browser.close()

    assert outside == [], f"requests left this machine: {outside[:5]}"
    assert errors == []
    assert len(fills) >= 2800
    tagged_2020, tagged_2016, untagged = fills["622926"], fills["130631"], fills["620102"]
    assert tagged_2020 != untagged and tagged_2016 != untagged and tagged_2020 != tagged_2016
    assert fills["710000"] == fills["810001"] == fills["820001"]  # Taiwan, Hong Kong, Macao: no data
    assert fills["710000"] not in {untagged, tagged_2020}

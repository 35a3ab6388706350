"""Tables on a desktop (issue 14, item 4): at 1366 px, in Chinese and in English, no table cell that
holds a number or a code spans two lines, no number is cut, no header word is broken (a header of
one word or name spans one line), no region's name or short label wraps, and a wide table (a
township's villages) overflows its wrapper, which scrolls, rather than being squeezed.

``generate_demo`` (one demo county, 2019-2020), a real recompute and an import with problems; headless
Chromium through Playwright, every request kept on this machine; screenshots go to ``test-artifacts/``.
"""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from households.importing.commit import import_upload
from indicators.models import HouseholdScore
from tests.conftest import load_tree
from tests.indicators.test_dashboard_browser import CHROMIUM_ARGS, _artifacts, _guarded_page, _log_in

COUNTY = "621126"  # 岷县

#: For every cell of every table (and the dashboard's ranking lists): is it a number or a code, and
#: on how many lines does it lie; which of its numbers and, in headers, which of its words (found by
#: Intl.Segmenter in the page's language) lie on more than one line.
LAYOUT_JS = r"""() => {
  const NUMERIC = /^[-−+]?\d[\d\s.,:/%*年月日+\-−–]*$/;
  const lang = document.documentElement.lang || "en";
  const words = new Intl.Segmenter(lang, { granularity: "word" });
  function lines(range) {
    const middles = [];
    for (const r of range.getClientRects()) { if (r.width > 0.5) middles.push(r.top + r.height / 2); }
    middles.sort((a, b) => a - b);
    let n = 0, last = -1e9;
    for (const m of middles) { if (m - last > 4) { n++; last = m; } }
    return n;
  }
  function rangeOf(node, start, end) {
    const range = document.createRange(); range.setStart(node, start); range.setEnd(node, end); return range;
  }
  const out = { numeric: 0, cells: 0, wrapped: [], cutNumbers: [], brokenWords: [], headerWords: 0, unwrapped: 0,
                brokenHeaders: [], brokenNames: [], brokenShort: [], names: 0, flagged: [], tables: [], tallest: 0,
                misaligned: [], rows: 0 };
  // every cell of a table row spans the row: the same top and bottom (a cell drawn as a block did not)
  for (const row of document.querySelectorAll("table tbody tr")) {
    const rects = Array.from(row.cells).map(c => c.getBoundingClientRect()).filter(r => r.height > 0);
    if (!rects.length) continue;
    out.rows++;
    const spread = k => Math.max(...rects.map(r => r[k])) - Math.min(...rects.map(r => r[k]));
    const text = row.textContent.replace(/\s+/g, " ").trim().slice(0, 60);
    if (spread("top") > 1 || spread("bottom") > 1) out.misaligned.push(text);
  }
  // a header with no space or punctuation in it is one word or name: it spans one line
  const BREAKABLE = /[\s、，,.;:：；（）()\/·\-–]/;
  const oneLine = cell => { const r = document.createRange(); r.selectNodeContents(cell); return lines(r) <= 1; };
  for (const cell of document.querySelectorAll("table td, table th, .rankings li")) {
    if (!cell.getClientRects().length) continue;
    out.cells++;
    if (cell.closest("table") && !cell.closest(".table-scroll")) out.unwrapped++;
    const text = cell.textContent.replace(/\s+/g, " ").trim();
    if (cell.tagName === "TH" && text && !BREAKABLE.test(text) && !oneLine(cell)) out.brokenHeaders.push(text);
    // a region's name (a link to its page) spans one line, and so does any short cell (a label)
    const link = cell.tagName === "TD" && cell.querySelector("a[href^='/regions/'], a[href^='/villages/']");
    if (link && !NUMERIC.test(text)) { out.names++; if (!oneLine(cell)) out.brokenNames.push(text); }
    if (cell.tagName === "TD" && text.length <= 12 && !oneLine(cell)) out.brokenShort.push(text);
    if (cell.tagName === "TD" && /^(是|yes)\s*[（(]/.test(text)) out.flagged.push(text);
    if (cell.tagName === "TD") {
      const whole = document.createRange(); whole.selectNodeContents(cell);
      out.tallest = Math.max(out.tallest, lines(whole));
    }
    if (NUMERIC.test(text)) {
      out.numeric++;
      const range = document.createRange(); range.selectNodeContents(cell);
      if (lines(range) > 1) out.wrapped.push(text);
    }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      for (const m of node.data.matchAll(/\d[\d.,:%*]*/g)) {
        if (lines(rangeOf(node, m.index, m.index + m[0].length)) > 1) out.cutNumbers.push(m[0]);
      }
      if (cell.tagName !== "TH") continue;
      for (const s of words.segment(node.data)) {
        if (!s.isWordLike) continue;
        out.headerWords++;
        if (lines(rangeOf(node, s.index, s.index + s.segment.length)) > 1) out.brokenWords.push(s.segment);
      }
    }
  }
  // the import's problems: every cell and what is in it in one font and size (the value was a small <code>)
  out.problemFonts = [...new Set(Array.from(document.querySelectorAll("#import-problems td, #import-problems td *"))
    .map(e => getComputedStyle(e).fontSize + " " + getComputedStyle(e).fontFamily))];
  out.problemValues = Array.from(document.querySelectorAll("#import-problems tbody tr"), r => r.cells[2].textContent);
  // a table wider than its wrapper overflows it and the wrapper scrolls (rather than squeezing it)
  for (const wrapper of document.querySelectorAll(".table-scroll")) {
    const table = wrapper.querySelector("table");
    if (table) out.tables.push({ id: table.id, table: table.scrollWidth, wrapper: wrapper.clientWidth,
                                 scrolls: wrapper.scrollWidth, overflow: getComputedStyle(wrapper).overflowX,
                                 columns: Array.from(table.tHead ? table.tHead.rows[0].cells : [])
                                   .map(c => [c.textContent.trim(), Math.round(c.getBoundingClientRect().width)]) });
  }
  return out;
}"""


@pytest.fixture
def demo_county():
    """The real tree, one demo county's households in 2019-2020, scored; an import with problems.

    Returns (village code, household public id, import batch id) for the pages to visit."""
    load_tree()
    importlib.import_module("indicators.migrations.0002_methodology_v1_and_lines").forwards(apps, None)
    call_command("generate_demo", counties=COUNTY, periods="2019-2020", verbosity=0)
    for year in (2019, 2020):
        call_command("recompute", period=year, verbosity=0)
    root = User.objects.create_superuser("root", password="pw-root-tables")
    village, household = (
        HouseholdScore.objects.filter(region__code__startswith=COUNTY, flagged=True, period_id=2020)
        .order_by("region__code", "household__registry_number")
        .values_list("region__code", "household__public_id")
        .first()
    )
    bad = (
        "registry_number,village_code,registration_year\n"
        f"{village}99999,{village},2014\n"
        "621126100201000001,6.21126E+11,20xx\n"
    ).encode()
    batch, _validation = import_upload(
        data=bad, filename="households-2020.csv", kind="households", period=2020, user=root
    )
    return village, household, batch.pk


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_number_or_code_cell_wraps_and_no_header_word_breaks_at_1366_px(live_server, chromium, demo_county):
    village, household, batch = demo_county
    pages = {
        "dashboard": f"/regions/{COUNTY[:2]}/",
        "region_children": f"/regions/{COUNTY}/children/",
        "township_children": f"/regions/{village[:9]}/children/",
        "region_tree": f"/regions/{COUNTY}/tree/",
        "village": f"/villages/{village}/scores/",
        "household_scores": f"/households/{household}/scores/",
        "household": f"/households/{household}/",
        "warnings": f"/warnings/{COUNTY}/",
        "imports": "/imports/",
        "import": f"/imports/{batch}/",
        "households": "/households/",
        "methodology": "/methodology/",
    }
    outside: list[str] = []
    errors: list[str] = []
    found: dict[tuple[str, str], dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = _guarded_page(browser, outside, errors)
        page.set_viewport_size({"width": 1366, "height": 900})
        _log_in(page, live_server.url, "root", "pw-root-tables")
        for lang in ("zh-hans", "en"):
            page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
            for name, path in pages.items():
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, (lang, path, response.status)
                if name == "dashboard":
                    page.wait_for_selector("#dashboard-map[data-rendered]", timeout=60_000)
                    page.wait_for_selector("#weakest li")
                    # the flagged-households card links to the province's early-warning inbox
                    card = page.locator(f"#kpis a[href='/warnings/{COUNTY[:2]}/?period=2020']")
                    assert card.count() == 1 and card.inner_text().replace(",", "").strip().isdigit(), lang
                found[lang, name] = page.evaluate(LAYOUT_JS)
                page.screenshot(path=str(_artifacts() / f"tables_1366_{name}_{lang}.png"), full_page=True)
        browser.close()

    assert outside == [], f"requests left this machine: {outside[:5]}"
    assert errors == []
    for (lang, name), layout in found.items():
        assert layout["cells"] > 0, (lang, name)
        assert layout["wrapped"] == [], (lang, name, layout["wrapped"][:10])
        assert layout["cutNumbers"] == [], (lang, name, layout["cutNumbers"][:10])
        assert layout["brokenWords"] == [], (lang, name, layout["brokenWords"][:10])
        assert layout["unwrapped"] == 0, (lang, name)  # every table scrolls inside its own wrapper
        assert layout["brokenHeaders"] == [], (lang, name, layout["brokenHeaders"][:10])  # 预警户占/比
        assert layout["brokenNames"] == [], (lang, name, layout["brokenNames"][:10])  # 东城社区/居民委员会
        assert layout["brokenShort"] == [], (lang, name, layout["brokenShort"][:10])
        assert layout["misaligned"] == [], (lang, name, layout["misaligned"][:5])  # the inbox's registry cell
    # the pages do hold the numbers and codes this is about (registry numbers, counts, shares, dates)
    for lang in ("zh-hans", "en"):
        assert found[lang, "village"]["numeric"] >= 50, found[lang, "village"]
        assert found[lang, "region_children"]["numeric"] >= 100, found[lang, "region_children"]
        assert found[lang, "warnings"]["numeric"] >= 50, found[lang, "warnings"]
        # the batch is rejected: the list shows its id, year, rejected count (and the date in Chinese);
        # dashes for the rows it would have added, updated or left
        assert found[lang, "import"]["numeric"] >= 1 and found[lang, "imports"]["numeric"] >= 3
        assert found[lang, "methodology"]["headerWords"] >= 10
        assert found[lang, "township_children"]["names"] >= 20 and found[lang, "region_children"]["names"] >= 10
        # the township's table (many columns, one-line headers) is wider than the page: it overflows
        # its wrapper, which scrolls, instead of being squeezed to the wrapper's width
        (children,) = [t for t in found[lang, "township_children"]["tables"] if t["id"] == "children-table"]
        assert children["overflow"] == "auto" and children["table"] > children["wrapper"], children
        assert children["scrolls"] > children["wrapper"], children
        # free text (a list of reasons) wraps in a column of its width, not one word a line because
        # the headers beside it were kept on one line ("Income over the monitoring line": 17 lines)
        assert found[lang, "warnings"]["tallest"] <= 5, (lang, found[lang, "warnings"]["tallest"])
        # the inbox fits the page at 1366 px: its last column (the link into a case) is not cut off
        (inbox,) = found[lang, "warnings"]["tables"]
        assert inbox["table"] <= inbox["wrapper"], (lang, inbox["table"], inbox["wrapper"], inbox["columns"])
        assert found[lang, "warnings"]["rows"] >= 50
        # the mistyped registry number shows as typed, in the table's type
        assert found[lang, "import"]["problemValues"][0] == f"{village}99999", found[lang, "import"]
        assert len(found[lang, "import"]["problemFonts"]) == 1, found[lang, "import"]["problemFonts"]
    # the flagged cell of the village page: one line, the category in brackets of the language
    zh_flagged, en_flagged = found["zh-hans", "village"]["flagged"], found["en", "village"]["flagged"]
    assert zh_flagged and all(t.startswith("是（") and t.endswith("）") for t in zh_flagged), zh_flagged
    assert en_flagged and all(t.startswith("yes (") and t.endswith(")") for t in en_flagged), en_flagged

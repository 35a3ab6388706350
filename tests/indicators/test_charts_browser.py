"""Charts that never render blank (issue 14, item 6), in headless Chromium after ``generate_demo``
and a real recompute: the village page's Alkire-Foster box is drawn or says why there is nothing to
draw; the radar of a county that is its prefecture's only county with data draws one shape and says
why (a prefecture beside another one draws two); every axis has a title in the page's language (the
radar's scale is its chart's title), no label is cut off or covered by the legend, no axis title sits
in the band of its tick labels (a township's long village names beside 村) and the radial tick
labels read horizontally.

Two demo counties of Gansu in two prefectures (岷县 in 定西市, 临夏县 in 临夏州), 2019-2020. In the
demo nobody is multidimensionally poor (M0 is 0 in every village), so the AF box is the note.
"""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import sync_playwright

from indicators.models import RegionScore
from tests.conftest import load_tree
from tests.indicators.test_dashboard_browser import CHROMIUM_ARGS, _artifacts, _guarded_page, _log_in

COUNTY, OTHER_COUNTY = "621126", "622921"  # 岷县 (定西市 6211), 临夏县 (临夏州 6229)

#: Each Plotly chart's axis titles (from the drawn layout), its trace count, and the texts of its SVG
#: that are cut off by the chart's box or covered by the legend or by an axis title.
CHART_JS = r"""(id) => {
  const el = document.getElementById(id);
  const layout = el._fullLayout;
  const titles = {};
  for (const key of Object.keys(layout)) {
    if (/^[xy]axis\d*$/.test(key)) titles[key] = (layout[key].title && layout[key].title.text) || "";
    const radial = /^polar\d*$/.test(key) && layout[key].radialaxis;
    if (radial) titles[key + ".radialaxis"] = (radial.title && radial.title.text) || "";
  }
  const box = el.getBoundingClientRect();
  const texts = [...el.querySelectorAll("svg text")]
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0);
  const rect = t => t.getBoundingClientRect();
  const meets = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const cut = texts.filter(t => {
    const r = rect(t);
    return r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1;
  });
  const legend = el.querySelector("g.legend");
  const legendBox = legend && legend.getBoundingClientRect();
  const covered = legendBox ? texts.filter(t => !legend.contains(t) && meets(rect(t), legendBox)) : [];
  const kind = (t, word) => [t, t.parentNode].some(n => (n.getAttribute("class") || "").includes(word));
  const axisTitles = texts.filter(t => kind(t, "title"));
  const ticks = texts.filter(t => kind(t, "tick"));
  const clash = axisTitles.filter(a => ticks.some(t => meets(rect(a), rect(t)))).map(t => t.textContent);
  // a cartesian axis's title lies wholly beside the band of its tick labels: left of a y axis's
  // labels, below an x axis's (the boxes of labels on other rows may not reach into it either)
  for (const title of el.querySelectorAll("text[class$='title']")) {
    const axis = (/^([xy]\d*)title$/.exec(title.getAttribute("class")) || [])[1];
    if (!axis || !title.textContent.trim()) continue;
    const labels = [...el.querySelectorAll("g." + axis + "tick text")].filter(t => t.textContent.trim()).map(rect);
    if (!labels.length) continue;
    const r = rect(title);
    const beside = axis[0] === "y" ? r.right <= Math.min(...labels.map(l => l.left)) + 1
                                   : r.top >= Math.max(...labels.map(l => l.bottom)) - 1;
    if (!beside) clash.push(title.textContent);
  }
  // radial tick labels read horizontally (their drawn transform turns them by no angle) and do not
  // run into each other
  const radialTicks = [...el.querySelectorAll("g.polarsublayer.radial-axis text")]
    .filter(t => t.textContent.trim());
  const turned = t => { const m = t.getScreenCTM(); return Math.abs(Math.atan2(m.b, m.a)) > 0.01; };
  const upright = radialTicks.filter(turned).map(t => t.textContent);
  for (const [i, a] of radialTicks.entries()) {
    if (radialTicks.slice(i + 1).some(b => meets(rect(a), rect(b)))) upright.push(a.textContent + " (crowded)");
  }
  return { titles, traces: el.data.length, bars: el.querySelectorAll(".bars path, .point path").length,
           cut: cut.map(t => t.textContent), covered: covered.map(t => t.textContent), clash,
           chartTitle: (layout.title && layout.title.text) || "", radialTicks: radialTicks.length, upright };
}"""


@pytest.fixture
def demo_gansu():
    """The real tree, two Gansu demo counties in two prefectures, 2019-2020, scored and published.

    Returns the code of a village of ``COUNTY`` with a score in 2020."""
    load_tree()
    importlib.import_module("indicators.migrations.0002_methodology_v1_and_lines").forwards(apps, None)
    call_command("generate_demo", counties=f"{COUNTY},{OTHER_COUNTY}", periods="2019-2020", verbosity=0)
    for year in (2019, 2020):
        call_command("recompute", period=year, verbosity=0)
    User.objects.create_superuser("root", password="pw-root-charts")
    village = (
        RegionScore.objects.filter(region__code__startswith=COUNTY, level=5, period_id=2020, households__gt=0)
        .order_by("region__code")
        .values_list("region__code", "mpi_m0")
        .first()
    )
    assert village[1] == 0.0  # the demo's villages have nobody multidimensionally poor
    return village[0]


def _chart(page, chart_id: str) -> dict:
    return page.evaluate(CHART_JS, chart_id)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_charts_are_drawn_or_say_why_with_axis_titles_and_no_cut_labels(live_server, chromium, demo_gansu):
    village = demo_gansu
    outside: list[str] = []
    errors: list[str] = []
    seen: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = _guarded_page(browser, outside, errors)
        page.set_viewport_size({"width": 1366, "height": 900})
        _log_in(page, live_server.url, "root", "pw-root-charts")
        for lang in ("zh-hans", "en"):
            page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
            # a county alone in its prefecture: one shape and the note
            page.goto(f"{live_server.url}/regions/{COUNTY}/")
            page.wait_for_selector("#radar-chart[data-rendered]", timeout=60_000)
            seen[lang, "county"] = {
                "radar": _chart(page, "radar-chart"),
                "trend": _chart(page, "trend-chart"),
                "note": page.locator("#radar-note").inner_text() if page.locator("#radar-note").is_visible() else None,
            }
            page.screenshot(path=str(_artifacts() / f"charts_county_{lang}.png"), full_page=True)
            # a prefecture beside another prefecture with data: two shapes, no note
            page.goto(f"{live_server.url}/regions/{COUNTY[:4]}/")
            page.wait_for_selector("#radar-chart[data-rendered]", timeout=60_000)
            seen[lang, "prefecture"] = {
                "radar": _chart(page, "radar-chart"),
                "note_visible": page.locator("#radar-note").is_visible(),
            }
            page.goto(f"{live_server.url}/villages/{village}/scores/")
            page.wait_for_selector("#drilldown-chart .main-svg")
            seen[lang, "village"] = {
                "histograms": _chart(page, "drilldown-chart"),
                "af_frames": page.locator("#drilldown-af").count(),
                "af_note": page.locator("#drilldown-af-note").inner_text(),
            }
            page.screenshot(path=str(_artifacts() / f"charts_village_{lang}.png"), full_page=True)
            page.goto(f"{live_server.url}/regions/{COUNTY}/children/")
            page.wait_for_selector("#drilldown-chart .main-svg")
            seen[lang, "children"] = {"bars": _chart(page, "drilldown-chart")}
            # a township's villages: long names (北门居民委员会) beside the axis title 村
            page.goto(f"{live_server.url}/regions/{village[:9]}/children/")
            page.wait_for_selector("#drilldown-chart .main-svg")
            seen[lang, "township"] = {"bars": _chart(page, "drilldown-chart")}
            page.screenshot(path=str(_artifacts() / f"charts_township_{lang}.png"), full_page=True)
        browser.close()

    assert outside == [], f"requests left this machine: {outside[:5]}"
    assert errors == []
    zh, en = seen["zh-hans", "county"], seen["en", "county"]
    assert zh["radar"]["traces"] == 1 and en["radar"]["traces"] == 1
    assert zh["note"] == "岷县是定西市唯一有调查农户的下级区划：二者的 D1-D4 相同，因此只画一个图形。"
    assert en["note"] == (
        "岷县 is the only part of 定西市 with surveyed households: their D1-D4 are the same, so one shape is drawn."
    )
    for lang in ("zh-hans", "en"):
        assert seen[lang, "prefecture"]["radar"]["traces"] == 2 and not seen[lang, "prefecture"]["note_visible"]
    assert zh["trend"]["titles"] == {"xaxis": "年度", "yaxis": "得分（0-100）"}
    assert en["trend"]["titles"] == {"xaxis": "Period", "yaxis": "Score (0-100)"}
    # the radar's scale is its chart title (a radial axis title is drawn over the shape), and its
    # radial tick labels (0, 20, ..., 100) are drawn and read horizontally (checked below: "upright")
    for found in (zh["radar"], seen["zh-hans", "prefecture"]["radar"]):
        assert found["chartTitle"] == "得分（0-100）" and found["titles"]["polar.radialaxis"] == ""
        assert found["radialTicks"] >= 5
    assert en["radar"]["chartTitle"] == "Score (0-100)"

    # the AF box is the reason, never an empty frame
    assert seen["zh-hans", "village"]["af_frames"] == 0
    assert seen["zh-hans", "village"]["af_note"] == (
        "本村没有多维贫困户（即在至少 33.33% 的加权指标上被剥夺的农户）：M0 为 0，"
        "没有任何指标对其有贡献，因此没有可绘制的内容。"
    )
    assert seen["en", "village"]["af_note"].startswith("No household of this village is multidimensionally poor")

    histograms = seen["en", "village"]["histograms"]
    assert histograms["traces"] == 5 and histograms["bars"] > 0
    assert {k: v for k, v in histograms["titles"].items() if k.startswith("x")} == {
        f"xaxis{i}": "Score (0-100)" for i in ("", "2", "3", "4", "5")
    }
    assert {k: v for k, v in histograms["titles"].items() if k.startswith("y")} == {
        f"yaxis{i}": "Households" for i in ("", "2", "3", "4", "5")
    }
    assert seen["zh-hans", "village"]["histograms"]["titles"]["yaxis"] == "农户"
    assert seen["en", "children"]["bars"]["titles"] == {"xaxis": "Exit-quality index", "yaxis": "Child region"}
    assert seen["zh-hans", "children"]["bars"]["titles"] == {"xaxis": "脱贫质量指数", "yaxis": "下级区划"}

    charts = {
        (lang, page_name, chart): found
        for (lang, page_name), charts in seen.items()
        for chart, found in charts.items()
        if isinstance(found, dict)
    }
    problems = []
    for key, found in charts.items():
        # every axis has a title; a radar's scale is its chart's title instead of its radial axis's
        titled = {k: v for k, v in found["titles"].items() if not k.endswith(".radialaxis") or not found["chartTitle"]}
        if not all(titled.values()):
            problems.append((key, "untitled", found["titles"]))
        for check in ("cut", "covered", "clash", "upright"):
            # no label reaches past the chart's box, the legend covers no label, no axis title sits
            # on (or in the band of) its tick labels, no radial tick label stands upright
            if found[check]:
                problems.append((key, check, found[check]))
    assert problems == [], "\n".join(map(str, problems))

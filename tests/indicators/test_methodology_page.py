"""The methodology page without internals (issue 14, item 8): "Other parameters" names each parameter
by its label, meaning, value and unit in the reader's language, never by a raw key or a Python repr,
and the Chinese indicator table does not show the Chinese name twice."""

import copy
import html as html_lib
import re

import pytest
from django.utils import translation

from indicators.methodology_parameters import BY_PATH, OWN_TABLES, leaf_paths, parameter_rows
from indicators.models import Methodology
from indicators.services.methodology import parameters_validate

pytestmark = pytest.mark.django_db


def _table(html: str, marker: str) -> tuple[list[str], list[list[str]]]:
    """Headers and body cells (tags stripped) of the first table after ``marker``."""
    start = html.index(marker)
    table = html[start : html.index("</table>", start)]
    strip = lambda text: html_lib.unescape(re.sub(r"<[^>]+>", "", text)).strip()  # noqa: E731
    headers = [strip(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S)]
    body = table.split("<tbody>", 1)[1]
    rows = [
        [strip(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
        for tr in re.findall(r"<tr.*?</tr>", body, flags=re.S)
    ]
    return headers, rows


def _other_parameters(client, language: str) -> tuple[list[str], list[list[str]]]:
    html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    marker = "其他参数" if language.startswith("zh") else "Other parameters"
    return _table(html, marker)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_other_parameters_show_no_raw_key_or_python_repr(client, language):
    headers, rows = _other_parameters(client, language)
    assert len(rows) == 23  # the default methodology: every parameter but the goalposts and weights
    text = " ".join(cell for row in rows for cell in row)
    for internal in ("{", "}", "[", "True", "False", "None", "scores.", "mpi_k", "per_capita", "geometric,"):
        assert internal not in text, internal
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)  # no code_like keys
    assert "0.3333333333333333" not in text and "33.33%" in text  # mpi_k as a percentage, to two decimals
    if language == "en":
        assert headers == ["Parameter", "Meaning", "Value", "Unit"]
        assert [
            "Vulnerability threshold",
            "a household is vulnerable from this probability of income below the monitoring line",
            "50.00%",
            "percent",
        ] in rows
        assert ["Income limit of the illness flag", rows[12][1], "1.50", "times the monitoring line"] in rows
        assert rows[0][:3] == ["Income basis", rows[0][1], "per person"]
        categories = next(r for r in rows if r[0] == "Monitoring categories")[2]
        assert categories == (
            "ex-poor, unstable: registered poor before; sudden severe hardship: shock (disaster loss or job loss), "
            "catastrophic health spending; near-poor, at risk: any other flagged household"
        )
    else:
        assert headers == ["参数", "含义", "值", "单位"]
        assert ["脆弱性阈值", "收入低于监测线的概率达到此值的农户为脆弱户", "50.00%", "百分比"] in rows
        assert ["Alkire-Foster 多维贫困临界值 k", "加权剥夺比例达到此值的人为多维贫困", "33.33%", "百分比"] in rows
        rules = next(r for r in rows if r[0] == "生效的预警规则")[2]
        assert rules == "收入低于监测线、脆弱（预期贫困概率高）、灾难性医疗支出、重病或残疾、冲击（灾害损失或失业）"
        assert not re.search(r"[A-Za-z]{4,}", " ".join(r[0] + r[1] + r[3] for r in rows if "Alkire" not in r[0]))


def test_every_parameter_has_a_label_meaning_and_unit():
    """A parameter added to the defaults without words here would reach the page as a raw key."""
    defaults = parameters_validate({})
    relative = parameters_validate(
        {"line": {"type": "relative", "share": 0.6, "of": "mean", "monitoring_multiple": 1.4}}
    )
    design = {"design": "sample", "strata": "county", "cluster": "village"}
    sample = parameters_validate({"scores": {"sampling": design}})
    paths = set(leaf_paths(defaults)) | set(leaf_paths(relative)) | set(leaf_paths(sample))
    assert paths - set(BY_PATH) == set(OWN_TABLES)
    with translation.override("en"):
        rows = {r["label"]: r for r in parameter_rows(relative)}
    assert rows["Share of the relative line"]["value"] == "60.00%"
    assert rows["Centre of the relative line"]["value"] == "mean"
    assert rows["Monitoring line of the relative line"]["value"] == "1.40"
    assert rows["Monitoring line of the relative line"]["unit"] == "times the poverty line"
    with translation.override("en"):
        census = {r["label"]: r["value"] for r in parameter_rows(defaults)}
        drawn = {r["label"]: r["value"] for r in parameter_rows(sample)}
    assert census["Households scored"] == "census: every household of the registry (no sampling error)"
    assert "Strata of the sample" not in census  # a census has no design to describe
    assert drawn["Households scored"] == "sample: a stratified cluster sample of the households"
    assert (drawn["Strata of the sample"], drawn["Sampling units of the sample"]) == ("county", "village")
    with translation.override("zh-hans"):
        drawn = {r["label"]: r["value"] for r in parameter_rows(sample)}
    assert drawn["抽样层"] == "县级" and drawn["抽样单元"] == "村级"


def test_a_stored_methodology_with_other_values_is_shown_in_words(client):
    params = copy.deepcopy(parameters_validate({}))
    params["scores"]["early_warning"]["rules"] = ["vulnerable", "shock"]
    params["scores"]["eqi_aggregation"] = "arithmetic"
    params["mpi_k"] = 0.5
    Methodology.objects.create(version="v9", name="test", parameters=params)
    html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    _headers, rows = _table(html, 'id="methodology-v9"')  # its goalposts table first
    section = html[html.index('id="methodology-v9"') :]
    _headers, rows = _table(section, "Other parameters")
    values = {r[0]: r[2] for r in rows}
    assert values["Early-warning rules in force"] == "vulnerable (expected poverty), shock (disaster loss or job loss)"
    assert values["Combination of D1-D4"] == "weighted arithmetic mean"
    assert values["Alkire-Foster poverty cutoff k"] == "50.00%"


@pytest.mark.parametrize(
    ("language", "name", "other", "other_header"),
    [
        ("zh-hans", "脱贫质量指数", "Exit-quality index", "English"),
        ("en", "Exit-quality index", "脱贫质量指数", "中文"),
    ],
)
def test_the_indicator_table_shows_each_name_once(client, language, name, other, other_header):
    html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    headers, rows = _table(html, 'id="indicators"')
    assert headers[:3] == [
        "代码" if language.startswith("zh") else "Code",
        "名称" if language.startswith("zh") else "Name",
        other_header,
    ]
    eqi = next(r for r in rows if r[0] == "eqi")
    assert eqi[1:3] == [name, other]
    assert all(len(set(r[1:3])) == 2 for r in rows)  # no column repeats the name
    assert len(headers) == 7

"""Import messages in the reader's language (issue 14, item 1): problems are stored as a code and
parameters and shown in the language of whoever reads them (page, rejected.xlsx, API, 409s), on the
general path and on the PostgreSQL fast path; the template's dictionary follows the download's language."""

import io
import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from openpyxl import load_workbook
from rest_framework.test import APIClient

from households.importing.fast import fast_stage
from households.importing.messages import TEXTS, problem_message
from households.models import Household, ImportBatch
from regions.models import Assignment, Region, Role

VILLAGE_A, VILLAGE_B = "640422100002", "640422100004"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# households (the general path): a Chinese label where a code is wrong, a year out of bounds, a
# non-village code, the same number twice, an unknown column absent (the file's headers are right)
HOUSEHOLDS = (
    "户编号,村代码,建档年份,监测状态\n"
    f"{VILLAGE_A}0001,{VILLAGE_A},2014,脱贫户\n"  # not a label: the Chinese labels are listed
    f"{VILLAGE_A}0002,{VILLAGE_A},1970,未纳入监测\n"
    f"{VILLAGE_A}0003,640422,2014,\n"
    f"{VILLAGE_A}0002,{VILLAGE_A},2015,\n"
)
# household surveys (the fast path): a word for a number, an amount below zero, an unknown household
SURVEYS = (
    "户编号,工资性收入,救助性转移收入,抽样权重\n"
    f"{VILLAGE_A}0001,abc,0,1\n"
    f"{VILLAGE_A}0002,100,-5,1\n"
    f"{VILLAGE_A}0009,100,0,1\n"
)


def _ascii_words(problem: dict) -> list[str]:
    """Latin words of a problem's message once the cell's own text is taken out."""
    text = problem["message"].replace(problem["value"], "") if problem["value"] else problem["message"]
    return re.findall(r"[A-Za-z]{2,}", text)


@pytest.fixture
def clerk(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = User.objects.create_user("clerk-a")
    Assignment.objects.create(user=user, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_A))
    client = APIClient()
    client.force_authenticate(user)
    return client


def _upload(client, text: str, kind: str, *, language=ZH, dry_run=True):
    data = {"file": SimpleUploadedFile("f.csv", text.encode()), "kind": kind, "period": 2020, "dry_run": dry_run}
    return client.post("/api/v1/imports/", data, format="multipart", **language)


@pytest.mark.django_db
def test_api_problems_of_the_general_path_are_chinese_and_list_the_chinese_labels(clerk):
    body = _upload(clerk, HOUSEHOLDS, "households").json()
    listed = [(p["row"], p["column"], p["message"]) for p in body["problems"]]
    labels = "未纳入监测、脱贫不稳定户、边缘易致贫户、突发严重困难户、风险已消除"
    assert listed == [
        (2, "监测状态", f"无法识别的值；请填写以下之一：{labels}"),
        (3, "建档年份", "不能小于 1980"),  # worded as the decimals' bound
        (3, "户编号", "键重复：第 5 行有相同的户编号"),
        (4, "户编号", "户编号应为村代码加 4 位序号"),
        (4, "村代码", "不是村：该区划为第 3 级"),
        (4, "村代码", "不在您负责的区域内"),
        (5, "户编号", "键重复：第 3 行有相同的户编号"),
    ]
    problems = {(p["row"], p["column"]): p for p in body["problems"]}
    assert all(_ascii_words(p) == [] for p in body["problems"])
    assert problems[(2, "监测状态")]["code"] == "unknown_choice"
    assert problems[(3, "户编号")]["params"] == {"key": ["registry_number"], "rows": [5]}
    # the same stored report, read in English: the codes an English reader types
    english = clerk.get(f"/api/v1/imports/{body['id']}/", **EN).json()["problems"]
    assert [p["message"] for p in english] == [
        "unknown value; use one of: none (not monitored); ex_poor_unstable (ex-poor, unstable); "
        "near_poor_at_risk (near-poor, at risk); sudden_hardship (sudden severe hardship); risk_eliminated",
        "must be at least 1980",
        "duplicate key: the same registry_number is also in row 5",
        "a registry number is the village code followed by a 4-digit serial",
        "not a village: a region of level 3",
        "outside your assigned regions",
        "duplicate key: the same registry_number is also in row 3",
    ]


@pytest.mark.django_db
def test_api_problems_of_the_postgresql_fast_path_are_chinese(clerk, postgresql):
    village = Region.objects.get(code=VILLAGE_A)
    for serial in ("0001", "0002"):
        Household.objects.create(registry_number=f"{VILLAGE_A}{serial}", region=village)
    with transaction.atomic():  # the file is one the fast path takes
        assert fast_stage(data=SURVEYS.encode(), filename="f.csv", kind="household-surveys", period=2020, user=None)
        transaction.set_rollback(True)
    body = _upload(clerk, SURVEYS, "household-surveys").json()
    assert [(p["row"], p["column"], p["code"], p["message"]) for p in body["problems"]] == [
        (2, "工资性收入", "not_a_number", "“abc”不是数字"),
        (3, "救助性转移收入", "at_least", "不能小于 0"),
        (4, "户编号", "unknown_household", "您负责的区域内没有此户编号：请先在农户文件中导入该户"),
    ]
    assert all(_ascii_words(p) == [] for p in body["problems"])
    english = clerk.get(f"/api/v1/imports/{body['id']}/", **EN).json()["problems"]
    assert [p["message"] for p in english] == [
        "'abc' is not a number",
        "must be at least 0",
        "no household with this number in your regions: import it in a households file first",
    ]


@pytest.mark.django_db
def test_commit_and_undo_refusals_answer_409_in_chinese(clerk):
    village = Region.objects.get(code=VILLAGE_A)
    household = Household.objects.create(registry_number=f"{VILLAGE_A}0001", region=village)
    surveys = f"户编号,工资性收入\n{VILLAGE_A}0001,100\n"
    body = _upload(clerk, surveys, "household-surveys").json()
    assert body["status"] == "validated"
    undo = clerk.post(f"/api/v1/imports/{body['id']}/undo/", **ZH)
    assert undo.status_code == 409
    assert undo.json()["detail"] == f"导入 {body['id']} 的状态为“已校验，未写入”：只有已提交的导入才能撤销。"
    household.delete()  # the row is rejected when the commit checks it again
    response = clerk.post(f"/api/v1/imports/{body['id']}/commit/", **ZH)
    assert response.status_code == 409
    assert response.json()["detail"] == "提交时有 1 行被拒绝；未写入任何数据"
    assert [p["message"] for p in response.json()["problems"]] == [
        "您负责的区域内没有此户编号：请先在农户文件中导入该户"
    ]
    again = clerk.post(f"/api/v1/imports/{body['id']}/commit/", **ZH)
    assert again.status_code == 409
    assert again.json()["detail"] == f"导入 {body['id']} 的状态为“已拒绝”：只有已校验的导入才能提交。"


@pytest.mark.django_db
def test_a_report_stored_in_chinese_reads_in_english_on_the_page_and_in_rejected_xlsx(clerk, client):
    batch_id = _upload(clerk, HOUSEHOLDS, "households", language=ZH).json()["id"]
    user = User.objects.get(username="clerk-a")
    client.force_login(user)
    for language, expected in (("en", "must be at least 1980"), ("zh-hans", "不能小于 1980")):
        page = client.get(f"/imports/{batch_id}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert f"<td>{expected}</td>" in page
        workbook = client.get(f"/imports/{batch_id}/rejected.xlsx", HTTP_ACCEPT_LANGUAGE=language)
        rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(workbook.content)).active.iter_rows()]
        assert rows[0][-1] == "问题 problems"
        by_row = {row[0]: row[-1] for row in rows[1:]}
        assert by_row[3] in (
            f"建档年份: {expected}；户编号: 键重复：第 5 行有相同的户编号",
            f"建档年份: {expected}; 户编号: duplicate key: the same registry_number is also in row 5",
        )


@pytest.mark.django_db
def test_a_report_stored_before_codes_shows_its_text_and_a_known_text_translated(clerk, client):
    batch_id = _upload(clerk, HOUSEHOLDS, "households").json()["id"]
    batch = ImportBatch.objects.get(pk=batch_id)
    batch.report["problems"] = [
        {"row": 4, "column": "村代码", "value": "640422", "message": "unknown region code"},
        {"row": 5, "column": "村代码", "value": "x", "message": "a message of an older version"},
    ]
    batch.save()
    zh = clerk.get(f"/api/v1/imports/{batch_id}/", **ZH).json()["problems"]
    assert [(p["message"], p["code"], p["params"]) for p in zh] == [
        ("未知的区划代码", "", {}),
        ("a message of an older version", "", {}),
    ]
    assert problem_message({"message": ""}) == ""


@pytest.mark.django_db
def test_masked_parameters_show_no_resident_id_in_any_language(clerk):
    Household.objects.create(registry_number=f"{VILLAGE_A}0001", region=Region.objects.get(code=VILLAGE_A))
    resident_id = "640422198001010012"
    members = f"户编号,成员序号,身份证号\n{VILLAGE_A}0001,{resident_id},12345\n"
    body = _upload(clerk, members, "members").json()
    stored = json.dumps(ImportBatch.objects.get(pk=body["id"]).report, ensure_ascii=False)
    assert resident_id not in stored
    for language in (ZH, EN):
        problems = clerk.get(f"/api/v1/imports/{body['id']}/", **language).json()["problems"]
        assert problems and not any(resident_id in json.dumps(p, ensure_ascii=False) for p in problems)
        messages = {p["code"]: p["message"] for p in problems}
        assert messages["at_most"] in ("不能大于 99", "must be at most 99")  # the number is the cell's value


def test_every_code_has_a_chinese_text():
    from django.utils import translation

    with translation.override("zh-hans"):
        for code, text in TEXTS.items():
            if isinstance(text, str):
                assert translation.gettext(text) != text, code


@pytest.mark.django_db
def test_template_dictionary_in_the_language_of_the_download(client):
    sheets = {}
    for language in ("zh-hans", "en"):
        response = client.get("/api/v1/imports/templates/households.xlsx", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        sheets[language] = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content))["dictionary"]]
    zh, en = sheets["zh-hans"], sheets["en"]
    assert zh[0] == ["中文列名", "英文列名", "类型", "单位", "必填", "规则", "可填的值", "代码"]
    assert en[0] == [
        "Chinese header",
        "English header",
        "type",
        "unit",
        "required",
        "rule",
        "accepted values",
        "codes",
    ]
    zh_rows, en_rows = {row[1]: row for row in zh[1:]}, {row[1]: row for row in en[1:]}
    assert zh_rows["registry_number"][:6] == [
        "户编号",
        "registry_number",
        "编号（文本）",
        None,
        "是",
        "村代码 + 4 位序号（文本）",
    ]
    assert en_rows["registry_number"][2:6] == ["identifier (text)", None, "yes", "village code + 4-digit serial (text)"]
    status = "none; ex_poor_unstable; near_poor_at_risk; sudden_hardship; risk_eliminated"
    assert zh_rows["monitoring_status"][6:] == [
        "未纳入监测、脱贫不稳定户、边缘易致贫户、突发严重困难户、风险已消除",
        status,
    ]
    assert en_rows["monitoring_status"][6] == (
        "not monitored; ex-poor, unstable; near-poor, at risk; sudden severe hardship; risk eliminated"
    )


@pytest.mark.django_db
def test_item_3_problems_are_chinese_too_exit_year_and_scientific_village_code(clerk, postgresql):
    households = f"户编号,村代码,建档年份,脱贫年份\n{VILLAGE_A}0001,{VILLAGE_A},2014,2025\n"
    body = _upload(clerk, households, "households").json()
    assert [(p["code"], p["message"]) for p in body["problems"]] == [
        ("exit_after_period", "脱贫年份晚于本次导入的年度 2020")
    ]
    villages = "村代码,通硬化路\n6.40422E+11,1\n"
    with transaction.atomic():  # the fast path's text reading takes it
        assert fast_stage(data=villages.encode(), filename="f.csv", kind="village-surveys", period=2020, user=None)
        transaction.set_rollback(True)
    problems = _upload(clerk, villages, "village-surveys").json()["problems"]
    assert [(p["code"], p["message"]) for p in problems] == [
        ("number_as_id", "Excel 把此编号存成了数字，可能已改变其数位；请把该列设为“文本”格式后重新录入")
    ]

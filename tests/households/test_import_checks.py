"""Import checks of issue 14's fresh-eyes findings 1, 5, 6, 7, 11 and 13: dates and years in the
future, a village code Excel stored as a number, the yes/no words in the reader's language, an
exclusive minimum and one wording of the bounds, choice labels with spaces around them, and a huge
cell shown cut. Where the PostgreSQL fast path takes the file, both paths give the same report.

Every expected text is written out by hand, in English and in Chinese.
"""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import translation
from openpyxl import Workbook
from rest_framework.test import APIClient

from households.forms import ImportUploadForm
from households.importing.commit import import_upload
from households.importing.fast import fast_stage
from households.importing.messages import problem_message
from households.importing.report import problems_marked_xlsx
from households.importing.validate import import_validate
from households.models import Household
from regions.models import Assignment, Region, Role

VILLAGE_A = "640422100002"  # 西吉县 吉强镇 中街社区
NUMBER_AS_ID = (
    "Excel stored this identifier as a number and may have changed its digits; "
    "format the column as Text and re-enter it"
)
NUMBER_AS_ID_ZH = "Excel 把此编号存成了数字，可能已改变其数位；请把该列设为“文本”格式后重新录入"


def this_year() -> int:
    """The year in China (the project's time zone, UTC+8), worked out here, not by the code tested."""
    return china_today().year


def china_today() -> dt.date:
    return dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()


@pytest.fixture
def clerk(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = User.objects.create_user("clerk-a", password="pw")
    Assignment.objects.create(user=user, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_A))
    for serial in ("0001", "0002"):
        Household.objects.create(registry_number=f"{VILLAGE_A}{serial}", region=Region.objects.get(code=VILLAGE_A))
    return user


def xlsx(rows: list[list], formats: dict[str, str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def listed(result, language: str) -> list[tuple]:
    """(row, column, value, message in ``language``) of each problem, as the report stores it."""
    with translation.override(language):
        return [(p["row"], p["column"], p["value"], problem_message(p)) for p in result.report()["problems"]]


def both_paths(settings, text: str, kind: str, user, period: int = 2020):
    """The general path's and the fast path's validation of one CSV (asserting the fast path takes it)."""
    data = text.encode()
    settings.TUOPIN_IMPORT_FAST_PATH = False
    general = import_validate(data=data, filename="f.csv", kind=kind, period=period, user=user)
    settings.TUOPIN_IMPORT_FAST_PATH = True
    with transaction.atomic():
        assert fast_stage(data=data, filename="f.csv", kind=kind, period=period, user=user) is not None
        transaction.set_rollback(True)
    fast = import_validate(data=data, filename="f.csv", kind=kind, period=period, user=user)
    assert fast.report() == general.report()
    return general


# --- 1. dates and years in the future -------------------------------------------------------------


@pytest.mark.django_db
def test_a_birth_date_after_the_survey_year_is_a_problem_of_its_cell(clerk):
    data = (
        "registry_number,member_no,birth_date\n"
        f"{VILLAGE_A}0001,1,2030-01-01\n"
        f"{VILLAGE_A}0001,2,2020-12-31\n"  # the last day of the survey year: born in time
        f"{VILLAGE_A}0001,3,2021-01-01\n"
    ).encode()
    result = import_validate(data=data, filename="m.csv", kind="members", period=2020, user=clerk)
    assert listed(result, "en") == [
        (2, "birth_date", "2030-01-01", "the birth date is after the end of 2020, the year of this import"),
        (4, "birth_date", "2021-01-01", "the birth date is after the end of 2020, the year of this import"),
    ]
    assert listed(result, "zh-hans") == [
        (2, "birth_date", "2030-01-01", "出生日期晚于本次导入的年度 2020 的年末"),
        (4, "birth_date", "2021-01-01", "出生日期晚于本次导入的年度 2020 的年末"),
    ]
    assert (result.new, result.rejected) == (1, 2)


@pytest.mark.django_db
def test_without_a_year_a_birth_date_after_today_is_a_problem(clerk):
    today = china_today()
    tomorrow = today + dt.timedelta(days=1)
    data = f"registry_number,member_no,birth_date\n{VILLAGE_A}0001,1,{tomorrow}\n{VILLAGE_A}0001,2,{today}\n"
    result = import_validate(data=data.encode(), filename="m.csv", kind="members", period=None, user=clerk)
    assert listed(result, "en") == [(2, "birth_date", str(tomorrow), f"the birth date is after today ({today})")]
    assert listed(result, "zh-hans") == [(2, "birth_date", str(tomorrow), f"出生日期晚于今天（{today}）")]


@pytest.mark.django_db
def test_in_this_years_import_a_birth_date_after_today_is_a_problem(clerk):
    today = china_today()
    later = min(today + dt.timedelta(days=1), dt.date(today.year, 12, 31))
    data = f"registry_number,member_no,birth_date\n{VILLAGE_A}0001,1,{later}\n{VILLAGE_A}0001,2,{today}\n"
    result = import_validate(data=data.encode(), filename="m.csv", kind="members", period=today.year, user=clerk)
    if later == today:  # the last day of the year: nothing of this year lies after today
        assert listed(result, "en") == []
        return
    assert listed(result, "en") == [(2, "birth_date", str(later), f"the birth date is after today ({today})")]
    assert listed(result, "zh-hans") == [(2, "birth_date", str(later), f"出生日期晚于今天（{today}）")]


@pytest.mark.django_db
@pytest.mark.parametrize("fast", [False, True])
def test_a_registration_year_after_the_batch_year_is_a_problem_of_its_cell(clerk, settings, fast):
    settings.TUOPIN_IMPORT_FAST_PATH = fast  # households files take the general path either way
    data = (
        "registry_number,village_code,registration_year\n"
        f"{VILLAGE_A}0001,{VILLAGE_A},2030\n"
        f"{VILLAGE_A}0002,{VILLAGE_A},2018\n"
    ).encode()
    result = import_validate(data=data, filename="h.csv", kind="households", period=2018, user=clerk)
    assert listed(result, "en") == [
        (2, "registration_year", "2030", "the registration year is after 2018, the year of this import")
    ]
    assert listed(result, "zh-hans") == [(2, "registration_year", "2030", "建档年份晚于本次导入的年度 2018")]
    later = this_year() + 1
    data = f"registry_number,village_code,registration_year\n{VILLAGE_A}0001,{VILLAGE_A},{later}\n".encode()
    result = import_validate(data=data, filename="h.csv", kind="households", period=None, user=clerk)
    assert listed(result, "en") == [
        (2, "registration_year", str(later), f"the registration year is after this year ({this_year()})")
    ]
    assert listed(result, "zh-hans") == [(2, "registration_year", str(later), f"建档年份晚于今年（{this_year()}）")]


@pytest.mark.django_db
def test_an_upload_for_a_future_year_is_refused_by_the_form_and_the_api(clerk):
    later = this_year() + 1
    upload = SimpleUploadedFile("s.csv", f"registry_number,wage_income\n{VILLAGE_A}0001,1\n".encode())
    for language, expected in (
        ("en", f"{later} is in the future: the survey year may be at most {this_year()}."),
        ("zh-hans", f"{later} 年尚未到来：调查年度最晚为 {this_year()} 年。"),
    ):
        with translation.override(language):
            form = ImportUploadForm(data={"kind": "household-surveys", "period": later}, files={"file": upload})
            assert form.errors == {"period": [expected]}
        api = APIClient(HTTP_ACCEPT_LANGUAGE=language)
        api.force_authenticate(clerk)
        upload.seek(0)
        answer = api.post(
            "/api/v1/imports/", {"file": upload, "kind": "household-surveys", "period": later}, format="multipart"
        )
        assert (answer.status_code, answer.json()) == (400, {"period": [expected]})
    upload.seek(0)
    form = ImportUploadForm(data={"kind": "household-surveys", "period": this_year()}, files={"file": upload})
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_the_survey_forms_of_a_future_year_are_not_found(clerk):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(clerk)
    household = Household.objects.get(registry_number=f"{VILLAGE_A}0001")
    assert client.get(f"/villages/{VILLAGE_A}/surveys/{this_year()}/").status_code == 200
    assert client.get(f"/villages/{VILLAGE_A}/surveys/{this_year() + 1}/").status_code == 404
    assert client.get(f"/villages/{VILLAGE_A}/surveys/1850/").status_code == 404
    assert client.get(f"/households/{household.public_id}/surveys/{this_year() + 1}/").status_code == 404


# --- 5. a village code Excel stored as a number ---------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_xlsx_village_code_stored_as_a_number_gets_the_excel_hint(clerk):
    data = xlsx(
        [
            ["registry_number", "village_code"],
            [f"{VILLAGE_A}0001", int(VILLAGE_A)],  # a number Excel kept whole: the village is known
            [f"{VILLAGE_A}0002", 640422000000],  # 6.40422E+11 typed: Excel stored these digits
        ],
        {"B3": "0.00E+00"},
    )
    result = import_validate(data=data, filename="h.xlsx", kind="households", period=2020, user=clerk)
    assert listed(result, "en") == [(3, "village_code", "640422000000", NUMBER_AS_ID)]
    assert listed(result, "zh-hans") == [(3, "village_code", "640422000000", NUMBER_AS_ID_ZH)]
    villages = xlsx([["village_code", "hardened_road"], [640422100099, 1], ["640422100098", 1]])
    result = import_validate(data=villages, filename="v.xlsx", kind="village-surveys", period=2020, user=clerk)
    assert listed(result, "en") == [
        (2, "village_code", "640422100099", NUMBER_AS_ID),
        (3, "village_code", "640422100098", "unknown region code"),  # typed as text: no hint
    ]


# --- 6. the yes/no words in the reader's language -------------------------------------------------


@pytest.mark.django_db
def test_the_yes_no_words_are_listed_in_the_readers_language_on_both_paths(clerk, settings, postgresql):
    result = both_paths(settings, f"户编号,不愁吃\n{VILLAGE_A}0001,maybe\n", "household-surveys", clerk)
    assert listed(result, "en") == [
        (2, "不愁吃", "maybe", "'maybe' is not a yes/no answer: use yes/no, y/n, true/false, 1/0, 是/否, 有/无 or √/×")
    ]
    assert listed(result, "zh-hans") == [
        (2, "不愁吃", "maybe", "“maybe”不是“是/否”答案：请填写 是/否、有/无、√/×、1/0、yes/no、y/n或true/false")
    ]


@pytest.mark.django_db
def test_a_report_that_stored_english_yes_no_words_reads_them_in_chinese():
    stored = {
        "code": "not_yes_no",
        "params": {"value": "maybe", "words": "是/否, yes/no, y/n, true/false, 1/0, 有/无 or √/×"},
        "message": "'maybe' is not a yes/no answer: use 是/否, yes/no, y/n, true/false, 1/0, 有/无 or √/×",
    }
    with translation.override("zh-hans"):
        assert problem_message(stored) == (
            "“maybe”不是“是/否”答案：请填写 是/否、有/无、√/×、1/0、yes/no、y/n或true/false"
        )


# --- 7. an exclusive minimum; one wording of the bounds -------------------------------------------


@pytest.mark.django_db
def test_a_weight_must_be_greater_than_zero_on_both_paths(clerk, settings, postgresql):
    text = (
        "registry_number,sampling_weight,equivalence_scale\n"
        f"{VILLAGE_A}0001,0,1\n"
        f"{VILLAGE_A}0002,-1,0.000000001\n"  # a tiny scale is above zero: accepted
    )
    result = both_paths(settings, text, "household-surveys", clerk)
    assert listed(result, "en") == [
        (2, "sampling_weight", "0", "must be greater than 0"),
        (3, "sampling_weight", "-1", "must be greater than 0"),
    ]
    assert listed(result, "zh-hans") == [
        (2, "sampling_weight", "0", "必须大于 0"),
        (3, "sampling_weight", "-1", "必须大于 0"),
    ]
    # a canonical file (read by a typed COPY) says the same
    canonical = f"registry_number,sampling_weight\n{VILLAGE_A}0001,0\n{VILLAGE_A}0002,1\n"
    assert listed(both_paths(settings, canonical, "household-surveys", clerk), "en") == [
        (2, "sampling_weight", "0", "must be greater than 0")
    ]


@pytest.mark.django_db
def test_whole_numbers_out_of_bounds_are_worded_as_decimals_are_on_both_paths(clerk, settings, postgresql):
    text = f"village_code,cooperatives,collective_income\n{VILLAGE_A},-1,-5\n{VILLAGE_A[:-1]}4,10001,0\n"
    result = both_paths(settings, text, "village-surveys", None)
    assert listed(result, "en") == [
        (2, "collective_income", "-5", "must be at least 0"),
        (2, "cooperatives", "-1", "must be at least 0"),
        (3, "cooperatives", "10001", "must be at most 10000"),
    ]
    assert listed(result, "zh-hans") == [
        (2, "collective_income", "-5", "不能小于 0"),
        (2, "cooperatives", "-1", "不能小于 0"),
        (3, "cooperatives", "10001", "不能大于 10000"),
    ]
    households = f"registry_number,village_code,registration_year\n{VILLAGE_A}0001,{VILLAGE_A},1970\n".encode()
    result = import_validate(data=households, filename="h.csv", kind="households", period=2020, user=clerk)
    assert listed(result, "zh-hans") == [(2, "registration_year", "1970", "不能小于 1980")]


# --- 11. choice labels with spaces around them ------------------------------------------------------


@pytest.mark.django_db
def test_choice_labels_with_spaces_around_them_are_accepted(clerk):
    data = (
        "registry_number,village_code,monitoring_status,poverty_causes\n"
        f"{VILLAGE_A}0001,{VILLAGE_A},未纳入监测 ,\u3000因病\u3000；\u00a0illness \n"
        f"{VILLAGE_A}0002,{VILLAGE_A},\u3000脱贫不稳定户\u00a0,\n"
        f"{VILLAGE_A}0003,{VILLAGE_A},\u00a0none\u3000,\n"
    ).encode()
    result = import_validate(data=data, filename="h.csv", kind="households", period=2020, user=clerk)
    assert result.problems == []
    assert result.rows["monitoring_status"].tolist() == ["none", "ex_poor_unstable", "none"]
    assert result.rows.loc[0, "poverty_causes"] == ["illness", "illness"]


@pytest.mark.django_db
def test_english_choice_messages_list_the_codes_with_their_english_labels(clerk):
    data = f"registry_number,village_code,monitoring_status\n{VILLAGE_A}0001,{VILLAGE_A},poor\n".encode()
    result = import_validate(data=data, filename="h.csv", kind="households", period=2020, user=clerk)
    assert listed(result, "en") == [
        (
            2,
            "monitoring_status",
            "poor",
            "unknown value; use one of: none (not monitored); ex_poor_unstable (ex-poor, unstable); "
            "near_poor_at_risk (near-poor, at risk); sudden_hardship (sudden severe hardship); risk_eliminated",
        )
    ]


# --- 13. a huge cell is shown cut -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_huge_cell_is_shown_cut_to_200_characters_on_both_paths(clerk, settings, postgresql):
    huge = "x" * 120_000
    result = both_paths(settings, f"registry_number,wage_income\n{VILLAGE_A}0001,{huge}\n", "household-surveys", clerk)
    shown = "x" * 200 + "…"
    assert listed(result, "en") == [(2, "wage_income", shown, f"'{shown}' is not a number")]
    assert listed(result, "zh-hans") == [(2, "wage_income", shown, f"“{shown}”不是数字")]
    assert result.report()["problems"][0]["params"] == {"value": shown}
    # rejected.xlsx keeps the clerk's cell whole, to be fixed there
    cell = "y" * 1000
    batch, _ = import_upload(
        data=f"registry_number,wage_income\n{VILLAGE_A}0001,{cell}\n".encode(),
        filename="s.csv",
        kind="household-surveys",
        period=2020,
        user=clerk,
    )
    assert batch.report["problems"][0]["value"] == "y" * 200 + "…"
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(problems_marked_xlsx(batch))).active
    assert [c.value for c in sheet[2]][:3] == [2, f"{VILLAGE_A}0001", cell]

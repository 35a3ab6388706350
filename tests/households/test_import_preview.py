"""Issue 14, item 3: the import preview, the after-commit note and recompute button, households
files without a year, the exit year as a cell problem and the Excel hint for village codes.

Every expected value is written out by hand from the file in the test.
"""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from openpyxl import Workbook
from rest_framework.test import APIClient

from config import celery as celery_config
from config.celery import app
from households import ids
from households.importing import validate as validate_module
from households.importing.commit import import_commit, import_upload
from households.importing.validate import import_validate
from households.models import ChangeLog, Household, HouseholdSurvey, ImportBatch, SurveyPeriod
from indicators.models import ComputationRun, HouseholdScore
from regions.models import Assignment, Region, Role
from tests.indicators.builders import Row, households_write

VILLAGE_A = "640422100002"  # 西吉县 吉强镇 中街社区
COUNTY_A = "640422"
NUMBER_AS_ID = (
    "Excel stored this identifier as a number and may have changed its digits; "
    "format the column as Text and re-enter it"
)


def person_id(area: str, born: str, seq: str) -> str:
    first17 = f"{area}{born}{seq}"
    return first17 + ids.check_character(first17)


ID_1 = person_id("640422", "19800101", "001")


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    def user(name, role=None, code=None):
        account = User.objects.create_user(name, password="pw")
        if role:
            Assignment.objects.create(user=account, role=role, region=Region.objects.get(code=code))
        return account

    return {
        "clerk": user("clerk-a", Role.CLERK, VILLAGE_A),
        "admin": user("admin-a", Role.ADMIN, COUNTY_A),
        "other_admin": user("admin-a2", Role.ADMIN, COUNTY_A),
        "admin_b": user("admin-b", Role.ADMIN, "640402"),
        "official": user("official-a", Role.OFFICIAL, COUNTY_A),
    }


@pytest.fixture
def eager():
    """Celery tasks run in the test's process (the test settings name a Redis broker)."""
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


def login(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HOUSEHOLDS = (
    "户编号,村代码,建档年份,脱贫年份,监测状态,致贫原因\n"
    f"{VILLAGE_A}0001,{VILLAGE_A},2014,2019,边缘易致贫户,因病、缺技术\n"
    f"{VILLAGE_A}0002,{VILLAGE_A},2015,,none,illness\n"
    f"{VILLAGE_A}0003,{VILLAGE_A},2016,2018,no such status,\n"
)


# --- the preview ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_preview_of_a_households_file_shows_the_categories_and_numbers_as_parsed(world):
    batch, _ = import_upload(
        data=HOUSEHOLDS.encode(), filename="h.csv", kind="households", period=2020, user=world["clerk"]
    )
    preview = batch.report["preview"]
    assert preview["columns"] == [
        "registry_number",
        "village_code",
        "registration_year",
        "exit_year",
        "monitoring_status",
        "poverty_causes",
    ]
    assert preview["total"] == 3
    assert [(r["row"], r["status"]) for r in preview["rows"]] == [(2, "new"), (3, "new"), (4, "rejected")]
    assert preview["rows"][0]["values"] == {
        "registry_number": f"{VILLAGE_A}****",  # as stored reports keep it: the village code only
        "village_code": VILLAGE_A,
        "registration_year": 2014,
        "exit_year": 2019,
        "monitoring_status": "near_poor_at_risk",  # 边缘易致贫户 mapped to its category
        "poverty_causes": ["illness", "lack_skills"],  # 因病、缺技术
    }
    assert preview["rows"][1]["values"]["exit_year"] is None  # blank
    assert preview["rows"][2]["values"]["monitoring_status"] is None  # the cell with a problem

    page = login(world["clerk"], "zh-hans").get(reverse("households:import-detail", args=[batch.pk]))
    cells = [r["cells"] for r in page.context["preview"]["rows"]]
    assert cells[0] == [
        f"{VILLAGE_A}****",
        VILLAGE_A,
        "2014",
        "2019",
        "边缘易致贫户 (near_poor_at_risk)",
        "因病 (illness)、缺技术 (lack_skills)",
    ]
    assert cells[1][3:] == ["–", "未纳入监测 (none)", "因病 (illness)"]
    # the batch is rejected, so nothing was written: its good rows are not labelled "new" (test 14, item 2)
    assert [r["status_label"] for r in page.context["preview"]["rows"]] == [
        "无问题，未写入",
        "无问题，未写入",
        "已拒绝",
    ]
    html = page.content.decode()
    assert "边缘易致贫户 (near_poor_at_risk)" in html
    assert f"{VILLAGE_A}0001" not in html


@pytest.mark.django_db
def test_preview_masks_resident_ids_and_birth_dates_of_a_members_file(world):
    Household.objects.create(registry_number=f"{VILLAGE_A}0001", region=Region.objects.get(code=VILLAGE_A))
    data = xlsx(
        [
            ["registry_number", "member_no", "resident_id", "sex", "birth_date", "present", "age"],
            [f"{VILLAGE_A}0001", 1, ID_1, "女", dt.date(1980, 1, 1), "是", 40],
        ]
    )
    batch, validation = import_upload(data=data, filename="m.xlsx", kind="members", period=2020, user=world["clerk"])
    assert validation.problems == []
    values = batch.report["preview"]["rows"][0]["values"]
    assert values == {
        "registry_number": f"{VILLAGE_A}****",
        "member_no": 1,
        "resident_id": "6404**********" + ID_1[-4:],
        "sex": "F",
        "birth_date": "1980-**-**",  # the year only, as the household page shows it before Show
        "present": True,
        "age": 40,
    }
    assert ID_1 not in str(batch.report) and "1980-01-01" not in str(batch.report)


SURVEYS = (
    "registry_number,wage_income,net_operating_income,relief_transfers,food_secure,sampling_weight\n"
    f"{VILLAGE_A}0001,12000.5,-300,¥3000,是,1\n"
    f"{VILLAGE_A}0002,12 345.678,0,3000元,no,2\n"
    f"{VILLAGE_A}0009,1,0,0,1,1\n"
)
SURVEY_ROWS = [
    (2, "new", {"wage_income": "12000.50", "net_operating_income": "-300.00", "relief_transfers": "3000.00"}),
    (3, "new", {"wage_income": "12345.68", "net_operating_income": "0.00", "relief_transfers": "3000.00"}),
    (4, "rejected", {"wage_income": "1.00", "net_operating_income": "0.00", "relief_transfers": "0.00"}),
]


def _survey_households():
    village = Region.objects.get(code=VILLAGE_A)
    for serial in ("0001", "0002"):
        Household.objects.create(registry_number=f"{VILLAGE_A}{serial}", region=village)


@pytest.mark.django_db
@pytest.mark.parametrize("fast", [False, True])
def test_preview_of_a_survey_file_has_numbers_as_stored_on_both_paths(world, settings, postgresql, monkeypatch, fast):
    """Money rounded to the stored 2 decimals (12,345.678 → 12345.68), yes/no as booleans, on the
    pandas path and on the PostgreSQL path (which never reads the file with ``read_table``)."""
    _survey_households()
    settings.TUOPIN_IMPORT_FAST_PATH = fast
    data = SURVEYS.encode()
    if fast:
        monkeypatch.setattr(validate_module, "read_table", lambda *a, **k: pytest.fail("parsed by pandas"))
    batch, _ = import_upload(data=data, filename="s.csv", kind="household-surveys", period=2020, user=world["clerk"])
    rows = batch.report["preview"]["rows"]
    assert [(r["row"], r["status"], {k: r["values"][k] for k in SURVEY_ROWS[0][2]}) for r in rows] == SURVEY_ROWS
    assert [r["values"]["food_secure"] for r in rows] == [True, False, True]
    assert [r["values"]["sampling_weight"] for r in rows] == ["1.000000", "2.000000", "1.000000"]
    assert rows[2]["values"]["registry_number"] is None  # unknown household: the cell's problem
    assert batch.report["preview"]["total"] == 3


@pytest.mark.django_db
def test_preview_is_read_from_the_report_not_the_file_and_shown_by_the_api(world, monkeypatch):
    batch, _ = import_upload(
        data=HOUSEHOLDS.encode(), filename="h.csv", kind="households", period=2020, user=world["clerk"]
    )
    from households import views

    monkeypatch.setattr(views, "original_read", lambda *a, **k: pytest.fail("the page read the file"))
    monkeypatch.setattr(validate_module, "read_table", lambda *a, **k: pytest.fail("the page parsed the file"))
    page = login(world["clerk"]).get(reverse("households:import-detail", args=[batch.pk]))
    assert page.context["preview"]["shown"] == 3
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(world["clerk"])
    body = api.get(f"/api/v1/imports/{batch.pk}/").json()
    assert body["preview"]["rows"][0]["values"]["poverty_causes"] == ["illness", "lack_skills"]
    assert body["preview"]["rows"][2] == {
        "row": 4,
        "status": "rejected",
        "values": {
            "registry_number": f"{VILLAGE_A}****",
            "village_code": VILLAGE_A,
            "registration_year": 2016,
            "exit_year": 2018,
            "monitoring_status": None,
            "poverty_causes": None,
        },
    }


# --- after the commit -----------------------------------------------------------------------------


def test_next_nightly_recompute_is_the_beat_schedules_hour_in_shanghai(settings):
    nightly_recompute_next = celery_config.nightly_recompute_next
    settings.TUOPIN_RECOMPUTE_HOUR = 2
    # 01:59 in Shanghai on 2 May (17:59 UTC on 1 May): tonight's run is a minute away
    assert nightly_recompute_next(now=dt.datetime(2024, 5, 1, 17, 59, tzinfo=dt.UTC)).isoformat() == (
        "2024-05-02T02:00:00+08:00"
    )
    # 02:00 exactly has fired: the next is the day after
    assert nightly_recompute_next(now=dt.datetime(2024, 5, 1, 18, 0, tzinfo=dt.UTC)).isoformat() == (
        "2024-05-03T02:00:00+08:00"
    )
    settings.TUOPIN_RECOMPUTE_HOUR = 23
    assert nightly_recompute_next(now=dt.datetime(2024, 12, 31, 15, 30, tzinfo=dt.UTC)).isoformat() == (
        "2025-01-01T23:00:00+08:00"
    )


def _committed_surveys(user) -> ImportBatch:
    data = f"registry_number,wage_income\n{VILLAGE_A}0001,20000\n".encode()
    batch, validation = import_upload(data=data, filename="s.csv", kind="household-surveys", period=2020, user=user)
    assert validation.problems == []
    import_commit(batch=batch, user=user)
    batch.refresh_from_db()
    return batch


@pytest.mark.django_db
def test_after_commit_the_page_says_when_the_nightly_recompute_includes_it(world, settings):
    settings.TUOPIN_RECOMPUTE_HOUR = 3
    households_write([Row(VILLAGE_A, 1, wage=2000, persons=2)], period=2020)
    batch = _committed_surveys(world["clerk"])
    local = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    day = local.date() if local.hour < 3 else local.date() + dt.timedelta(days=1)
    page = login(world["clerk"]).get(reverse("households:import-detail", args=[batch.pk]))
    html = page.content.decode()
    assert "Changed: 宁夏回族自治区, survey year 2020." in html
    with translation.override("en"):
        when = date_format(dt.datetime.combine(day, dt.time(3)), "DATETIME_FORMAT")  # e.g. "Dec. 8, 2026, 3 a.m."
    assert when.endswith(", 3 a.m.")
    assert f"after the next nightly recompute, at {when} (Asia/Shanghai)" in html
    assert "import-preview" not in html  # the preview is for before the commit
    assert reverse("indicators:import-recompute", args=[batch.pk]) not in html  # a clerk has no button


@pytest.mark.django_db
def test_the_admin_recomputes_the_province_now_and_the_scores_include_the_import(
    world, eager, django_capture_on_commit_callbacks
):
    households_write([Row(VILLAGE_A, 1, wage=2000, persons=2)], period=2020)
    before = ComputationRun.objects.count()
    batch = _committed_surveys(world["admin"])  # 20,000 yuan for the 2 persons of household 0001
    client = login(world["admin"])
    url = reverse("indicators:import-recompute", args=[batch.pk])
    page = client.get(reverse("households:import-detail", args=[batch.pk]))
    assert f'action="{url}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("households:import-detail", args=[batch.pk])
    run = ComputationRun.objects.get(trigger="import")
    assert ComputationRun.objects.count() == before + 1
    assert (run.period_id, run.status, run.is_current) == (2020, "published", True)
    assert list(run.chunks.values_list("province_code", "copied")) == [("64", False)]
    score = HouseholdScore.objects.of_run(run).get(household__registry_number=f"{VILLAGE_A}0001")
    assert score.income == pytest.approx(10000.0)  # 20,000 yuan / 2 persons


@pytest.mark.django_db
def test_only_an_admin_of_the_batch_may_recompute_and_only_by_post_with_csrf(world, django_capture_on_commit_callbacks):
    households_write([Row(VILLAGE_A, 1, wage=2000, persons=2)], period=2020)
    batch = _committed_surveys(world["clerk"])
    url = reverse("indicators:import-recompute", args=[batch.pk])
    assert login(world["clerk"]).post(url).status_code == 403  # the uploader, a clerk
    assert login(world["official"]).post(url).status_code == 404  # not the official's batch
    assert login(world["admin"]).post(url).status_code == 404  # an admin, but not the uploader
    assert Client().post(url).status_code == 302  # to the log-in
    assert not ComputationRun.objects.filter(trigger="import").exists()

    own = _committed_surveys(world["admin"])
    url = reverse("indicators:import-recompute", args=[own.pk])
    assert login(world["admin"]).get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world["admin"])
    assert strict.post(url).status_code == 403  # no CSRF token
    Assignment.objects.filter(user=world["admin"]).update(role=Role.CLERK)  # no longer an admin
    assert login(world["admin"]).post(url).status_code == 403
    assert not ComputationRun.objects.filter(trigger="import").exists()


# --- households files without a year -------------------------------------------------------------


@pytest.mark.django_db
def test_a_households_file_needs_no_survey_year(world):
    SurveyPeriod.objects.get_or_create(year=2019)
    village = Region.objects.get(code=VILLAGE_A)
    household = Household.objects.create(registry_number=f"{VILLAGE_A}0001", region=village, registration_year=2014)
    HouseholdSurvey.objects.create(household=household, period_id=2019, wage_income=5000)
    client = login(world["clerk"])
    data = f"registry_number,village_code,exit_year\n{VILLAGE_A}0001,{VILLAGE_A},2019\n{VILLAGE_A}0007,{VILLAGE_A},\n"
    upload = SimpleUploadedFile("h.csv", data.encode())
    response = client.post(reverse("households:imports"), {"kind": "households", "period": "", "file": upload})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.period_id, batch.status, batch.rows_new, batch.rows_updated) == (None, "validated", 1, 1)
    assert "<dd>–</dd>" in client.get(response["Location"]).content.decode()
    client.post(response["Location"], {"action": "commit"})
    batch.refresh_from_db()
    assert batch.status == "committed"
    # marked for the years of the surveys of the households it wrote (0001 has one of 2019)
    assert list(ChangeLog.objects.filter(import_batch=batch).values_list("province_code", "period_id")) == [
        ("64", 2019)
    ]
    assert Household.objects.get(registry_number=f"{VILLAGE_A}0001").exit_year == 2019
    client.post(response["Location"], {"action": "undo"})
    assert sorted(ChangeLog.objects.filter(import_batch=batch).values_list("source", "period_id")) == [
        ("import", 2019),
        ("undo", 2019),
    ]


@pytest.mark.django_db
def test_other_files_still_need_the_year_on_the_form_and_the_api(world):
    data = f"registry_number,wage_income\n{VILLAGE_A}0001,1\n".encode()
    page = login(world["clerk"]).post(
        reverse("households:imports"), {"kind": "household-surveys", "file": SimpleUploadedFile("s.csv", data)}
    )
    assert page.status_code == 200
    assert page.context["form"].errors == {"period": ["Give the survey year of a members or survey file."]}
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(world["clerk"])
    answer = api.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("s.csv", data), "kind": "members"}, format="multipart"
    )
    assert (answer.status_code, answer.json()) == (
        400,
        {"period": ["Give the survey year of a members or survey file."]},
    )
    households = f"registry_number,village_code\n{VILLAGE_A}0005,{VILLAGE_A}\n".encode()
    answer = api.post(
        "/api/v1/imports/", {"file": SimpleUploadedFile("h.csv", households), "kind": "households"}, format="multipart"
    )
    assert (answer.status_code, answer.json()["period"], answer.json()["status"]) == (201, None, "validated")
    assert not ImportBatch.objects.filter(kind="household-surveys").exists()


# --- the exit year is a problem of its cell ------------------------------------------------------

EXITS = (
    "registry_number,village_code,registration_year,exit_year\n"
    f"{VILLAGE_A}0001,{VILLAGE_A},2014,2020\n"
    f"{VILLAGE_A}0002,{VILLAGE_A},2014,2021\n"
)


@pytest.mark.django_db
@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("name", ["h.csv", "h.xlsx"])
def test_an_exit_year_after_the_batch_year_is_a_problem_of_its_cell(world, settings, fast, name):
    """The PostgreSQL path takes no households file: with it on or off, CSV or XLSX, one report."""
    settings.TUOPIN_IMPORT_FAST_PATH = fast
    data = EXITS.encode() if name.endswith(".csv") else xlsx([line.split(",") for line in EXITS.splitlines()])
    result = import_validate(data=data, filename=name, kind="households", period=2020, user=world["clerk"])
    assert [(p.row, p.column, p.value, p.message) for p in result.problems] == [
        (3, "exit_year", "2021", "the exit year is after 2020, the year of this import")
    ]
    assert (result.new, result.rejected) == (1, 1)


@pytest.mark.django_db
def test_without_a_year_an_exit_year_in_the_future_is_a_problem_of_its_cell(world):
    this_year = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).year
    data = f"registry_number,village_code,exit_year\n{VILLAGE_A}0001,{VILLAGE_A},{this_year + 1}\n".encode()
    result = import_validate(data=data, filename="h.csv", kind="households", period=None, user=world["clerk"])
    assert [(p.row, p.column, p.value, p.message) for p in result.problems] == [
        (2, "exit_year", str(this_year + 1), f"the exit year is after this year ({this_year})")
    ]


# --- a village code in scientific notation -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fast", [False, True])
def test_a_village_code_in_scientific_notation_gets_the_excel_hint(world, settings, postgresql, monkeypatch, fast):
    settings.TUOPIN_IMPORT_FAST_PATH = fast
    villages = f"village_code,hardened_road\n6.40422E+11,1\n{VILLAGE_A},1\n640422100099,1\n".encode()
    if fast:
        monkeypatch.setattr(validate_module, "read_table", lambda *a, **k: pytest.fail("parsed by pandas"))
    result = import_validate(data=villages, filename="v.csv", kind="village-surveys", period=2020, user=world["clerk"])
    assert [(p.row, p.column, p.value, p.message) for p in result.problems] == [
        (2, "village_code", "6.40422E+11", NUMBER_AS_ID),
        (4, "village_code", "640422100099", "unknown region code"),
    ]


@pytest.mark.django_db
def test_a_households_village_code_in_scientific_notation_gets_the_excel_hint(world):
    data = f"registry_number,village_code\n{VILLAGE_A}0001,6.4e+11\n".encode()
    result = import_validate(data=data, filename="h.csv", kind="households", period=2020, user=world["clerk"])
    assert [(p.row, p.column, p.value, p.message) for p in result.problems] == [
        (2, "village_code", "6.4e+11", NUMBER_AS_ID)
    ]

"""Upload limits (issue 13, finding 2): workbooks that would exhaust memory are refused before parsing,
large uploads are validated in a Celery task with progress, the form and the API share one size limit.

The memory bombs are built here (nothing big is committed): a 1.5 KB workbook whose cells are A1
and XFD200, and a zip bomb whose sheet XML unpacks from about 1 MB to about 1 GB. Each must be
refused with its message in under 2 s and with under 200 MB of memory growth, measured both with
``tracemalloc`` (Python allocations) and ``resource.getrusage`` (the process's peak RSS).
"""

import gc
import io
import re
import resource
import time
import tracemalloc
import zipfile
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook
from rest_framework.test import APIClient

from config.celery import app
from households.importing.reading import ImportFileError, read_table
from households.importing.validate import import_validate
from households.models import ImportBatch
from regions.models import Assignment, Region, Role

VILLAGE_A = "640422100002"
MB = 2**20
HEADER = "registry_number,village_code,registration_year\n"


_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml"
#: The parts of a minimal workbook with one sheet, ``Sheet1`` (its XML is the caller's).
PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{_PACKAGE}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    f'<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_MAIN}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_MAIN}.worksheet+xml"/></Types>',
    "_rels/.rels": f'<Relationships xmlns="{_PACKAGE}/relationships"><Relationship Id="rId1" '
    f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{_RELS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PACKAGE}/relationships"><Relationship Id="rId1" '
    f'Type="{_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def workbook_from_sheet(sheet_xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**PARTS, "xl/worksheets/sheet1.xml": sheet_xml}.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def a1_xfd200(*, dimension: bool = True) -> bytes:
    """The workbook of the finding: cells A1 and XFD200 (its dimension says so, or is left out)."""
    declared = '<dimension ref="A1:XFD200"/>' if dimension else ""
    rows = f'<row r="1">{_inline("A1", "a")}</row><row r="200">{_inline("XFD200", "b")}</row>'
    return workbook_from_sheet(f"{SHEET_OPEN}{declared}<sheetData>{rows}</sheetData></worksheet>")


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A workbook whose sheet XML is ~1 GiB (a header, then 1 GiB of spaces), written streaming to ~1 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'{SHEET_OPEN}<sheetData><row r="1">{_inline("A1", "a")}</row>'.encode())
            spaces = b" " * MB
            for _ in range(1024):
                sheet.write(spaces)
            sheet.write(b"</sheetData></worksheet>")
    data = buffer.getvalue()
    assert len(data) < 2 * MB
    return data


def workbook_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def households_rows(count: int) -> list[list]:
    return [
        ["registry_number", "village_code", "registration_year"],
        *([f"{VILLAGE_A}{n:04d}", VILLAGE_A, 2014] for n in range(1, count + 1)),
    ]


@contextmanager
def bounded(*, seconds: float = 2.0, megabytes: int = 200):
    """Asserts the block ran in under ``seconds`` with under ``megabytes`` of memory growth."""
    gc.collect()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) * 1024
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert traced_peak < megabytes * MB, f"allocated {traced_peak / MB:.0f} MB"
    assert peak_growth < megabytes * MB, f"peak RSS grew by {peak_growth / MB:.0f} MB"


def refusal(data: bytes, *, filename: str = "upload.xlsx", **options) -> str:
    """The message of the ``ImportFileError`` reading ``data`` raises (English)."""
    with translation.override("en"), pytest.raises(ImportFileError) as raised:
        read_table(data, filename=filename, **options)
    return str(raised.value)


# --- memory bombs, refused before parsing ------------------------------------------------------


def test_xlsx_a1_and_xfd200_is_refused_by_its_dimension_quickly_and_small():
    data = a1_xfd200()
    assert len(data) < 2000  # the 1.5 KB workbook of the finding
    with bounded():
        message = refusal(data, max_columns=16)
    assert message == (
        "sheet 'Sheet1' declares cells up to column XFD (A1:XFD200), but this import reads at most "
        "16 columns (A to P); delete the columns to the right of the data and upload it again"
    )


def test_xlsx_a1_and_xfd200_without_a_dimension_is_refused_while_streaming():
    with bounded():
        message = refusal(a1_xfd200(dimension=False), max_columns=16)
    assert message == (
        "cell XFD200 holds data, but this import reads at most 16 columns (A to P); "
        "delete the columns to the right of the data and upload it again"
    )


def test_xlsx_zip_bomb_is_refused_by_its_compression_ratio_quickly_and_small(zip_bomb):
    with bounded():
        message = refusal(zip_bomb)
    assert re.fullmatch(
        r"the workbook part xl/worksheets/sheet1\.xml unpacks 1,0\d\d times \(from [\d,]+ to 1,073,7[\d,]+ bytes\), "
        r"more than the 100 times of an ordinary workbook; the file is refused: save it again from Excel",
        message,
    ), message


def test_xlsx_of_many_small_parts_that_unpack_too_many_times_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", f"{SHEET_OPEN}<sheetData/></worksheet>")
        for n in range(20):  # each under the 1 MiB from which a part's own ratio counts
            archive.writestr(f"xl/media/padding{n}.bin", b"0" * 1_000_000)
    with bounded():
        message = refusal(buffer.getvalue())
    assert re.fullmatch(
        r"the workbook unpacks [\d,]+ times its size \(from [\d,]+ to 20,00[\d,]+ bytes\), more than the 100 "
        r"times of an ordinary workbook; the file is refused: save it again from Excel",
        message,
    ), message


def test_xlsx_unpacking_to_more_than_the_setting_is_refused(settings):
    settings.TUOPIN_IMPORT_MAX_UNCOMPRESSED_BYTES = 2000
    message = refusal(workbook_bytes(households_rows(50)))
    assert re.fullmatch(
        r"the workbook unpacks to [\d,]+ bytes, more than the 2,000 bytes an import may hold; split the file",
        message,
    ), message


def test_xlsx_bomb_through_the_import_is_a_file_problem_in_the_report(db, zip_bomb):
    with translation.override("en"), bounded():
        validation = import_validate(data=zip_bomb, filename="bomb.xlsx", kind="households", period=2020, user=None)
    assert [(p.row, p.column) for p in validation.problems] == [(0, "")]
    assert "times" in validation.problems[0].message


def test_xlsx_a1_and_xfd200_through_the_import_uses_the_column_dictionary(db):
    with translation.override("en"):
        validation = import_validate(data=a1_xfd200(), filename="a.xlsx", kind="households", period=2020, user=None)
    # households: 6 columns in the dictionary, 10 more allowed for unknown or empty ones (reported as such)
    assert [p.message for p in validation.problems] == [
        "sheet 'Sheet1' declares cells up to column XFD (A1:XFD200), but this import reads at most "
        "16 columns (A to P); delete the columns to the right of the data and upload it again"
    ]


# --- row cap ------------------------------------------------------------------------------------


def test_xlsx_over_the_row_cap_is_refused_by_its_dimension(settings):
    settings.TUOPIN_IMPORT_MAX_ROWS = 5
    message = refusal(workbook_bytes(households_rows(6)))
    assert message == (
        "sheet 'Sheet' declares 7 rows (A1:C7), but an import file may have at most 5 rows below its header; "
        "split the file, or delete the empty rows below the data"
    )
    assert len(read_table(workbook_bytes(households_rows(5)), filename="h.xlsx").frame) == 5


def test_xlsx_over_the_row_cap_without_a_dimension_is_refused_while_streaming(settings):
    settings.TUOPIN_IMPORT_MAX_ROWS = 5
    rows = "".join(f'<row r="{n}">{_inline(f"A{n}", str(n))}</row>' for n in range(3, 9))
    sheet = f'{SHEET_OPEN}<dimension ref="A1:A2"/><sheetData><row r="2">{_inline("A2", "h")}</row>{rows}</sheetData>'
    message = refusal(workbook_from_sheet(sheet + "</worksheet>"))
    assert message == (
        "row 8 holds data, but an import file may have at most 5 rows below its header (row 2); split the file"
    )


def test_csv_over_the_row_cap_is_refused_and_blank_lines_beyond_it_are_not_kept(settings):
    settings.TUOPIN_IMPORT_MAX_ROWS = 5
    data = (HEADER + "".join(f"{VILLAGE_A}{n:04d},{VILLAGE_A},2014\n" for n in range(1, 7))).encode()
    assert refusal(data, filename="h.csv") == (
        "row 7 holds data, but an import file may have at most 5 rows below its header (row 1); split the file"
    )
    five = (HEADER + "".join(f"{VILLAGE_A}{n:04d},{VILLAGE_A},2014\n" for n in range(1, 6))).encode()
    assert read_table(five + b",,\n" * 100_000, filename="h.csv").row_numbers == [2, 3, 4, 5, 6]


def test_csv_with_data_beyond_the_column_cap_is_refused():
    data = ("a,b\n1,2" + "," * 40 + "x\n").encode()
    assert refusal(data, filename="h.csv", max_columns=16) == (
        "cell AP2 holds data, but this import reads at most 16 columns (A to P); "
        "delete the columns to the right of the data and upload it again"
    )
    assert list(read_table(("a,b\n1,2" + "," * 40 + "\n").encode(), filename="h.csv", max_columns=16).frame) == [
        "a",
        "b",
    ]


def test_reading_reports_progress_in_rows():
    seen: list[tuple[int, int | None]] = []
    read_table(workbook_bytes(households_rows(25_000)), filename="h.xlsx", progress=lambda *p: seen.append(p))
    assert seen[-1] == (25_001, 25_001)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert {total for _, total in seen} == {25_001}
    seen.clear()
    data = (HEADER + "".join(f"{VILLAGE_A}{n:04d},{VILLAGE_A},2014\n" for n in range(1, 25_001))).encode()
    read_table(data, filename="h.csv", progress=lambda *p: seen.append(p))
    assert seen[-1] == (25_001, 25_001)
    assert len(seen) > 2


# --- one upload limit for the form and the API; large uploads in a task -------------------------


@pytest.fixture
def clerk(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = User.objects.create_user("clerk-a", password="pw")
    Assignment.objects.create(user=user, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_A))
    return user


@pytest.fixture
def eager():
    """Celery tasks run in the test's process (the test settings name a Redis broker)."""
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(task_always_eager=before[0], task_eager_propagates=before[1])


def households_csv(count: int) -> bytes:
    return (HEADER + "".join(f"{VILLAGE_A}{n:04d},{VILLAGE_A},2014\n" for n in range(1, count + 1))).encode()


def test_html_form_refuses_an_upload_over_the_limit(client, clerk, settings):
    settings.TUOPIN_IMPORT_MAX_UPLOAD_BYTES = 3 * MB
    client.force_login(clerk)
    big = SimpleUploadedFile("h.csv", households_csv(1) + b"," * (3 * MB))
    response = client.post(
        reverse("households:imports"),
        {"kind": "households", "period": "2020", "file": big},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["Larger than 3 MB; split the file."]}
    assert ImportBatch.objects.count() == 0


def test_api_refuses_an_upload_over_the_same_limit(clerk, settings):
    settings.TUOPIN_IMPORT_MAX_UPLOAD_BYTES = 3 * MB
    api = APIClient()
    api.force_authenticate(clerk)
    big = SimpleUploadedFile("h.csv", households_csv(1) + b"," * (3 * MB))
    response = api.post(
        "/api/v1/imports/",
        {"file": big, "kind": "households", "period": 2020},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json() == {"file": ["Larger than 3 MB; split the file."]}
    assert ImportBatch.objects.count() == 0


def test_html_upload_over_the_async_size_is_validated_in_the_task(
    client, clerk, settings, eager, django_capture_on_commit_callbacks
):
    settings.TUOPIN_IMPORT_ASYNC_BYTES = 100
    client.force_login(clerk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("households:imports"),
            {"kind": "households", "period": "2020", "file": SimpleUploadedFile("h.csv", households_csv(30))},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("households:import-detail", kwargs={"pk": batch.pk})
    assert (batch.status, batch.rows_new, batch.report) == ("validating", 0, {})
    assert len(callbacks) == 1  # the task is sent once the batch is committed
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert '<progress id="import-progress"' in html
    assert reverse("households:import-status", kwargs={"pk": batch.pk}) in html
    assert "js/import_progress.js" in html
    assert "Commit: write every row" not in html  # nothing to commit yet
    status = client.get(reverse("households:import-status", kwargs={"pk": batch.pk})).json()
    assert status == {"status": "validating", "done": 0, "total": None, "finished": False}

    callbacks[0]()  # the task, eagerly
    batch.refresh_from_db()
    assert (batch.status, batch.rows_new, batch.rows_rejected) == ("validated", 30, 0)
    assert batch.report["counts"] == {"new": 30, "updated": 0, "unchanged": 0, "rejected": 0}
    status = client.get(reverse("households:import-status", kwargs={"pk": batch.pk})).json()
    assert status == {"status": "validated", "done": 31, "total": 31, "finished": True}
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Commit: write every row" in page and "import-progress" not in page


def test_api_upload_over_the_async_size_answers_202_and_reports_progress(
    clerk, settings, eager, django_capture_on_commit_callbacks
):
    settings.TUOPIN_IMPORT_ASYNC_BYTES = 100
    api = APIClient()
    api.force_authenticate(clerk)
    data = {"file": SimpleUploadedFile("h.csv", households_csv(12)), "kind": "households", "period": 2020}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post("/api/v1/imports/", data, format="multipart")
    assert response.status_code == 202
    body = response.json()
    batch = ImportBatch.objects.get()
    assert body["url"] == f"http://testserver/api/v1/imports/{batch.pk}/"
    assert response["Location"] == body["url"]
    assert (body["id"], body["status"], body["progress"]) == (batch.pk, "validating", {"done": 0, "total": None})
    polled = api.get(body["url"]).json()
    assert (polled["status"], polled["progress"]) == ("validating", {"done": 0, "total": None})
    for callback in callbacks:
        callback()
    polled = api.get(body["url"]).json()
    assert (polled["status"], polled["rows_new"], polled["progress"]) == ("validated", 12, {"done": 13, "total": 13})


def test_api_upload_over_the_async_size_without_dry_run_commits_in_the_task(
    clerk, settings, eager, django_capture_on_commit_callbacks
):
    settings.TUOPIN_IMPORT_ASYNC_BYTES = 100
    api = APIClient()
    api.force_authenticate(clerk)
    data = {"file": SimpleUploadedFile("h.csv", households_csv(3)), "kind": "households", "period": 2020}
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/imports/", {**data, "dry_run": False}, format="multipart")
    assert response.status_code == 202
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows_new) == ("committed", 3)
    assert Region.objects.get(code=VILLAGE_A).households.count() == 3


def test_task_records_a_rejection_when_the_file_is_refused(clerk, settings, eager, django_capture_on_commit_callbacks):
    settings.TUOPIN_IMPORT_ASYNC_BYTES = 100
    settings.TUOPIN_IMPORT_MAX_ROWS = 5
    client = APIClient()
    client.force_authenticate(clerk)
    data = {"file": SimpleUploadedFile("h.csv", households_csv(8)), "kind": "households", "period": 2020}
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/imports/", data, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 202
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected"
    assert batch.report["problems"] == [
        {
            "row": 0,
            "column": "",
            "value": "",
            "message": "row 7 holds data, but an import file may have at most 5 rows below its header (row 1); "
            "split the file",
            "code": "file_rows_limit",
            "params": {"row": 7, "limit": "5", "header": 1},
        }
    ]


def test_import_status_of_another_users_batch_is_404(client, clerk, db):
    other = User.objects.create_user("other")
    Assignment.objects.create(user=other, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_A))
    batch = ImportBatch.objects.create(kind="households", period=None, uploaded_by=clerk, status="validating")
    client.force_login(other)
    assert client.get(reverse("households:import-status", kwargs={"pk": batch.pk})).status_code == 404


def test_many_rows_with_one_duplicated_key_are_reported_in_linear_time(db):
    """A file repeating one registry number 20,000 times (a few hundred KB) took minutes: each row's
    message listed the other rows by scanning all of them (quadratic). Each row names at most ten.
    Linear is checked by growth, not by a wall time: 4 times the rows may take at most 8 times as
    long (quadratic took 16 times), whatever the machine's speed."""
    header = "registry_number,village_code,registration_year,exit_year,monitoring_status,poverty_causes\n"
    line = "6211261000010001,621126100001,2014,,,\n"

    def timed(rows: int):
        started = time.perf_counter()
        data = (header + line * rows).encode()
        validation = import_validate(data=data, filename="h.csv", kind="households", period=2020, user=None)
        return time.perf_counter() - started, validation

    small, _ = timed(5_000)
    elapsed, validation = timed(20_000)
    duplicates = [p for p in validation.problems if "duplicate key" in p.message]
    assert len(duplicates) == 20_000 and validation.rejected == 20_000
    assert duplicates[0].message.endswith("is also in row 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 19989 more")
    assert duplicates[5].message.endswith("is also in row 2, 3, 4, 5, 6, 8, 9, 10, 11, 12 and 19989 more")
    assert elapsed < 8 * small, f"{elapsed:.1f} s for 20,000 rows, {small:.1f} s for 5,000"

"""A rejected batch (fresh-eyes test 14, item 2): an import writes all its rows or none, so a file with
some bad rows writes nothing. Its page says so in both languages, the import list does not count its
good rows as added, and the workbook to fix holds every row of the upload in file order, the problems
beside the bad ones, so fixing it and uploading it again writes every row (on the general path,
households, and on the PostgreSQL fast path, household surveys).
"""

import io
import re
from decimal import Decimal

import pandas as pd
import pytest
from django.contrib.auth.models import User
from openpyxl import load_workbook

from households import ids
from households.importing.commit import import_commit, import_upload
from households.models import Household, HouseholdSurvey, ImportBatch
from regions.models import Assignment, Region, Role

VILLAGE = "640422100002"
EN, ZH = {"HTTP_ACCEPT_LANGUAGE": "en"}, {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
#: rows 2, 4 and 6 are good; 3 (a year in words) and 5 (a year before 1980) are not
HOUSEHOLDS = (
    "registry_number,village_code,registration_year\n"
    f"{VILLAGE}0001,{VILLAGE},2014\n"
    f"{VILLAGE}0002,{VILLAGE},20x4\n"
    f"{VILLAGE}0003,{VILLAGE},2015\n"
    f"{VILLAGE}0004,{VILLAGE},1970\n"
    f"{VILLAGE}0005,{VILLAGE},2016\n"
)
#: the same shape for household surveys: rows 3 (a word for a number) and 5 (below zero) are bad
SURVEYS = (
    "registry_number,wage_income,sampling_weight\n"
    f"{VILLAGE}0001,12000,1\n"
    f"{VILLAGE}0002,一万二,1\n"
    f"{VILLAGE}0003,15000,1\n"
    f"{VILLAGE}0004,-500,1\n"
    f"{VILLAGE}0005,8000,1\n"
)


@pytest.fixture
def clerk(db, settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = User.objects.create_user("clerk-rejected")
    Assignment.objects.create(user=user, role=Role.CLERK, region=Region.objects.get(code=VILLAGE))
    client.force_login(user)
    return user


def _upload(text: str, user, kind: str = "households", filename: str = "f.csv") -> ImportBatch:
    data = text.encode() if isinstance(text, str) else text
    batch, _validation = import_upload(data=data, filename=filename, kind=kind, period=2020, user=user)
    return batch


def test_a_rejected_batch_says_nothing_was_written_in_both_languages(client, clerk):
    batch = _upload(HOUSEHOLDS, clerk)
    assert (batch.status, batch.rows_new, batch.rows_rejected) == ("rejected", 3, 2)
    en = client.get(f"/imports/{batch.pk}/", **EN).content.decode()
    assert "Nothing from this file was written: an import writes all its rows or none." in en
    assert "upload the whole file again" in en
    assert "2 rows with problems, nothing written; without them 3 would be new, 0 updated, 0 unchanged" in en
    assert "3 new, 0 updated" not in en
    assert "Preview: the first rows as read (nothing was written)" in en
    assert "as they will be stored" not in en
    assert en.count("<td>no problem, not written</td>") == 3 and en.count("<td>rejected</td>") == 2
    assert "Download every row, the problems marked (XLSX)" in en
    zh = client.get(f"/imports/{batch.pk}/", **ZH).content.decode()
    assert "此文件未写入任何数据：导入要么写入全部行，要么一行也不写。" in zh
    assert "重新上传整个文件" in zh
    assert "预览：前几行的读取结果（未写入）" in zh and "预览：前几行将按此写入" not in zh
    assert "2 行有问题，未写入任何数据；没有这些行时，将新增 3 行、更新 0 行、未变 0 行" in zh
    assert "新增 3，更新 0" not in zh and "下载全部行（XLSX，标出问题）" in zh
    assert Household.objects.count() == 0
    # a batch without problems keeps its wording
    good = _upload(HOUSEHOLDS.replace("20x4", "2014").replace("1970", "2014"), clerk)
    page = client.get(f"/imports/{good.pk}/", **EN).content.decode()
    assert good.status == "validated" and "Preview: the first rows as they will be stored" in page
    assert "Nothing from this file was written" not in page and "5 new, 0 updated, 0 unchanged, 0 rejected" in page


def _list_row(page: str, pk: int) -> list[str]:
    row = re.search(rf'<tr><td><a href="/imports/{pk}/">{pk}</a></td>(.*?)</tr>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_the_import_list_does_not_count_a_rejected_batch_as_added(client, clerk):
    rejected = _upload(HOUSEHOLDS, clerk)
    validated = _upload(f"registry_number,village_code\n{VILLAGE}0009,{VILLAGE}\n", clerk)
    page = client.get("/imports/", **EN).content.decode()
    # file, kind, year, status, new, updated, unchanged, rejected, uploaded
    assert _list_row(page, rejected.pk)[3:8] == ["rejected", "–", "–", "–", "2"]
    assert _list_row(page, validated.pk)[3:8] == ["validated, not written", "1", "0", "0", "0"]


def _workbook(client, batch: ImportBatch):
    response = client.get(f"/imports/{batch.pk}/rejected.xlsx", **EN)
    assert response["Content-Disposition"] == f'attachment; filename="batch-{batch.pk}-problems-marked.xlsx"'
    return load_workbook(io.BytesIO(response.content))


@pytest.mark.parametrize(("kind", "text"), [("households", HOUSEHOLDS), ("household-surveys", SURVEYS)])
def test_the_download_has_every_row_and_fixed_and_uploaded_again_writes_them_all(client, clerk, kind, text):
    if kind == "household-surveys":
        region = Region.objects.get(code=VILLAGE)
        Household.objects.bulk_create(Household(registry_number=f"{VILLAGE}000{i}", region=region) for i in range(1, 6))
    batch = _upload(text, clerk, kind=kind)
    assert (batch.status, batch.rows_rejected) == ("rejected", 2)
    book = _workbook(client, batch)
    sheet = book.active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["行 row", *text.splitlines()[0].split(","), "问题 problems"]
    assert [r[0] for r in rows[1:]] == [2, 3, 4, 5, 6]  # every row, in file order
    assert [r[1] for r in rows[1:]] == [f"{VILLAGE}000{i}" for i in range(1, 6)]
    problems = [r[-1] for r in rows[1:]]
    assert [p is None for p in problems] == [True, False, True, False, True]  # blank for the good rows
    assert problems[1].startswith(("registration_year: ", "wage_income: "))
    highlighted = [(c.row, c.column) for row in sheet.iter_rows() for c in row if c.fill.fgColor.rgb.endswith("FFF2CC")]
    assert highlighted == [(3, 4), (5, 4)] if kind == "households" else [(3, 3), (5, 3)]
    sheet.cell(row=3, column=4 if kind == "households" else 3).value = "2014" if kind == "households" else "12000"
    sheet.cell(row=5, column=4 if kind == "households" else 3).value = "2014" if kind == "households" else "500"
    fixed = io.BytesIO()
    book.save(fixed)
    again = _upload(fixed.getvalue(), clerk, kind=kind, filename="fixed.xlsx")
    assert again.report["problems"] == [] and again.status == "validated"
    import_commit(batch=again, user=clerk)
    if kind == "households":
        stored = dict(Household.objects.values_list("registry_number", "registration_year"))
        assert stored == {f"{VILLAGE}0001": 2014, f"{VILLAGE}0002": 2014, f"{VILLAGE}0003": 2015} | {
            f"{VILLAGE}0004": 2014,
            f"{VILLAGE}0005": 2016,
        }
    else:
        stored = dict(HouseholdSurvey.objects.values_list("household__registry_number", "wage_income"))
        assert stored == {
            f"{VILLAGE}0001": Decimal("12000.00"),
            f"{VILLAGE}0002": Decimal("12000.00"),
            f"{VILLAGE}0003": Decimal("15000.00"),
            f"{VILLAGE}0004": Decimal("500.00"),
            f"{VILLAGE}0005": Decimal("8000.00"),
        }


def _person_id(born: str, seq: str) -> str:
    first17 = f"640422{born}{seq}"
    return first17 + ids.check_character(first17)


def test_masked_resident_ids_in_the_download_are_said_and_refused_by_name_on_upload(client, clerk):
    Household.objects.create(registry_number=f"{VILLAGE}0001", region=Region.objects.get(code=VILLAGE))
    good, bad = _person_id("19800101", "001"), _person_id("19851231", "002")
    text = (
        "registry_number,member_no,name,resident_id\n"
        f"{VILLAGE}0001,1,张三,{good}\n"
        f"{VILLAGE}0001,x,李四,{bad}\n"  # a member number in letters
    )
    batch = _upload(text, clerk, kind="members")
    book = _workbook(client, batch)
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    # a note above the rows: the IDs are masked here; every row follows, in file order
    assert rows[1][0] is None and "Resident IDs are masked in this workbook" in rows[1][-1]
    assert [r[0] for r in rows[2:]] == [2, 3] and rows[2][4] == ids.id_mask(good)
    assert good not in str(rows) and bad not in str(rows)
    fixed = io.BytesIO()
    book.active.cell(row=4, column=3).value = "2"
    book.save(fixed)
    again = _upload(fixed.getvalue(), clerk, kind="members", filename="fixed.xlsx")
    problems = [(p["row"], p["column"], p["code"]) for p in again.report["problems"]]
    assert problems == [(3, "resident_id", "resident_id_masked"), (4, "resident_id", "resident_id_masked")]
    page = client.get(f"/imports/{again.pk}/", **EN).content.decode()
    assert "this resident ID is masked (as in the downloaded workbook): type it whole" in page


def test_the_workbook_masks_a_column_as_each_cell_is_masked():
    from households.importing.masking import column_masked, value_masked

    some_id = _person_id("19800101", "001")
    cells = ["", "12345678", "123456789", some_id, f"ID {some_id} typed here", f"{VILLAGE}0001", "=1+1"]
    for header in ("resident_id", "身份证号", "name", "registry_number"):
        shown = column_masked("members", header, pd.Series(cells, dtype=object)).tolist()
        assert shown == [value_masked("members", header, c, registry=False) for c in cells], header
    assert column_masked("members", "身份证号", pd.Series([some_id])).tolist() == [
        some_id[:4] + "*" * 10 + some_id[-4:]
    ]

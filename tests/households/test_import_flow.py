"""Bulk import end to end: validate (nothing written), commit (all or nothing), re-upload, undo.

Each bad-input kind gets a small file written by the test and the exact report entries asserted,
with the row counts unchanged after the rejected import.
"""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from households import ids
from households.importing.commit import ImportRejected, import_commit, import_undo, import_upload
from households.importing.validate import OUTSIDE_HOUSEHOLD, Problem, import_validate
from households.models import ChangeLog, Household, HouseholdSurvey, ImportBatch, Member, MemberStatus
from regions.models import Assignment, Region, Role

VILLAGE_A = "640422100002"  # 西吉县 吉强镇 中街社区
VILLAGE_B = "640422100004"  # its neighbour
OTHER_COUNTY_VILLAGE = "640402001001"  # 原州区


def person_id(area: str, born: str, seq: str) -> str:
    first17 = f"{area}{born}{seq}"
    return first17 + ids.check_character(first17)


ID_1 = person_id("640422", "19800101", "001")
ID_2 = person_id("640422", "19851231", "002")


@pytest.fixture
def ningxia(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert Region.objects.filter(code=VILLAGE_A).exists()  # loaded once for the session (conftest)


@pytest.fixture
def clerk_a(ningxia):
    user = User.objects.create_user("clerk-a")
    Assignment.objects.create(user=user, role=Role.CLERK, region=Region.objects.get(code=VILLAGE_A))
    return user


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def households_csv(*rows: str) -> bytes:
    return csv_bytes(
        "registry_number,village_code,registration_year,exit_year,monitoring_status\n" + "".join(r + "\n" for r in rows)
    )


def validate(data: bytes, kind: str = "households", user=None, filename: str = "f.csv"):
    return import_validate(data=data, filename=filename, kind=kind, period=2020, user=user)


def commit(data: bytes, kind: str = "households", user=None, filename: str = "f.csv"):
    batch, validation = import_upload(data=data, filename=filename, kind=kind, period=2020, user=user)
    assert validation.problems == [], validation.problems
    import_commit(batch=batch, user=user)
    batch.refresh_from_db()
    return batch


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Household, Member, MemberStatus, HouseholdSurvey))


@pytest.mark.django_db
def test_households_file_commits_and_reupload_writes_nothing(ningxia):
    data = households_csv(
        f"{VILLAGE_A}0001,{VILLAGE_A},2014,2019,none", f"{VILLAGE_A}0002,{VILLAGE_A},2015,,near_poor_at_risk"
    )
    dry = validate(data)
    assert (dry.new, dry.updated, dry.unchanged, dry.rejected, dry.problems) == (2, 0, 0, 0, [])
    assert Household.objects.count() == 0  # the dry run wrote nothing
    batch = commit(data)
    assert (batch.status, batch.rows_new) == ("committed", 2)
    second = Household.objects.get(registry_number=f"{VILLAGE_A}0002")
    assert (second.region.code, second.registration_year, second.exit_year, second.monitoring_status) == (
        VILLAGE_A,
        2015,
        None,
        "near_poor_at_risk",
    )
    assert second.history.count() == 1 and second.history.first().import_batch_id == batch.pk
    assert list(ChangeLog.objects.values_list("province_code", "period_id", "source")) == [("64", 2020, "import")]
    again = validate(data)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    rerun = commit(data)
    assert rerun.rows_unchanged == 2 and second.history.count() == 1  # nothing written the second time


@pytest.mark.django_db
def test_corrected_file_updates_the_same_rows_and_undo_restores_them_exactly(ningxia):
    first = commit(households_csv(f"{VILLAGE_A}0001,{VILLAGE_A},2014,2019,none"))
    before = list(Household.objects.values())
    corrected = commit(
        households_csv(
            f"{VILLAGE_A}0001,{VILLAGE_A},2014,2020,ex_poor_unstable", f"{VILLAGE_A}0003,{VILLAGE_A},2016,,none"
        )
    )
    assert (corrected.rows_new, corrected.rows_updated) == (1, 1)
    assert Household.objects.get(registry_number=f"{VILLAGE_A}0001").exit_year == 2020
    import_undo(batch=corrected, user=None)
    assert list(Household.objects.values()) == before
    assert ImportBatch.objects.get(pk=corrected.pk).status == "undone"
    with translation.override("en"), pytest.raises(ImportRejected, match="only a committed import"):
        import_undo(batch=corrected, user=None)
    assert first.status == "committed"


@pytest.mark.django_db
def test_undo_refuses_when_a_later_batch_changed_the_rows(ningxia):
    first = commit(households_csv(f"{VILLAGE_A}0001,{VILLAGE_A},2014,2019,none"))
    commit(households_csv(f"{VILLAGE_A}0001,{VILLAGE_A},2014,2020,none"))
    with translation.override("en"), pytest.raises(ImportRejected, match="changed after this import"):
        import_undo(batch=first, user=None)


@pytest.mark.django_db
def test_unknown_region_non_village_duplicates_and_registry_shape_are_all_reported(ningxia):
    data = households_csv(
        f"{VILLAGE_A}0001,{VILLAGE_A},2014,,none",
        "6404221000029999,640422100099,2014,,none",
        "6404220001,640422,2014,,none",
        f"{VILLAGE_A}0001,{VILLAGE_A},2015,,none",
        f"{VILLAGE_B}01,{VILLAGE_B},2014,,none",
    )
    result = validate(data)
    assert result.problems == [
        Problem(2, "registry_number", f"{VILLAGE_A}0001", "duplicate key: the same registry_number is also in row 5"),
        Problem(3, "village_code", "640422100099", "unknown region code"),
        Problem(4, "village_code", "640422", "not a village: a region of level 3"),
        Problem(5, "registry_number", f"{VILLAGE_A}0001", "duplicate key: the same registry_number is also in row 2"),
        Problem(
            6, "registry_number", f"{VILLAGE_B}01", "a registry number is the village code followed by a 4-digit serial"
        ),
    ]
    assert result.rejected == 5
    with pytest.raises(CommandError):
        call_command("import_surveys", str(_file(data)), "--kind", "households", "--period", "2020", "--commit")
    assert counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_an_exit_year_before_the_registration_year_is_reported_not_left_to_the_database(ningxia):
    # the households table refuses it (check constraint): the report must name it before any commit
    data = households_csv(f"{VILLAGE_A}0001,{VILLAGE_A},2014,2013,none", f"{VILLAGE_A}0002,{VILLAGE_A},2014,2014,none")
    result = validate(data)
    assert result.problems == [Problem(2, "exit_year", "2013", "the exit year is before the registration year")]
    assert (result.rejected, result.new) == (1, 1)
    with pytest.raises(CommandError):
        call_command("import_surveys", str(_file(data)), "--kind", "households", "--period", "2020", "--commit")
    assert counts() == (0, 0, 0, 0)


def _file(data: bytes, name: str = "upload.csv"):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(data)
    return path


@pytest.mark.django_db
def test_rows_outside_the_uploaders_scope_are_rejected(clerk_a):
    data = households_csv(f"{VILLAGE_A}0001,{VILLAGE_A},2014,,none", f"{VILLAGE_B}0001,{VILLAGE_B},2014,,none")
    result = validate(data, user=clerk_a)
    assert result.problems == [
        Problem(3, "registry_number", f"{VILLAGE_B}0001", OUTSIDE_HOUSEHOLD),  # decided from its village code
        Problem(3, "village_code", VILLAGE_B, "outside your assigned regions"),
    ]
    official = User.objects.create_user("official")
    Assignment.objects.create(user=official, role=Role.OFFICIAL, region=Region.objects.get(code="6404"))
    assert len(validate(data, user=official).problems) == 4  # officials read; they do not write


@pytest.mark.django_db
def test_full_width_digits_and_invisible_spaces_are_normalised(ningxia):
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in f"{VILLAGE_A}0001")
    data = households_csv(f"{full_width},\u200b{VILLAGE_A}\u00a0,２０１４,,none")
    result = validate(data)
    assert result.problems == []
    assert (
        result.rows.loc[0, "registry_number"] == f"{VILLAGE_A}0001" and result.rows.loc[0, "registration_year"] == 2014
    )


@pytest.mark.django_db
def test_chinese_headers_and_gb18030_are_accepted(ningxia):
    data = csv_bytes(f"户编号,村代码,建档年份,监测状态\n{VILLAGE_A}0001,{VILLAGE_A},2014,边缘易致贫户\n", "gb18030")
    batch = commit(data)
    assert batch.encoding == "gb18030"
    assert Household.objects.get().monitoring_status == "near_poor_at_risk"


@pytest.mark.django_db
def test_unknown_and_missing_columns_reject_the_file(ningxia):
    result = validate(csv_bytes(f"registry_number,colour\n{VILLAGE_A}0001,red\n"))
    assert result.problems == [
        Problem(0, "colour", "", "unknown column; see the template for the accepted headers"),
        Problem(0, "村代码 village_code", "", "required column is missing"),
    ]


def _households_with(member_rows: list[str]) -> bytes:
    header = "registry_number,member_no,resident_id,birth_date,sex,relation,health,age\n"
    return csv_bytes(header + "".join(r + "\n" for r in member_rows))


@pytest.mark.django_db
def test_members_resident_id_checks_by_row(ningxia):
    commit(households_csv(f"{VILLAGE_A}0001,{VILLAGE_A},2014,,none", f"{VILLAGE_A}0002,{VILLAGE_A},2014,,none"))
    commit(_households_with([f"{VILLAGE_A}0002,1,{ID_2},1985-12-31,女,head,healthy,34"]), kind="members")
    bad_check = ID_1[:-1] + ("0" if ID_1[-1] != "0" else "1")
    data = _households_with(
        [
            f"{VILLAGE_A}0001,1,{ID_1},1980-01-02,男,head,healthy,40",
            f"{VILLAGE_A}0001,2,{bad_check},,F,spouse,healthy,38",
            f"{VILLAGE_A}0001,3,{ID_1},,F,child,healthy,10",
            f"{VILLAGE_A}0001,4,{ID_2},,M,child,healthy,8",
        ]
    )
    before = counts()
    result = validate(data, kind="members")
    assert result.problems == [
        Problem(2, "birth_date", "1980-01-02", "differs from the birth date inside the resident ID (1980-01-01)"),
        Problem(2, "resident_id", ID_1, "the same resident ID is also in row 4"),
        Problem(3, "resident_id", bad_check, "the check digit is wrong (ISO 7064 MOD 11-2): mistyped?"),
        Problem(4, "resident_id", ID_1, "the same resident ID is also in row 2"),
        Problem(5, "resident_id", ID_2, "this resident ID is already registered to another member"),
    ]
    assert counts() == before


@pytest.mark.django_db
def test_members_commit_stores_ids_encrypted_hashed_and_masked(ningxia):
    commit(households_csv(f"{VILLAGE_A}0001,{VILLAGE_A},2014,,none"))
    commit(_households_with([f"{VILLAGE_A}0001,1,{ID_1},1980-01-01,男,head,serious,40"]), kind="members")
    member = Member.objects.get()
    assert ID_1 not in member.resident_id_encrypted and ids.id_decrypt(member.resident_id_encrypted) == ID_1
    assert member.resident_id_hash == ids.id_hash(ID_1) and member.resident_id_masked == ID_1[:4] + "*" * 10 + ID_1[-4:]
    assert (member.sex, member.relation, member.birth_date.isoformat()) == ("M", "head", "1980-01-01")
    status = MemberStatus.objects.get()
    assert (status.period_id, status.health, status.age) == (2020, "serious", 40)
    assert not any(ID_1 in str(v) for v in member.history.values_list(flat=False))


@pytest.mark.django_db
def test_survey_amounts_malformed_absurd_and_accepted_forms(ningxia):
    commit(households_csv(*(f"{VILLAGE_A}000{i},{VILLAGE_A},2014,,none" for i in range(1, 8))))
    header = "registry_number,wage_income,net_operating_income,relief_transfers,medical_spending,sampling_weight\n"
    rows = [
        f'{VILLAGE_A}0001,"1,234.5",-300,¥3000,0,1',
        f"{VILLAGE_A}0002,12 345,0,0,0,1",
        f'{VILLAGE_A}0003,"1.234,5",0,0,0,1',
        f"{VILLAGE_A}0004,99999999,0,0,0,1",
        f"{VILLAGE_A}0005,100,0,0,-5,1",
        f"{VILLAGE_A}0006,100,0,0,0,0",
        f"{VILLAGE_A}0007,-5000,-5000,0,0,1",  # wages cannot be negative; net operating income can
    ]
    result = validate(csv_bytes(header + "\n".join(rows) + "\n"), kind="household-surveys")
    assert [(p.row, p.column) for p in result.problems] == [
        (4, "wage_income"),
        (5, "wage_income"),
        (6, "medical_spending"),
        (7, "sampling_weight"),
        (8, "wage_income"),
    ]
    assert "ambiguous number" in result.problems[0].message
    assert "absurd amount" in result.problems[1].message
    assert result.problems[2].message == result.problems[4].message == "must be at least 0"
    assert result.rejected == 5 and HouseholdSurvey.objects.count() == 0
    good = validate(csv_bytes(header + "\n".join(rows[:2]) + "\n"), kind="household-surveys")
    assert list(good.rows["wage_income"]) == [Decimal("1234.5"), Decimal("12345")]
    assert list(good.rows["relief_transfers"]) == [Decimal("3000"), Decimal("0")]


@pytest.mark.django_db
def test_survey_for_unknown_household_is_rejected(ningxia):
    result = validate(csv_bytes(f"registry_number,wage_income\n{VILLAGE_A}0009,100\n"), kind="household-surveys")
    assert result.problems == [
        Problem(
            2,
            "registry_number",
            f"{VILLAGE_A}0009",
            "no household with this number in your regions: import it in a households file first",
        )
    ]


def _xlsx(rows: list[list], number_format: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_xlsx_identifier_stored_as_a_number_is_rejected_and_dates_read(ningxia):
    commit(households_csv(f"{VILLAGE_A}0001,{VILLAGE_A},2014,,none"))
    data = _xlsx(
        [
            ["registry_number", "member_no", "resident_id", "birth_date"],
            [int(f"{VILLAGE_A}0001"), 1, 640422198001010000, 29221],
        ]
    )
    result = validate(data, kind="members", filename="m.xlsx")
    columns = {p.column: p.message for p in result.problems}
    assert "format the column as Text" in columns["registry_number"]
    assert "format the column as Text" in columns["resident_id"]
    assert result.rows.loc[0, "birth_date"].isoformat() == "1980-01-01"  # Excel serial 29221


@pytest.mark.django_db
def test_template_round_trip_xlsx_with_both_header_languages(ningxia):
    from households.importing.templates import template_csv, template_xlsx

    header = template_csv("households").decode("utf-8-sig").strip()
    assert header.startswith("户编号 registry_number,村代码 village_code")
    data = template_csv("households") + f"{VILLAGE_A}0001,{VILLAGE_A},2014,,,\r\n".encode()
    assert validate(data).problems == []
    workbook_bytes = template_xlsx("households")
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(workbook_bytes))
    sheet = workbook["data"]
    sheet["A2"], sheet["B2"] = f"{VILLAGE_A}0001", VILLAGE_A
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert validate(buffer.getvalue(), filename="t.xlsx").problems == []
    assert [c.value for c in workbook["dictionary"]["B"]][1:3] == ["registry_number", "village_code"]


def _workbook_from_xml(sheet_xml: str) -> bytes:
    """An .xlsx built from XML parts: openpyxl cannot write cached formula results."""
    import importlib.util
    import zipfile
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "make_formulas_xlsx.py"
    spec = importlib.util.spec_from_file_location("make_formulas_xlsx", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in {**module.PARTS, "xl/worksheets/sheet1.xml": sheet_xml}.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@pytest.mark.django_db
def test_formula_cells_use_the_saved_value_or_are_rejected(ningxia):
    commit(households_csv(f"{VILLAGE_A}0001,{VILLAGE_A},2014,,none", f"{VILLAGE_A}0002,{VILLAGE_A},2014,,none"))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1">{_inline("A1", "registry_number")}{_inline("B1", "wage_income")}</row>'
        f'<row r="2">{_inline("A2", f"{VILLAGE_A}0001")}<c r="B2"><f>600*2</f><v>1200</v></c></row>'
        f'<row r="3">{_inline("A3", f"{VILLAGE_A}0002")}<c r="B3"><f>600*3</f></c></row>'
        "</sheetData></worksheet>"
    )
    result = validate(_workbook_from_xml(sheet), kind="household-surveys", filename="s.xlsx")
    assert result.problems == [
        Problem(3, "wage_income", "", "formula without a saved value: open and save the file in Excel, or paste values")
    ]
    assert result.rows.loc[0, "wage_income"] == Decimal("1200")
    assert HouseholdSurvey.objects.count() == 0


@pytest.mark.django_db
def test_text_dates_in_several_forms_are_read(ningxia):
    commit(households_csv(f"{VILLAGE_A}0001,{VILLAGE_A},2014,,none"))
    id_2 = person_id("640422", "19851231", "002")
    data = csv_bytes(
        "registry_number,member_no,birth_date,resident_id\n"
        f"{VILLAGE_A}0001,1,1980/1/1,{ID_1}\n"
        f"{VILLAGE_A}0001,2,1985年12月31日,{id_2}\n"
        f"{VILLAGE_A}0001,3,2020-02-30,\n"
    )
    result = validate(data, kind="members")
    assert [(p.row, p.column) for p in result.problems] == [(4, "birth_date")]
    assert [d.isoformat() for d in result.rows["birth_date"][:2]] == ["1980-01-01", "1985-12-31"]


@pytest.mark.django_db
def test_leading_zeros_stay_text_even_next_to_blank_cells(ningxia):
    root = Region.objects.create(code="00", name="root", level=1, path="/00/", scheme="tst")
    Region.objects.create(code="0012", name="leaf", level=2, parent=root, path="/00/0012/", scheme="tst")
    batch = commit(households_csv("0012-0001,0012,2014,,none", "0012-0002,0012,,,none"))
    assert batch.rows_new == 2
    stored = dict(Household.objects.filter(region__code="0012").values_list("registry_number", "registration_year"))
    assert stored == {"0012-0001": 2014, "0012-0002": None}


@pytest.mark.django_db
def test_xlsx_blank_rows_above_the_header_keep_the_row_numbers_and_merged_headers_reject(ningxia):
    workbook = Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["B3"], sheet["C3"] = "registry_number", "village_code", "registration_year"
    sheet["A4"], sheet["B4"], sheet["C4"] = f"{VILLAGE_A}0001", VILLAGE_A, "20x4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = validate(buffer.getvalue(), filename="h.xlsx")
    assert [(p.row, p.column) for p in result.problems] == [(4, "registration_year")]
    sheet.merge_cells("A3:B3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    merged = validate(buffer.getvalue(), filename="h.xlsx")
    assert merged.problems[0].row == 0 and "merged" in merged.problems[0].message
    assert Household.objects.count() == 0


@pytest.mark.django_db
def test_text_longer_than_its_field_is_a_cell_problem_not_a_server_error(ningxia):
    commit(households_csv(f"{VILLAGE_A}0001,{VILLAGE_A},2014,,none"))
    name = "张" * 101  # the name field holds 100
    data = csv_bytes(f"registry_number,member_no,name,sex,relation\n{VILLAGE_A}0001,1,{name},F,head\n")
    _batch, result = import_upload(data=data, filename="m.csv", kind="members", period=2020, user=None)
    assert result.problems == [Problem(2, "name", name, "longer than 100 characters")]
    long_number = VILLAGE_A + "0" * 40  # registry numbers hold 40
    result = validate(households_csv(f"{long_number},{VILLAGE_A},2014,,none"))
    assert Problem(2, "registry_number", long_number, "longer than 40 characters") in result.problems
    assert Member.objects.count() == 0


def test_rejected_rows_workbook_fixed_and_uploaded_again_as_it_is(db, settings, tmp_path):
    """Issue 14, item 2: the clerk fixes rejected.xlsx and uploads it again without removing its
    "行 row" and "问题 problems" columns (they were refused as unknown)."""
    import io

    from openpyxl import load_workbook

    from households.importing.commit import import_upload as upload
    from households.importing.report import problems_marked_xlsx
    from households.importing.validate import import_validate as validate

    settings.MEDIA_ROOT = tmp_path
    header = "registry_number,village_code,registration_year\n"
    data = header + "6404221000020101,640422100002,2014\n6404221000020102,640422100002,20x4\n"
    batch, validation = upload(data=data.encode(), filename="h.csv", kind="households", period=2020, user=None)
    assert [(p.row, p.column) for p in validation.problems] == [(3, "registration_year")]
    book = load_workbook(io.BytesIO(problems_marked_xlsx(batch)))
    sheet = book.active
    assert [c.value for c in sheet[1]] == [
        "行 row",
        "registry_number",
        "village_code",
        "registration_year",
        "问题 problems",
    ]
    # every row of the upload (test 14, item 2: the good row 2 was never written either)
    assert [sheet.cell(row=r, column=1).value for r in (2, 3)] == [2, 3]
    assert sheet.cell(row=3, column=4).value == "20x4"
    sheet.cell(row=3, column=4).value = "2014"  # the fix
    fixed = io.BytesIO()
    book.save(fixed)
    again = validate(data=fixed.getvalue(), filename="rejected.xlsx", kind="households", period=2020, user=None)
    assert again.problems == []
    assert again.rows["registry_number"].tolist() == ["6404221000020101", "6404221000020102"]
    assert again.rows["_row"].tolist() == [2, 3]

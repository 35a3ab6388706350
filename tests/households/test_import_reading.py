"""Reading uploaded CSV and XLSX files into text cells with the row numbers the clerk sees."""

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from households.importing.cells import parse_identifier
from households.importing.reading import ImportFileError, RawTable, read_table

FIXTURES = Path(__file__).parent / "fixtures"
NUMBER_AS_ID = (
    "Excel stored this identifier as a number and may have changed its digits; "
    "format the column as Text and re-enter it"
)


def csv_table(text: str, encoding: str = "utf-8") -> RawTable:
    return read_table(text.encode(encoding), filename="upload.csv")


def workbook_bytes(rows: dict[int, list], *, merge: str | None = None, extra_sheets: tuple[str, ...] = ()) -> bytes:
    """An .xlsx whose first sheet holds ``rows`` (Excel row number → values from column A)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "户"
    for number, values in rows.items():
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    if merge:
        sheet.merge_cells(merge)
    for title in extra_sheets:
        book.create_sheet(title).cell(row=1, column=1, value=f"{title} header")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_table(rows: dict[int, list], **options) -> RawTable:
    sheet = options.pop("sheet", None)
    return read_table(workbook_bytes(rows, **options), filename="upload.xlsx", sheet=sheet)


def records(table: RawTable) -> list[dict[str, str]]:
    return table.frame.to_dict("records")


# CSV: encodings


def test_csv_utf8_keeps_every_cell_as_text():
    table = csv_table("code,income,note\n0012,1.50,\n0013,,x\n")
    assert table.encoding == "utf-8"
    assert list(table.frame.columns) == ["code", "income", "note"]
    assert records(table) == [
        {"code": "0012", "income": "1.50", "note": ""},
        {"code": "0013", "income": "", "note": "x"},
    ]
    assert table.frame.index.tolist() == [0, 1]
    assert all(type(cell) is str for cell in table.frame.to_numpy().ravel())
    assert table.row_numbers == [2, 3]
    assert table.numeric_cells == table.formula_cells_without_value == table.date_cells == frozenset()


def test_csv_with_bom_is_utf8_sig_and_the_bom_is_not_in_the_header():
    table = read_table("户编号,姓名\n0012,张三\n".encode("utf-8-sig"), filename="upload.csv")
    assert table.encoding == "utf-8-sig"
    assert list(table.frame.columns) == ["户编号", "姓名"]
    assert records(table) == [{"户编号": "0012", "姓名": "张三"}]


def test_csv_in_gb18030_with_chinese_headers():
    data = "户编号,户主姓名,工资性收入（元）\n0012,张三,1200\n".encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the sample really needs the fallback
    table = read_table(data, filename="upload.csv")
    assert table.encoding == "gb18030"
    assert list(table.frame.columns) == ["户编号", "户主姓名", "工资性收入(元)"]  # NFKC: full-width brackets
    assert records(table) == [{"户编号": "0012", "户主姓名": "张三", "工资性收入(元)": "1200"}]


def test_csv_neither_utf8_nor_gb18030_is_rejected_with_advice():
    data = b"code,name\n0012,\x80\xff\xfe\n"
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    with pytest.raises(ImportFileError) as raised:
        read_table(data, filename="upload.csv")
    assert str(raised.value) == (
        "the CSV file is neither UTF-8 nor GB18030 text; save it as UTF-8 (in Excel: "
        '"CSV UTF-8 (Comma delimited)") or as GB18030/GBK and upload it again'
    )


def test_csv_in_utf16_is_rejected():
    with pytest.raises(ImportFileError, match="neither UTF-8 nor GB18030"):
        read_table("code\n0012\n".encode("utf-16"), filename="upload.csv")


# CSV: rows, header and columns


def test_csv_row_numbers_count_blank_lines_above_and_between():
    table = csv_table("\n\ncode,name\n0012,张三\n\n,\n \t,\u200b\n0013,李四\n")
    assert table.row_numbers == [4, 8]
    assert records(table) == [{"code": "0012", "name": "张三"}, {"code": "0013", "name": "李四"}]


def test_csv_crlf_and_quoted_cells():
    table = csv_table('code,address\r\n0012,"1, Main St"\r\n0013,"two\r\nlines"\r\n0014,x\r\n')
    assert records(table) == [
        {"code": "0012", "address": "1, Main St"},
        {"code": "0013", "address": "two\r\nlines"},
        {"code": "0014", "address": "x"},
    ]
    assert table.row_numbers == [2, 3, 4]  # records, as a spreadsheet shows them


def test_csv_cells_are_kept_as_written_and_headers_normalised():
    table = csv_table("\u3000ｃｏｄｅ ,姓\u200b名\n ０012 ,张三\n")
    assert list(table.frame.columns) == ["code", "姓名"]
    assert records(table) == [{"code": " ０012 ", "姓名": "张三"}]


def test_csv_rows_with_too_few_or_too_many_cells_reject_the_file():
    # a short row would blank its last columns (the six guarantees, say); a long one shifts its cells
    with pytest.raises(ImportFileError) as raised:
        csv_table("a,b,c\n1\n1,2,3\n\n4,5,1,000.5\n")
    assert str(raised.value) == (
        "the header has 3 cells but row 2 has 1; row 5 has 4: every row needs one cell per column "
        '(quote a number written with a comma, as in "1,000.5")'
    )
    assert records(csv_table("a,b,c\n1,2,3,,\n")) == [{"a": "1", "b": "2", "c": "3"}]  # trailing empty cells


def test_csv_unnamed_empty_columns_are_dropped():
    table = csv_table("a,,b,,\n1,,2,,\n3,,4,,,\n")
    assert list(table.frame.columns) == ["a", "b"]
    assert records(table) == [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]


def test_csv_unnamed_column_with_data_is_rejected():
    with pytest.raises(ImportFileError) as raised:
        csv_table("a,,b\n1,x,2\n")
    assert str(raised.value) == (
        "header row 1 has no name for column B, which holds data; give each column its own name"
    )


def test_csv_unnamed_columns_and_repeated_names_are_all_reported():
    with pytest.raises(ImportFileError) as raised:
        csv_table("\ncode,name,,ｃｏｄｅ,\n1,2,3,4,5\n")
    assert str(raised.value) == (
        "header row 2 has no name for columns C, E, which hold data; "
        "header row 2 names 'code' in more than one column (A, D); give each column its own name"
    )


def test_csv_empty_file_has_no_header_row():
    for text in ("", "\n\n", ",,\n \n"):
        with pytest.raises(ImportFileError, match=r"^the file has no header row$"):
            csv_table(text)


def test_csv_header_only_gives_an_empty_frame():
    table = csv_table("\ncode,name\n\n")
    assert list(table.frame.columns) == ["code", "name"]
    assert len(table.frame) == 0
    assert table.row_numbers == []


def test_csv_extension_is_case_insensitive():
    assert read_table(b"a\n1\n", filename="DATA.CSV").row_numbers == [2]


# File types


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("data.xls", r"^old Excel files \(\.xls\) cannot be read; save the file as \.xlsx or as CSV UTF-8$"),
        ("data.pdf", r"^cannot read a '\.pdf' file; upload a \.csv or \.xlsx file$"),
        ("data", r"^cannot read a 'data' file; upload a \.csv or \.xlsx file$"),
    ],
)
def test_unsupported_file_types(filename, message):
    with pytest.raises(ImportFileError, match=message):
        read_table(b"a\n1\n", filename=filename)


def test_workbook_named_csv_is_rejected():
    with pytest.raises(ImportFileError, match=r"^this file is an Excel workbook named \.csv"):
        read_table(workbook_bytes({1: ["a"]}), filename="upload.csv")


def test_damaged_workbook_is_rejected():
    with pytest.raises(ImportFileError, match="cannot be opened as an Excel workbook"):
        read_table(b"PK\x03\x04 not really a zip", filename="upload.xlsx")


# XLSX


def test_xlsx_text_cells_and_excel_row_numbers():
    table = xlsx_table({3: ["code", "name"], 4: ["0012", "张三"], 6: ["0013", None], 7: [" ", "\u3000"]})
    assert table.encoding == "xlsx"
    assert records(table) == [{"code": "0012", "name": "张三"}, {"code": "0013", "name": ""}]
    assert table.row_numbers == [4, 6]
    assert table.numeric_cells == frozenset()


def test_xlsx_numbers_become_text_and_are_flagged():
    # openpyxl writes 1e16 as "1e+16" and 2e-07 as "2e-07"; both read back as floats.
    table = xlsx_table({1: ["a", "b", "c", "d", "e", "f", "g", "h"], 2: [3, 3.0, 1234.5, 0.1, 2e-07, -2.5, 1e16, 0]})
    assert records(table) == [
        {"a": "3", "b": "3", "c": "1234.5", "d": "0.1", "e": "0.0000002", "f": "-2.5", "g": "1e+16", "h": "0"}
    ]
    assert table.numeric_cells == {(0, name) for name in "abcdefgh"}


def test_xlsx_18_digit_id_stored_as_number_is_flagged_for_the_identifier_check():
    table = xlsx_table({1: ["身份证号", "姓名"], 2: [529912199001010135, "张三"], 3: ["52991219900101013x", "李四"]})
    assert records(table) == [
        {"身份证号": "5.299121990010101e+17", "姓名": "张三"},
        {"身份证号": "52991219900101013x", "姓名": "李四"},
    ]
    assert table.numeric_cells == {(0, "身份证号")}
    mask = table.mask(table.numeric_cells, "身份证号")
    assert mask.tolist() == [True, False]
    values, problems = parse_identifier(table.frame["身份证号"], numeric_mask=mask)
    assert values.tolist() == [None, "52991219900101013X"]
    assert problems.tolist() == [NUMBER_AS_ID, None]


def test_xlsx_huge_float_keeps_scientific_text():
    assert records(xlsx_table({1: ["id"], 2: [5.29912e17]})) == [{"id": "5.29912e+17"}]


def test_xlsx_dates_become_iso_text_and_are_flagged():
    table = xlsx_table({1: ["born", "seen"], 2: [dt.date(2020, 1, 5), dt.datetime(2021, 12, 31, 13, 30)]})
    assert records(table) == [{"born": "2020-01-05", "seen": "2021-12-31"}]
    assert table.date_cells == {(0, "born"), (0, "seen")}
    assert table.numeric_cells == frozenset()


def test_xlsx_booleans_become_true_false_and_are_not_numbers():
    table = xlsx_table({1: ["a", "b"], 2: [True, False]})
    assert records(table) == [{"a": "TRUE", "b": "FALSE"}]
    assert table.numeric_cells == frozenset()


def test_xlsx_flags_follow_dropped_rows_and_columns():
    table = xlsx_table({2: ["n", None, "d"], 3: [None, None, None], 4: [7, None, dt.date(2020, 1, 1)]})
    assert list(table.frame.columns) == ["n", "d"]
    assert table.row_numbers == [4]
    assert table.numeric_cells == {(0, "n")}
    assert table.date_cells == {(0, "d")}


def test_xlsx_merged_header_cells_are_rejected():
    with pytest.raises(ImportFileError) as raised:
        xlsx_table({3: ["code", "income", None, None], 4: ["0012", "1", "2", "3"]}, merge="B3:D3")
    assert str(raised.value) == ("header row 3 has merged cells B3:D3; unmerge them and give each column its own name")


def test_xlsx_merged_cells_below_the_header_are_read():
    table = xlsx_table({1: ["village", "code"], 2: ["上寨", "0012"], 3: [None, "0013"]}, merge="A2:A3")
    assert records(table) == [{"village": "上寨", "code": "0012"}, {"village": "", "code": "0013"}]


def test_xlsx_repeated_header_is_rejected():
    with pytest.raises(ImportFileError) as raised:
        xlsx_table({1: ["姓名", "姓名 "], 2: ["张三", "李四"]})
    assert (
        str(raised.value) == "header row 1 names '姓名' in more than one column (A, B); give each column its own name"
    )


def test_xlsx_first_sheet_by_default_even_when_another_is_active():
    book = Workbook()
    book.active.append(["first"])
    book.create_sheet("other").append(["second"])
    book.active = 1
    buffer = io.BytesIO()
    book.save(buffer)
    assert list(read_table(buffer.getvalue(), filename="upload.xlsx").frame.columns) == ["first"]


def test_xlsx_named_sheet():
    table = xlsx_table({1: ["a"]}, extra_sheets=("成员",), sheet="成员")
    assert list(table.frame.columns) == ["成员 header"]


def test_xlsx_unknown_sheet_lists_the_sheets():
    with pytest.raises(ImportFileError) as raised:
        xlsx_table({1: ["a"]}, extra_sheets=("成员",), sheet="Sheet1")
    assert str(raised.value) == "the workbook has no sheet named 'Sheet1'; its sheets are '户', '成员'"


def test_xlsx_empty_sheet_has_no_header_row():
    with pytest.raises(ImportFileError, match=r"^the file has no header row$"):
        xlsx_table({})


def test_xlsx_header_only_gives_an_empty_frame():
    table = xlsx_table({2: ["code", "name"]})
    assert list(table.frame.columns) == ["code", "name"]
    assert len(table.frame) == 0
    assert table.row_numbers == []


def test_xlsx_formulas_use_the_saved_result_and_flag_the_missing_ones():
    table = read_table((FIXTURES / "formulas.xlsx").read_bytes(), filename="formulas.xlsx")
    assert records(table) == [
        {"code": "42", "double": "84", "label": "H42"},
        {"code": "7", "double": "", "label": ""},
        {"code": "", "double": "", "label": ""},  # only a formula without a result: kept, to report
    ]
    assert table.row_numbers == [2, 3, 4]
    assert table.formula_cells_without_value == {(1, "double"), (1, "label"), (2, "double")}
    assert table.numeric_cells == {(0, "code"), (0, "double"), (1, "code")}


def test_xlsx_formula_written_by_a_program_that_never_calculated_it_is_flagged():
    table = xlsx_table({1: ["a", "b"], 2: [21, "=A2*2"], 3: [1, 2]})
    assert records(table) == [{"a": "21", "b": ""}, {"a": "1", "b": "2"}]
    assert table.formula_cells_without_value == {(0, "b")}

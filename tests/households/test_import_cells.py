"""Cell parsers of the bulk import: every accepted form, every rejection and its exact message."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from households.importing.cells import (
    normalise_text,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_identifier,
    parse_int,
)

NUMBER_AS_ID = (
    "Excel stored this identifier as a number and may have changed its digits; "
    "format the column as Text and re-enter it"
)
BOOL_HINT = "yes/no, y/n, true/false, 1/0, 是/否, 有/无 or √/×"  # as an English reader reads it


def texts(*cells):
    return pd.Series(list(cells), dtype=object)


def one(parser, cell, **options):
    """(value, problem) of a single cell."""
    values, problems = parser(texts(cell), **options)
    return values.iloc[0], problems.iloc[0]


# normalise_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１２３", "123"),  # full-width digits
        ("ＡＢｃ", "ABc"),  # full-width letters
        ("（１）：", "(1):"),  # full-width punctuation
        ("\u3000张三\u3000", "张三"),  # ideographic spaces around
        ("张\u3000三", "张 三"),  # an inner ideographic space becomes a space
        ("5201\u200b23", "520123"),  # zero-width space inside a code
        ("\u200c1\u200d2\u20603\ufeff", "123"),  # the other zero-width characters
        ("1\u00a0000", "1 000"),  # no-break space
        ("1\u202f000", "1 000"),  # narrow no-break space
        ("  \t code \n", "code"),
        ("贵州省 毕节市 威宁彝族回族苗族自治县", "贵州省 毕节市 威宁彝族回族苗族自治县"),  # CJK unchanged
        ("", ""),
        ("\u200b \u00a0", ""),
    ],
)
def test_normalise_text_forms(raw, expected):
    assert normalise_text(texts(raw)).tolist() == [expected]


def test_normalise_text_missing_cells_are_blank_strings():
    result = normalise_text(pd.Series(["a", None, np.nan], dtype=object))
    assert result.tolist() == ["a", "", ""]
    assert all(type(cell) is str for cell in result)


def test_normalise_text_keeps_index_and_name():
    series = pd.Series(["１", "２"], index=[7, 3], name="户编号", dtype=object)
    result = normalise_text(series)
    assert result.index.tolist() == [7, 3]
    assert result.name == "户编号"
    assert result.dtype == object


# parse_decimal


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234", Decimal("1234")),
        ("-12.5", Decimal("-12.5")),
        ("1,234.5", Decimal("1234.5")),
        ("1,234,567", Decimal("1234567")),
        ("12 345", Decimal("12345")),
        ("12\u00a0345.60", Decimal("12345.60")),
        ("¥3000", Decimal("3000")),
        ("￥3,000.00", Decimal("3000.00")),  # full-width yen sign: ¥ after NFKC
        ("3000元", Decimal("3000")),
        ("3000 元", Decimal("3000")),
        ("+5", Decimal("5")),
        ("-¥3", Decimal("-3")),
        ("¥-3", Decimal("-3")),
        ("\u22127", Decimal("-7")),  # minus sign
        ("－８", Decimal("-8")),  # full-width minus and digit
        ("１，２３４．５", Decimal("1234.5")),
        ("0.1", Decimal("0.1")),
        (".5", Decimal("0.5")),
        ("0", Decimal("0")),
        (" 42 ", Decimal("42")),
    ],
)
def test_parse_decimal_accepts(raw, expected):
    value, problem = one(parse_decimal, raw)
    assert problem is None
    assert type(value) is Decimal
    assert value == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "1.234,5",
            "ambiguous number '1.234,5': use a point for decimals and no thousands separator or a comma",
        ),
        (
            "1.234.567,89",
            "ambiguous number '1.234.567,89': use a point for decimals and no thousands separator or a comma",
        ),
        ("1,23", "'1,23' is not a number: a comma may only separate thousands, as in 1,234.5"),
        ("1234,5", "'1234,5' is not a number: a comma may only separate thousands, as in 1,234.5"),
        ("12,34,567", "'12,34,567' is not a number: a comma may only separate thousands, as in 1,234.5"),
        ("abc", "'abc' is not a number"),
        ("12-5", "'12-5' is not a number"),
        ("1e5", "'1e5' is not a number"),
        ("1 2", "'1 2' is not a number"),
        ("1,234 567", "'1,234 567' is not a number"),
        ("¥", "'¥' is not a number"),
        ("3万元", "'3万元' is not a number"),
        ("5.", "'5.' is not a number"),
    ],
)
def test_parse_decimal_rejects_with_message(raw, message):
    assert one(parse_decimal, raw) == (None, message)


def test_parse_decimal_blank_is_missing_not_a_problem():
    values, problems = parse_decimal(texts("", "  ", "\u200b"))
    assert values.tolist() == [None, None, None]
    assert problems.tolist() == [None, None, None]


def test_parse_decimal_reports_every_bad_cell_on_the_input_index():
    series = pd.Series(["1", "x", "", "1,23"], index=[10, 11, 12, 13], name="wage", dtype=object)
    values, problems = parse_decimal(series)
    assert values.to_dict() == {10: Decimal("1"), 11: None, 12: None, 13: None}
    assert problems.to_dict() == {
        10: None,
        11: "'x' is not a number",
        12: None,
        13: "'1,23' is not a number: a comma may only separate thousands, as in 1,234.5",
    }
    assert values.name == problems.name == "wage"


def test_parse_decimal_empty_series():
    values, problems = parse_decimal(pd.Series([], dtype=object))
    assert values.empty and problems.empty


# parse_bool


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("是", True),
        ("否", False),
        ("yes", True),
        ("No", False),
        ("Y", True),
        ("n", False),
        ("TRUE", True),
        ("False", False),
        ("1", True),
        ("0", False),
        ("１", True),
        ("有", True),
        ("无", False),
        ("√", True),
        ("×", False),
        (" 是 ", True),
    ],
)
def test_parse_bool_accepts(raw, expected):
    value, problem = one(parse_bool, raw)
    assert problem is None
    assert value is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "对", "x", "yes!"])
def test_parse_bool_rejects_listing_the_accepted_words(raw):
    assert one(parse_bool, raw) == (None, f"'{raw}' is not a yes/no answer: use {BOOL_HINT}")


def test_parse_bool_blank_is_missing():
    assert one(parse_bool, "") == (None, None)


# parse_date


@pytest.mark.parametrize(
    "raw",
    [
        "2020-01-05",
        "2020/1/5",
        "2020/01/05",
        "2020.1.5",
        "2020年1月5日",
        "2020年01月05日",
        "20200105",
        "２０２０-01-05",
    ],
)
def test_parse_date_text_forms(raw):
    assert one(parse_date, raw) == (dt.date(2020, 1, 5), None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2020-02-30", "'2020-02-30' is not a real date: that day does not exist"),
        ("2021-02-29", "'2021-02-29' is not a real date: that day does not exist"),
        ("2020-13-01", "'2020-13-01' is not a real date: that day does not exist"),
        ("20200230", "'20200230' is not a real date: that day does not exist"),
        ("05/01/2020", "'05/01/2020' is not a date: write it as YYYY-MM-DD, for example 2020-01-05"),
        ("2020-1/5", "'2020-1/5' is not a date: write it as YYYY-MM-DD, for example 2020-01-05"),
        ("yesterday", "'yesterday' is not a date: write it as YYYY-MM-DD, for example 2020-01-05"),
        ("43831", "'43831' is not a date: write it as YYYY-MM-DD, for example 2020-01-05"),  # text, not a serial
    ],
)
def test_parse_date_rejects_with_message(raw, message):
    assert one(parse_date, raw) == (None, message)


def test_parse_date_leap_day_exists_in_a_leap_year():
    assert one(parse_date, "2020-02-29") == (dt.date(2020, 2, 29), None)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        ("43831", dt.date(2020, 1, 1)),
        ("43831.75", dt.date(2020, 1, 1)),  # 18:00 on that day
        ("61", dt.date(1900, 3, 1)),
        ("59", dt.date(1900, 2, 28)),  # before Excel's phantom 1900-02-29
        ("1", dt.date(1900, 1, 1)),
        ("2958465", dt.date(9999, 12, 31)),
        ("20200105", dt.date(2020, 1, 5)),  # YYYYMMDD typed into Excel, stored as a number
    ],
)
def test_parse_date_excel_serials(serial, expected):
    assert one(parse_date, serial, excel_serial_mask=[True]) == (expected, None)


@pytest.mark.parametrize(
    ("serial", "message"),
    [
        ("0", "Excel day number 0 is not a date: valid numbers are 1 to 2958465"),
        ("2958466", "Excel day number 2958466 is not a date: valid numbers are 1 to 2958465"),
        ("60", "Excel day number 60 is 1900-02-29, a day that does not exist"),
    ],
)
def test_parse_date_excel_serial_out_of_range(serial, message):
    assert one(parse_date, serial, excel_serial_mask=[True]) == (None, message)


def test_parse_date_mask_aligns_by_index():
    series = pd.Series(["43831", "2020-01-05", ""], index=[5, 6, 7], dtype=object)
    mask = pd.Series([False, True], index=[6, 5])  # index 7 is missing: not a serial
    values, problems = parse_date(series, excel_serial_mask=mask)
    assert values.to_dict() == {5: dt.date(2020, 1, 1), 6: dt.date(2020, 1, 5), 7: None}
    assert problems.to_dict() == {5: None, 6: None, 7: None}


def test_parse_date_mask_of_wrong_length_raises():
    with pytest.raises(ValueError, match="the mask has 1 flags for 2 cells"):
        parse_date(texts("1", "2"), excel_serial_mask=[True])


# parse_identifier


def test_parse_identifier_keeps_leading_zeros():
    values, problems = parse_identifier(texts("0012", "000000", "520102001"))
    assert values.tolist() == ["0012", "000000", "520102001"]
    assert problems.tolist() == [None, None, None]


@pytest.mark.parametrize(
    "raw",
    [
        "5.299121990010101e+17",  # an 18-digit ID as Excel keeps it
        "5.29912e+17",
        "1E+15",
        "529912199001010135",  # 18 digits read back whole
        "123456789012345",  # 15 significant digits
        "0123456789012345",  # 15 significant digits after a leading zero
    ],
)
def test_parse_identifier_rejects_numbers_excel_may_have_changed(raw):
    assert one(parse_identifier, raw, numeric_mask=[True]) == (None, NUMBER_AS_ID)


@pytest.mark.parametrize("raw", ["12345678901234", "42", "0012"])
def test_parse_identifier_accepts_short_numbers_from_excel(raw):
    assert one(parse_identifier, raw, numeric_mask=[True]) == (raw, None)


def test_parse_identifier_long_text_is_fine_when_not_stored_as_number():
    assert one(parse_identifier, "529912199001010135") == ("529912199001010135", None)
    assert one(parse_identifier, "5.29912e+17", numeric_mask=[False]) == ("5.29912e+17", None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("52991219900101013x", "52991219900101013X"),
        ("52991219900101013ｘ", "52991219900101013X"),  # full-width x
        (" 52991219900101013x\u200b", "52991219900101013X"),
        ("abcx", "abcx"),  # not an ID: left alone
        ("5299121990010101x", "5299121990010101x"),  # 17 characters
        ("５２０１０２\u200b００１", "520102001"),  # full-width code with a zero-width space
    ],
)
def test_parse_identifier_normalises(raw, expected):
    assert one(parse_identifier, raw) == (expected, None)


def test_parse_identifier_blank_is_missing():
    assert one(parse_identifier, "", numeric_mask=[True]) == (None, None)


# parse_int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), ("3.0", 3), ("3.00", 3), ("+3", 3), ("-2", -2), ("０", 0), ("007", 7)],
)
def test_parse_int_accepts(raw, expected):
    value, problem = one(parse_int, raw)
    assert problem is None
    assert type(value) is int
    assert value == expected


@pytest.mark.parametrize("raw", ["3.5", "3.01", "abc", "1,000", "1e3", "3."])
def test_parse_int_rejects_what_is_not_whole(raw):
    assert one(parse_int, raw) == (None, f"'{raw}' is not a whole number")


def test_parse_int_bounds_are_inclusive_and_named():
    values, problems = parse_int(texts("-1", "0", "120", "121", ""), minimum=0, maximum=120)
    assert values.tolist() == [None, 0, 120, None, None]
    assert problems.tolist() == [
        "must be at least 0",
        None,
        None,
        "must be at most 120",
        None,
    ]

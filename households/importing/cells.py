"""Parsing the text cells of an uploaded table: normalised text, numbers, yes/no, dates, identifiers.

Every parser takes a Series of cell texts (a column of ``RawTable.frame``) and returns a ``Parsed``
pair of object Series with the input's index and name:

- ``values``: Python objects (``Decimal``, ``bool``, ``datetime.date``, ``int`` or ``str``), ``None``
  where the cell is blank or has a problem;
- ``problems``: one message (``messages.Message``: a ``str`` with its code and parameters) for
  each cell that cannot be parsed, ``None`` elsewhere, so the caller can report every bad cell of a
  file at once.

A blank cell is a missing value, never a problem here: whether a column is required is the caller's
rule. Every parser normalises the text first (``normalise_text``), so full-width digits and
non-breaking or zero-width spaces that a clerk typed or pasted are accepted.
"""

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd

from households.importing.messages import msg

_ZERO_WIDTH = "[\u200b\u200c\u200d\u2060\ufeff]"
_NON_BREAKING_SPACE = "[\u00a0\u202f]"

# An amount after the currency sign and unit are removed: plain digits, or thousands separated by
# commas or by spaces (never mixed), then an optional decimal point.
_AMOUNT = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+"
_DECIMAL_COMMA = r"[+-]?\d[\d ]*\.[\d. ]*,\d+"  # 1.234,5: a point before a comma, as in Europe
_COMMAS_ONLY = r"[+-]?[\d,]+(?:\.\d+)?"

_BOOL_WORDS = {
    "是": True,
    "否": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "有": True,
    "无": False,
    "√": True,
    "×": False,
}

_SEPARATED_DATE = re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})")
_CHINESE_DATE = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?")
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_EXCEL_SERIAL = re.compile(r"\d+(?:\.\d+)?")
_EXCEL_DAY_ZERO = dt.date(1899, 12, 30)
_EXCEL_LAST_DAY = 2958465  # 9999-12-31


class Parsed(NamedTuple):
    """A parser's result: ``values`` and ``problems``, object Series on the input's index."""

    values: pd.Series
    problems: pd.Series


def normalise_text(series: pd.Series) -> pd.Series:
    """The cells' text as a clerk means it, ready to compare and parse.

    Applies Unicode NFKC (full-width digits, letters and punctuation become half-width, the
    ideographic space U+3000 a space; CJK characters are unchanged), removes zero-width characters
    (U+200B, U+200C, U+200D, U+2060, U+FEFF), turns non-breaking spaces (U+00A0, U+202F) into spaces
    and strips leading and trailing whitespace. Inner spaces are kept.

    Args:
        series: cell texts; ``None`` or NaN count as blank.

    Returns:
        An object Series of ``str`` ('' for blank) with the same index and name.
    """
    text = series.fillna("").astype(str)
    text = (
        text.str.replace(_ZERO_WIDTH, "", regex=True)
        .str.replace(_NON_BREAKING_SPACE, " ", regex=True)
        .str.normalize("NFKC")
        .str.strip()
    )
    return text.astype(object)


def parse_decimal(series: pd.Series) -> Parsed:
    """Amounts (yuan) and other decimal numbers, exactly, as ``decimal.Decimal``.

    Accepts an optional sign, an optional ``¥`` before and ``元`` after the number, and thousands
    separated by commas (``1,234.5``) or spaces (``12 345``); the decimal mark is a point.
    Rejects a decimal comma (``1.234,5`` is ambiguous), commas outside thousands positions
    (``1,23``), exponents and anything else.

    Returns:
        ``Parsed``: ``Decimal`` values and a message for each rejected cell.
    """
    text = normalise_text(series)
    core = (
        text.str.replace("\u2212", "-", regex=False)  # the minus sign of word processors
        .str.replace(r"^([+-]?)\s*¥\s*", r"\1", regex=True)
        .str.replace(r"\s*元$", "", regex=True)
    )
    blank = _flags(text.eq(""))
    ok = _flags(core.str.fullmatch(_AMOUNT)) & ~blank
    ambiguous = _flags(core.str.fullmatch(_DECIMAL_COMMA)) & ~ok
    bad_comma = _flags(core.str.contains(",", regex=False) & core.str.fullmatch(_COMMAS_ONLY)) & ~ok & ~ambiguous
    other = ~(blank | ok | ambiguous | bad_comma)

    values, problems = _nones(len(text))
    values[ok] = [Decimal(t) for t in core[ok].str.replace(r"[, ]", "", regex=True)]
    problems[ambiguous] = [msg("ambiguous_number", value=t) for t in text[ambiguous]]
    problems[bad_comma] = [msg("comma_not_thousands", value=t) for t in text[bad_comma]]
    problems[other] = [msg("not_a_number", value=t) for t in text[other]]
    return _parsed(series, values, problems)


def parse_bool(series: pd.Series) -> Parsed:
    """Yes/no answers: 是/否, yes/no, y/n, true/false, 1/0, 有/无, √/× (any case).

    Returns:
        ``Parsed``: ``bool`` values and, for any other word, a message (``not_yes_no``) that lists
        the accepted words in the reader's language when it is shown.
    """
    text = normalise_text(series)
    words = text.str.lower()
    blank = _flags(text.eq(""))
    ok = _flags(words.isin(_BOOL_WORDS.keys()))
    other = ~(blank | ok)

    values, problems = _nones(len(text))
    values[ok] = [_BOOL_WORDS[w] for w in words[ok]]
    problems[other] = [msg("not_yes_no", value=t) for t in text[other]]
    return _parsed(series, values, problems)


def parse_date(series: pd.Series, *, excel_serial_mask: Sequence[bool] | pd.Series | None = None) -> Parsed:
    """Dates written as text, or stored by Excel as day numbers.

    Text forms: ``2020-01-05``, ``2020/1/5``, ``2020.1.5``, ``2020年1月5日``, ``20200105``. Where
    ``excel_serial_mask`` is true (cells Excel stored as numbers, ``RawTable.numeric_cells``), the
    text is an Excel day number of the 1900 date system (43831 is 2020-01-01; valid 1..2958465; a
    time of day after the point is dropped). Excel counts a 29 February 1900 that never was, so
    day numbers below 60 are shifted by one day as Excel shows them and 60 itself is rejected. An
    eight-digit number stored in Excel (``20200105``) is read as ``YYYYMMDD``: no day number is
    that large.

    Args:
        series: cell texts.
        excel_serial_mask: booleans aligned with ``series`` (by index if a Series, else by position).

    Returns:
        ``Parsed``: ``datetime.date`` values; a message for an unknown form, a day that does not
        exist (``2020-02-30``) or a day number out of range.
    """
    text = normalise_text(series)
    serial = _aligned(excel_serial_mask, series)
    values, problems = _nones(len(text))
    for position, (cell, is_serial) in enumerate(zip(text, serial, strict=True)):
        if cell:
            values[position], problems[position] = _serial_date(cell) if is_serial else _text_date(cell)
    return _parsed(series, values, problems)


def parse_identifier(series: pd.Series, *, numeric_mask: Sequence[bool] | pd.Series | None = None) -> Parsed:
    """Identifiers (registry numbers, resident IDs, region codes) as text, exactly as written.

    Leading zeros are kept (``0012``); a lower-case ``x`` ending an 18-character resident ID is
    upper-cased. Where ``numeric_mask`` is true (cells Excel stored as numbers,
    ``RawTable.numeric_cells``) a value in scientific notation or with 15 or more significant
    digits is rejected: Excel keeps only 15 digits of a number, so the identifier may have changed.

    Args:
        series: cell texts.
        numeric_mask: booleans aligned with ``series`` (by index if a Series, else by position).

    Returns:
        ``Parsed``: ``str`` values and a message for each identifier Excel may have damaged.
    """
    text = normalise_text(series)
    text = text.mask(text.str.fullmatch(r"\d{17}x"), text.str.upper())
    numeric = _aligned(numeric_mask, series)
    scientific = _flags(text.str.fullmatch(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+"))
    significant = text.str.replace(r"\D", "", regex=True).str.lstrip("0").str.len()
    blank = _flags(text.eq(""))
    damaged = numeric & ~blank & (scientific | _flags(significant.ge(15)))
    ok = ~(blank | damaged)

    values, problems = _nones(len(text))
    values[ok] = text[ok].tolist()
    problems[damaged] = msg("number_as_id")
    return _parsed(series, values, problems)


def parse_int(series: pd.Series, *, minimum: int | None = None, maximum: int | None = None) -> Parsed:
    """Whole numbers such as counts, ages and months.

    Accepts an optional sign and a zero fraction as Excel writes it (``3.0``); rejects ``3.5`` and
    anything else. Values outside ``minimum``..``maximum`` (inclusive, when given) are rejected with
    a message naming the bound (``at_least``, ``at_most``: the rule of decimal columns too).

    Returns:
        ``Parsed``: ``int`` values and a message for each rejected cell.
    """
    text = normalise_text(series)
    blank = _flags(text.eq(""))
    ok = _flags(text.str.fullmatch(r"[+-]?\d+(?:\.0+)?"))
    values, problems = _nones(len(text))
    values[ok] = [int(t) for t in text[ok].str.replace(r"\.0+$", "", regex=True)]
    problems[~(blank | ok)] = [msg("not_whole_number", value=t) for t in text[~(blank | ok)]]
    for position in np.flatnonzero(ok):
        number = values[position]
        if minimum is not None and number < minimum:
            values[position], problems[position] = None, msg("at_least", minimum=int(minimum))
        elif maximum is not None and number > maximum:
            values[position], problems[position] = None, msg("at_most", maximum=int(maximum))
    return _parsed(series, values, problems)


def _text_date(text: str) -> tuple[dt.date | None, str | None]:
    for pattern in (_SEPARATED_DATE, _CHINESE_DATE, _COMPACT_DATE):
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(int(match["y"]), int(match["m"]), int(match["d"])), None
            except ValueError:
                return None, msg("no_such_day", value=text)
    return None, msg("not_a_date", value=text)


def _serial_date(text: str) -> tuple[dt.date | None, str | None]:
    if _COMPACT_DATE.fullmatch(text) or not _EXCEL_SERIAL.fullmatch(text):
        return _text_date(text)
    day = int(Decimal(text))
    if day == 60:
        return None, msg("excel_day_60")
    if not 1 <= day <= _EXCEL_LAST_DAY:
        return None, msg("excel_day_range", value=text, last=_EXCEL_LAST_DAY)
    return _EXCEL_DAY_ZERO + dt.timedelta(days=day + 1 if day < 60 else day), None


def _flags(series: pd.Series) -> np.ndarray:
    return series.to_numpy(dtype=bool)


def _aligned(mask: Sequence[bool] | pd.Series | None, series: pd.Series) -> np.ndarray:
    if mask is None:
        return np.zeros(len(series), dtype=bool)
    if isinstance(mask, pd.Series):
        return mask.reindex(series.index, fill_value=False).to_numpy(dtype=bool)
    flags = np.asarray(mask, dtype=bool)
    if flags.shape != (len(series),):
        raise ValueError(f"the mask has {flags.size} flags for {len(series)} cells")
    return flags


def _nones(length: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(length, None, dtype=object), np.full(length, None, dtype=object)


def _parsed(series: pd.Series, values: np.ndarray, problems: np.ndarray) -> Parsed:
    return Parsed(
        pd.Series(values, index=series.index, name=series.name, dtype=object),
        pd.Series(problems, index=series.index, name=series.name, dtype=object),
    )

"""Reading an uploaded CSV or XLSX file into a table of text cells, with the row numbers the clerk sees.

This is the first step of an import and knows nothing of households or the database. Every cell
stays text, exactly as in the file (``0012`` stays ``0012``; no cell goes through a float); the
parsers in ``households.importing.cells`` turn texts into values later. What only the workbook knows
(a cell stored as a number or a date, a formula without a saved result) is kept beside the text.
"""

import codecs
import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Set
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from households.importing.cells import normalise_text

Cell = tuple[int, str]  # (frame row index, column name)
_Position = tuple[int, int]  # (row number in the file, column position from 0)

_ZIP_MAGIC = b"PK\x03\x04"
_FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")  # <f>, <f t="shared" ...>, <x:f>
_ENCODING_HELP = (
    "the CSV file is neither UTF-8 nor GB18030 text; save it as UTF-8 (in Excel: "
    '"CSV UTF-8 (Comma delimited)") or as GB18030/GBK and upload it again'
)


class ImportFileError(ValueError):
    """The upload cannot be read as a table; the message says why and what the clerk can do."""


@dataclass(frozen=True, eq=False)
class RawTable:
    """An uploaded table as text.

    Attributes:
        frame: one row per non-blank data row (a row with only a formula without result counts as
            non-blank), one column per header name (normalised with ``normalise_text``); object
            dtype, every cell a ``str`` as in the file, not normalised ('' for blank); index 0..n-1.
        row_numbers: for each frame row, its number as the clerk sees it: the Excel row; for a CSV
            the line, counting every line above from 1, blank ones too (a quoted cell spanning
            lines counts once, as a spreadsheet shows it).
        encoding: 'utf-8-sig', 'utf-8' or 'gb18030' for a CSV, 'xlsx' for a workbook.
        numeric_cells: (row index, column) of XLSX cells stored as numbers.
        formula_cells_without_value: (row index, column) of XLSX formulas with no saved result.
        date_cells: (row index, column) of XLSX cells stored as dates (text ``YYYY-MM-DD``).
    """

    frame: pd.DataFrame
    row_numbers: list[int]
    encoding: str
    numeric_cells: frozenset[Cell] = frozenset()
    formula_cells_without_value: frozenset[Cell] = frozenset()
    date_cells: frozenset[Cell] = frozenset()

    def mask(self, cells: frozenset[Cell], column: str) -> pd.Series:
        """Booleans on the frame's index: which rows of ``column`` are in ``cells``.

        For the parsers' masks, e.g. ``parse_identifier(t.frame[c], numeric_mask=t.mask(t.numeric_cells, c))``.
        """
        rows = {row for row, name in cells if name == column}
        return pd.Series(self.frame.index.isin(list(rows)), index=self.frame.index, name=column)


def read_table(data: bytes, *, filename: str, sheet: str | None = None) -> RawTable:
    """Read an uploaded CSV or XLSX file into text cells.

    The header is the first non-blank row; fully blank rows are dropped (the others keep their row
    numbers); a column with neither a header name nor data is dropped.

    Args:
        data: the file's bytes.
        filename: the uploaded name; its extension (.csv, .xlsx, .xlsm) picks the reader.
        sheet: the XLSX sheet to read (the first one when ``None``); ignored for a CSV.

    Returns:
        A ``RawTable``; with only a header row its frame is empty (the columns are still named).

    Raises:
        ImportFileError: unsupported file type, undecodable CSV, unreadable workbook, unknown sheet,
            no header row, merged header cells, a column holding data without a name, or a name
            used twice.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        return _read_csv(data)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data, sheet=sheet)
    if suffix == ".xls":
        raise ImportFileError("old Excel files (.xls) cannot be read; save the file as .xlsx or as CSV UTF-8")
    raise ImportFileError(f"cannot read a '{suffix or filename}' file; upload a .csv or .xlsx file")


def _read_csv(data: bytes) -> RawTable:
    if data.startswith(_ZIP_MAGIC):
        raise ImportFileError("this file is an Excel workbook named .csv; upload it with the .xlsx extension")
    text, encoding = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(enumerate(reader, start=1))
    except csv.Error as error:
        raise ImportFileError(f"the CSV file cannot be read at line {reader.line_num}: {error}") from error
    header_at = _header_at(rows)
    _check_widths(rows[header_at:])
    return _assemble(rows, header_at, encoding=encoding)


def _check_widths(rows: list[tuple[int, list[str]]]) -> None:
    """Every non-blank CSV row has as many cells as the header (extra cells may only be empty).

    A short row would leave its last columns blank and a long one (an unquoted ``1,000.5``) would
    shift its cells into the wrong columns, so either rejects the file, naming the rows.
    """
    (_, header), body = rows[0], rows[1:]
    width = len(header)
    ragged = [
        (number, len(cells))
        for number, cells in body
        if any(c.strip() for c in cells) and (len(cells) < width or any(c.strip() for c in cells[width:]))
    ]
    if ragged:
        shown = "; ".join(f"row {number} has {count}" for number, count in ragged[:10])
        more = f" (and {len(ragged) - 10} more rows)" if len(ragged) > 10 else ""
        raise ImportFileError(
            f"the header has {width} cells but {shown}{more}: every row needs one cell per column "
            '(quote a number written with a comma, as in "1,000.5")'
        )


def _decode(data: bytes) -> tuple[str, str]:
    encodings = (["utf-8-sig"] if data.startswith(codecs.BOM_UTF8) else []) + ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_ENCODING_HELP)


def _read_xlsx(data: bytes, *, sheet: str | None) -> RawTable:
    try:
        values_book = load_workbook(io.BytesIO(data), data_only=True)
        # A second, streamed load tells formulas from values; most uploads have none, so skip it then.
        formulas_book = load_workbook(io.BytesIO(data), read_only=True) if _has_formulas(data) else None
    except Exception as error:  # a damaged upload can fail anywhere in the zip or XML readers
        raise ImportFileError(
            "the file cannot be opened as an Excel workbook (.xlsx); open it in Excel, save it as .xlsx "
            "and upload it again"
        ) from error
    names = [worksheet.title for worksheet in values_book.worksheets]
    if not names:
        raise ImportFileError("the workbook has no worksheet")
    if sheet is not None and sheet not in names:
        listed = ", ".join(f"'{name}'" for name in names)
        raise ImportFileError(f"the workbook has no sheet named '{sheet}'; its sheets are {listed}")
    name = names[0] if sheet is None else sheet
    values_sheet = values_book[name]

    rows: list[tuple[int, list[str]]] = []
    numeric: set[_Position] = set()
    dates: set[_Position] = set()
    for number, values in enumerate(values_sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1):
        rows.append((number, [_cell_text(value) for value in values]))
        for column, value in enumerate(values):
            if isinstance(value, int | float) and not isinstance(value, bool):
                numeric.add((number, column))
            elif isinstance(value, dt.date):
                dates.add((number, column))
    unsaved = _unsaved_formulas(formulas_book, name, values_sheet) if formulas_book else set()

    header_at = _header_at(rows, unsaved)
    header_number = rows[header_at][0]
    merged = sorted(
        (cells for cells in values_sheet.merged_cells.ranges if cells.min_row <= header_number <= cells.max_row),
        key=lambda cells: (cells.min_row, cells.min_col),
    )
    if merged:
        listed = ", ".join(cells.coord for cells in merged)
        raise ImportFileError(
            f"header row {header_number} has merged cells {listed}; unmerge them and give each column its own name"
        )
    return _assemble(rows, header_at, encoding="xlsx", numeric=numeric, unsaved=unsaved, dates=dates)


def _has_formulas(data: bytes) -> bool:
    """Whether any XML part of the workbook holds a formula element (a false alarm only costs time)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [info for info in archive.infolist() if info.filename.endswith(".xml")]
        return any(_FORMULA_ELEMENT.search(archive.read(info)) for info in parts)


def _unsaved_formulas(formulas_book: Workbook, name: str, values_sheet: Worksheet) -> set[_Position]:
    """Positions of formula cells without a saved result (``None`` in the values workbook)."""
    try:
        return {
            (cell.row, cell.column - 1)
            for row in formulas_book[name].iter_rows(min_row=1, min_col=1)
            for cell in row
            if cell.data_type == "f" and values_sheet.cell(row=cell.row, column=cell.column).value is None
        }
    finally:
        formulas_book.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _float_text(value: float) -> str:
    """Shortest text of a float: positional, except scientific from 1e15 (where IDs lose digits)."""
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    shortest = Decimal(repr(value))
    if abs(value) >= 1e15:
        return f"{shortest.normalize():e}"
    return f"{shortest:f}"


def _header_at(rows: list[tuple[int, list[str]]], unsaved: Set[_Position] = frozenset()) -> int:
    """Index in ``rows`` of the first row with any text (or an unsaved formula)."""
    formula_rows = {number for number, _ in unsaved}
    for index, (number, cells) in enumerate(rows):
        if number in formula_rows or any(normalise_text(pd.Series(cells, dtype=object))):
            return index
    raise ImportFileError("the file has no header row")


def _assemble(
    rows: list[tuple[int, list[str]]],
    header_at: int,
    *,
    encoding: str,
    numeric: Set[_Position] = frozenset(),
    unsaved: Set[_Position] = frozenset(),
    dates: Set[_Position] = frozenset(),
) -> RawTable:
    """The table below ``rows[header_at]``: blank rows and unnamed empty columns dropped, flags re-keyed."""
    header_number, header = rows[header_at]
    body = rows[header_at + 1 :]
    width = max(len(cells) for _, cells in rows[header_at:])
    grid = pd.DataFrame([cells + [""] * (width - len(cells)) for _, cells in body], columns=range(width), dtype=object)
    names = normalise_text(pd.Series(header + [""] * (width - len(header)), dtype=object)).tolist()

    filled = grid.apply(normalise_text).ne("") if len(grid) else grid.astype(bool)
    body_index = {number: index for index, (number, _) in enumerate(body)}
    for number, column in unsaved:  # a formula without a result is not blank: the caller reports it
        if number in body_index:
            filled.iat[body_index[number], column] = True
    keep_rows = filled.any(axis=1).to_numpy(dtype=bool)
    has_data = filled[keep_rows].any(axis=0).to_numpy(dtype=bool)
    _check_names(names, has_data, header_number)
    keep_columns = [column for column in range(width) if names[column] or has_data[column]]

    frame = grid.loc[keep_rows, keep_columns].reset_index(drop=True)
    frame.columns = [names[column] for column in keep_columns]
    numbers = [number for (number, _), kept in zip(body, keep_rows, strict=True) if kept]
    row_index = {number: index for index, number in enumerate(numbers)}
    kept_columns = set(keep_columns)

    def cells(positions: Set[_Position]) -> frozenset[Cell]:
        return frozenset(
            (row_index[number], names[column])
            for number, column in positions
            if number in row_index and column in kept_columns
        )

    return RawTable(
        frame=frame,
        row_numbers=numbers,
        encoding=encoding,
        numeric_cells=cells(numeric),
        formula_cells_without_value=cells(unsaved),
        date_cells=cells(dates),
    )


def _check_names(names: list[str], has_data: np.ndarray, header_number: int) -> None:
    problems = []
    unnamed = [get_column_letter(column + 1) for column, name in enumerate(names) if not name and has_data[column]]
    if unnamed:
        which = (
            f"column {unnamed[0]}, which holds" if len(unnamed) == 1 else f"columns {', '.join(unnamed)}, which hold"
        )
        problems.append(f"header row {header_number} has no name for {which} data")
    seen: dict[str, list[str]] = {}
    for column, name in enumerate(names):
        if name:
            seen.setdefault(name, []).append(get_column_letter(column + 1))
    for name, letters in seen.items():
        if len(letters) > 1:
            problems.append(f"header row {header_number} names '{name}' in more than one column ({', '.join(letters)})")
    if problems:
        raise ImportFileError("; ".join(problems) + "; give each column its own name")

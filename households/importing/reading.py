"""Reading an uploaded CSV or XLSX file into a table of text cells, with the row numbers the clerk sees.

This is the first step of an import and knows nothing of households or the database. Every cell
stays text, exactly as in the file (``0012`` stays ``0012``; no cell goes through a float); the
parsers in ``households.importing.cells`` turn texts into values later. What only the workbook knows
(a cell stored as a number or a date, a formula without a saved result) is kept beside the text.
"""

import codecs
import collections
import csv
import datetime as dt
import io
import math
import re
import struct
import zipfile
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import PurePath
from xml.etree.ElementTree import TreeBuilder, XMLParser

import numpy as np
import pandas as pd
from django.conf import settings
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from households.importing.cells import normalise_text
from households.importing.messages import Message, msg

Cell = tuple[int, str]  # (frame row index, column name)
_Position = tuple[int, int]  # (row number in the file, column position from 0)

#: ``progress(rows read, rows in all or None)``: called while a file is read (every ``_PROGRESS_EVERY`` rows).
Progress = Callable[[int, int | None], None]

_ZIP_MAGIC = b"PK\x03\x04"
_END_OF_ZIP = b"PK\x05\x06"  # the end-of-central-directory record: its entry count is 10 bytes in
_MAX_PARTS = 1000  # an ordinary workbook has a few dozen parts
_RATIO_FROM = 2**20  # parts that unpack to less than this are too small to matter, whatever their ratio
_HEAD_BYTES = 65536  # the start of a sheet's XML read for its <dimension>
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']+)[\"']")
_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData[\s/>]")
_ROW_TAG, _MERGE_CELL_TAG, _INLINE_TAG = ROW_TAG, f"{{{SHEET_MAIN_NS}}}mergeCell", INLINE_STRING
_TEXT_TAG, _RUN_TAG = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"
_CHUNK_BYTES = 65536  # the sheet XML is fed to the parser in pieces of this size
_CELL_CHARACTERS = 32_767  # the most an Excel cell holds
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")  # a CSV line as io.StringIO(newline="") splits them
_PROGRESS_EVERY = 10_000


class ImportFileError(ValueError):
    """The upload cannot be read as a table; the message says why and what the clerk can do.

    ``str()`` is the English text; ``message`` the ``messages.Message`` (code and parameters) to
    store and show in the reader's language.
    """

    @property
    def message(self) -> Message | str:
        return self.args[0] if self.args else ""


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
        numeric_rows: column → frame row indexes (ascending) of XLSX cells stored as numbers.
        date_rows: column → frame row indexes of XLSX cells stored as dates (text ``YYYY-MM-DD``).
        formula_cells_without_value: (row index, column) of XLSX formulas with no saved result.

    ``numeric_cells`` and ``date_cells`` give the flags as (row index, column) pairs; the parsers
    take them as masks (``numeric_mask``), which need no pair per cell (a million-row file has
    millions of numbers).
    """

    frame: pd.DataFrame
    row_numbers: list[int]
    encoding: str
    numeric_rows: dict[str, np.ndarray] = field(default_factory=dict)
    date_rows: dict[str, np.ndarray] = field(default_factory=dict)
    formula_cells_without_value: frozenset[Cell] = frozenset()

    @cached_property
    def numeric_cells(self) -> frozenset[Cell]:
        """(row index, column) of XLSX cells stored as numbers."""
        return _pairs(self.numeric_rows)

    @cached_property
    def date_cells(self) -> frozenset[Cell]:
        """(row index, column) of XLSX cells stored as dates."""
        return _pairs(self.date_rows)

    def numeric_mask(self, column: str) -> pd.Series:
        """Booleans on the frame's index: which rows of ``column`` Excel stored as numbers.

        For the parsers' masks, e.g. ``parse_identifier(t.frame[c], numeric_mask=t.numeric_mask(c))``.
        """
        mask = np.zeros(len(self.frame), dtype=bool)
        mask[self.numeric_rows.get(column, np.empty(0, dtype=np.int64))] = True
        return pd.Series(mask, index=self.frame.index, name=column)

    def mask(self, cells: frozenset[Cell], column: str) -> pd.Series:
        """Booleans on the frame's index: which rows of ``column`` are in ``cells``."""
        rows = {row for row, name in cells if name == column}
        return pd.Series(self.frame.index.isin(list(rows)), index=self.frame.index, name=column)


def _pairs(rows: dict[str, np.ndarray]) -> frozenset[Cell]:
    return frozenset((int(row), column) for column, indexes in rows.items() for row in indexes)


@dataclass(frozen=True)
class Limits:
    """What an upload may make the reader hold (settings ``TUOPIN_IMPORT_*``).

    Attributes:
        rows: rows below the header (counted from the header's row: blank rows between count too).
        columns: columns from A; a cell beyond holding data refuses the file, empty ones are ignored.
        uncompressed_bytes: a workbook's parts, unpacked, in all.
        compression_ratio: the most a workbook part of 1 MiB or more may unpack per packed byte.
    """

    rows: int
    columns: int
    uncompressed_bytes: int
    compression_ratio: int


def read_limits(*, columns: int | None = None) -> Limits:
    """The limits of the settings; ``columns`` (a file kind's, see ``columns.column_cap``) or the
    general ``TUOPIN_IMPORT_MAX_COLUMNS``."""
    return Limits(
        rows=settings.TUOPIN_IMPORT_MAX_ROWS,
        columns=columns or settings.TUOPIN_IMPORT_MAX_COLUMNS,
        uncompressed_bytes=settings.TUOPIN_IMPORT_MAX_UNCOMPRESSED_BYTES,
        compression_ratio=settings.TUOPIN_IMPORT_MAX_COMPRESSION_RATIO,
    )


def read_table(
    data: bytes,
    *,
    filename: str,
    sheet: str | None = None,
    max_columns: int | None = None,
    progress: Progress | None = None,
) -> RawTable:
    """Read an uploaded CSV or XLSX file into text cells.

    The header is the first non-blank row; fully blank rows are dropped (the others keep their row
    numbers); a column with neither a header name nor data is dropped. A workbook is checked before
    it is parsed (the parts' declared unpacked sizes, their compression ratios, the sheet's declared
    dimension) and then read streaming (openpyxl's read-only parser), so what it holds is bounded
    by ``read_limits``: its rows, columns and unpacked size, never the workbook's own claims.

    Args:
        data: the file's bytes.
        filename: the uploaded name; its extension (.csv, .xlsx, .xlsm) picks the reader.
        sheet: the XLSX sheet to read (the first one when ``None``); ignored for a CSV.
        max_columns: the most columns to read (a file kind's ``columns.column_cap``); the setting
            ``TUOPIN_IMPORT_MAX_COLUMNS`` when ``None``.
        progress: called with (rows read, rows in all) as the rows are read; the total is the
            sheet's declared dimension or the CSV's line count (``None`` when the sheet declares none).

    Returns:
        A ``RawTable``; with only a header row its frame is empty (the columns are still named).

    Raises:
        ImportFileError: unsupported file type, undecodable CSV, unreadable workbook, a workbook
            that unpacks too much or too many times its size, a sheet declaring more rows or
            columns than the limits, data beyond them, unknown sheet, no header row, merged
            header cells, a column holding data without a name, or a name used twice.
    """
    limits = read_limits(columns=max_columns)
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        return _read_csv(data, limits=limits, progress=progress)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data, sheet=sheet, limits=limits, progress=progress)
    if suffix == ".xls":
        raise ImportFileError(msg("file_old_excel"))
    raise ImportFileError(msg("file_type", suffix=suffix or filename))


class _Rows:
    """The non-blank rows of a file as they are read, refusing data beyond the limits."""

    def __init__(self, limits: Limits, progress: Progress | None, total: int | None):
        self.limits, self.progress, self.total = limits, progress, total
        self.rows: list[tuple[int, list[str]]] = []
        self.first: int | None = None  # the first non-blank row: the header (or a row above it)
        self.seen = 0

    def tick(self, number: int) -> None:
        """A row of the file was read (blank or not): report the progress now and then."""
        self.seen = number
        if self.progress is not None and number % _PROGRESS_EVERY == 0:
            self.progress(number, self.total)

    def add(self, number: int, cells: list[str]) -> None:
        """Keep a row that holds data (or an unsaved formula); refuse it beyond the row limit."""
        if self.first is None:
            self.first = number
        elif number - self.first > self.limits.rows:
            raise ImportFileError(msg("file_rows_limit", row=number, limit=f"{self.limits.rows:,}", header=self.first))
        self.rows.append((number, cells))

    def beyond_columns(self, column: int, row: int) -> ImportFileError:
        return ImportFileError(
            msg(
                "file_columns_limit",
                cell=f"{get_column_letter(column)}{row}",
                limit=self.limits.columns,
                last=get_column_letter(self.limits.columns),
            )
        )

    def sort(self) -> None:
        """Rows in ascending numbers (a workbook may write them in another order)."""
        if any(a[0] > b[0] for a, b in zip(self.rows, self.rows[1:], strict=False)):
            self.rows.sort(key=lambda row: row[0])

    def done(self) -> None:
        if self.progress is not None:
            self.progress(self.seen, self.total if self.total is not None else self.seen)


def _read_csv(data: bytes, *, limits: Limits, progress: Progress | None = None) -> RawTable:
    if data.startswith(_ZIP_MAGIC):
        raise ImportFileError(msg("file_xlsx_as_csv"))
    text, encoding = _decode(data)
    total = text.count("\n") + (not text.endswith("\n")) if progress is not None else None
    out = _Rows(limits, progress, total)
    # lines as io.StringIO(newline="") gives them, without its copy of the text (4 bytes a character)
    reader = csv.reader(match.group() for match in _LINE.finditer(text))
    width = limits.columns
    try:
        for number, cells in enumerate(reader, start=1):
            out.tick(number)
            if len(cells) > width:
                extra = next((i for i, cell in enumerate(cells[width:], start=width) if cell), None)
                if extra is not None:
                    raise out.beyond_columns(extra + 1, number)
                del cells[width:]
            if any(cells):
                out.add(number, cells)
    except csv.Error as error:
        raise ImportFileError(msg("file_csv_error", line=reader.line_num, error=str(error))) from error
    out.done()
    rows = out.rows
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
        more = max(len(ragged) - 10, 0)
        raise ImportFileError(msg("file_ragged", width=width, ragged=[list(r) for r in ragged[:10]], more=more))


def _decode(data: bytes) -> tuple[str, str]:
    encodings = (["utf-8-sig"] if data.startswith(codecs.BOM_UTF8) else []) + ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(msg("file_encoding"))


def _read_xlsx(data: bytes, *, sheet: str | None, limits: Limits, progress: Progress | None = None) -> RawTable:
    _check_archive(data, limits)
    try:
        reader = _Workbook(data)
    except Exception as error:  # a damaged upload can fail anywhere in the zip or XML readers
        raise ImportFileError(msg("file_not_xlsx")) from error
    try:
        names = list(reader.sheets)
        if not names:
            raise ImportFileError(msg("file_no_sheet"))
        if sheet is not None and sheet not in names:
            listed = ", ".join(f"'{name}'" for name in names)
            raise ImportFileError(msg("file_sheet_missing", sheet=sheet, sheets=listed))
        name = names[0] if sheet is None else sheet
        path = reader.sheets[name]
        total = _check_dimension(reader.archive, path, name, limits)
        try:
            reader.read_cells_context()
            out, cells = _stream_sheet(reader, path, limits, progress, total)
        except ImportFileError:
            raise
        except Exception as error:  # broken XML inside the sheet, its styles or its shared strings
            raise ImportFileError(msg("file_not_xlsx")) from error
    finally:
        reader.archive.close()

    rows, unsaved = out.rows, cells.unsaved
    header_at = _header_at(rows, unsaved)
    header_number = rows[header_at][0]
    merged = sorted(
        (cells for cells in map(_range, filter(None, cells.merged)) if cells[1] <= header_number <= cells[3]),
        key=lambda cells: (cells[1], cells[0]),
    )
    if merged:
        listed = ", ".join(cells[4] for cells in merged)
        raise ImportFileError(msg("file_merged_header", row=header_number, cells=listed))
    return _assemble(rows, header_at, encoding="xlsx", numeric=cells.numeric, unsaved=unsaved, dates=cells.dates)


class _Workbook:
    """The parts of a workbook an import reads, through openpyxl's reader (``ExcelReader``) but
    without its worksheet objects (whose set-up parses a sheet without a ``<dimension>`` whole).

    ``sheets``: worksheet name → its part, in the workbook's order (chart sheets left out); then
    ``read_cells_context`` reads what the cells need (the shared strings, the date styles).
    """

    def __init__(self, data: bytes):
        self.reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        self.archive = self.reader.archive
        self.reader.read_manifest()
        self.reader.read_workbook()
        files = set(self.reader.valid_files)
        self.sheets = {
            sheet.name: rel.target
            for sheet, rel in self.reader.parser.find_sheets()
            if rel.target in files and "chartsheet" not in rel.Type
        }

    def read_cells_context(self) -> None:
        self.reader.read_strings()
        apply_stylesheet(self.archive, self.reader.wb)
        workbook = self.reader.wb
        self.shared_strings = self.reader.shared_strings
        self.epoch, self.date_formats, self.timedelta_formats = (
            workbook.epoch,
            workbook._date_formats,
            workbook._timedelta_formats,
        )


def _range(ref: str) -> tuple[int, int, int, int, str]:
    """(first column, first row, last column, last row, the reference) of a cell range such as ``B3:D3``."""
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    return min_col, min_row, max_col, max_row, ref


def _check_archive(data: bytes, limits: Limits) -> None:
    """Refuse a workbook whose zip declares more than the limits allow, before anything is unpacked.

    The declared sizes bind: Python's zip reader never unpacks more than a part declares (and then
    fails its CRC check), so a part that lies about its size is read short, not unbounded.
    """
    end = data.rfind(_END_OF_ZIP, max(0, len(data) - 65_557))
    if end >= 0 and len(data) >= end + 22:
        (entries,) = struct.unpack_from("<H", data, end + 10)
        if entries > _MAX_PARTS:  # 0xFFFF: a zip64 count, more than that anyway
            count = f"{entries:,}" if entries < 0xFFFF else f"{entries:,}+"
            raise ImportFileError(msg("file_parts", count=count, limit=_MAX_PARTS))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise ImportFileError(msg("file_not_xlsx")) from error
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size >= _RATIO_FROM and ratio > limits.compression_ratio:
            raise ImportFileError(
                msg(
                    "file_part_ratio",
                    part=part.filename[:100],
                    ratio=f"{ratio:,.0f}",
                    packed=f"{part.compress_size:,}",
                    unpacked=f"{part.file_size:,}",
                    limit=limits.compression_ratio,
                )
            )
    unpacked = sum(part.file_size for part in parts)
    ratio = unpacked / max(len(data), 1)
    if unpacked >= _RATIO_FROM and ratio > limits.compression_ratio:  # many small parts, each under _RATIO_FROM
        raise ImportFileError(
            msg(
                "file_ratio",
                ratio=f"{ratio:,.0f}",
                packed=f"{len(data):,}",
                unpacked=f"{unpacked:,}",
                limit=limits.compression_ratio,
            )
        )
    if unpacked > limits.uncompressed_bytes:
        raise ImportFileError(msg("file_unpacked", unpacked=f"{unpacked:,}", limit=f"{limits.uncompressed_bytes:,}"))


def _check_dimension(archive: zipfile.ZipFile, path: str, name: str, limits: Limits) -> int | None:
    """Refuse a sheet whose declared dimension (``<dimension ref="A1:XFD200"/>``, read from the first
    bytes of its XML only) passes the limits; return its row count (``None`` when it declares none)."""
    with archive.open(path) as source:
        head = source.read(_HEAD_BYTES)
    data_at = _SHEET_DATA.search(head)
    found = _DIMENSION.search(head, 0, data_at.start() if data_at else len(head))
    if found is None:
        return None
    ref = found.group(1).decode("ascii", errors="replace")
    try:
        _min_col, min_row, max_col, max_row = range_boundaries(ref.upper())
    except (ValueError, TypeError):
        return None  # not a cell range: the rows themselves are checked as they are read
    if max_col is not None and max_col > limits.columns:
        raise ImportFileError(
            msg(
                "file_dimension_columns",
                sheet=name,
                column=get_column_letter(max_col),
                ref=ref,
                limit=limits.columns,
                last=get_column_letter(limits.columns),
            )
        )
    if min_row is None or max_row is None:
        return None
    rows = max_row - min_row + 1
    if rows > limits.rows + 1:
        raise ImportFileError(
            msg("file_dimension_rows", sheet=name, rows=f"{rows:,}", ref=ref, limit=f"{limits.rows:,}")
        )
    return max_row


class _SheetTarget:
    """The target of the sheet's XML parser: builds one ``<row>`` element at a time (for openpyxl's
    cell reader) and discards everything else as it is read, but for the merged cells' references.

    So what the parse holds is one row, whatever the sheet: text between rows (a run of a billion
    spaces) or outside the sheet data (a million ``<col>`` elements) is never kept. A row's text is
    bounded too (``text_limit`` characters; an Excel cell holds at most 32,767). A DTD is refused:
    a workbook's XML has none, and it is how entity expansion starts.
    """

    def __init__(self, text_limit: int):
        self.text_limit = text_limit
        self.builder: TreeBuilder | None = None
        self.depth = 0  # inside the current row
        self.text = 0
        self.row = ""
        self.finished: collections.deque = collections.deque()
        self.merged: list[str] = []

    def start(self, tag, attrib):
        if self.builder is not None:
            self.depth += 1
            self.builder.start(tag, attrib)
        elif tag == _ROW_TAG:
            self.builder, self.depth, self.text, self.row = TreeBuilder(), 1, 0, attrib.get("r", "")
            self.builder.start(tag, attrib)
        elif tag == _MERGE_CELL_TAG:
            self.merged.append(attrib.get("ref", ""))

    def end(self, tag):
        if self.builder is None:
            return
        self.builder.end(tag)
        self.depth -= 1
        if self.depth == 0:
            self.finished.append(self.builder.close())
            self.builder = None

    def data(self, text):
        if self.builder is not None:
            self.text += len(text)
            if self.text > self.text_limit:
                raise ImportFileError(msg("file_row_text", row=self.row or "?", limit=f"{self.text_limit:,}"))
            self.builder.data(text)

    def doctype(self, name, pubid, system):
        raise ImportFileError(msg("file_not_xlsx"))

    def close(self):
        return None


class _CellReader(WorkSheetParser):
    """openpyxl's reader of a sheet's cells (shared strings, numbers, dates, booleans, inline and
    rich text, as read-only worksheets read them), fed row by row by ``_SheetTarget``; each cell
    also says whether it is a formula without a saved result (``unsaved``: its value is ``None``
    with ``data_only``). The positions (row number, column from 0) of numbers, dates and unsaved
    formulas are filled by ``_stream_sheet``.
    """

    def __init__(self, book: _Workbook):
        super().__init__(
            None,
            book.shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book.date_formats,
            timedelta_formats=book.timedelta_formats,
        )
        self.numeric: dict[int, list[int]] = collections.defaultdict(list)  # column from 0 → row numbers
        self.dates: dict[int, list[int]] = collections.defaultdict(list)
        self.unsaved: set[_Position] = set()
        self.merged: list[str] = []

    def parse_cell(self, element):
        formula = element.find(FORMULA_TAG) is not None
        if element.get("t") == "inlineStr" and not formula:  # the common case, without openpyxl's Text objects
            inline = element.find(_INLINE_TAG)
            if inline is not None:
                row, column = coordinate_to_tuple(element.get("r")) if element.get("r") else self._next()
                self.col_counter = column
                # as openpyxl's Text.content: the plain text, then each run's (phonetic runs left out)
                runs = (run.findtext(_TEXT_TAG) or "" for run in inline.iterfind(_RUN_TAG))
                value = "".join([inline.findtext(_TEXT_TAG) or "", *runs])
                return {"row": row, "column": column, "value": value, "data_type": "s", "unsaved": False}
        cell = super().parse_cell(element)
        cell["unsaved"] = cell["value"] is None and formula
        return cell

    def _next(self) -> tuple[int, int]:
        return self.row_counter, self.col_counter + 1

    def rows(self, source, *, text_limit: int):
        """``(row number, cells)`` of each ``<row>`` of the sheet XML in ``source``, as read."""
        target = _SheetTarget(text_limit)
        parser = XMLParser(target=target)  # noqa: S314 - the target refuses a DTD and keeps one row at a time
        while chunk := source.read(_CHUNK_BYTES):
            parser.feed(chunk)
            while target.finished:
                yield self.parse_row(target.finished.popleft())
        parser.close()
        while target.finished:
            yield self.parse_row(target.finished.popleft())
        self.merged = target.merged


def _stream_sheet(book: _Workbook, path: str, limits: Limits, progress: Progress | None, total: int | None):
    """The sheet's non-blank rows as text, read row by row; the reader keeps the cell flags and
    the merged cells' references."""
    out = _Rows(limits, progress, total)
    width = limits.columns
    reader = _CellReader(book)
    texts_of = [_Texts() for _ in range(width)]
    with book.archive.open(path) as source:
        for number, cells in reader.rows(source, text_limit=(width + 1) * _CELL_CHARACTERS):
            out.tick(number)
            if not cells:
                continue
            texts = [""] * min(cells[-1]["column"], width)
            formula = False
            for cell in cells:
                column, value = cell["column"], cell["value"]
                if column > width:
                    if value is not None and value != "":
                        raise out.beyond_columns(column, number)
                    continue
                if value is None:
                    if cell["unsaved"]:
                        reader.unsaved.add((number, column - 1))
                        formula = True
                    continue
                texts[column - 1] = texts_of[column - 1].one(_cell_text(value))
                if isinstance(value, int | float) and not isinstance(value, bool):
                    reader.numeric[column - 1].append(number)
                elif isinstance(value, dt.date):
                    reader.dates[column - 1].append(number)
            if formula or any(texts):
                out.add(number, texts)
    out.done()
    out.sort()
    return out, reader


class _Texts:
    """One object per distinct text of a column (a village code, a year, a status), while the column
    has few distinct texts; a column of unique texts (registry numbers) stops being cached."""

    LIMIT = 10_000

    def __init__(self):
        self.seen: dict[str, str] = {}

    def one(self, text: str) -> str:
        kept = self.seen.get(text)
        if kept is not None:
            return kept
        if len(self.seen) < self.LIMIT:
            self.seen[text] = text
        return text


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
    raise ImportFileError(msg("file_no_header"))


def _assemble(
    rows: list[tuple[int, list[str]]],
    header_at: int,
    *,
    encoding: str,
    numeric: Mapping[int, Sequence[int]] | None = None,
    unsaved: Set[_Position] = frozenset(),
    dates: Mapping[int, Sequence[int]] | None = None,
) -> RawTable:
    """The table below ``rows[header_at]``: blank rows and unnamed empty columns dropped, flags re-keyed.

    ``rows`` are in ascending row numbers, and emptied (their memory is the table's now); ``numeric``
    and ``dates`` map a column (from 0) to the row numbers of its flagged cells, ``unsaved`` holds
    (row number, column) pairs.
    """
    header_number, header = rows[header_at]
    body = rows[header_at + 1 :]
    width = max(len(cells) for _, cells in rows[header_at:])
    grid = pd.DataFrame(  # column by column: no padded copy of every row
        {column: _column(body, column) for column in range(width)}, index=pd.RangeIndex(len(body)), dtype=object
    )
    names = normalise_text(pd.Series(header + [""] * (width - len(header)), dtype=object)).tolist()
    numbers = np.fromiter((number for number, _ in body), dtype=np.int64, count=len(body))
    del body
    rows.clear()  # the cells are in the grid now: the rows' lists go before the texts are normalised

    # one normalised column at a time (a million rows' normalised texts are hundreds of MB)
    filled = pd.DataFrame({column: normalise_text(grid[column]).ne("") for column in grid.columns}, index=grid.index)
    for number, column in unsaved:  # a formula without a result is not blank: the caller reports it
        at = _index_of(numbers, number)
        if at is not None and column < width:
            filled.iat[at, column] = True
    keep_rows = filled.any(axis=1).to_numpy(dtype=bool)
    has_data = filled[keep_rows].any(axis=0).to_numpy(dtype=bool)
    del filled
    _check_names(names, has_data, header_number)
    keep_columns = [column for column in range(width) if names[column] or has_data[column]]

    frame = grid.loc[keep_rows, keep_columns].reset_index(drop=True)
    del grid
    frame.columns = [names[column] for column in keep_columns]
    kept = numbers[keep_rows]
    kept_columns = set(keep_columns)

    def flagged(by_column: Mapping[int, Sequence[int]] | None) -> dict[str, np.ndarray]:
        out = {}
        for column, flagged_numbers in (by_column or {}).items():
            if column in kept_columns and len(flagged_numbers):
                wanted = np.asarray(flagged_numbers, dtype=np.int64)
                at = np.searchsorted(kept, wanted)
                found = at < len(kept)
                found[found] = kept[at[found]] == wanted[found]
                if found.any():
                    out[names[column]] = at[found]
        return out

    formulas = set()
    for number, column in unsaved:
        at = _index_of(kept, number)
        if at is not None and column in kept_columns:
            formulas.add((at, names[column]))
    return RawTable(
        frame=frame,
        row_numbers=kept.tolist(),
        encoding=encoding,
        numeric_rows=flagged(numeric),
        date_rows=flagged(dates),
        formula_cells_without_value=frozenset(formulas),
    )


def _column(body: list[tuple[int, list[str]]], column: int) -> np.ndarray:
    values = np.empty(len(body), dtype=object)
    values[:] = [cells[column] if column < len(cells) else "" for _, cells in body]
    return values


def _index_of(numbers: np.ndarray, number: int) -> int | None:
    """The position of ``number`` in the ascending ``numbers``, or ``None``."""
    at = int(np.searchsorted(numbers, number))
    return at if at < len(numbers) and numbers[at] == number else None


def _check_names(names: list[str], has_data: np.ndarray, header_number: int) -> None:
    unnamed = [get_column_letter(column + 1) for column, name in enumerate(names) if not name and has_data[column]]
    seen: dict[str, list[str]] = {}
    for column, name in enumerate(names):
        if name:
            seen.setdefault(name, []).append(get_column_letter(column + 1))
    repeated = [[name, letters] for name, letters in seen.items() if len(letters) > 1]
    if unnamed or repeated:
        raise ImportFileError(msg("file_header_names", row=header_number, unnamed=unnamed, repeated=repeated))

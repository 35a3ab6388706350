"""The rejected rows of a batch as an annotated XLSX: the clerk's own columns plus the problems."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from households.importing.columns import COLUMNS, column_cap
from households.importing.originals import original_read
from households.importing.reading import ImportFileError, read_table
from households.models import ImportBatch

_PROBLEMS_HEADER = "问题 problems"
_HIGHLIGHT = PatternFill("solid", fgColor="FFF2CC")


def rejected_rows_xlsx(batch: ImportBatch) -> bytes:
    """A workbook with one row per rejected row of ``batch`` (its cells as uploaded, the row number,
    and every problem of the row), and the file-level problems at the top.

    Raises:
        ImportFileError: the stored file can no longer be read.
    """
    problems = batch.report.get("problems", [])
    by_row: dict[int, list[dict]] = {}
    for problem in problems:
        by_row.setdefault(problem["row"], []).append(problem)
    data = original_read(batch)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "rejected"
    try:
        # a mapping batch's file is the source survey, with columns of its own
        columns = column_cap(batch.kind) if batch.kind in COLUMNS and not batch.mapping else None
        table = read_table(data, filename=batch.original_name, max_columns=columns)
    except ImportFileError as error:
        sheet.append([_PROBLEMS_HEADER])
        sheet.append([str(error)])
        return _save(workbook)
    columns = [str(c) for c in table.frame.columns]
    sheet.append(["行 row", *columns, _PROBLEMS_HEADER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    row = 1
    for problem in by_row.get(0, []):
        row += 1
        _write_row(sheet, row, ["", *[""] * len(columns), f"{problem['column']}: {problem['message']}"])
    frame = table.frame.to_numpy()
    for index, row_number in enumerate(table.row_numbers):
        if row_number not in by_row:
            continue
        row += 1
        messages = "; ".join(f"{p['column']}: {p['message']}" for p in by_row[row_number])
        _write_row(sheet, row, [row_number, *[str(v) for v in frame[index]], messages])
        for problem in by_row[row_number]:
            if problem["column"] in columns:
                sheet.cell(row=row, column=columns.index(problem["column"]) + 2).fill = _HIGHLIGHT
    for cell in sheet[1][1:]:
        sheet.column_dimensions[cell.column_letter].number_format = "@"
    return _save(workbook)


def _write_row(sheet, row: int, values: list) -> None:
    """Write cells as plain values: text stays text, even when it starts with '=' (no live formulas)."""
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str) and cell.data_type == "f":
            cell.data_type = "s"


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

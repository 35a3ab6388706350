"""The rejected rows of a batch as an annotated XLSX: the clerk's own columns plus the problems."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

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
    with batch.file.open("rb") as handle:
        data = handle.read()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "rejected"
    try:
        table = read_table(data, filename=batch.original_name)
    except ImportFileError as error:
        sheet.append([_PROBLEMS_HEADER])
        sheet.append([str(error)])
        return _save(workbook)
    columns = [str(c) for c in table.frame.columns]
    sheet.append(["行 row", *columns, _PROBLEMS_HEADER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for problem in by_row.get(0, []):
        sheet.append(["", *[""] * len(columns), f"{problem['column']}: {problem['message']}"])
    for index, row_number in enumerate(table.row_numbers):
        if row_number not in by_row:
            continue
        messages = "; ".join(f"{p['column']}: {p['message']}" for p in by_row[row_number])
        sheet.append([row_number, *[str(v) for v in table.frame.iloc[index]], messages])
        for problem in by_row[row_number]:
            if problem["column"] in columns:
                sheet.cell(row=sheet.max_row, column=columns.index(problem["column"]) + 2).fill = _HIGHLIGHT
    for cell in sheet[1][1:]:
        sheet.column_dimensions[cell.column_letter].number_format = "@"
    return _save(workbook)


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

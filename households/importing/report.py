"""The rejected rows of a batch as an annotated XLSX: the clerk's own columns plus the problems.

What it holds (issue 13, findings 5 and 8):

- resident IDs masked (``masking.value_masked``: the resident-ID column, and an ID-shaped run in
  any other cell): the workbook leaves the server and is opened on office computers, and the
  clerk fixes the rows in their own copy of the file (the highlighted cell and the row number say
  where). Registry numbers stay whole: only a clerk or admin in the batch's regions may download
  the workbook (``selectors.import_batch_get``), and such a user sees those numbers whole on every
  page; without them the rows could not be found again.
- the problems in the reader's language (``messages.problem_message``: the language of the
  download's request), however the batch's report was stored;
- no live formula: every text cell (headers, cells, problems) goes through the exports' rule
  (``config.renderers.cell``: a leading ``=``, ``+``, ``-``, ``@``, tab or CR gets a ``'``), and is
  written as text.
"""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from config.renderers import cell as export_cell
from households.importing.columns import COLUMNS, column_cap
from households.importing.masking import value_masked
from households.importing.messages import clauses, problem_message, shown
from households.importing.originals import original_read
from households.importing.reading import ImportFileError, read_table
from households.models import ImportBatch

_ROW_HEADER = "行 row"
_PROBLEMS_HEADER = "问题 problems"
#: The columns this workbook adds, as an import reads them (normalised): ignored on upload again.
ANNOTATION_HEADERS = frozenset(h.casefold() for h in (_ROW_HEADER, _PROBLEMS_HEADER))
_HIGHLIGHT = PatternFill("solid", fgColor="FFF2CC")


def rejected_rows_xlsx(batch: ImportBatch) -> bytes:
    """A workbook with one row per rejected row of ``batch`` (its cells as uploaded, resident IDs
    masked, the row number, and every problem of the row), and the file-level problems at the top.

    Raises:
        originals.OriginalGone: the uploaded file is no longer kept (the retention period).
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
        _write_row(sheet, 1, [_PROBLEMS_HEADER])
        _write_row(sheet, 2, [shown(error.message)])
        return _save(workbook)
    columns = [str(c) for c in table.frame.columns]
    _write_row(sheet, 1, [_ROW_HEADER, *columns, _PROBLEMS_HEADER])
    for header in sheet[1]:
        header.font = Font(bold=True)
    row = 1
    for problem in by_row.get(0, []):
        row += 1
        _write_row(sheet, row, ["", *[""] * len(columns), _problem_text(problem)])
    frame = table.frame.to_numpy()
    for index, row_number in enumerate(table.row_numbers):
        if row_number not in by_row:
            continue
        row += 1
        messages = clauses(_problem_text(p) for p in by_row[row_number])
        values = zip(columns, frame[index], strict=True)
        cells = [value_masked(batch.kind, column, str(value), registry=False) for column, value in values]
        _write_row(sheet, row, [row_number, *cells, messages])
        for problem in by_row[row_number]:
            if problem["column"] in columns:
                sheet.cell(row=row, column=columns.index(problem["column"]) + 2).fill = _HIGHLIGHT
    for header in sheet[1][1:]:
        sheet.column_dimensions[header.column_letter].number_format = "@"
    return _save(workbook)


def _problem_text(problem: dict) -> str:
    """``column: message`` of a stored problem, the message in the reader's language (``messages``)."""
    message = problem_message(problem)
    return f"{problem['column']}: {message}" if problem.get("column") else message


def _write_row(sheet, row: int, values: list) -> None:
    """Write cells as plain values: numbers as numbers, text neutralised as the exports do and
    stored as text (no live formulas)."""
    for column, value in enumerate(values, start=1):
        written = sheet.cell(row=row, column=column, value=export_cell(value))
        if isinstance(written.value, str):
            written.data_type = "s"


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

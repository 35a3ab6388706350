"""A batch's file with its problems marked, as an XLSX to fix and upload again.

An import writes all its rows or none, so a batch with problems wrote nothing; the clerk fixes the
bad rows and uploads the whole file again. The workbook is that file: every data row of the upload
in file order (fresh-eyes test 14, item 2: with only the bad rows in it, a clerk who fixed and
uploaded it lost the good ones, which had never been written), the row number in front, the
problems of a bad row in the last column (blank for a good row), its bad cells highlighted, the
file-level problems in rows of their own at the top. Uploaded again as it is, its two added columns
and the rows holding nothing else are ignored (``ANNOTATION_HEADERS``, ``validate``).

What it holds (issue 13, findings 5 and 8):

- resident IDs masked (``masking.value_masked``: the resident-ID column, and an ID-shaped run in
  any other cell): the workbook leaves the server and is opened on office computers. A masked ID
  cannot be imported, so a file with resident IDs gets a note at the top saying to type them whole
  (or to fix the clerk's own file), and the upload names a masked ID as such (``validate``).
  Registry numbers stay whole: only a clerk or admin in the batch's regions may download the
  workbook (``selectors.import_batch_get``), and such a user sees those numbers whole on every
  page; without them the rows could not be found again.
- the problems in the reader's language (``messages.problem_message``: the language of the
  download's request), however the batch's report was stored;
- no live formula: every text cell (headers, cells, problems) goes through the exports' rule
  (``config.renderers.cell``: a leading ``=``, ``+``, ``-``, ``@``, tab or CR gets a ``'``), and is
  written as text.

Built column-wise in pandas and written in openpyxl's write-only mode (a file may hold a million rows).
"""

import io

import pandas as pd
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from config.renderers import _FORMULA_START
from config.renderers import cell as export_cell
from households.importing.columns import COLUMNS, column_cap
from households.importing.masking import column_masked, field_of
from households.importing.messages import clauses, problem_message, shown
from households.importing.originals import original_read
from households.importing.reading import ImportFileError, read_table
from households.models import ImportBatch

_ROW_HEADER = "行 row"
_PROBLEMS_HEADER = "问题 problems"
#: The columns this workbook adds, as an import reads them (normalised): ignored on upload again.
ANNOTATION_HEADERS = frozenset(h.casefold() for h in (_ROW_HEADER, _PROBLEMS_HEADER))
_HIGHLIGHT = PatternFill("solid", fgColor="FFF2CC")
#: The name of the download (its address stays ``…/rejected.xlsx``, which the API documents).
FILENAME = "batch-{pk}-problems-marked.xlsx"


def problems_marked_xlsx(batch: ImportBatch) -> bytes:
    """The uploaded file of ``batch`` as a workbook: a header row (``行 row``, the file's headers,
    ``问题 problems``), the file-level problems and notes, then every data row in file order: its
    row number, its cells as uploaded (resident IDs masked), its problems ('' for a good row).

    Raises:
        originals.OriginalGone: the uploaded file is no longer kept (the retention period).
    """
    problems = batch.report.get("problems", [])
    data = original_read(batch)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("rows")
    try:
        # a mapping batch's file is the source survey, with columns of its own
        columns = column_cap(batch.kind) if batch.kind in COLUMNS and not batch.mapping else None
        table = read_table(data, filename=batch.original_name, max_columns=columns)
    except ImportFileError as error:
        sheet.append([_text_cell(sheet, _PROBLEMS_HEADER)])
        sheet.append([_text_cell(sheet, shown(error.message))])
        return _save(workbook)
    headers = [str(c) for c in table.frame.columns]
    for letter in (get_column_letter(i) for i in range(2, len(headers) + 3)):
        sheet.column_dimensions[letter].number_format = "@"  # what the clerk types stays text
    sheet.append([_text_cell(sheet, h, bold=True) for h in (_ROW_HEADER, *headers, _PROBLEMS_HEADER)])
    blank = [None] * len(headers)
    notes = [_problem_text(p) for p in problems if not p.get("row")]
    if any(field_of(batch.kind, h) == "resident_id" for h in headers if table.frame[h].astype(bool).any()):
        notes.append(
            _(
                "Resident IDs are masked in this workbook (the first and last four characters shown): type each"
                " one whole before you upload it again, or fix your own file instead."
            )
        )
    for note in notes:
        sheet.append([None, *blank, _text_cell(sheet, note)])
    cells = pd.DataFrame(
        {h: _neutralised(column_masked(batch.kind, h, table.frame[h])) for h in headers}, index=table.frame.index
    )
    by_row = _problems_by_row(problems)
    marks = {(p["row"], p["column"]) for p in problems if p.get("row") and p.get("column") in cells.columns}
    texts = by_row.reindex(table.row_numbers).tolist()
    for row_number, values, text in zip(
        table.row_numbers, cells.itertuples(index=False, name=None), texts, strict=True
    ):
        out = list(values)  # neutralised text: written as text; a bad cell is highlighted
        if isinstance(text, str):
            out = [_text_cell(sheet, v, fill=(row_number, h) in marks) for h, v in zip(headers, out, strict=True)]
        sheet.append([row_number, *out, _text_cell(sheet, text) if isinstance(text, str) else None])
    return _save(workbook)


def _problems_by_row(problems: list[dict]) -> pd.Series:
    """Row number → the problems of the row, ``column: message`` joined as the language does."""
    rows = [(p["row"], _problem_text(p)) for p in problems if p.get("row")]
    if not rows:
        return pd.Series(dtype=object)
    frame = pd.DataFrame(rows, columns=["row", "text"])
    return frame.groupby("row", sort=False)["text"].agg(clauses)


def _neutralised(column: pd.Series) -> pd.Series:
    """Text cells as the exports write them (``config.renderers.cell``): no leading formula character
    (so openpyxl writes each as text, never as a formula); ``None`` for a blank cell."""
    cells = column.where(~column.str.startswith(_FORMULA_START), "'" + column).to_numpy(dtype=object)
    cells[cells == ""] = None  # (pandas' where would put NaN there)
    return pd.Series(cells, index=column.index, dtype=object)


def _problem_text(problem: dict) -> str:
    """``column: message`` of a stored problem, the message in the reader's language (``messages``)."""
    message = problem_message(problem)
    return f"{problem['column']}: {message}" if problem.get("column") else message


def _text_cell(sheet, value, *, bold: bool = False, fill: bool = False):
    """A cell holding ``value`` as text (neutralised as the exports do); ``None`` for ''."""
    if value == "" or value is None:
        return None
    written = WriteOnlyCell(sheet, value=export_cell(value))
    written.data_type = "s"
    if bold:
        written.font = Font(bold=True)
    if fill:
        written.fill = _HIGHLIGHT
    return written


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Tables as downloads: CSV (UTF-8 with a BOM, so Excel opens Chinese text) and XLSX.

One place for every "export" button and every ``?format=csv|xlsx`` of a page table.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def _cell(value):
    """A cell value both writers accept: numbers and text as they are, None as empty, the rest as text."""
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)


def table_csv(rows: Iterable[Mapping], columns: Sequence[tuple[str, str]]) -> bytes:
    """``rows`` (dicts) as CSV bytes, UTF-8 with a BOM; ``columns`` are (key, header) pairs in order.

    Codes stay text (a leading zero survives); None is an empty cell.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(label) for _, label in columns])
    for row in rows:
        writer.writerow(["" if row.get(key) is None else _cell(row.get(key)) for key, _ in columns])
    return buffer.getvalue().encode("utf-8-sig")


def table_xlsx(rows: Iterable[Mapping], columns: Sequence[tuple[str, str]], *, title: str = "data") -> bytes:
    """``rows`` as an XLSX workbook of one sheet: a bold header row, then one row per dict.

    Every value whose key ends in ``code`` is written as text so Excel keeps leading zeros and all
    12 digits of a village code.
    """
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = (title or "data")[:31]
    sheet.append([str(label) for _, label in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    text_columns = [i for i, (key, _) in enumerate(columns, start=1) if key.endswith("code") or key == "region"]
    for row in rows:
        sheet.append([_cell(row.get(key)) for key, _ in columns])
        for i in text_columns:
            sheet.cell(row=sheet.max_row, column=i).number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(rows, columns, *, filename: str, fmt: str) -> HttpResponse:
    """A download of ``rows`` as ``fmt`` ('csv' or 'xlsx') named ``filename`` plus the extension.

    Raises ValueError for another format (callers validate ``?format=`` first and answer 400).
    ``filename`` must not hold personal data (it ends up in the browser's history).
    """
    if fmt == "csv":
        response = HttpResponse(table_csv(rows, columns), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(table_xlsx(rows, columns, title=filename), content_type=XLSX)
    else:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response

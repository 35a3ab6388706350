"""Tables as downloads: CSV (UTF-8 with a BOM, so Excel opens Chinese text) and XLSX.

One place for every "export" button and every ``?format=csv|xlsx`` of a page table.
"""

import io
from collections.abc import Iterable, Mapping, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from config.renderers import cell, csv_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def _text_safe(value):
    """A value both writers accept: numbers as they are, None as empty, text through the API
    renderer's cell rule (``config.renderers.cell``: a leading ``=``, ``+``, ``-``, ``@`` gets a
    ``'`` so a spreadsheet never runs a region or village name as a formula)."""
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value
    return cell(value)


def table_xlsx(rows: Iterable[Mapping], columns: Sequence[tuple[str, str]], *, title: str = "data") -> bytes:
    """``rows`` as an XLSX workbook of one sheet: a bold header row, then one row per dict.

    Every value whose key ends in ``code`` is written as text so Excel keeps leading zeros and all
    12 digits of a village code.
    """
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = (title or "data")[:31]
    sheet.append([str(label) for _, label in columns])
    for header in sheet[1]:
        header.font = Font(bold=True)
    text_columns = [i for i, (key, _) in enumerate(columns, start=1) if key.endswith("code") or key == "region"]
    for row in rows:
        sheet.append([_text_safe(row.get(key)) for key, _ in columns])
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
        # the API's CSV writer: codes stay text, None is empty, text that would start a formula is neutralised
        response = HttpResponse(csv_bytes(rows, columns=columns), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(table_xlsx(rows, columns, title=filename), content_type=XLSX)
    else:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {FORMATS}")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response

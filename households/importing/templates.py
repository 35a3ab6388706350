"""Downloadable templates: the column dictionary of a kind as CSV and XLSX."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from households.importing.columns import COLUMNS, IDENTIFIER, Column


def _choices_text(column: Column) -> str:
    if column.choices is None:
        return ""
    return "; ".join(str(value) for value in column.choices.values)


def template_csv(kind: str) -> bytes:
    """The header row of ``kind`` in both languages, UTF-8 with BOM (opens correctly in Excel)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([c.header for c in COLUMNS[kind]])
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str) -> bytes:
    """A workbook: sheet ``data`` (header row; identifier columns formatted as text) and sheet
    ``dictionary`` (one row per column: headers, type, unit, required, rule, accepted codes)."""
    workbook = Workbook()
    data = workbook.active
    data.title = "data"
    for index, column in enumerate(COLUMNS[kind], start=1):
        cell = data.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        if column.kind == IDENTIFIER:
            for row in range(2, 1002):
                data.cell(row=row, column=index).number_format = "@"
        data.column_dimensions[cell.column_letter].width = max(12, len(column.header) + 4)
    dictionary = workbook.create_sheet("dictionary")
    dictionary.append(["中文列名", "column", "type", "unit", "required", "rule", "codes"])
    for cell in dictionary[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS[kind]:
        dictionary.append(
            [
                column.zh,
                column.field,
                column.kind,
                column.unit,
                "yes" if column.required else "",
                column.rule,
                _choices_text(column),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

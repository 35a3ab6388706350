"""Downloadable templates: the column dictionary of a kind as CSV and XLSX.

The data sheet's headers are in both languages (``户编号 registry_number``: a file may use either,
or both). The dictionary sheet explains each column in the language of the download (the reader's:
the page's or the API request's), as a clerk reads the rest of the site: a Chinese clerk gets the
types, units, rules and accepted values in Chinese. The codes of a choice column stay in their own
column in every language (the import accepts the code, the English or the Chinese label).
"""

import csv
import io

from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font

from households.importing.columns import BOOL, CHOICE, CHOICES, COLUMNS, DATE, DECIMAL, IDENTIFIER, INT, TEXT, Column
from households.importing.messages import join

#: How a clerk reads each column kind.
KIND_LABELS = {
    IDENTIFIER: gettext_noop("identifier (text)"),
    TEXT: gettext_noop("text"),
    DECIMAL: gettext_noop("amount or decimal number"),
    BOOL: gettext_noop("yes/no"),
    INT: gettext_noop("whole number"),
    DATE: gettext_noop("date"),
    CHOICE: gettext_noop("one value of the list"),
    CHOICES: gettext_noop("one or more values of the list"),
}
#: The dictionary sheet's header row (translated at download time).
DICTIONARY_HEADERS = (
    gettext_noop("Chinese header"),
    gettext_noop("English header"),
    gettext_noop("type"),
    gettext_noop("unit"),
    gettext_noop("required"),
    gettext_noop("rule"),
    gettext_noop("accepted values"),
    gettext_noop("codes"),
)


def _codes_text(column: Column) -> str:
    if column.choices is None:
        return ""
    return "; ".join(str(value) for value in column.choices.values)


def _labels_text(column: Column) -> str:
    """The labels of a choice column in the active language (English labels hold commas: ``;``)."""
    if column.choices is None:
        return ""
    labels = [str(label) for label in column.choices.labels]
    return join(labels) if translation.get_language().startswith("zh") else "; ".join(labels)


def _translated(text: str) -> str:
    return gettext(text) if text else ""


def template_csv(kind: str) -> bytes:
    """The header row of ``kind`` in both languages, UTF-8 with BOM (opens correctly in Excel)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([c.header for c in COLUMNS[kind]])
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str) -> bytes:
    """A workbook: sheet ``data`` (header row; identifier columns formatted as text) and sheet
    ``dictionary`` (one row per column: both headers, then type, unit, required, rule and the
    accepted values in the active language, and the codes of a choice column)."""
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
    dictionary.append([gettext(header) for header in DICTIONARY_HEADERS])
    for cell in dictionary[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS[kind]:
        dictionary.append(
            [
                column.zh,
                column.field,
                gettext(KIND_LABELS[column.kind]),
                _translated(column.unit),
                gettext("yes") if column.required else "",
                _translated(column.rule),
                _labels_text(column),
                _codes_text(column),
            ]
        )
    for letter, width in zip("ABCDEFGH", (18, 24, 16, 10, 8, 40, 40, 40), strict=True):
        dictionary.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

"""Import problems as a code and parameters, shown in the reader's language when they are read.

A problem of an import (a cell, a row or the whole file) is made once, when the file is checked,
and read later: on the batch page, in ``rejected.xlsx``, through the API, by a clerk whose language
may not be the uploader's, and by a Celery task that has no reader at all. So a problem carries a
*code* (``"not_a_number"``) and *parameters* (``{"value": "abc"}``: plain JSON values), and the text
is made when it is shown (``problem_message``), with gettext in the reader's language:

- ``msg(code, **params)`` makes a ``Message``: a ``str`` (the English text, as the reports had it,
  for logs, tests and readers that know no codes) that also holds ``code`` and ``params``;
- ``problem_message(problem)`` is the text of a stored problem (a report's ``dict``) in the active
  language; a stored problem without a code (reports made before codes, or a message made elsewhere
  as plain text) shows its stored text, translated when the text itself is in the catalogue.

Parameters shown differently by language are named here: ``field`` of an unknown choice (the
accepted values: the codes for an English reader, the Chinese labels for a Chinese one), ``key``
(fields: their English names or Chinese headers), ``rows`` (row numbers, joined as the language
joins a list). Every other parameter is shown as stored (after ``masking`` masked identifiers).
"""

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

_RAGGED_ROW = gettext_noop("row %(row)s has %(count)s")
_RAGGED_MORE = gettext_noop(" (and %(more)s more rows)")
_UNNAMED_ONE = gettext_noop("header row %(row)s has no name for column %(column)s, which holds data")
_UNNAMED_MANY = gettext_noop("header row %(row)s has no name for columns %(columns)s, which hold data")
_REPEATED = gettext_noop("header row %(row)s names '%(name)s' in more than one column (%(columns)s)")
_OWN_NAME = gettext_noop("give each column its own name")


def _header_names(params: dict) -> str:
    """The header problems of one row: columns without a name, names used twice."""
    row, unnamed = params.get("row", ""), list(params.get("unnamed") or [])
    parts = []
    if len(unnamed) == 1:
        parts.append(gettext(_UNNAMED_ONE) % {"row": row, "column": unnamed[0]})
    elif unnamed:
        parts.append(gettext(_UNNAMED_MANY) % {"row": row, "columns": ", ".join(unnamed)})
    for name, letters in params.get("repeated") or []:
        parts.append(gettext(_REPEATED) % {"row": row, "name": name, "columns": ", ".join(letters)})
    return clauses([*parts, gettext(_OWN_NAME)])


def _status_change(params: dict) -> str:
    from households.services.status import transition_problem  # services build on the models

    return transition_problem(current=params.get("current", ""), status=params.get("status", "")) or ""


#: Every code and its English text (the msgid, with ``%(name)s`` parameters), or a function of the
#: shown parameters for a text made elsewhere in the active language.
TEXTS: dict[str, str | Callable[[dict], str]] = {
    # cells (``cells``, ``validate._parse_column``, ``fast._parse_sql``)
    "required": gettext_noop("required: the cell is empty"),
    "too_long": gettext_noop("longer than %(limit)s characters"),
    "at_least": gettext_noop("must be at least %(minimum)s"),
    "greater_than": gettext_noop("must be greater than %(minimum)s"),
    "at_most": gettext_noop("must be at most %(maximum)s"),
    "absurd_amount": gettext_noop("absurd amount: more than %(limit)s yuan a year; check the unit"),
    "unknown_choice": gettext_noop("unknown value; use one of: %(allowed)s"),
    "ambiguous_number": gettext_noop(
        "ambiguous number '%(value)s': use a point for decimals and no thousands separator or a comma"
    ),
    "comma_not_thousands": gettext_noop(
        "'%(value)s' is not a number: a comma may only separate thousands, as in 1,234.5"
    ),
    "not_a_number": gettext_noop("'%(value)s' is not a number"),
    "not_yes_no": gettext_noop("'%(value)s' is not a yes/no answer: use %(words)s"),
    "not_whole_number": gettext_noop("'%(value)s' is not a whole number"),
    # whole numbers out of bounds in reports made before they said "at_least"/"at_most" as decimals do
    "below_minimum": gettext_noop("%(number)s is less than the minimum %(minimum)s"),
    "above_maximum": gettext_noop("%(number)s is more than the maximum %(maximum)s"),
    "no_such_day": gettext_noop("'%(value)s' is not a real date: that day does not exist"),
    "not_a_date": gettext_noop("'%(value)s' is not a date: write it as YYYY-MM-DD, for example 2020-01-05"),
    "excel_day_60": gettext_noop("Excel day number 60 is 1900-02-29, a day that does not exist"),
    "excel_day_range": gettext_noop("Excel day number %(value)s is not a date: valid numbers are 1 to %(last)s"),
    "number_as_id": gettext_noop(
        "Excel stored this identifier as a number and may have changed its digits; "
        "format the column as Text and re-enter it"
    ),
    "formula_without_value": gettext_noop(
        "formula without a saved value: open and save the file in Excel, or paste values"
    ),
    # rows (``validate``, ``fast``)
    "duplicate_key": gettext_noop("duplicate key: the same %(key)s is also in row %(rows)s"),
    "duplicate_key_more": gettext_noop("duplicate key: the same %(key)s is also in row %(rows)s and %(more)s more"),
    "exit_before_registration": gettext_noop("the exit year is before the registration year"),
    "exit_after_period": gettext_noop("the exit year is after %(year)s, the year of this import"),
    "exit_after_this_year": gettext_noop("the exit year is after this year (%(year)s)"),
    "registration_after_period": gettext_noop("the registration year is after %(year)s, the year of this import"),
    "registration_after_this_year": gettext_noop("the registration year is after this year (%(year)s)"),
    "birth_after_period": gettext_noop("the birth date is after the end of %(year)s, the year of this import"),
    "birth_after_today": gettext_noop("the birth date is after today (%(date)s)"),
    "unknown_region": gettext_noop("unknown region code"),
    "not_a_village": gettext_noop("not a village: a region of level %(level)s"),
    "outside_regions": gettext_noop("outside your assigned regions"),
    "registry_shape": gettext_noop("a registry number is the village code followed by a 4-digit serial"),
    "outside_household": gettext_noop("not a household you may change: its village is outside your assigned regions"),
    "unknown_household": gettext_noop(
        "no household with this number in your regions: import it in a households file first"
    ),
    "registered_elsewhere": gettext_noop("this resident ID is already registered to another member"),
    "resident_id_shape": gettext_noop("a resident ID has 18 characters: 17 digits and a digit or X"),
    # a cell of the downloaded workbook (``report``) uploaded again as it is
    "resident_id_masked": gettext_noop("this resident ID is masked (as in the downloaded workbook): type it whole"),
    "resident_id_birth_not_a_date": gettext_noop("the birth date inside the ID (%(digits)s) is not a date"),
    "resident_id_birth_out_of_range": gettext_noop("the birth date inside the ID (%(date)s) is out of range"),
    "resident_id_check_digit": gettext_noop("the check digit is wrong (ISO 7064 MOD 11-2): mistyped?"),
    "birth_date_differs": gettext_noop("differs from the birth date inside the resident ID (%(date)s)"),
    "resident_id_repeated": gettext_noop("the same resident ID is also in row %(rows)s"),
    "status_change": _status_change,
    # the whole file (``validate``, ``reading``, ``background``)
    "id_answers_refused": gettext_noop(
        "refused: your account has reached today's limit of %(limit)s resident IDs reported as registered to "
        "other members, so no resident ID of this file was checked; try again tomorrow or ask an administrator"
    ),
    "no_data_rows": gettext_noop("the file has a header but no data rows"),
    "unknown_column": gettext_noop("unknown column; see the template for the accepted headers"),
    "column_twice": gettext_noop("column %(field)s appears twice"),
    "column_missing": gettext_noop("required column is missing"),
    "file_old_excel": gettext_noop("old Excel files (.xls) cannot be read; save the file as .xlsx or as CSV UTF-8"),
    "file_type": gettext_noop("cannot read a '%(suffix)s' file; upload a .csv or .xlsx file"),
    "file_xlsx_as_csv": gettext_noop("this file is an Excel workbook named .csv; upload it with the .xlsx extension"),
    "file_csv_error": gettext_noop("the CSV file cannot be read at line %(line)s: %(error)s"),
    "file_ragged": gettext_noop(
        "the header has %(width)s cells but %(rows)s: every row needs one cell per column "
        '(quote a number written with a comma, as in "1,000.5")'
    ),
    "file_encoding": gettext_noop(
        "the CSV file is neither UTF-8 nor GB18030 text; save it as UTF-8 (in Excel: "
        '"CSV UTF-8 (Comma delimited)") or as GB18030/GBK and upload it again'
    ),
    "file_not_xlsx": gettext_noop(
        "the file cannot be opened as an Excel workbook (.xlsx); open it in Excel, save it as .xlsx and upload it again"
    ),
    "file_no_sheet": gettext_noop("the workbook has no worksheet"),
    "file_sheet_missing": gettext_noop("the workbook has no sheet named '%(sheet)s'; its sheets are %(sheets)s"),
    "file_merged_header": gettext_noop(
        "header row %(row)s has merged cells %(cells)s; unmerge them and give each column its own name"
    ),
    "file_no_header": gettext_noop("the file has no header row"),
    "file_header_names": _header_names,
    "file_rows_limit": gettext_noop(
        "row %(row)s holds data, but an import file may have at most %(limit)s rows below its header "
        "(row %(header)s); split the file"
    ),
    "file_columns_limit": gettext_noop(
        "cell %(cell)s holds data, but this import reads at most %(limit)s columns (A to %(last)s); "
        "delete the columns to the right of the data and upload it again"
    ),
    "file_parts": gettext_noop(
        "the workbook has %(count)s parts, more than the %(limit)s of an ordinary workbook; "
        "the file is refused: save it again from Excel"
    ),
    "file_part_ratio": gettext_noop(
        "the workbook part %(part)s unpacks %(ratio)s times (from %(packed)s to %(unpacked)s bytes), "
        "more than the %(limit)s times of an ordinary workbook; the file is refused: save it again "
        "from Excel"
    ),
    "file_ratio": gettext_noop(
        "the workbook unpacks %(ratio)s times its size (from %(packed)s to %(unpacked)s bytes), more than "
        "the %(limit)s times of an ordinary workbook; the file is refused: save it again from Excel"
    ),
    "file_unpacked": gettext_noop(
        "the workbook unpacks to %(unpacked)s bytes, more than the %(limit)s bytes an import may hold; split the file"
    ),
    "file_dimension_columns": gettext_noop(
        "sheet '%(sheet)s' declares cells up to column %(column)s (%(ref)s), but this import reads at most "
        "%(limit)s columns (A to %(last)s); delete the columns to the right of the data and upload it again"
    ),
    "file_dimension_rows": gettext_noop(
        "sheet '%(sheet)s' declares %(rows)s rows (%(ref)s), but an import file may have at most %(limit)s "
        "rows below its header; split the file, or delete the empty rows below the data"
    ),
    "file_row_text": gettext_noop("row %(row)s holds more than %(limit)s characters of text; the file is refused"),
    "check_too_long": gettext_noop("checking the file took more than %(minutes)s minutes; split the file"),
    "check_file_gone": gettext_noop("the uploaded file is no longer stored; upload it again"),
    "check_failed": gettext_noop("the file could not be checked; upload it again or ask an administrator"),
    "check_unfinished": gettext_noop("the check of the file did not finish; upload it again"),
}


class Message(str):
    """A problem's text in English (the ``str`` itself) with its ``code`` and ``params``.

    Raises:
        KeyError: ``code`` is not in ``TEXTS``.
    """

    code: str
    params: dict

    def __new__(cls, code: str, params: dict):
        if code not in TEXTS:
            raise KeyError(f"no import message {code!r}")
        if isinstance(params.get("value"), str):
            params = {**params, "value": cut(params["value"])}
        with translation.override("en"):
            text = message_text(code, params)
        self = super().__new__(cls, text)
        self.code, self.params = code, params
        return self


#: The most characters of a cell a problem shows (its ``value`` and the ``value`` parameter); a longer
#: cell is cut there and ends with "…" (the file, and ``rejected.xlsx``, keep the cell whole).
VALUE_LIMIT = 200


def cut(text: str, limit: int = VALUE_LIMIT) -> str:
    """``text``, or its first ``limit`` characters and "…" when it is longer."""
    return text if len(text) <= limit else text[:limit] + "…"


def msg(code: str, **params) -> Message:
    """The problem ``code`` with its parameters (JSON values: str, int, float, lists of them)."""
    return Message(code, params)


def message_text(code: str, params: dict) -> str:
    """The text of ``code`` with ``params`` in the active language.

    Raises:
        KeyError: ``code`` is not in ``TEXTS``.
    """
    text = TEXTS[code]
    shown = _shown(params)
    if code == "not_yes_no":  # the words by language, also where a report stored them in English
        shown["words"] = _yes_no_words()
    if callable(text):
        return text(shown)
    try:
        return gettext(text) % shown
    except (KeyError, TypeError, ValueError):  # a translation that names other parameters: the English
        return text % shown


def problem_message(problem: dict) -> str:
    """The message of a stored problem (``row``, ``column``, ``value``, ``message`` and, from reports
    made since codes, ``code`` and ``params``) in the active language.

    A problem without a known code shows its stored ``message`` (a report stored before codes, or a
    text made elsewhere), through the catalogue: a stored text that is a msgid reads translated.
    """
    code = problem.get("code") or ""
    if code in TEXTS:
        try:
            return message_text(code, dict(problem.get("params") or {}))
        except (KeyError, TypeError, ValueError):  # parameters of another version: the stored text
            pass
    stored = str(problem.get("message", ""))
    return gettext(stored) if stored else stored


def shown(message: str) -> str:
    """A message made now (a ``Message``, or plain text) in the active language."""
    if isinstance(message, Message):
        return message_text(message.code, message.params)
    return gettext(message) if message else message


def _chinese() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


def join(items) -> str:
    """``items`` as the active language lists them: ``3, 4`` in English, ``3、4`` in Chinese."""
    return ("、" if _chinese() else ", ").join(str(item) for item in items)


def alternatives(items) -> str:
    """``items`` as the active language offers a choice: ``a, b or c``; ``a、b或c``."""
    items = [str(item) for item in items]
    if len(items) < 2:
        return "".join(items)
    if _chinese():
        return "、".join(items[:-1]) + "或" + items[-1]
    return ", ".join(items[:-1]) + " or " + items[-1]


#: The yes/no words a cell may hold (``cells._BOOL_WORDS``), in pairs: the Chinese ones first for a
#: Chinese reader, the English ones first for an English one.
_YES_NO_ZH = ("是/否", "有/无", "√/×", "1/0", "yes/no", "y/n", "true/false")
_YES_NO_EN = ("yes/no", "y/n", "true/false", "1/0", "是/否", "有/无", "√/×")


def _yes_no_words() -> str:
    return alternatives(_YES_NO_ZH if _chinese() else _YES_NO_EN)


def clauses(items) -> str:
    """Clauses of one text as the active language separates them: ``a; b`` or ``a；b``."""
    return ("；" if _chinese() else "; ").join(str(item) for item in items)


def _shown(params: dict) -> dict:
    shown = dict(params)
    if "field" in params and "allowed" not in params:
        shown["allowed"] = _allowed(str(params["field"]))
    if isinstance(params.get("key"), list):
        shown["key"] = " + ".join(_field_name(field) for field in params["key"])
    if isinstance(params.get("rows"), list):
        shown["rows"] = join(params["rows"])
    if isinstance(params.get("ragged"), list):  # [[row, cells], ...] and how many more rows
        rows = clauses(gettext(_RAGGED_ROW) % {"row": row, "count": count} for row, count in params["ragged"])
        more = int(params.get("more") or 0)
        shown["rows"] = rows + (gettext(_RAGGED_MORE) % {"more": more} if more else "")
    return shown


def _column(field: str):
    from households.importing.columns import COLUMNS  # the columns' models import this package

    return next((c for columns in COLUMNS.values() for c in columns if c.field == field), None)


def _field_name(field: str) -> str:
    column = _column(field)
    return column.zh if column is not None and _chinese() else field


def _allowed(field: str) -> str:
    """The values a choice column accepts, as listed to the reader: its Chinese labels to a Chinese
    one; to an English reader its codes, each followed by its English label in brackets when the
    label says more than the code (``lack_land (lack of land)``, but ``illness``), separated by semicolons as labels
    may hold commas. The code and both labels are accepted."""
    column = _column(field)
    if column is None or column.choices is None:
        return ""
    if _chinese():
        return join(str(label) for label in column.choices.labels)
    with translation.override("en"):
        pairs = [(str(value), str(label)) for value, label in column.choices.choices]
    shown = []
    for value, label in pairs:
        plain = label.casefold() in (value.casefold(), value.replace("_", " ").casefold())
        shown.append(value if plain else f"{value} ({label})")
    return "; ".join(shown)

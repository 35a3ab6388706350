"""A CSV renderer for the API (``?format=csv``): UTF-8 with a BOM, so Excel opens Chinese text.

DRF has no CSV renderer of its own and the project adds no dependency for one. Codes stay text
(``062``-style leading zeros and 12-digit village codes survive), ``None`` is an empty cell, booleans
are ``true``/``false``, a list of codes or numbers is one text joined with ``; `` (the reasons
``below_monitoring_line; shock``), other lists and objects are JSON text. A cell of text starting with ``=``, ``+``,
``-``, ``@`` or a tab is prefixed with ``'`` so a spreadsheet does not run it as a formula (numbers
are written as numbers, negative ones included).
"""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence

from django.utils import timezone
from rest_framework.renderers import BaseRenderer

from config.formats import datetime_iso

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Between the items of a list of codes or numbers in one cell (the JSON answer keeps the array).
LIST_SEPARATOR = "; "


def cell(value) -> str | int | float:
    """One CSV or spreadsheet cell of an API or page table (see the module's rules)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime) and not timezone.is_naive(value):
        return datetime_iso(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return cell(LIST_SEPARATOR.join(str(item) for item in value))  # codes: below_monitoring_line; shock
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _rows(data) -> list[Mapping]:
    """The table in a response body: a list of rows, a page's ``results``, or one object as one row."""
    if isinstance(data, Mapping) and isinstance(data.get("results"), list):
        return data["results"]
    if isinstance(data, list):
        return [row if isinstance(row, Mapping) else {"value": row} for row in data]
    if isinstance(data, Mapping):
        return [data]
    return []


def csv_bytes(rows: Iterable[Mapping], *, columns: Sequence[tuple[str, str]] | None = None) -> bytes:
    """``rows`` (dicts) as CSV bytes, UTF-8 with a BOM, CRLF line ends.

    ``columns``: (key, header) pairs in order; None takes the union of the rows' keys in the order
    they first appear, each its own header (no header line when there are no rows).
    """
    rows = list(rows)
    if columns is None:
        keys: dict[str, None] = {}
        for row in rows:
            keys.update(dict.fromkeys(row))
        columns = [(key, key) for key in keys]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if columns:
        writer.writerow([str(header) for _, header in columns])
    for row in rows:
        writer.writerow([cell(row.get(key)) for key, _ in columns])
    return buffer.getvalue().encode("utf-8-sig")


class CSVRenderer(BaseRenderer):
    """``text/csv`` for list endpoints (``?format=csv`` or ``Accept: text/csv``).

    A paginated body renders its ``results``; the next page's URL goes in a ``Link`` header
    (``rel="next"``). The download is named after the view's ``csv_filename`` when it has one.
    Views using ``config.api.StrictFormatMixin`` answer errors in JSON.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        view = context.get("view")
        if response is not None:
            if isinstance(data, Mapping) and data.get("next"):
                response["Link"] = f'<{data["next"]}>; rel="next"'
            name = getattr(view, "csv_filename", None)
            if name and response.status_code == 200:
                response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return csv_bytes(_rows(data))

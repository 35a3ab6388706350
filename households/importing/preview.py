"""The first rows of an import as parsed: what the batch page and the API show before a commit.

A dry run parses the whole file once; its first ``PREVIEW_ROWS`` data rows are then kept in the
batch's report (``report["preview"]``), as the commit would store them, so a page view reads a few
hundred bytes of JSON and never parses the file again:

- the pandas path (``validate.import_validate``) takes them from the parsed frame
  (``preview_from_rows``);
- the PostgreSQL path (``fast.fast_stage``) selects them from its table of parsed rows, the first
  rows by file order, before the table is dropped or kept (``preview_from_table``).

Stored values (JSON): a choice is its code (its label is looked up in the reader's language when
the page is drawn, ``preview_display``), a list of choices a list of codes, a number the text of the
value the database would store (``Decimal`` rounded to the field's decimal places: ``1234.5`` in a
money column is ``"1234.50"``), a yes/no answer ``true``/``false``, a date ``YYYY-MM-DD``, a blank or
rejected cell ``null``. Each row has its file row number and its fate (new, updated, unchanged or
rejected). As the rest of a stored report (``masking``), resident IDs are masked and registry numbers
cut to their village code; a birth date keeps only its year, as the household page shows it until
the audited *Show*.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from households.importing.columns import BOOL, CHOICE, CHOICES, COLUMNS, DATE, DECIMAL, INT
from households.importing.masking import value_masked
from households.models import Household, HouseholdSurvey, Member, MemberStatus, VillageSurvey

#: Data rows a preview shows (the first of the file).
PREVIEW_ROWS = 20
#: The models a kind's columns are stored in (their decimal places say how a number is stored).
_MODELS = {
    "households": (Household,),
    "members": (Member, MemberStatus),
    "household-surveys": (HouseholdSurvey,),
    "village-surveys": (VillageSurvey,),
}
_REJECTED = "rejected"


def _decimal_places(kind: str, field: str) -> int | None:
    for model in _MODELS[kind]:
        found = {f.name: f for f in model._meta.concrete_fields}.get(field)
        if isinstance(found, models.DecimalField):
            return found.decimal_places
    return None


def _stored(kind: str, field: str, value) -> object:
    """One parsed cell as the preview keeps it (see the module), masked."""
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
        return None
    column = next(c for c in COLUMNS[kind] if c.field == field)
    if column.kind == DECIMAL:
        places = _decimal_places(kind, field)
        number = Decimal(str(value))
        if places is not None:
            number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        return str(number)
    if column.kind == BOOL:
        return bool(value)
    if column.kind == INT:
        return int(value)
    if column.kind == DATE:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        return f"{day.year:04d}-**-**" if field == "birth_date" else day.isoformat()
    if column.kind == CHOICES:
        return [str(v) for v in value]
    if column.kind == CHOICE:
        return str(value)
    return value_masked(kind, field, str(value))


def _preview(
    fields: list[str], rows: list[tuple[int, str, list]], total: int, *, problems: list, header_of: dict[str, str]
) -> dict:
    """The stored preview; a cell with a problem (``problems``: anything with ``row`` and ``column``,
    the header as in the file) is ``None``, as it would not be stored, whatever part of it parsed."""
    bad = {(int(p.row), p.column) for p in problems}
    return {
        "columns": fields,
        "rows": [
            {
                "row": int(row),
                "status": status,
                "values": {
                    f: None if (int(row), header_of.get(f, f)) in bad else value
                    for f, value in zip(fields, values, strict=True)
                },
            }
            for row, status, values in rows
        ],
        "total": int(total),
    }


def preview_from_rows(
    kind: str,
    rows: pd.DataFrame,
    *,
    rejected: set[int],
    status_of_row: dict[int, str],
    problems: list,
    header_of: dict[str, str],
    limit: int = PREVIEW_ROWS,
) -> dict:
    """The preview of a file the pandas path parsed.

    Args:
        kind: the file kind; rows: ``Validation.rows`` (parsed fields and ``_row``, the file row);
        rejected: indexes of rows with a problem; status_of_row: index → new/updated/unchanged;
        problems: the file's problems (``row``, ``column``); header_of: field → header in the file.

    Returns:
        ``{"columns": [field, …], "rows": [{"row", "status", "values": {field: value}}], "total"}``
        for the first ``limit`` rows (values as the module describes them).
    """
    fields = [f for f in header_of if f in rows.columns]  # in the file's order, as the PostgreSQL path
    head = rows.head(limit)
    out = []
    for index, record in zip(head.index, head[fields].itertuples(index=False, name=None), strict=True):
        status = _REJECTED if index in rejected else status_of_row.get(index, _REJECTED)
        out.append((head.at[index, "_row"], status, [_stored(kind, f, v) for f, v in zip(fields, record, strict=True)]))
    return _preview(fields, out, len(rows), problems=problems, header_of=header_of)


def preview_from_table(
    cursor,
    *,
    parsed: str,
    stage: str,
    kind: str,
    fields: list[str],
    types: dict[str, str],
    total: int,
    problems: list,
    header_of: dict[str, str],
    limit: int = PREVIEW_ROWS,
) -> dict:
    """The preview of a file the PostgreSQL path parsed, from its table of parsed rows.

    Args:
        parsed: the table (``n``: the data row, 1 first, numbered without gaps by its ``bigserial``;
            a column per field); stage: the staging table (``engine``), where a row no longer
            present was rejected; types: field → SQL type of the staging table (each value is cast
            to it, as the commit stores it; the key stays as written); total: rows in the file;
        problems, header_of: as ``preview_from_rows``.

    Returns:
        As ``preview_from_rows``. One query: ``n <= limit`` with ``LIMIT`` stops the scan of the
        parsed rows once the first are found (a freshly loaded table holds them first); the staging
        table is scanned once for the statuses of those rows (0.4 s of a 74 s check of 300,000 rows).
    """
    from households.importing.engine import ROW, STATUS  # engine's staging columns
    from households.importing.fast import _fits

    cast = [_fits(f"p.{f}", types[f]) if f in types else f"p.{f}" for f in fields]
    cursor.execute(
        f"SELECT p.n, s.{STATUS}, {', '.join(cast)} FROM (SELECT * FROM {parsed} WHERE n <= %s LIMIT %s) p "
        f"LEFT JOIN (SELECT {ROW}, {STATUS} FROM {stage} WHERE {ROW} < %s) s ON s.{ROW} = p.n - 1 ORDER BY p.n",
        [limit, limit, limit],
    )
    out = [
        (n + 1, status or _REJECTED, [_stored(kind, f, v) for f, v in zip(fields, values, strict=True)])
        for n, status, *values in cursor.fetchall()
    ]
    return _preview(fields, out, total, problems=problems, header_of=header_of)


def _shown(kind: str, field: str, value) -> str:
    """A stored preview value as the reader sees it: a choice as its label in the active language
    and its code, yes/no as words, blank as a dash."""
    if value is None or value == []:
        return "–"
    column = next((c for c in COLUMNS[kind] if c.field == field), None)
    if column is None:
        return str(value)
    if column.kind in (CHOICE, CHOICES):
        labels = dict(column.choices.choices)
        codes = value if isinstance(value, list) else [value]
        separator = "、" if (translation.get_language() or "").startswith("zh") else ", "
        return separator.join(f"{labels[c]} ({c})" if c in labels else str(c) for c in codes)
    if column.kind == BOOL:
        return _("yes") if value else _("no")
    return str(value)


def preview_display(batch) -> dict | None:
    """What the batch page shows of ``report["preview"]`` (``None`` when the report has none):
    ``headers`` (the template's header of each column), ``rows`` (``row``, ``status`` and its label,
    ``cells``: text in the reader's language), ``shown`` and ``total`` (rows in the file). In a
    rejected batch a good row is labelled "no problem, not written", not by what it would have done."""
    preview = (batch.report or {}).get("preview")
    if not preview or batch.kind not in COLUMNS:
        return None
    by_field = {c.field: c for c in COLUMNS[batch.kind]}
    fields = [f for f in preview.get("columns", []) if f in by_field]
    statuses = {
        "new": _("new"),
        "updated": _("updated"),
        "unchanged": _("unchanged"),
        _REJECTED: _("rejected"),
    }
    if batch.status == batch.Status.REJECTED:  # the batch wrote nothing: neither would its good rows
        statuses |= dict.fromkeys(("new", "updated", "unchanged"), _("no problem, not written"))
    rows = [
        {
            "row": r["row"],
            "status": r["status"],
            "status_label": statuses.get(r["status"], r["status"]),
            "cells": [_shown(batch.kind, f, r["values"].get(f)) for f in fields],
        }
        for r in preview.get("rows", [])
    ]
    headers = [by_field[f].header for f in fields]
    return {"headers": headers, "rows": rows, "shown": len(rows), "total": preview["total"]}

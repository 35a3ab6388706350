"""The set-based write engine of imports: classify, write with history, undo from history.

A *target* is one table and the frame of rows meant for it, keyed by database columns. The frame
goes into a temporary table (COPY on PostgreSQL, batches on SQLite); one statement classifies every
row as new, updated or unchanged; at commit one ``INSERT … SELECT`` adds the new rows, one
``UPDATE … FROM`` changes the updated ones, and one ``INSERT … SELECT`` writes their history rows
(django-simple-history's tables, with the batch id). Unchanged rows are not touched, so a second
import of the same file writes nothing.

Blank cells: in a column that may be null, a blank means null; in one that may not, a blank keeps
the stored value (and takes the field's default in a new row).

Undo reads the history: rows the batch created are deleted; rows it updated get back the values of
their previous history row.
"""

import json
from dataclasses import dataclass

import pandas as pd
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import ngettext

from households.importing.sql import distinct_op, frame_query, is_postgresql, random_uuid_sql, temp_table_load

STAGE = "import_stage"
STATUS = "_status"
ROW = "_row_index"


@dataclass(frozen=True)
class Target:
    """Rows for one table: ``frame`` has the key columns, value columns (database column names)
    and ``_row_index`` (the file row each came from); ``compare_exclude`` are written but never
    compared (a new ciphertext of the same resident ID is no change)."""

    model: type[models.Model]
    keys: tuple[str, ...]
    frame: pd.DataFrame
    compare_exclude: tuple[str, ...] = ()

    @property
    def values(self) -> list[str]:
        return [c for c in self.frame.columns if c not in self.keys and c != ROW]


def _fields(model) -> dict[str, models.Field]:
    return {f.column: f for f in model._meta.concrete_fields}


def _types(target: Target) -> dict[str, str]:
    fields = _fields(target.model)
    types = {}
    for column in [*target.keys, *target.values]:
        types[column] = fields[column].db_type(connection) or "text"
    types[ROW] = "bigint"
    types[STATUS] = "varchar(10)"
    return types


def _stage(cursor, target: Target) -> None:
    temp_table_load(cursor, STAGE, target.frame, _types(target))


def _join(target: Target, t: str = "t", s: str = "s") -> str:
    return " AND ".join(f"{t}.{k} = {s}.{k}" for k in target.keys)


def _new_value(target: Target, column: str, t: str = "t", s: str = "s") -> str:
    """The value a staged cell gives the column: itself, or the stored value when blank and not nullable."""
    field = _fields(target.model)[column]
    return f"{s}.{column}" if field.null else f"COALESCE({s}.{column}, {t}.{column})"


def classify(cursor, target: Target) -> pd.DataFrame:
    """Stage the target's rows and mark each new, updated or unchanged.

    Returns:
        A frame of ``_row_index`` and ``_status`` (the staging table stays for ``write``).
    """
    _stage(cursor, target)
    classify_staged(cursor, target)
    return frame_query(cursor, f"SELECT {ROW}, {STATUS} FROM {STAGE}")


def classify_staged(cursor, target: Target) -> None:
    """Mark the rows already in the staging table (the PostgreSQL fast path fills it in SQL).

    One join to the table marks the rows that exist ``updated`` or ``unchanged``; the others are
    ``new`` (a ``_status`` the stager left empty becomes ``new``).
    """
    table = target.model._meta.db_table
    compared = [c for c in target.values if c not in target.compare_exclude]
    op = distinct_op()
    differs = " OR ".join(f"{_new_value(target, c, s=STAGE)} {op} t.{c}" for c in compared) or "1 = 0"
    cursor.execute(
        f"UPDATE {STAGE} SET {STATUS} = CASE WHEN {differs} THEN 'updated' ELSE 'unchanged' END "
        f"FROM {table} t WHERE {_join(target, s=STAGE)}"
    )
    cursor.execute(f"UPDATE {STAGE} SET {STATUS} = 'new' WHERE {STATUS} IS NULL")


def _generated(field: models.Field) -> bool:
    """A column each new row draws its own value for (a unique field with a callable default:
    ``Household.public_id``), in SQL, not one default for every row."""
    return isinstance(field, models.UUIDField) and field.unique and callable(field.default)


def _defaults(target: Target) -> dict[str, object]:
    """Values for the table's columns the file does not have, in new rows (``_generated`` ones apart)."""
    out = {}
    for column, field in _fields(target.model).items():
        if field.primary_key or column in target.keys or column in target.values or column == "import_batch_id":
            continue
        if _generated(field):
            continue
        value = field.get_default()
        out[column] = json.dumps(value) if isinstance(field, models.JSONField) else value
    return out


def write(cursor, target: Target, *, batch_id: int, user_id: int | None, reason: str) -> None:
    """Insert the staged new rows, update the updated ones, and write their history rows.

    Call right after ``classify`` on the same target, inside the commit's transaction.
    """
    table = target.model._meta.db_table
    defaults = _defaults(target)
    written = [*target.keys, *target.values]
    generated = [c for c, f in _fields(target.model).items() if _generated(f) and c not in written]
    insert_columns = [*written, *defaults, *generated, "import_batch_id"]
    select = [
        *(
            f"COALESCE(s.{c}, %s)" if not _fields(target.model)[c].null and c not in target.keys else f"s.{c}"
            for c in written
        ),
        *(["%s"] * len(defaults)),
        *([random_uuid_sql()] * len(generated)),
        "%s",
    ]
    fill = [_default_for(target, c) for c in written if not _fields(target.model)[c].null and c not in target.keys]
    insert = (
        f"INSERT INTO {table} ({', '.join(insert_columns)}) SELECT {', '.join(select)} FROM {STAGE} s "
        f"WHERE s.{STATUS} = 'new' ORDER BY s.{ROW}"
    )
    insert_params = [*fill, *defaults.values(), batch_id]
    update, update_params = "", []
    if target.values:
        assignments = ", ".join(f"{c} = {_new_value(target, c, t=table)}" for c in target.values)
        update = (
            f"UPDATE {table} SET {assignments}, import_batch_id = %s FROM {STAGE} s "
            f"WHERE {_join(target, t=table)} AND s.{STATUS} = 'updated'"
        )
        update_params = [batch_id]
    if is_postgresql():
        statements = (insert, insert_params), (update, update_params)
        _write_with_history(cursor, target, *statements, user_id=user_id, reason=reason)
        return
    cursor.execute(insert, insert_params)
    if update:
        cursor.execute(update, update_params)
    _history(cursor, target, batch_id=batch_id, user_id=user_id, reason=reason)


def _write_with_history(cursor, target: Target, insert: tuple, update: tuple, *, user_id, reason) -> None:
    """PostgreSQL: the insert, the update and the history rows in one statement; the history rows
    come from the written rows (``RETURNING``), not from a second join of the table to the staging table."""
    (insert, insert_params), (update, update_params) = insert, update
    table, history_table = target.model._meta.db_table, target.model.history.model._meta.db_table
    columns = _history_columns(target.model)
    returning = ", ".join(f"{table}.{c}" for c in columns)
    values = ", ".join(columns)
    written = f"SELECT {values}, '+' AS history_type FROM inserted"
    ctes = [f"inserted AS ({insert} RETURNING {returning})"]
    if update:
        ctes.append(f"updated AS ({update} RETURNING {returning})")
        written += f" UNION ALL SELECT {values}, '~' FROM updated"
    cursor.execute(
        f"WITH {', '.join(ctes)} INSERT INTO {history_table} ({values}, history_date, history_change_reason, "
        f"history_type, history_user_id) SELECT {values}, %s, %s, w.history_type, %s FROM ({written}) w",
        [*insert_params, *update_params, timezone.now(), reason, user_id],
    )


def _default_for(target: Target, column: str):
    field = _fields(target.model)[column]
    value = field.get_default()
    return json.dumps(value) if isinstance(field, models.JSONField) else value


def _history_columns(model) -> list[str]:
    history = model.history.model
    live = set(_fields(model))
    return [f.column for f in history._meta.concrete_fields if f.column in live]


def _history(cursor, target: Target, *, batch_id: int, user_id: int | None, reason: str) -> None:
    model = target.model
    history_table = model.history.model._meta.db_table
    columns = _history_columns(model)
    cursor.execute(
        f"INSERT INTO {history_table} ({', '.join(columns)}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {', '.join('t.' + c for c in columns)}, %s, %s, "
        f"CASE s.{STATUS} WHEN 'new' THEN '+' ELSE '~' END, %s "
        f"FROM {model._meta.db_table} t JOIN {STAGE} s ON {_join(target)} WHERE s.{STATUS} IN ('new', 'updated')",
        [timezone.now(), reason, user_id],
    )


def undo(cursor, model, *, batch_id: int, user_id: int | None, reason: str) -> int:
    """Restore ``model``'s rows written by a batch from their history; returns the rows touched.

    Raises:
        ValueError: a row of the batch was changed later, or an updated row has no earlier history.
    """
    table, history_table = model._meta.db_table, model.history.model._meta.db_table
    columns = [c for c in _history_columns(model) if c != "id"]
    cursor.execute(
        f"SELECT count(*) FROM {table} t "
        f"WHERE t.id IN (SELECT h.id FROM {history_table} h WHERE h.import_batch_id = %s) "
        "AND (t.import_batch_id IS NULL OR t.import_batch_id <> %s)",
        [batch_id, batch_id],
    )
    later = cursor.fetchone()[0]
    if later:
        raise ValueError(
            ngettext(
                "%(count)s row of %(table)s was changed after this import",
                "%(count)s rows of %(table)s were changed after this import",
                later,
            )
            % {"count": later, "table": model._meta.verbose_name_plural}
        )
    previous = (
        f"SELECT p.* FROM {history_table} h JOIN {history_table} p ON p.id = h.id AND p.history_id = "
        f"(SELECT max(x.history_id) FROM {history_table} x WHERE x.id = h.id AND x.history_id < h.history_id) "
        f"WHERE h.import_batch_id = %s AND h.history_type = '~'"
    )
    cursor.execute(
        f"SELECT count(*) FROM {history_table} h WHERE h.import_batch_id = %s AND h.history_type = '~' "
        f"AND NOT EXISTS (SELECT 1 FROM {history_table} x WHERE x.id = h.id AND x.history_id < h.history_id)",
        [batch_id],
    )
    missing = cursor.fetchone()[0]
    if missing:
        raise ValueError(
            ngettext(
                "%(count)s updated row of %(table)s has no earlier history",
                "%(count)s updated rows of %(table)s have no earlier history",
                missing,
            )
            % {"count": missing, "table": model._meta.verbose_name_plural}
        )
    now = timezone.now()
    all_columns = ["id", *columns]
    # history rows first: '-' for rows the batch created, '~' (the restored values) for the others
    cursor.execute(
        f"INSERT INTO {history_table} ({', '.join(all_columns)}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {', '.join('t.' + c for c in all_columns)}, %s, %s, '-', %s FROM {table} t "
        f"WHERE t.id IN (SELECT h.id FROM {history_table} h WHERE h.import_batch_id = %s AND h.history_type = '+')",
        [now, reason, user_id, batch_id],
    )
    cursor.execute(
        f"INSERT INTO {history_table} ({', '.join(all_columns)}, history_date, history_change_reason, history_type, "
        f"history_user_id) SELECT {', '.join('p.' + c for c in all_columns)}, %s, %s, '~', %s FROM ({previous}) p",
        [now, reason, user_id, batch_id],
    )
    assignments = ", ".join(f"{c} = p.{c}" for c in columns)
    cursor.execute(f"UPDATE {table} SET {assignments} FROM ({previous}) p WHERE {table}.id = p.id", [batch_id])
    restored = cursor.rowcount
    cursor.execute(
        f"DELETE FROM {table} WHERE id IN (SELECT h.id FROM {history_table} h WHERE h.import_batch_id = %s "
        f"AND h.history_type = '+')",
        [batch_id],
    )
    return restored + cursor.rowcount

"""Set-based plumbing for imports: temporary tables loaded by COPY (PostgreSQL) or in batches (SQLite).

Everything here moves whole columns: a frame goes into a temporary table, and the checks, the
classification (new / updated / unchanged) and the writes are single SQL statements over it.
"""

import datetime as dt
import io
import json
from decimal import Decimal

import pandas as pd
from django.db import connection

_SQLITE_BATCH = 5000


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def distinct_op() -> str:
    """The null-safe "differs" operator of the database."""
    return "IS DISTINCT FROM" if is_postgresql() else "IS NOT"


def random_uuid_sql() -> str:
    """SQL for a new random UUID per row, as the database stores a ``UUIDField`` (PostgreSQL's
    ``uuid``; 32 hexadecimal characters on SQLite)."""
    return "gen_random_uuid()" if is_postgresql() else "lower(hex(randomblob(16)))"


def _cell(value) -> object:
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return None
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def temp_table_load(cursor, name: str, frame: pd.DataFrame, types: dict[str, str]) -> None:
    """(Re)create the temporary table ``name`` with ``types`` (column → SQL type) and load ``frame``.

    Args:
        frame: one row per row to load; columns in ``types`` (missing ones are loaded as NULL).
        types: SQL types, e.g. ``{"household_id": "bigint", "wage_income": "numeric(14,2)"}``.
    """
    columns = list(types)
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMPORARY TABLE {name} ({', '.join(f'{c} {t}' for c, t in types.items())})")
    if frame.empty:
        return
    data = pd.DataFrame({c: frame[c] if c in frame.columns else None for c in columns}, index=frame.index)
    if is_postgresql():
        buffer = io.BytesIO()  # UTF-8 bytes: a StringIO holds 4 bytes a character (a million rows: 300 MB)
        text = pd.DataFrame({c: _copy_column(data[c]) for c in columns})
        del data
        text.to_csv(buffer, index=False, header=False, lineterminator="\n", encoding="utf-8")
        del text
        buffer.seek(0)
        cursor.copy_expert(f"COPY {name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)
        return
    rows = [tuple(_cell(v) for v in row) for row in data.itertuples(index=False, name=None)]
    placeholders = ", ".join(["%s"] * len(columns))
    for start in range(0, len(rows), _SQLITE_BATCH):
        cursor.executemany(
            f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({placeholders})", rows[start : start + _SQLITE_BATCH]
        )


def _copy_column(column: pd.Series) -> pd.Series:
    """COPY text of a column: vectorised for the common types, ``_copy_text`` for the rest."""
    present = column.notna()
    if column.dtype == bool:
        return column.map({True: "t", False: "f"})
    if column.dtype.kind in "iu":
        return column.astype(str)
    if column.dtype.kind == "f":
        values = column[present]
        if bool((values == values.round()).all()):
            return column.astype("Int64").astype(str).where(present, "\\N")
        return column.astype(str).where(present, "\\N")
    sample = column[present]
    first = sample.iloc[0] if len(sample) else None
    if isinstance(first, (str, Decimal)):
        return column.astype(str).where(present, "\\N")
    if isinstance(first, bool):
        return column.map({True: "t", False: "f"}).where(present, "\\N")
    return column.map(_copy_text)


def _copy_text(value) -> str:
    value = _cell(value)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


def frame_query(cursor, sql: str, params=()) -> pd.DataFrame:
    """Run a query and return its rows as a frame with the cursor's column names."""
    cursor.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return pd.DataFrame(cursor.fetchall(), columns=names)

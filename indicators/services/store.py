"""Bulk writes of result frames: COPY on PostgreSQL, batched inserts elsewhere."""

import io
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection
from pgpq import ArrowToPostgresBinaryEncoder
from pgpq import encoders as pgpq_encoders
from pgpq import schema as pgpq_schema

BATCH = 2000


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


#: PostgreSQL type OIDs the binary COPY writes: the Arrow type of the column and, for text, what
#: pgpq sends (jsonb needs its version byte). Other types go by CSV.
_BINARY_TYPES = {
    20: (pa.int64(), None),  # bigint
    21: (pa.int16(), None),  # smallint
    23: (pa.int32(), None),  # integer
    701: (pa.float64(), None),  # double precision
    16: (pa.bool_(), None),  # boolean
    25: (pa.string(), pgpq_schema.Text),  # text
    1043: (pa.string(), pgpq_schema.Text),  # character varying
    3802: (pa.string(), pgpq_schema.Jsonb),  # jsonb
}


def _binary_copy(frame: pd.DataFrame, oids: list[int]) -> io.BytesIO | None:
    """``frame`` in PostgreSQL's binary COPY format, encoded from Arrow by pgpq (Rust), for columns
    of the types ``oids``; None when a column's type is not in ``_BINARY_TYPES``.

    Against Arrow's CSV: no floats printed and parsed back (25 of the score table's columns), 0.30 s
    to encode and 0.87 s to COPY a province's 193,517 score rows against 0.43 s and 1.29 s, the
    same rows stored (bench_recompute's data).
    """
    if any(oid not in _BINARY_TYPES for oid in oids):
        return None
    arrays, encoders = [], {}
    for column, oid in zip(frame.columns, oids, strict=True):
        arrow_type, output = _BINARY_TYPES[oid]
        values = frame[column]
        if output is None:
            values = values.to_numpy()
        arrays.append(pa.array(values, type=arrow_type, from_pandas=True))  # NaN and None: null
    table = pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])
    for field, oid in zip(table.schema, oids, strict=True):
        output = _BINARY_TYPES[oid][1]
        encoders[field.name] = (
            ArrowToPostgresBinaryEncoder.infer_encoder(field)
            if output is None
            else pgpq_encoders.StringEncoderBuilder.new_with_output(field, output())
        )
    encoder = ArrowToPostgresBinaryEncoder.new_with_encoders(table.schema, encoders)
    buffer = io.BytesIO()
    buffer.write(encoder.write_header())
    for batch in table.to_batches():
        buffer.write(encoder.write_batch(batch))
    buffer.write(encoder.finish())
    buffer.seek(0)
    return buffer


def frame_insert(*, table: str, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` into ``table`` (columns named as the frame's); returns the count.

    NaN and None become NULL. JSON columns must already hold JSON text. On PostgreSQL one ``COPY``:
    binary (``_binary_copy``) when every column's type allows, else CSV written by Arrow's C++
    writer (about ten times faster than ``DataFrame.to_csv`` for a million rows), where text is
    always quoted, so an empty string stays empty and only an unquoted empty field (a null) is
    NULL, and booleans are ``true``/``false``. Elsewhere ``executemany`` in batches of 2,000.
    """
    if frame.empty:
        return 0
    columns = list(frame.columns)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {quoted} FROM {table} LIMIT 0")
            binary = _binary_copy(frame, [d.type_code for d in cursor.description])
            if binary is not None:
                cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT binary)", binary)
                return len(frame)
            buffer = io.BytesIO()
            table_data = pa.Table.from_pandas(frame, preserve_index=False)
            pa_csv.write_csv(table_data, buffer, pa_csv.WriteOptions(include_header=False))
            buffer.seek(0)
            cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN WITH (FORMAT csv)", buffer)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"
            records = frame.astype(object).to_numpy()
            for start in range(0, len(records), BATCH):
                cursor.executemany(sql, [[_cell(v) for v in row] for row in records[start : start + BATCH]])
    return len(frame)


def bulk_session(*, parallel: bool = True) -> None:
    """Settings for the rest of this transaction's bulk reads on PostgreSQL: JIT off, and with
    ``parallel`` False no parallel workers.

    PostgreSQL's planner costs the recompute's joins over millions of rows high enough to JIT-compile
    them, and compiling took 3 of 8 s of a province's member query on the benchmark (EXPLAIN ANALYZE);
    the queries are plain joins and sums that gain nothing from it. A chunk reads without parallel
    workers: chunks are the unit of parallelism (one per worker, one worker per core), and a parallel
    plan of the member query cost 9 CPU seconds where the serial one costs 5 (its partial
    aggregates are merged again by the leader). ``SET LOCAL``: ends with the transaction. A no-op elsewhere.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            if not parallel:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def statistics_refresh(tables: list[str], *, changed_share: float = 0.1) -> list[str]:
    """ANALYZE the tables whose planner statistics are missing or stale; returns the ones analysed.

    After a bulk load (the demo, a large import) PostgreSQL has no statistics until autovacuum
    comes by, and plans the recompute's joins as if the tables were empty: a tester saw 70 s per
    period instead of 3 s. A table is analysed when it never was, or when more than
    ``changed_share`` of its rows changed since. A no-op elsewhere.
    """
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s)
              AND ((last_analyze IS NULL AND last_autoanalyze IS NULL)
                   OR n_mod_since_analyze > %s * GREATEST(n_live_tup, 1))
            ORDER BY relname
            """,
            [tables, changed_share],
        )
        stale = [row[0] for row in cursor.fetchall()]
        for table in stale:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return stale


def frame_select(sql: str, params: list, *, text: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows of a query as a frame with the query's column names.

    On PostgreSQL through ``COPY (query) TO STDOUT`` and pandas' CSV parser, several times faster
    than fetching Python tuples for millions of rows. Columns named in ``text`` stay text (codes
    keep their leading zeros), with "" for NULL; booleans should be selected as numbers.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            query = cursor.mogrify(sql, params).decode()
            buffer = io.StringIO()
            cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)", buffer)
            buffer.seek(0)
            frame = pd.read_csv(buffer, dtype=dict.fromkeys(text, str), keep_default_na=False, na_values=[""])
        else:
            cursor.execute(sql, params)
            names = [c[0] for c in cursor.description]
            frame = pd.DataFrame.from_records(cursor.fetchall(), columns=names)
    for column in text:
        if column in frame:
            frame[column] = frame[column].fillna("").astype(str)
    return frame

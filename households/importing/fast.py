"""The PostgreSQL path for large survey files: COPY the text, parse and check it in SQL.

For a CSV of household or village surveys on PostgreSQL, the cells never become Python objects:
the file's rows are copied as text into a temporary table, normalised (NFKC, invisible spaces),
parsed and checked column by column in SQL (the same rules and messages as ``cells`` and
``validate``), and the parsed rows land in the engine's staging table, ready for ``engine``'s
classification and write. Any file this path does not handle exactly as the general path would
(other kinds, XLSX, quoted cells, blank lines, unknown headers, ragged rows) returns ``None`` and
goes through ``validate.import_validate``; ``tests/households/test_import_fast.py`` runs both on the
same files and compares their reports.
"""

import io
import re
from decimal import Decimal

import pandas as pd
import psycopg2
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from households.importing import cells
from households.importing.columns import BOOL, COLUMNS, DECIMAL, IDENTIFIER, INT, KEYS, header_lookup
from households.importing.engine import ROW, STAGE, STATUS, Target, _types, classify_staged
from households.importing.sql import frame_query
from households.models import HouseholdSurvey, VillageSurvey
from regions.selectors import WRITE_ROLES, user_region_paths

KINDS = {"household-surveys": (HouseholdSurvey, "registry_number"), "village-surveys": (VillageSurvey, "village_code")}
RAW, CELLS, PROBLEMS, PARSED = "import_raw", "import_cells", "import_problems", "import_parsed"
DUPLICATES = "import_duplicates"
_BLANK_LINE = re.compile(r"\n[ \t,]*\r?\n|\n[ \t,]*\Z(?<=[ \t,])|^\s*\n")


def _header(text: str) -> str:
    """A header as ``reading.read_table`` names it (normalised text)."""
    return str(cells.normalise_text(pd.Series([text]))[0])


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _decode(data: bytes) -> tuple[str, str] | None:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def _normalised(column: str) -> str:
    """SQL for ``cells.normalise_text`` of a raw column."""
    removed = f"regexp_replace({column}, '[\u200b\u200c\u200d\u2060\ufeff]', '', 'g')"
    spaced = f"regexp_replace({removed}, '[\u00a0\u202f]', ' ', 'g')"
    full = f"regexp_replace(normalize(coalesce({spaced}, ''), NFKC), '^\\s+|\\s+$', '', 'g')"
    # printable ASCII needs only the trimming (NFKC leaves it as it is)
    return f"CASE WHEN {column} ~ '^[ -~]*$' THEN btrim({column}) ELSE {full} END"


def _parse_sql(kind: str, field: str, t: str, v: str) -> tuple[str, str]:
    """SQL for one column: the parsed value of cell text ``t``, and the cell's problem message.

    Args:
        t: the normalised cell text; v: the parsed value (a column of the parsed table).

    Returns:
        (value expression over ``t``, message expression over ``t`` and ``v``: NULL when the cell
        is fine). A cell has at most one problem, as in ``validate``: blank and required, not
        parseable, or out of bounds.
    """
    column = next(c for c in COLUMNS[kind] if c.field == field)
    required = "'required: the cell is empty'" if column.required else "NULL"
    quoted = "'''' || " + t + " || ''''"  # the cell's text between single quotes
    if column.kind == IDENTIFIER:
        return f"NULLIF({t}, '')", f"CASE WHEN {t} = '' THEN {required} END"
    if column.kind == BOOL:
        words = " ".join(f"WHEN {_literal(w)} THEN {str(b).lower()}" for w, b in cells._BOOL_WORDS.items())
        message = f"{quoted} || {_literal(' is not a yes/no answer: use ' + cells._BOOL_HINT)}"
        return f"CASE lower({t}) {words} END", f"CASE WHEN {t} = '' THEN {required} WHEN {v} IS NULL THEN {message} END"
    if column.kind == INT:
        bounds = []
        if column.minimum is not None:
            low = int(column.minimum)
            bounds.append(f"WHEN {v} < {low} THEN {v}::text || {_literal(f' is less than the minimum {low}')}")
        if column.maximum is not None:
            high = int(column.maximum)
            bounds.append(f"WHEN {v} > {high} THEN {v}::text || {_literal(f' is more than the maximum {high}')}")
        value = rf"CASE WHEN {t} ~ '^[+-]?[0-9]+(\.0+)?$' THEN regexp_replace({t}, '\.0+$', '')::numeric END"
        message = f"CASE WHEN {t} = '' THEN {required} WHEN {v} IS NULL THEN {quoted} || ' is not a whole number' "
        return value, message + " ".join(bounds) + " END"
    if column.kind != DECIMAL:
        raise ValueError(f"the fast path does not parse {column.kind} columns")
    minus = "\u2212"  # the minus sign of word processors
    core = rf"regexp_replace(regexp_replace(replace({t}, '{minus}', '-'), '^([+-]?)\s*¥\s*', '\1'), '\s*元$', '')"
    value = (
        rf"CASE WHEN {t} ~ '^[+-]?[0-9]+(\.[0-9]+)?$' THEN {t}::numeric "  # the common plain number, directly
        f"WHEN {core} ~ '^({cells._AMOUNT})$' THEN regexp_replace({core}, '[, ]', '', 'g')::numeric END"
    )
    ambiguous = _literal("': use a point for decimals and no thousands separator or a comma")
    commas = _literal(" is not a number: a comma may only separate thousands, as in 1,234.5")
    not_number = (
        f"CASE WHEN {core} ~ '^({cells._DECIMAL_COMMA})$' THEN 'ambiguous number ''' || {t} || {ambiguous} "
        f"WHEN strpos({core}, ',') > 0 AND {core} ~ '^({cells._COMMAS_ONLY})$' THEN {quoted} || {commas} "
        f"ELSE {quoted} || ' is not a number' END"
    )
    bounds = []
    if column.minimum is not None:
        bounds.append(
            f"WHEN {v} < {Decimal(str(column.minimum))} THEN {_literal(f'must be at least {column.minimum:g}')}"
        )
    if column.maximum is not None:
        bounds.append(
            f"WHEN {v} > {Decimal(str(column.maximum))} THEN {_literal(f'must be at most {column.maximum:g}')}"
        )
    if column.unit.startswith("yuan"):
        limit = Decimal(str(getattr(settings, "TUOPIN_IMPORT_MAX_AMOUNT", "10000000")))
        absurd = _literal(f"absurd amount: more than {limit:,.0f} yuan a year; check the unit")
        bounds.append(f"WHEN abs({v}) > {limit} THEN {absurd}")
    message = f"CASE WHEN {t} = '' THEN {required} WHEN {v} IS NULL THEN {not_number} " + " ".join(bounds) + " END"
    return value, message


def fast_stage(*, data: bytes, filename: str, kind: str, period: int, user):
    """Validate a CSV in SQL and leave its valid rows in the staging table.

    Returns:
        ``None`` when the file is not for this path; else ``(problems, counts, provinces,
        encoding, target)``: problems as ``(row, column, value, message)`` sorted as the general
        path sorts them, counts of new/updated/unchanged/rejected rows, the provinces of the new
        and updated rows, and the ``engine.Target`` (columns only) of the staging table. Call it
        inside a transaction; the caller writes (``engine.write``) and drops the tables.
    """
    if connection.vendor != "postgresql" or kind not in KINDS or not filename.lower().endswith(".csv"):
        return None
    decoded = _decode(data)
    if decoded is None:
        return None
    text, encoding = decoded
    if '"' in text or "\r" in text or _BLANK_LINE.search(text) or not text.strip():
        return None
    header_line, _, body = text.partition("\n")
    headers = [h.strip() for h in header_line.split(",")]
    lookup = header_lookup(kind)
    headers = [_header(h) for h in headers]
    fields = [lookup.get(" ".join(h.split()).casefold()) for h in headers]
    if None in fields or len(set(fields)) != len(fields) or KINDS[kind][1] not in fields or not body.strip():
        return None
    if any(next(c for c in COLUMNS[kind] if c.field == f).kind not in (IDENTIFIER, BOOL, INT, DECIMAL) for f in fields):
        return None
    with connection.cursor() as cursor:
        raw_columns = [f"c{i}" for i in range(len(fields))]
        cursor.execute(f"DROP TABLE IF EXISTS {RAW}")
        cursor.execute(f"CREATE TEMPORARY TABLE {RAW} (n bigserial, {', '.join(c + ' text' for c in raw_columns)})")
        try:
            with transaction.atomic():
                cursor.copy_expert(
                    f"COPY {RAW} ({', '.join(raw_columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", io.StringIO(body)
                )
        except (DatabaseError, psycopg2.Error):  # ragged rows and the like: the general path reports them
            cursor.execute(f"DROP TABLE IF EXISTS {RAW}")
            return None
        return _check(cursor, kind=kind, period=period, user=user, fields=fields, headers=headers, encoding=encoding)


def _check(cursor, *, kind, period, user, fields, headers, encoding):
    model, key = KINDS[kind]
    raw = {f: f"r.c{i}" for i, f in enumerate(fields)}
    norm = {f: f"r.t{i}" for i, f in enumerate(fields)}
    header_of = dict(zip(fields, headers, strict=True))
    # the normalised text of every cell, once, beside the cell as written
    normalised = ", ".join(f"{_normalised(f'r.c{i}')} AS t{i}" for i in range(len(fields)))
    cursor.execute(f"CREATE TEMPORARY TABLE {CELLS} AS SELECT r.*, {normalised} FROM {RAW} r")
    cursor.execute(f"DROP TABLE {RAW}")
    cursor.execute(f"ALTER TABLE {CELLS} RENAME TO {RAW}")
    cursor.execute(f"DROP TABLE IF EXISTS {PARSED}")
    selects = ", ".join(f"{_parse_sql(kind, f, norm[f], 'p.' + f)[0]} AS {f}" for f in fields)
    cursor.execute(f"CREATE TEMPORARY TABLE {PARSED} AS SELECT r.n, {selects} FROM {RAW} r")
    cursor.execute(f"ANALYZE {PARSED}")
    cursor.execute(f"DROP TABLE IF EXISTS {PROBLEMS}")
    cursor.execute(f"CREATE TEMPORARY TABLE {PROBLEMS} (n bigint, seq int, col text, value text, message text)")
    checked = [c.field for c in COLUMNS[kind] if c.field in fields]
    cell_messages = [_parse_sql(kind, field, norm[field], f"p.{field}")[1] for field in checked]
    raw_cells = [raw[field] for field in checked]
    params = [header_of[field] for field in checked]

    # one message column per cell, kept only for rows with any message; then one row per message
    count = len(cell_messages)
    columns = [f"{m} AS m{i}" for i, m in enumerate(cell_messages)]
    columns += [f"coalesce({cell}, '') AS v{i}" for i, cell in enumerate(raw_cells)]
    unpivot = ", ".join(f"({i}, %s, x.v{i}, x.m{i})" for i in range(count))
    any_message = ", ".join(f"x.m{i}" for i in range(count))
    cursor.execute(
        f"INSERT INTO {PROBLEMS} SELECT x.n, v.seq, v.col, v.value, v.message FROM "
        f"(SELECT r.n, {', '.join(columns)} FROM {RAW} r JOIN {PARSED} p ON p.n = r.n) x, "
        f"LATERAL (VALUES {unpivot}) AS v(seq, col, value, message) "
        f"WHERE coalesce({any_message}) IS NOT NULL AND v.message IS NOT NULL",
        params,
    )
    seq = len(cell_messages)
    cursor.execute(f"DROP TABLE IF EXISTS {DUPLICATES}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {DUPLICATES} AS SELECT n, {key} AS k FROM {PARSED} WHERE {key} IN "
        f"(SELECT {key} FROM {PARSED} WHERE {key} IS NOT NULL GROUP BY {key} HAVING count(*) > 1)"
    )
    cursor.execute(
        f"INSERT INTO {PROBLEMS} SELECT d.n, {seq}, %s, coalesce(r.c{fields.index(key)}, ''), "
        f"'duplicate key: the same {key} is also in row ' || (SELECT string_agg((o.n + 1)::text, ', ' ORDER BY o.n) "
        f"FROM (SELECT o.n FROM {DUPLICATES} o WHERE o.k = d.k AND o.n <> d.n ORDER BY o.n LIMIT 10) o) "
        f"|| CASE WHEN c.others > 10 THEN ' and ' || (c.others - 10) || ' more' ELSE '' END "
        f"FROM {DUPLICATES} d JOIN {RAW} r ON r.n = d.n "
        f"JOIN (SELECT k, count(*) - 1 AS others FROM {DUPLICATES} GROUP BY k) c ON c.k = d.k",
        [header_of[key]],
    )
    cursor.execute(f"DROP TABLE {DUPLICATES}")
    scope = user_region_paths(user, roles=WRITE_ROLES) if user is not None else None
    if scope is None:
        in_scope = "true"
    else:
        prefixes = [f"left(g.path, {len(p)}) = {_literal(p)}" for p in scope]
        in_scope = "(" + (" OR ".join(prefixes) or "false") + ")"
    if kind == "household-surveys":
        join = (
            f"LEFT JOIN households_household h ON h.registry_number = p.{key} "
            "LEFT JOIN regions_region g ON g.id = h.region_id"
        )
        checks = [
            (f"p.{key} IS NOT NULL AND h.id IS NULL", "'unknown household: import it in a households file first'"),
            (f"h.id IS NOT NULL AND NOT {in_scope}", "'outside your assigned regions'"),
        ]
        target_id, province = "h.id", "g.province_code"
    else:
        join = f"LEFT JOIN regions_region g ON g.code = p.{key}"
        leaf = (
            "NOT EXISTS (SELECT 1 FROM regions_region c WHERE c.parent_code = g.code) "
            "AND (g.scheme <> 'cn' OR g.level = 5)"
        )
        checks = [
            (f"p.{key} IS NOT NULL AND g.id IS NULL", "'unknown region code'"),
            (f"g.id IS NOT NULL AND NOT ({leaf})", "'not a village: a region of level ' || g.level"),
            (f"g.id IS NOT NULL AND NOT {in_scope}", "'outside your assigned regions'"),
        ]
        target_id, province = "g.id", "g.province_code"
    for condition, message in checks:
        seq += 1
        cursor.execute(
            f"INSERT INTO {PROBLEMS} SELECT p.n, {seq}, %s, coalesce(r.c{fields.index(key)}, ''), {message} "
            f"FROM {PARSED} p JOIN {RAW} r ON r.n = p.n {join} WHERE {condition}",
            [header_of[key]],
        )
    cursor.execute(f"CREATE INDEX ON {PROBLEMS} (n)")
    cursor.execute(f"ANALYZE {PROBLEMS}")
    problems = [
        (int(n) + 1, col, value, message)
        for n, col, value, message in frame_query(
            cursor, f'SELECT n, col, value, message FROM {PROBLEMS} ORDER BY n, col COLLATE "C", seq'
        ).itertuples(index=False)
    ]
    cursor.execute(f"SELECT count(DISTINCT n) FROM {PROBLEMS}")
    rejected = cursor.fetchone()[0]
    target = _stage(
        cursor, model=model, kind=kind, period=period, fields=fields, join=join, target_id=target_id, province=province
    )
    counts = dict(
        frame_query(cursor, f"SELECT {STATUS}, count(*) FROM {STAGE} GROUP BY {STATUS}").itertuples(index=False)
    )
    provinces = [
        p
        for (p,) in frame_query(
            cursor,
            f"SELECT DISTINCT _province FROM {STAGE} "
            f"WHERE {STATUS} <> 'unchanged' AND _province IS NOT NULL ORDER BY 1",
        ).itertuples(index=False)
    ]
    for table in (RAW, PARSED, PROBLEMS):
        cursor.execute(f"DROP TABLE {table}")
    return problems, {**counts, "rejected": rejected}, provinces, encoding, target


def _stage(cursor, *, model, kind, period, fields, join, target_id, province) -> Target:
    """Fill the engine's staging table from the parsed rows without problems, and classify them."""
    key_column = "household_id" if kind == "household-surveys" else "region_id"
    values = [f for f in fields if f not in KEYS[kind]]
    target = Target(model, (key_column, "period_id"), pd.DataFrame(columns=[key_column, "period_id", *values, ROW]))
    types = _types(target)
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGE} ({', '.join(f'{c} {t}' for c, t in types.items())}, _province varchar(40))"
    )
    casts = ", ".join(f"p.{f}::{types[f]}" for f in values)
    cursor.execute(
        f"INSERT INTO {STAGE} ({key_column}, period_id, {', '.join(values)}, {ROW}, _province) "
        f"SELECT {target_id}, %s, {casts}{', ' if values else ''}p.n - 1, {province} FROM {PARSED} p {join} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {PROBLEMS} x WHERE x.n = p.n)",
        [period],
    )
    classify_staged(cursor, target)
    return target

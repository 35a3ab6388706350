"""The PostgreSQL path for large survey files: COPY the text, parse and check it in SQL.

For a CSV of household or village surveys on PostgreSQL, the cells never become Python objects.
A *canonical* file (ASCII; below the header only digits, signs, points, commas and newlines: what
survey software exports) is copied straight into typed columns, since PostgreSQL's input
functions read those cells exactly as ``cells`` does (``_canonical`` says why); a cell that does not
read, a blank required cell or a number out of bounds sends it to the text path. Any other file's
rows are copied as text into a temporary table, normalised (NFKC, invisible spaces), parsed and
checked column by column in SQL (the same rules and messages as ``cells`` and ``validate``). Either
way the parsed rows are checked for duplicate keys, then joined once to the registry (unknown
household or village, the user's scope) into the engine's staging table, ready for ``engine``'s
classification and write. ``fast_stage(keep=…)`` keeps the parsed rows of a file without problems
for the commit (``kept``), which repeats only the registry checks (``kept_stage``).

Any file this path does not handle exactly as the general path would (other kinds, XLSX, quoted
cells, blank lines, unknown headers, ragged rows) returns ``None`` and goes through
``validate.import_validate``. Households files never come here, so their monitoring-status rule
(``households.services.status.import_status_problems``) has one implementation: a households kind
added to ``KINDS`` must check it in SQL too; ``tests/households/test_import_fast.py`` runs both on the same files
and compares their reports.
"""

import io
import json
import re
from decimal import Decimal

import pandas as pd
import psycopg2
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from households.importing import cells
from households.importing.columns import BOOL, COLUMNS, DECIMAL, IDENTIFIER, INT, KEYS, header_lookup
from households.importing.engine import ROW, STAGE, STATUS, Target, _types, classify_staged
from households.importing.messages import Message
from households.importing.preview import preview_from_table
from households.importing.sql import frame_query
from households.importing.validate import SCIENTIFIC, Problem
from households.models import HouseholdSurvey, VillageSurvey, max_amount
from regions.selectors import WRITE_ROLES, user_region_paths

KINDS = {"household-surveys": (HouseholdSurvey, "registry_number"), "village-surveys": (VillageSurvey, "village_code")}
RAW, CELLS, PROBLEMS, PARSED = "import_raw", "import_cells", "import_problems", "import_parsed"
DUPLICATES = "import_duplicates"
_BLANK_LINE = re.compile(r"\n[ \t,]*\r?\n|\n[ \t,]*\Z(?<=[ \t,])|^\s*\n")
_NON_SPACE = re.compile(r"\S")
_CANONICAL_BYTES = b"0123456789,.+-\n"
#: Sort and hash memory for the import's joins (1,000,000 rows stay in memory, not on disk).
_WORK_MEM = "256MB"


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


class _Sql(str):
    """An SQL expression among a message's parameters (``_message_sql``), not a constant."""


def _message_sql(code: str, **params) -> str:
    """SQL for a problem as JSON text: ``{"code": …, "params": {…}}`` (``messages``; ``_problem``
    reads it back). ``params``: Python constants (str, int, lists) or ``_Sql`` expressions."""
    pairs = []
    for name, value in params.items():
        if isinstance(value, _Sql):
            shown = str(value)
        elif isinstance(value, str):
            shown = _literal(value)
        elif isinstance(value, int):
            shown = str(int(value))
        else:
            shown = f"{_literal(json.dumps(value, ensure_ascii=False))}::json"
        pairs += [_literal(name), shown]
    return f"json_build_object('code', {_literal(code)}, 'params', json_build_object({', '.join(pairs)}))::text"


def _problem(row: int, column: str, value: str, message: str) -> tuple:
    """A problem row of the SQL path as ``validate.Problem.of`` takes it (its message a ``Message``)."""
    data = json.loads(message)
    return row, column, value, Message(data["code"], data.get("params") or {})


def _parse_sql(kind: str, field: str, t: str, v: str) -> tuple[str, str]:
    """SQL for one column: the parsed value of cell text ``t``, and the cell's problem message.

    Args:
        t: the normalised cell text; v: the parsed value (a column of the parsed table).

    Returns:
        (value expression over ``t``, message expression over ``t`` and ``v``: NULL when the cell
        is fine, else its code and parameters as JSON text, ``_message_sql``). A cell has at most
        one problem, as in ``validate``: blank and required, not parseable, or out of bounds.
    """
    column = next(c for c in COLUMNS[kind] if c.field == field)
    required = _message_sql("required") if column.required else "NULL"
    if column.kind == IDENTIFIER:
        return f"NULLIF({t}, '')", f"CASE WHEN {t} = '' THEN {required} END"
    if column.kind == BOOL:
        words = " ".join(f"WHEN {_literal(w)} THEN {str(b).lower()}" for w, b in cells._BOOL_WORDS.items())
        message = _message_sql("not_yes_no", value=_Sql(t))
        return f"CASE lower({t}) {words} END", f"CASE WHEN {t} = '' THEN {required} WHEN {v} IS NULL THEN {message} END"
    if column.kind == INT:
        bounds = []
        if column.minimum is not None:
            low = int(column.minimum)
            bounds.append(f"WHEN {v} < {low} THEN {_message_sql('at_least', minimum=low)}")
        if column.maximum is not None:
            high = int(column.maximum)
            bounds.append(f"WHEN {v} > {high} THEN {_message_sql('at_most', maximum=high)}")
        value = rf"CASE WHEN {t} ~ '^[+-]?[0-9]+(\.0+)?$' THEN regexp_replace({t}, '\.0+$', '')::numeric END"
        not_whole = _message_sql("not_whole_number", value=_Sql(t))
        message = f"CASE WHEN {t} = '' THEN {required} WHEN {v} IS NULL THEN {not_whole} "
        return value, message + " ".join(bounds) + " END"
    if column.kind != DECIMAL:
        raise ValueError(f"the fast path does not parse {column.kind} columns")
    minus = "\u2212"  # the minus sign of word processors
    core = rf"regexp_replace(regexp_replace(replace({t}, '{minus}', '-'), '^([+-]?)\s*¥\s*', '\1'), '\s*元$', '')"
    value = (
        rf"CASE WHEN {t} ~ '^[+-]?[0-9]+(\.[0-9]+)?$' THEN {t}::numeric "  # the common plain number, directly
        f"WHEN {core} ~ '^({cells._AMOUNT})$' THEN regexp_replace({core}, '[, ]', '', 'g')::numeric END"
    )
    not_number = (
        f"CASE WHEN {core} ~ '^({cells._DECIMAL_COMMA})$' THEN {_message_sql('ambiguous_number', value=_Sql(t))} "
        f"WHEN strpos({core}, ',') > 0 AND {core} ~ '^({cells._COMMAS_ONLY})$' "
        f"THEN {_message_sql('comma_not_thousands', value=_Sql(t))} "
        f"ELSE {_message_sql('not_a_number', value=_Sql(t))} END"
    )
    bounds = []
    if column.minimum is not None:
        code, below = ("greater_than", "<=") if column.minimum_excluded else ("at_least", "<")
        at_least = _message_sql(code, minimum=f"{column.minimum:g}")
        bounds.append(f"WHEN {v} {below} {Decimal(str(column.minimum))} THEN {at_least}")
    if column.maximum is not None:
        at_most = _message_sql("at_most", maximum=f"{column.maximum:g}")
        bounds.append(f"WHEN {v} > {Decimal(str(column.maximum))} THEN {at_most}")
    if column.unit.startswith("yuan"):
        limit = max_amount()
        absurd = _message_sql("absurd_amount", limit=f"{limit:,.0f}")
        bounds.append(f"WHEN abs({v}) > {limit} THEN {absurd}")
    message = f"CASE WHEN {t} = '' THEN {required} WHEN {v} IS NULL THEN {not_number} " + " ".join(bounds) + " END"
    return value, message


def _blank_line(text: str) -> bool:
    """Whether the file has a blank line (spaces, tabs and commas only), as ``_BLANK_LINE`` finds it.

    A blank line other than the first starts after a newline with a newline, space, tab or comma;
    the regular expression (seconds on a large file) runs only when one of those pairs occurs.
    """
    if re.match(r"\s*\n", text):
        return True
    if any(pair in text for pair in ("\n\n", "\n ", "\n\t", "\n,")):
        return _BLANK_LINE.search(text) is not None
    return False


def fast_stage(*, data: bytes, filename: str, kind: str, period: int, user, keep: str = ""):
    """Validate a CSV in SQL and leave its valid rows in the staging table.

    Args:
        keep: when given, the parsed rows are kept (file without problems only) in an UNLOGGED
            table of that name, for ``kept.kept_stage`` to commit them without parsing the file again.

    Returns:
        ``None`` when the file is not for this path; else ``(problems, counts, provinces,
        encoding, target, preview)``: problems as ``(row, column, value, message)`` sorted as the general
        path sorts them, counts of new/updated/unchanged/rejected rows, the provinces of the new
        and updated rows, the ``engine.Target`` (columns only) of the staging table and the first
        rows as parsed (``preview.preview_from_table``). Call it
        inside a transaction; the caller writes (``engine.write``) and drops the tables.
    """
    if connection.vendor != "postgresql" or kind not in KINDS or not filename.lower().endswith(".csv"):
        return None
    decoded = _decode(data)
    if decoded is None:
        return None
    text, encoding = decoded
    if '"' in text or "\r" in text or _blank_line(text) or not text or text.isspace():
        return None
    if text.count("\n") + (not text.endswith("\n")) - 1 > settings.TUOPIN_IMPORT_MAX_ROWS:
        return None  # the general path refuses it, saying why
    end = text.find("\n")  # the header line ends here; the body (data rows) follows
    headers = [_header(h.strip()) for h in (text if end < 0 else text[:end]).split(",")]
    fields = header_fields(kind, headers)
    if fields is None or end < 0 or not _NON_SPACE.search(text, end + 1):
        return None
    parsed = keep or PARSED
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{_WORK_MEM}'")
        loaded = _load_typed(cursor, data, kind=kind, fields=fields, parsed=parsed, unlogged=bool(keep))
        if not loaded:
            body = text[end + 1 :]
            del text  # a large file is in memory twice at most
            if not _load_text(cursor, body, kind=kind, fields=fields, headers=headers, parsed=parsed):
                return None
        header_of = dict(zip(fields, headers, strict=True))
        problems, counts, provinces, target = _finish(
            cursor, parsed=parsed, kind=kind, period=period, user=user, fields=fields, header_of=header_of
        )
        total = sum(int(v) for k, v in counts.items() if k in ("new", "updated", "unchanged", "rejected"))
        preview = preview_from_table(
            cursor,
            parsed=parsed,
            stage=STAGE,
            kind=kind,
            fields=fields,
            types=_types(target),
            total=total,
            problems=[Problem.of(*p) for p in problems],
            header_of=header_of,
        )
        if not keep or problems:
            cursor.execute(f"DROP TABLE {parsed}")
    return problems, counts, provinces, encoding, target, preview


def header_fields(kind: str, headers: list[str]) -> list[str] | None:
    """The fields of a file's (normalised) headers, or ``None`` when this path cannot take them."""
    lookup = header_lookup(kind)
    fields = [lookup.get(" ".join(h.split()).casefold()) for h in headers]
    if None in fields or len(set(fields)) != len(fields) or KINDS[kind][1] not in fields:
        return None
    if any(_column(kind, f).kind not in (IDENTIFIER, BOOL, INT, DECIMAL) for f in fields):
        return None
    return fields


def _column(kind: str, field: str):
    return next(c for c in COLUMNS[kind] if c.field == field)


def _canonical(data: bytes) -> bytes | None:
    """The body (the rows below the header) when every cell is in a form PostgreSQL's input functions
    read exactly as ``cells`` does, else ``None``.

    Below the header only digits, signs, points, commas (between cells) and newlines: ASCII, so the
    same bytes in UTF-8 and GB18030; no spaces to trim, nothing to normalise, no exponent, ``NaN``
    or ``Infinity``, no thousands separator (a comma is a cell boundary), and no point without a
    digit after it (``5.``, which ``numeric`` would accept and ``cells`` rejects). Then a decimal
    cell reads as ``numeric`` reads it, a yes/no cell can only be ``1``/``0`` (``boolean`` rejects
    anything else with these characters), a whole number as ``bigint`` reads it (``3.0`` is
    rejected: the text path reports it) and an identifier is itself.
    """
    end = data.find(b"\n")  # never inside a UTF-8 or GB18030 character
    header = data[:end]
    # what remains of the whole file once the allowed bytes are deleted is the header's remainder
    if data.translate(None, _CANONICAL_BYTES) != header.translate(None, _CANONICAL_BYTES):
        return None
    body = data[end + 1 :]
    if b".," in body or b".\n" in body or body.endswith(b"."):
        return None
    return body


def _load_typed(cursor, data: bytes, *, kind, fields, parsed, unlogged) -> bool:
    """COPY a canonical file straight into typed columns; ``False`` (nothing left) when it is not one,
    a cell does not read, or a required cell is blank or a number out of bounds (the text path
    then reports each cell)."""
    body = _canonical(data)
    if body is None:
        return False
    key = KINDS[kind][1]
    types = {IDENTIFIER: "text", DECIMAL: "numeric", BOOL: "boolean", INT: "bigint"}
    columns = ", ".join(f"{f} {types[_column(kind, f).kind]}" for f in fields)
    cursor.execute(f"DROP TABLE IF EXISTS {parsed}")
    cursor.execute(
        f"CREATE {'UNLOGGED' if unlogged else 'TEMPORARY'} TABLE {parsed} (n bigserial, {columns}, "
        f"_raw_key text GENERATED ALWAYS AS (coalesce({key}, '')) STORED)"
    )
    copy = f"COPY {parsed} ({', '.join(fields)}) FROM STDIN WITH (FORMAT csv)"
    try:
        with transaction.atomic():
            cursor.copy_expert(copy, io.BytesIO(body))
    except (DatabaseError, psycopg2.Error):
        cursor.execute(f"DROP TABLE IF EXISTS {parsed}")
        return False
    # statistics, or the planner sorts the keys (with the collation: seconds) to find duplicates
    cursor.execute(f"ANALYZE {parsed}")
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {parsed} WHERE {' OR '.join(_out_of_rule(kind, fields))})")
    if cursor.fetchone()[0]:
        cursor.execute(f"DROP TABLE {parsed}")
        return False
    cursor.execute(f"DROP TABLE IF EXISTS {PROBLEMS}")
    cursor.execute(f"CREATE TEMPORARY TABLE {PROBLEMS} (n bigint, seq int, col text, value text, message text)")
    return True


def _out_of_rule(kind: str, fields: list[str]) -> list[str]:
    """Conditions on typed cells that ``_parse_sql`` reports: a blank required cell, a number out of bounds."""
    limit = max_amount()
    conditions = []
    for field in fields:
        column = _column(kind, field)
        if column.required:
            conditions.append(f"{field} IS NULL")
        if column.minimum is not None:
            conditions.append(f"{field} {'<=' if column.minimum_excluded else '<'} {Decimal(str(column.minimum))}")
        if column.maximum is not None:
            conditions.append(f"{field} > {Decimal(str(column.maximum))}")
        if column.kind == DECIMAL and column.unit.startswith("yuan"):
            conditions.append(f"abs({field}) > {limit}")
    return conditions or ["false"]


def _load_text(cursor, body: str, *, kind, fields, headers, parsed) -> bool:
    """COPY the cells as text, normalise and parse them in SQL into ``parsed``; each cell's problem
    goes to ``PROBLEMS``. ``False`` when COPY fails (ragged rows: the general path reports them)."""
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
        return False
    key = KINDS[kind][1]
    raw = {f: f"r.c{i}" for i, f in enumerate(fields)}
    norm = {f: f"r.t{i}" for i, f in enumerate(fields)}
    header_of = dict(zip(fields, headers, strict=True))
    # the normalised text of every cell, once, beside the cell as written
    normalised = ", ".join(f"{_normalised(f'r.c{i}')} AS t{i}" for i in range(len(fields)))
    cursor.execute(f"CREATE TEMPORARY TABLE {CELLS} AS SELECT r.*, {normalised} FROM {RAW} r")
    cursor.execute(f"DROP TABLE {RAW}")
    cursor.execute(f"DROP TABLE IF EXISTS {parsed}")
    selects = ", ".join(f"{_parse_sql(kind, f, norm[f], 'p.' + f)[0]} AS {f}" for f in fields)
    create = "CREATE UNLOGGED TABLE" if parsed != PARSED else "CREATE TEMPORARY TABLE"
    cursor.execute(f"{create} {parsed} AS SELECT r.n, {selects}, coalesce({raw[key]}, '') AS _raw_key FROM {CELLS} r")
    cursor.execute(f"ANALYZE {parsed}")
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
        f"(SELECT r.n, {', '.join(columns)} FROM {CELLS} r JOIN {parsed} p ON p.n = r.n) x, "
        f"LATERAL (VALUES {unpivot}) AS v(seq, col, value, message) "
        f"WHERE coalesce({any_message}) IS NOT NULL AND v.message IS NOT NULL",
        params,
    )
    cursor.execute(f"DROP TABLE {CELLS}")
    return True


def _finish(cursor, *, parsed, kind, period, user, fields, header_of, duplicates=True):
    """Check the parsed rows as a whole and against the registry, and stage the valid ones.

    Args:
        parsed: the table of parsed rows (``n``, one column per field, ``_raw_key``: the key cell as
            written); ``PROBLEMS`` holds its cell problems. duplicates: check duplicate keys (a
            property of the file alone, skipped when a kept dry run is committed).

    Returns:
        ``(problems, counts, provinces, target)`` as ``fast_stage`` describes them; ``PROBLEMS`` is dropped.
    """
    key = KINDS[kind][1]
    seq = len(fields)
    if duplicates:
        cursor.execute(f"DROP TABLE IF EXISTS {DUPLICATES}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {DUPLICATES} AS SELECT n, {key} AS k, _raw_key FROM {parsed} WHERE {key} IN "
            f"(SELECT {key} FROM {parsed} WHERE {key} IS NOT NULL GROUP BY {key} HAVING count(*) > 1)"
        )
        # each row's message names up to ten other rows of its key: an index keeps that linear
        cursor.execute(f"CREATE INDEX ON {DUPLICATES} (k, n)")
        cursor.execute(f"ANALYZE {DUPLICATES}")
        rows = _Sql(
            f"(SELECT json_agg(o.n + 1 ORDER BY o.n) FROM (SELECT o.n FROM {DUPLICATES} o "
            "WHERE o.k = d.k AND o.n <> d.n ORDER BY o.n LIMIT 10) o)"
        )
        more = _message_sql("duplicate_key_more", key=[key], rows=rows, more=_Sql("c.others - 10"))
        cursor.execute(
            f"INSERT INTO {PROBLEMS} SELECT d.n, {seq}, %s, d._raw_key, "
            f"CASE WHEN c.others > 10 THEN {more} ELSE {_message_sql('duplicate_key', key=[key], rows=rows)} END "
            f"FROM {DUPLICATES} d JOIN (SELECT k, count(*) - 1 AS others FROM {DUPLICATES} GROUP BY k) c ON c.k = d.k",
            [header_of[key]],
        )
        cursor.execute(f"DROP TABLE {DUPLICATES}")
    target = _stage(cursor, parsed=parsed, kind=kind, period=period, user=user, fields=fields)
    checks = _registry_checks(kind)
    unpivot = ", ".join(f"({seq + i}, x._m{i})" for i in range(1, len(checks) + 1))
    cursor.execute(
        f"INSERT INTO {PROBLEMS} SELECT x.{ROW} + 1, v.seq, %s, x._raw_key, v.message FROM {STAGE} x, "
        f"LATERAL (VALUES {unpivot}) AS v(seq, message) "
        f"WHERE coalesce({', '.join(f'x._m{i}' for i in range(1, len(checks) + 1))}) IS NOT NULL "
        "AND v.message IS NOT NULL",
        [header_of[key]],
    )
    problems = [
        _problem(int(n) + 1, col, value, message)
        for n, col, value, message in frame_query(
            cursor, f'SELECT n, col, value, message FROM {PROBLEMS} ORDER BY n, col COLLATE "C", seq'
        ).itertuples(index=False)
    ]
    rejected = len({row for row, *_ in problems})
    if problems:
        cursor.execute(f"DELETE FROM {STAGE} s USING {PROBLEMS} x WHERE x.n = s.{ROW} + 1")
    cursor.execute(f"DROP TABLE {PROBLEMS}")
    classify_staged(cursor, target)
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
    return problems, {**counts, "rejected": rejected}, provinces, target


def _registry_checks(kind: str) -> list[tuple[str, str]]:
    """``(condition, message)`` of the checks against the registry, over ``p`` (parsed), ``h``, ``g``."""
    key = KINDS[kind][1]
    if kind == "household-surveys":
        return [
            # the same text for both, as validate's: the report does not tell which numbers exist elsewhere
            (f"p.{key} IS NOT NULL AND (h.id IS NULL OR NOT {{in_scope}})", _message_sql("unknown_household")),
        ]
    leaf = (
        "NOT EXISTS (SELECT 1 FROM regions_region c WHERE c.parent_code = g.code) AND (g.scheme <> 'cn' OR g.level = 5)"
    )
    return [
        (  # an unknown code in scientific notation: Excel wrote it (validate's message too)
            f"p.{key} IS NOT NULL AND g.id IS NULL",
            f"CASE WHEN p.{key} ~ '^({SCIENTIFIC})$' THEN {_message_sql('number_as_id')} "
            f"ELSE {_message_sql('unknown_region')} END",
        ),
        (f"g.id IS NOT NULL AND NOT ({leaf})", _message_sql("not_a_village", level=_Sql("g.level"))),
        ("g.id IS NOT NULL AND NOT {in_scope}", _message_sql("outside_regions")),
    ]


def _fits(expr: str, sql_type: str) -> str:
    """``expr`` cast to ``sql_type``; NULL instead of an overflow error when a ``numeric(p, s)`` value
    is too large (such a row already carries its "more than the maximum" message and is rejected)."""
    match = re.fullmatch(r"numeric\((\d+),\s*(\d+)\)", sql_type)
    if match is None:
        return f"{expr}::{sql_type}"
    limit = 10 ** (int(match.group(1)) - int(match.group(2)))
    return f"CASE WHEN abs({expr}) < {limit} THEN {expr}::{sql_type} END"


def _stage(cursor, *, parsed, kind, period, user, fields) -> Target:
    """Fill the engine's staging table in one join of the parsed rows to the registry.

    Each staged row carries its registry problems (``_m1``, ``_m2``, …: message or NULL) and the
    key as written (``_raw_key``); ``_finish`` reports them and removes the rows with problems.
    """
    model, key = KINDS[kind]
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
        key_column, target_id = "household_id", "h.id"
    else:
        join = f"LEFT JOIN regions_region g ON g.code = p.{key}"
        key_column, target_id = "region_id", "g.id"
    values = [f for f in fields if f not in KEYS[kind]]
    target = Target(model, (key_column, "period_id"), pd.DataFrame(columns=[key_column, "period_id", *values, ROW]))
    types = _types(target)
    messages = [
        f"CASE WHEN {condition.format(in_scope=in_scope)} THEN {message} END AS _m{i}"
        for i, (condition, message) in enumerate(_registry_checks(kind), start=1)
    ]
    selects = [
        f"{target_id}::{types[key_column]} AS {key_column}",
        f"%s::{types['period_id']} AS period_id",
        *(f"{_fits(f'p.{f}', types[f])} AS {f}" for f in values),
        f"p.n - 1 AS {ROW}",
        f"'new'::{types[STATUS]} AS {STATUS}",
        "g.province_code AS _province",
        "p._raw_key",
        *messages,
    ]
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} AS SELECT {', '.join(selects)} FROM {parsed} p {join}", [period])
    return target


def kept_stage(*, table: str, header_line: str, kind: str, period: int, user):
    """Stage the rows a dry run kept in ``table`` (see ``fast_stage(keep=…)``) and check them again
    against the registry and the user's scope (the cell checks depend on the file alone).

    Returns:
        As ``fast_stage`` without the encoding, or ``None`` when the table or the header does not fit.
    """
    headers = [_header(h.strip()) for h in header_line.split(",")]
    fields = header_fields(kind, headers)
    if fields is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{_WORK_MEM}'")
        cursor.execute(f"SELECT * FROM {table} LIMIT 0")
        if [d[0] for d in cursor.description] != ["n", *fields, "_raw_key"]:
            return None
        cursor.execute(f"DROP TABLE IF EXISTS {PROBLEMS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {PROBLEMS} (n bigint, seq int, col text, value text, message text)")
        header_of = dict(zip(fields, headers, strict=True))
        return _finish(
            cursor,
            parsed=table,
            kind=kind,
            period=period,
            user=user,
            fields=fields,
            header_of=header_of,
            duplicates=False,
        )

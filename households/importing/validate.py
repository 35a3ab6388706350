"""Validate an import file completely, without writing: every problem by row and column.

``import_validate`` reads the file (``reading.read_table``), maps the headers (Chinese or English),
parses each column (``cells``), then checks against the database set-based: region codes, the
uploader's scope, known households, duplicate keys, resident IDs (check digit, birth date, duplicates
in the file and in the registry), amounts, and monitoring statuses: a new household may come with any
status, an existing one may not be changed to one the warning workflow reserves ("risk eliminated")
nor taken out of monitoring (``households.services.status.import_status_problems``). It returns the
parsed rows, the problems, and how many rows are new, updated, unchanged or rejected.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from households import ids
from households.importing import cells
from households.importing.columns import (
    BOOL,
    CHOICE,
    CHOICES,
    COLUMNS,
    DATE,
    DECIMAL,
    IDENTIFIER,
    INT,
    KEYS,
    TEXT,
    Column,
    column_cap,
    header_lookup,
)
from households.importing.engine import STAGE
from households.importing.masking import problems_masked
from households.importing.messages import TEXTS, Message, cut, msg
from households.importing.preview import preview_from_rows
from households.importing.reading import ImportFileError, Progress, read_table
from households.importing.report import ANNOTATION_HEADERS
from households.importing.sql import frame_query, temp_table_load
from households.models import Household, Member, max_amount
from households.services.id_answers import id_answers_allowed
from households.services.id_answers import per_day as id_answers_per_day
from households.services.status import import_status_problems
from regions.models import CN, Level
from regions.selectors import WRITE_ROLES, user_region_paths


@dataclass(frozen=True)
class Problem:
    """One problem: ``row`` as the user sees it (0: the whole file), the column header as in the
    file ('' when the problem is not about one column), the cell's text, and the message: its
    English text, and its ``code`` and ``params`` (``messages``), from which it is shown in the
    reader's language. A problem made from plain text has no code: it is shown as it is."""

    row: int
    column: str
    value: str
    message: str
    code: str = field(default="", compare=False)  # equal problems: the same cell and English text
    params: dict = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, row: int, column: str, value: str, message: str) -> "Problem":
        """A problem from a message: a ``messages.Message`` gives its code and parameters. A cell
        longer than ``messages.VALUE_LIMIT`` characters is shown cut (``messages.cut``)."""
        value = cut(value) if isinstance(value, str) else value
        if isinstance(message, Message):
            return cls(row, column, value, str(message), message.code, message.params)
        return cls(row, column, value, str(message))


@dataclass
class Validation:
    """The outcome of validating a file: parsed rows, problems and counts.

    ``rows``: one row per data row of the file, columns = fields present + ``_row`` (the row number
    the user sees) + kind-specific resolved ids (``_region_id``, ``_household_id``, ``_province``);
    ``existing``: the matching database rows (``_key`` → field values), used by the commit.
    """

    kind: str
    period: int | None
    encoding: str = ""
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    problems: list[Problem] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    status_of_row: dict[int, str] = field(default_factory=dict)
    #: The table holding the parsed rows for the commit (``kept``), or ''.
    kept: str = ""
    #: The first rows as parsed (``preview``), or ``None`` when the file could not be parsed.
    preview: dict | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> dict:
        """JSON-ready summary, as the batch stores it: counts and every problem, the cell values
        of resident IDs masked, registry numbers as typed (``masking.problems_masked``)."""
        return {
            "kind": self.kind,
            "period": self.period,
            "encoding": self.encoding,
            "counts": {
                "new": self.new,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "rejected": self.rejected,
            },
            "problems": problems_masked(self.kind, [p.__dict__ for p in self.problems]),
            **({"preview": self.preview} if self.preview is not None else {}),
        }


class _Collector:
    """Gathers problems from boolean masks over the frame."""

    def __init__(self, row_numbers: list[int], raw: pd.DataFrame, headers: dict[str, str]):
        self.row_numbers = row_numbers
        self.raw = raw
        self.headers = headers  # field -> header as in the file
        self.problems: list[Problem] = []
        self.bad_rows: set[int] = set()
        #: field → which rows Excel stored as numbers (``RawTable.numeric_mask``)
        self.numeric: dict[str, pd.Series] = {}

    def add(self, index: int, field_name: str, message: str) -> None:
        header = self.headers.get(field_name, field_name)
        value = str(self.raw.at[index, header]) if header in self.raw.columns else ""
        self.problems.append(Problem.of(self.row_numbers[index], header, value, message))
        self.bad_rows.add(index)

    def add_series(self, field_name: str, messages: pd.Series) -> None:
        for index, message in messages.dropna().items():
            self.add(index, field_name, message)


#: The longest text each text column's field holds (``max_length`` of the stored field).
TEXT_LIMITS = {
    "registry_number": Household._meta.get_field("registry_number").max_length,
    "name": Member._meta.get_field("name").max_length,
    "source_id": Member._meta.get_field("source_id").max_length,
}

#: The problem of a survey row whose household is unknown or outside the user's regions (the same text;
#: code ``unknown_household``).
UNKNOWN_HOUSEHOLD = TEXTS["unknown_household"]
#: The problem of a households row whose number belongs to a village outside the user's regions, decided
#: from the number's village code (and, for a number registered elsewhere, from that registration):
#: the same text whether or not the number exists, so the report tells no one which numbers exist.
OUTSIDE_HOUSEHOLD = TEXTS["outside_household"]
#: A resident ID registered to another member (anywhere: the answer says not where).
REGISTERED_ELSEWHERE = TEXTS["registered_elsewhere"]
#: A code in scientific notation (``6.2e+11``): what Excel writes into a CSV for a long number. An
#: unknown region code of this shape gets the Excel hint of identifiers (``cells._NUMBER_AS_ID``).
SCIENTIFIC = r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+"


class _IdAnswersRefused(Exception):
    """The uploader is over today's limit of "already registered" answers (``services.id_answers``)."""


def _parse_column(column: Column, series: pd.Series, numeric: pd.Series, out: _Collector) -> pd.Series:
    if column.kind == IDENTIFIER:
        values, problems = cells.parse_identifier(series, numeric_mask=numeric)
    elif column.kind == DECIMAL:
        values, problems = cells.parse_decimal(series)
    elif column.kind == BOOL:
        values, problems = cells.parse_bool(series)
    elif column.kind == INT:
        values, problems = cells.parse_int(series, minimum=column.minimum, maximum=column.maximum)
    elif column.kind == DATE:
        values, problems = cells.parse_date(series, excel_serial_mask=numeric)
    elif column.kind in (CHOICE, CHOICES):
        values, problems = _parse_choices(column, series)
    else:
        values, problems = series.where(series != "", None), pd.Series(None, index=series.index, dtype=object)
    out.add_series(column.field, problems)
    limit = TEXT_LIMITS.get(column.field)
    if limit is not None and column.kind in (IDENTIFIER, TEXT):  # else the database refuses the whole file
        long = values.dropna().astype(str).str.len() > limit
        for index in long[long].index:
            out.add(index, column.field, msg("too_long", limit=limit))
    if column.required:
        for index in series.index[series == ""]:
            out.add(index, column.field, msg("required"))
    if column.kind == DECIMAL:
        limit = max_amount()
        for index, value in values.dropna().items():
            if column.minimum_excluded and value <= Decimal(str(column.minimum)):
                out.add(index, column.field, msg("greater_than", minimum=f"{column.minimum:g}"))
            elif column.minimum is not None and value < Decimal(str(column.minimum)):
                out.add(index, column.field, msg("at_least", minimum=f"{column.minimum:g}"))
            elif column.maximum is not None and value > Decimal(str(column.maximum)):
                out.add(index, column.field, msg("at_most", maximum=f"{column.maximum:g}"))
            elif column.unit.startswith("yuan") and abs(value) > limit:
                out.add(index, column.field, msg("absurd_amount", limit=f"{limit:,.0f}"))
    return values


def _parse_choices(column: Column, series: pd.Series) -> tuple[pd.Series, pd.Series]:
    lookup = column.choice_lookup()
    values = pd.Series(None, index=series.index, dtype=object)
    problems = pd.Series(None, index=series.index, dtype=object)
    # as a clerk means it: no leading or trailing spaces (the ideographic and non-breaking ones too)
    normal = cells.normalise_text(series)
    for index, text in normal[normal != ""].items():
        parts = [p.strip() for p in text.replace("、", ";").replace(",", ";").split(";") if p.strip()]
        if column.kind == CHOICE:
            parts = [text]
        found = [lookup.get(p.casefold()) for p in parts]
        if any(v is None for v in found):
            problems[index] = msg("unknown_choice", field=column.field)
        else:
            values[index] = found if column.kind == CHOICES else found[0]
    return values, problems


def import_validate(
    *,
    data: bytes,
    filename: str,
    kind: str,
    period: int | None,
    user,
    sheet: str | None = None,
    keep: str = "",
    progress: Progress | None = None,
) -> Validation:
    """Validate an import file; nothing is written.

    Args:
        data: the file's bytes (CSV or XLSX); filename: its name (the extension picks the reader);
        kind: one of ``COLUMNS``; period: the survey year (members, surveys); user: the uploader,
            whose clerk/admin assignments bound the regions the file may touch.
        keep: a table name (``kept.kept_name``): on the PostgreSQL path, a file without problems
            leaves its parsed rows there for the commit (``Validation.kept``).
        progress: called as the file's rows are read (``reading.read_table``; not on the PostgreSQL
            path, which reads a CSV in one ``COPY``).

    Returns:
        A ``Validation`` listing every problem (not the first) and the row counts.
    """
    if getattr(settings, "TUOPIN_IMPORT_FAST_PATH", True):
        with transaction.atomic():
            staged = fast_validation(data=data, filename=filename, kind=kind, period=period, user=user, keep=keep)
            if staged is not None:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE {STAGE}")  # a dry run writes nothing
        if staged is not None:
            return staged[0]
    result = Validation(kind=kind, period=period)
    try:
        table = read_table(data, filename=filename, sheet=sheet, max_columns=column_cap(kind), progress=progress)
    except ImportFileError as error:  # also a file beyond the limits (rows, columns, unpacked size)
        result.problems.append(Problem.of(0, "", "", error.message))
        return result
    result.encoding = table.encoding
    raw, row_numbers = _without_annotations(table.frame, table.row_numbers)
    if raw.empty:
        result.problems.append(Problem.of(0, "", "", msg("no_data_rows")))
        return result
    lookup = header_lookup(kind)
    headers: dict[str, str] = {}
    file_problems = []
    for header in raw.columns:
        target = lookup.get(" ".join(str(header).split()).casefold())
        if target is None:
            file_problems.append(Problem.of(0, str(header), "", msg("unknown_column")))
        elif target in headers:
            file_problems.append(Problem.of(0, str(header), "", msg("column_twice", field=target)))
        else:
            headers[target] = header
    for column in COLUMNS[kind]:
        if column.required and column.field not in headers:
            file_problems.append(Problem.of(0, column.header, "", msg("column_missing")))
    if file_problems:
        result.problems = file_problems
        return result

    out = _Collector(row_numbers, raw, headers)
    parsed = pd.DataFrame(index=raw.index)
    for column in COLUMNS[kind]:
        if column.field not in headers:
            continue
        header = headers[column.field]
        numeric = out.numeric[column.field] = table.numeric_mask(header)
        parsed[column.field] = _parse_column(column, raw[header], numeric, out)
    for index, header in table.formula_cells_without_value:
        field_name = next((f for f, h in headers.items() if h == header), header)
        out.add(index, field_name, msg("formula_without_value"))

    _check_duplicate_keys(kind, parsed, out, row_numbers)
    try:
        _check_kind(kind, parsed, out, user, sha256=hashlib.sha256(data).hexdigest(), period=period)
    except _IdAnswersRefused:  # the whole file, and nothing of its rows: which ones clash stays unsaid
        result.problems = [Problem.of(0, "", "", msg("id_answers_refused", limit=id_answers_per_day()))]
        result.rejected = len(raw)
        return result
    result.rows = parsed.assign(_row=row_numbers)
    result.problems = sorted(out.problems, key=lambda p: (p.row, p.column))
    result.rejected = len(out.bad_rows)
    _count_changes(result, out.bad_rows)
    result.preview = preview_from_rows(
        kind,
        result.rows,
        rejected=out.bad_rows,
        status_of_row=result.status_of_row,
        problems=result.problems,
        header_of=headers,
    )
    return result


def _without_annotations(raw: pd.DataFrame, row_numbers: list[int]) -> tuple[pd.DataFrame, list[int]]:
    """The table without the columns ``rejected.xlsx`` adds (``report.ANNOTATION_HEADERS``: the row
    number and the problems) and without the rows left blank once they are gone (the file-level
    problems at its top), so a clerk can fix the bad rows and upload the file again as it is.

    Returns:
        The table (index 0..n-1) and the file row number of each of its rows.
    """
    annotations = [c for c in raw.columns if " ".join(str(c).split()).casefold() in ANNOTATION_HEADERS]
    if not annotations:
        return raw, row_numbers
    raw = raw.drop(columns=annotations)
    filled = raw.notna() & raw.astype(str).apply(lambda column: column.str.strip() != "")
    keep = filled.any(axis=1).to_numpy()
    numbers = [number for number, kept in zip(row_numbers, keep, strict=True) if kept]
    return raw[keep].reset_index(drop=True), numbers


def fast_validation(*, data: bytes, filename: str, kind: str, period: int | None, user, keep: str = ""):
    """The PostgreSQL path (``fast``) as a ``Validation``, with the staging table left for a commit.

    Returns:
        ``None`` when the file is not for that path; else ``(validation, target, provinces)``. Call
        inside a transaction; drop ``engine.STAGE`` (or write it) before it ends.
    """
    from households.importing.fast import fast_stage

    staged = fast_stage(data=data, filename=filename, kind=kind, period=period, user=user, keep=keep)
    if staged is None:
        return None
    problems, counts, provinces, encoding, target, preview = staged
    result = staged_validation(kind=kind, period=period, encoding=encoding, problems=problems, counts=counts)
    result.kept = keep if keep and not problems else ""
    result.preview = preview
    return result, target, provinces


def staged_validation(*, kind: str, period: int | None, encoding: str, problems: list, counts: dict) -> Validation:
    """A ``Validation`` from the fast path's problems (tuples) and counts of staged rows."""
    result = Validation(kind=kind, period=period, encoding=encoding)
    result.problems = [Problem.of(*p) for p in problems]
    result.new, result.updated = int(counts.get("new", 0)), int(counts.get("updated", 0))
    result.unchanged, result.rejected = int(counts.get("unchanged", 0)), int(counts["rejected"])
    return result


def _check_duplicate_keys(kind: str, parsed: pd.DataFrame, out: _Collector, row_numbers: list[int]) -> None:
    keys = [k for k in KEYS[kind] if k in parsed.columns]
    complete = parsed[keys].notna().all(axis=1)
    frame = parsed.loc[complete, keys].astype(str)
    duplicated = frame.duplicated(keep=False)
    if not duplicated.any():
        return
    groups = frame[duplicated].groupby(keys if len(keys) > 1 else keys[0], sort=False).groups
    for members in groups.values():
        first = [row_numbers[i] for i in members[:11]]  # each row names at most ten others: linear
        for index in members:
            own = row_numbers[index]
            named = [r for r in first if r != own][:10]
            rest = len(members) - 1 - len(named)
            if rest > 0:
                out.add(index, keys[-1], msg("duplicate_key_more", key=list(keys), rows=named, more=rest))
            else:
                out.add(index, keys[-1], msg("duplicate_key", key=list(keys), rows=named))


def _in_scope(paths: pd.Series, user) -> pd.Series:
    allowed = user_region_paths(user, roles=WRITE_ROLES) if user is not None else None
    if allowed is None:
        return pd.Series(True, index=paths.index)
    inside = pd.Series(False, index=paths.index)
    for prefix in allowed:
        inside |= paths.fillna("").str.startswith(prefix)
    return inside


def _check_kind(
    kind: str, parsed: pd.DataFrame, out: _Collector, user, *, sha256: str = "", period: int | None = None
) -> None:
    if kind == "households" and {"registration_year", "exit_year"} <= set(parsed.columns):
        before = parsed["exit_year"] < parsed["registration_year"]  # False where either is blank
        for index in parsed.index[before.fillna(False).astype(bool)]:
            out.add(index, "exit_year", msg("exit_before_registration"))
    if kind == "households" and "exit_year" in parsed.columns:
        _check_exit_year(parsed, out, period)
    if kind == "households" and "registration_year" in parsed.columns:
        _check_registration_year(parsed, out, period)
    if kind == "members" and "birth_date" in parsed.columns:
        _check_birth_date(parsed, out, period)
    if kind == "households" and {"registry_number", "monitoring_status"} <= set(parsed.columns):
        _check_statuses(parsed, out, user)
    if kind in ("households", "village-surveys"):
        _check_regions(parsed, out, user, registry=kind == "households")
    else:
        _check_households(parsed, out, user)
    if kind == "members":
        _check_resident_ids(parsed, out, user, sha256=sha256)


def _check_exit_year(parsed: pd.DataFrame, out: _Collector, period: int | None) -> None:
    """An exit year after the batch's year (or, for a batch without one, after this year) is a
    problem of its cell: a household of a year's registry cannot have left poverty later."""
    limit = period if period is not None else timezone.localdate().year
    later = pd.to_numeric(parsed["exit_year"], errors="coerce") > limit  # False where blank
    message = msg("exit_after_period", year=limit) if period is not None else msg("exit_after_this_year", year=limit)
    for index in parsed.index[later.to_numpy(dtype=bool)]:
        out.add(index, "exit_year", message)


def _check_registration_year(parsed: pd.DataFrame, out: _Collector, period: int | None) -> None:
    """A registration year after the batch's year (or, for a batch without one, after this year) is a
    problem of its cell, as an exit year is (``_check_exit_year``)."""
    limit = period if period is not None else timezone.localdate().year
    later = pd.to_numeric(parsed["registration_year"], errors="coerce") > limit  # False where blank
    if period is not None:
        message = msg("registration_after_period", year=limit)
    else:
        message = msg("registration_after_this_year", year=limit)
    for index in parsed.index[later.to_numpy(dtype=bool)]:
        out.add(index, "registration_year", message)


def _check_birth_date(parsed: pd.DataFrame, out: _Collector, period: int | None) -> None:
    """A birth date after the end of the batch's survey year, or after today (whichever comes first),
    is a problem of its cell: a member of a year's survey is born by then, and nobody is born later
    than today."""
    today = timezone.localdate()
    if period is not None and dt.date(period, 12, 31) < today:
        limit, message = dt.date(period, 12, 31), msg("birth_after_period", year=period)
    else:
        limit, message = today, msg("birth_after_today", date=today.isoformat())
    births = pd.to_datetime(parsed["birth_date"], errors="coerce")  # blank or unparsed cells: NaT, never later
    later = (births > pd.Timestamp(limit)).to_numpy(dtype=bool)
    for index in parsed.index[later]:
        out.add(index, "birth_date", message)


def _lookup(keys: pd.Series, sql: str, index: str) -> pd.DataFrame:
    """Rows of ``sql`` (which joins ``import_keys k`` on ``k.k``) for the distinct non-blank keys."""
    distinct = pd.DataFrame({"k": pd.Series(keys.dropna().unique(), dtype=object)})
    with transaction.atomic(), connection.cursor() as cursor:
        temp_table_load(cursor, "import_keys", distinct, {"k": "varchar(64)"})
        found = frame_query(cursor, sql)
        cursor.execute("DROP TABLE import_keys")
    return found.drop_duplicates(index).set_index(index)


def _aligned(found: pd.DataFrame, keys: pd.Series, known: pd.Series) -> pd.DataFrame:
    info = found.reindex(keys.where(known))
    info.index = keys.index
    return info


def _check_regions(parsed: pd.DataFrame, out: _Collector, user, *, registry: bool) -> None:
    code = parsed["village_code"]
    found = _lookup(
        code,
        "SELECT r.code, r.id, r.path, r.level, r.scheme, r.province_code, "
        "EXISTS (SELECT 1 FROM regions_region c WHERE c.parent_code = r.code) AS has_children "
        "FROM regions_region r JOIN import_keys k ON k.k = r.code",
        "code",
    )
    known = code.isin(found.index)
    # an unknown code in scientific notation (a CSV from Excel), or one Excel stored as a number (an
    # XLSX: 6.21126E+11 typed is 621126000000 stored): the Excel hint of identifiers
    scientific = code.fillna("").astype(str).str.fullmatch(SCIENTIFIC)
    numeric = out.numeric.get("village_code")
    if numeric is not None:
        scientific = scientific | numeric.reindex(parsed.index, fill_value=False).astype(bool)
    for index in parsed.index[code.notna() & ~known]:
        out.add(index, "village_code", msg("number_as_id") if scientific[index] else msg("unknown_region"))
    info = _aligned(found, code, known)
    leaf = ~info["has_children"].astype(object).fillna(True).astype(bool) & (
        (info["scheme"] != CN) | (info["level"] == Level.VILLAGE)
    )
    for index in parsed.index[known & ~leaf]:
        out.add(index, "village_code", msg("not_a_village", level=int(info.at[index, "level"])))
    inside = _in_scope(info["path"], user)
    for index in parsed.index[known & ~inside]:
        out.add(index, "village_code", msg("outside_regions"))
    parsed["_region_id"] = info["id"]
    parsed["_province"] = info["province_code"]
    if registry and "registry_number" in parsed.columns:
        reg = parsed["registry_number"]
        cn = known & (info["scheme"] == CN) & reg.notna()
        text, village = reg.fillna("").astype(str), code.fillna("").astype(str)
        serial = pd.Series([r[len(v) :] for r, v in zip(text, village, strict=True)], index=parsed.index)
        prefix = pd.Series(list(map(str.startswith, text, village)), index=parsed.index, dtype=bool)
        shape = prefix & serial.str.fullmatch(r"\d{4}").astype(bool)
        for index in parsed.index[cn & ~shape]:
            out.add(index, "registry_number", msg("registry_shape"))
        # the village a number belongs to (cn: the number less its 4-digit serial), against the user's
        # scope whether or not the number exists; a number registered outside it (another scheme's
        # number, or one moved) gets the same message
        own = text.str[:-4].where(reg.notna() & (text.str.len() > 4))
        villages = _lookup(
            own,
            "SELECT r.code, r.path FROM regions_region r JOIN import_keys k ON k.k = r.code "
            f"WHERE r.scheme = '{CN}' AND r.level = {int(Level.VILLAGE)}",
            "code",
        )
        own_path = villages["path"].reindex(own)
        own_path.index = parsed.index
        existing = _lookup(
            reg,
            "SELECT h.registry_number, r.path AS region__path FROM households_household h "
            "JOIN regions_region r ON r.id = h.region_id JOIN import_keys k ON k.k = h.registry_number",
            "registry_number",
        )
        old_path = existing["region__path"].reindex(reg)
        old_path.index = parsed.index
        outside = (own_path.notna() & ~_in_scope(own_path, user)) | (old_path.notna() & ~_in_scope(old_path, user))
        for index in parsed.index[outside]:
            out.add(index, "registry_number", msg("outside_household"))


def _check_statuses(parsed: pd.DataFrame, out: _Collector, user) -> None:
    """The monitoring status of an existing household changes only as by hand (not to "risk
    eliminated", not out of monitoring: ``households.services.status.import_status_problems``); a
    new household may come with any. Households outside the user's regions are left out: their rows
    carry a scope problem already, and their status is not the uploader's to learn."""
    reg = parsed["registry_number"]
    stored = _lookup(
        reg,
        "SELECT h.registry_number, h.monitoring_status, r.path FROM households_household h "
        "JOIN regions_region r ON r.id = h.region_id JOIN import_keys k ON k.k = h.registry_number",
        "registry_number",
    )
    info = stored.reindex(reg)
    info.index = parsed.index
    current = info["monitoring_status"].where(info["path"].notna() & _in_scope(info["path"], user))
    refused = import_status_problems(current=current, given=parsed["monitoring_status"])
    for index in refused.dropna().index:
        status = parsed.at[index, "monitoring_status"]
        out.add(index, "monitoring_status", msg("status_change", current=current[index], status=status))


def _check_households(parsed: pd.DataFrame, out: _Collector, user) -> None:
    reg = parsed["registry_number"]
    found = _lookup(
        reg,
        "SELECT h.registry_number, h.id, r.path AS region__path, r.province_code AS region__province_code "
        "FROM households_household h JOIN regions_region r ON r.id = h.region_id "
        "JOIN import_keys k ON k.k = h.registry_number",
        "registry_number",
    )
    known = reg.isin(found.index)
    info = _aligned(found, reg, known)
    # one message for a number that does not exist and one registered outside the user's regions: the
    # report must not tell a clerk which numbers exist elsewhere
    for index in parsed.index[reg.notna() & ~(known & _in_scope(info["region__path"], user))]:
        out.add(index, "registry_number", msg("unknown_household"))
    parsed["_household_id"] = info["id"]
    parsed["_province"] = info["region__province_code"]


def _check_resident_ids(parsed: pd.DataFrame, out: _Collector, user, *, sha256: str = "") -> None:
    """Each resident ID's shape, birth date and uniqueness in the file and in the registry.

    Registered to another member (anywhere in the country) is answered without saying where, within
    the uploader's daily limit (``services.id_answers``, audited with the count).

    Raises:
        _IdAnswersRefused: the limit forbids answering; the caller refuses the whole file.
    """
    if "resident_id" not in parsed.columns:
        return
    given = parsed["resident_id"].dropna()
    valid = pd.Series(False, index=parsed.index)
    for index, value in given.items():
        # "6404**********0012": the downloaded workbook's mask (``report``), uploaded again unchanged
        problem = ("resident_id_masked", {}) if "*" in value else ids.resident_id_check(value)
        if problem:
            out.add(index, "resident_id", msg(problem[0], **problem[1]))
        else:
            valid[index] = True
            birth = parsed.at[index, "birth_date"] if "birth_date" in parsed.columns else None
            if birth is not None and not pd.isna(birth) and birth != ids.birth_date(value):
                out.add(index, "birth_date", msg("birth_date_differs", date=ids.birth_date(value).isoformat()))
    hashes = parsed["resident_id"].where(valid).map(lambda v: ids.id_hash(v) if isinstance(v, str) else None)
    parsed["_id_hash"] = hashes
    repeated = hashes.notna() & hashes.duplicated(keep=False)
    for index in parsed.index[repeated]:
        others = [out.row_numbers[i] for i in parsed.index[repeated & (hashes == hashes[index])] if i != index]
        out.add(index, "resident_id", msg("resident_id_repeated", rows=others))
    taken = _lookup(
        hashes,
        "SELECT m.resident_id_hash, m.household_id, m.member_no FROM households_member m "
        "JOIN import_keys k ON k.k = m.resident_id_hash",
        "resident_id_hash",
    )
    owner = taken.reindex(hashes)
    owner.index = parsed.index
    other = owner["household_id"].notna() & (
        (owner["household_id"] != parsed.get("_household_id")) | (owner["member_no"] != parsed["member_no"])
    )
    allowed = id_answers_allowed(
        user=user, clashes=int(other.sum()), checked=int(hashes.notna().sum()), context="members import", sha256=sha256
    )
    if not allowed:
        raise _IdAnswersRefused
    for index in parsed.index[other]:
        out.add(index, "resident_id", msg("registered_elsewhere"))


def _count_changes(result: Validation, bad_rows: set[int]) -> None:
    """Classify the valid rows as new, updated or unchanged against the database (set-based)."""
    from households.importing.apply import rows_classify  # apply builds on this module's rows

    rows = result.rows.drop(index=list(bad_rows))
    result.status_of_row = rows_classify(result.kind, rows, result.period)
    counts = pd.Series(list(result.status_of_row.values()), dtype=object).value_counts()
    result.new, result.updated, result.unchanged = (int(counts.get(s, 0)) for s in ("new", "updated", "unchanged"))

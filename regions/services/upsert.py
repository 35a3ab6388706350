"""Set-based upsert of region rows: staging table, then one ``INSERT … ON CONFLICT`` statement.

PostgreSQL loads the staging table by COPY; SQLite by batched inserts. Both then run the same SQL,
which writes only rows that are new or differ, so a second import of the same file writes nothing
(on PostgreSQL, no row's ``xmin`` changes).
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.db import connection, transaction
from django.utils.translation import gettext_lazy

from regions.models import CN, CN_CODE_LENGTH, Region

#: Staging columns, in order; every one but ``code`` is compared and updated.
COLUMNS = [
    "code",
    "code12",
    "scheme",
    "name",
    "level",
    "parent_code",
    "path",
    "province_code",
    "prefecture_code",
    "county_code",
    "township_code",
]
#: Codes any scheme may use: what the API accepts in ``region`` and in URLs.
CODE_PATTERN = r"[0-9A-Za-z_.-]{1,40}"
#: What a code that does not match ``CODE_PATTERN`` is told (the API's validators).
CODE_MESSAGE = gettext_lazy("Codes are 1-40 letters, digits, '.', '_' or '-'.")
_ANCESTOR_COLUMNS = ["province_code", "prefecture_code", "county_code", "township_code"]
_STAGING = "regions_region_staging"
_SQLITE_BATCH = 5000


class RegionImportError(ValueError):
    """Raised when rows cannot be imported; ``problems`` lists each one as ``(row label, message)``."""

    def __init__(self, message: str, problems: list[tuple[str, str]] | None = None):
        self.problems = problems or []
        detail = "".join(f"\n  {where}: {what}" for where, what in self.problems[:50])
        more = f"\n  … and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{message}{detail}{more}")


@dataclass(frozen=True)
class UpsertResult:
    """Counts of an upsert: rows inserted, rows changed, rows already as given."""

    created: int
    updated: int
    unchanged: int

    @property
    def written(self) -> int:
        return self.created + self.updated


def read_text_csv(path: Path) -> pd.DataFrame:
    """Read a CSV as text cells: UTF-8 (with or without BOM), else strict GB18030.

    Raises:
        RegionImportError: not a file, not UTF-8/GB18030 text, empty, or not parseable as CSV.
    """
    if not Path(path).is_file():
        raise RegionImportError(f"{path}: no such file.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, encoding_errors="strict")
        except UnicodeDecodeError:
            continue
        except pd.errors.EmptyDataError:
            raise RegionImportError(f"{path}: the file is empty.") from None
        except pd.errors.ParserError as error:
            raise RegionImportError(f"{path}: not a readable CSV file ({error}).") from None
    raise RegionImportError(f"{path}: the file is neither UTF-8 nor GB18030 text.")


def with_tree_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``path``, the level 1-4 ancestor codes and ``code12`` to region rows.

    Args:
        frame: one row per region, text columns ``code``, ``name``, ``parent_code`` ('' at a root),
            ``scheme``, integer ``level`` (1 at the root). Parents are in the frame or already in
            the database.

    Returns:
        A copy of ``frame`` with the derived columns of ``COLUMNS``, sorted by level and code.

    Raises:
        RegionImportError: a parent that is neither in the frame nor in the database, or a level
            that is not its parent's level + 1.
    """
    frame = frame.sort_values(["level", "code"], kind="stable").reset_index(drop=True)
    in_frame = dict(zip(frame["code"], frame["level"], strict=True))
    outside = sorted(set(frame["parent_code"]) - set(in_frame) - {""})
    schemes = set(frame["scheme"])
    known = {
        code: (path, level)
        for code, path, level in Region.objects.filter(code__in=outside, scheme__in=schemes).values_list(
            "code", "path", "level"
        )
    }
    problems = [
        (f"parent {code}", "parent code not found in the file or in the same scheme in the database")
        for code in outside
        if code not in known
    ]
    if problems:
        raise RegionImportError("Some parents are unknown.", problems)

    parent_level = frame["parent_code"].map(lambda c: in_frame.get(c, known.get(c, ("", 0))[1]) if c else 0)
    wrong = frame[frame["level"] != parent_level + 1]
    if len(wrong):
        raise RegionImportError(
            "Some levels do not follow their parent's level.",
            [
                (
                    f"code {r.code}",
                    f"level {r.level}, parent level {parent_level[i]}"
                    if r.parent_code
                    else f"level {r.level} without a parent: a region without a parent has level 1",
                )
                for i, r in wrong.iterrows()
            ],
        )

    paths = {code: path for code, (path, _level) in known.items()}
    path = pd.Series("", index=frame.index, dtype=object)
    for level in sorted(frame["level"].unique()):
        rows = frame["level"] == level
        parent_path = frame.loc[rows, "parent_code"].map(lambda c: paths.get(c, "/") if c else "/")
        path[rows] = parent_path + frame.loc[rows, "code"] + "/"
        paths.update(zip(frame.loc[rows, "code"], path[rows], strict=True))
    frame = frame.assign(path=path.astype(str))
    parts = frame["path"].str.strip("/").str.split("/", expand=True)
    for position, column in enumerate(_ANCESTOR_COLUMNS):
        frame[column] = parts[position].fillna("") if position in parts.columns else ""
    is_cn = frame["scheme"] == CN
    frame["code12"] = frame["code"].str.ljust(12, "0").where(is_cn, "")
    return frame[COLUMNS]


def check_cn_codes(frame: pd.DataFrame) -> None:
    """Check scheme ``cn`` rows: digits only, length by level, code extends the parent's code.

    Raises:
        RegionImportError: naming each offending code.
    """
    cn = frame[frame["scheme"] == CN]
    expected = cn["level"].map(CN_CODE_LENGTH)
    bad = (
        ~cn["code"].str.fullmatch(r"\d+")
        | (cn["code"].str.len() != expected)
        | ((cn["level"] == 1) & (cn["parent_code"] != ""))
        | (
            (cn["level"] > 1)
            & ~pd.Series(list(map(str.startswith, cn["code"], cn["parent_code"])), index=cn.index, dtype=bool)
        )
    )
    if bad.any():
        raise RegionImportError(
            "Codes break the rules of scheme cn (digits, length by level, parent prefix).",
            [(f"code {r.code}", f"level {r.level}, parent {r.parent_code or '-'}") for r in cn[bad].itertuples()],
        )


def regions_upsert(frame: pd.DataFrame) -> UpsertResult:
    """Insert new regions and update changed ones, in one transaction; never delete.

    Args:
        frame: rows with the columns of ``COLUMNS`` (see ``with_tree_columns``).

    Returns:
        The counts of created, updated and unchanged rows.

    Raises:
        RegionImportError: a code already used by another scheme.
        django.db.IntegrityError: a row breaks a database constraint.
    """
    frame = frame[COLUMNS]
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    compared = [c for c in COLUMNS if c != "code"]
    differs = " OR ".join(f"r.{c} {distinct} s.{c}" for c in compared)
    differs_excluded = " OR ".join(f"{Region._meta.db_table}.{c} {distinct} EXCLUDED.{c}" for c in compared)
    table = Region._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        _load_staging(cursor, frame)
        cursor.execute(
            f"SELECT s.code, r.scheme FROM {_STAGING} s JOIN {table} r ON r.code = s.code "
            "WHERE r.scheme <> s.scheme LIMIT 100"
        )
        clashes = cursor.fetchall()
        if clashes:
            raise RegionImportError(
                "Codes are already used by another scheme (codes are unique across schemes).",
                [(f"code {code}", f"used by scheme {scheme}") for code, scheme in clashes],
            )
        cursor.execute(f"SELECT count(*) FROM {_STAGING} s LEFT JOIN {table} r ON r.code = s.code WHERE r.code IS NULL")
        created = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM {_STAGING} s JOIN {table} r ON r.code = s.code WHERE {differs}")
        updated = cursor.fetchone()[0]
        names = ", ".join(COLUMNS)
        assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in compared)
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {_STAGING} WHERE true ORDER BY level, code "
            f"ON CONFLICT (code) DO UPDATE SET {assignments} WHERE {differs_excluded}"
        )
        cursor.execute(f"DROP TABLE {_STAGING}")
    return UpsertResult(created=created, updated=updated, unchanged=len(frame) - created - updated)


def _load_staging(cursor, frame: pd.DataFrame) -> None:
    columns_sql = ", ".join(f"{c} {'smallint' if c == 'level' else 'varchar(400)'}" for c in COLUMNS)
    cursor.execute(f"DROP TABLE IF EXISTS {_STAGING}")
    cursor.execute(f"CREATE TEMPORARY TABLE {_STAGING} ({columns_sql})")
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        buffer.seek(0)
        # Empty text is stored as '' (not NULL), except the parent of a root, which is NULL.
        cursor.copy_expert(
            f"COPY {_STAGING} ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )
        cursor.execute(f"UPDATE {_STAGING} SET parent_code = NULL WHERE parent_code = ''")
        return
    values = frame.astype(object)
    values["level"] = frame["level"].map(int).astype(object)
    values["parent_code"] = values["parent_code"].replace("", None)
    rows = list(values.itertuples(index=False, name=None))
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    for start in range(0, len(rows), _SQLITE_BATCH):
        cursor.executemany(f"INSERT INTO {_STAGING} VALUES ({placeholders})", rows[start : start + _SQLITE_BATCH])

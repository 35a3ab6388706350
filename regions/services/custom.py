"""Import a region tree that is not China's (``manage.py import_regions CSV --scheme NAME``)."""

import re
from pathlib import Path

import pandas as pd

from regions.models import CN
from regions.services.upsert import (
    CODE_PATTERN,
    RegionImportError,
    UpsertResult,
    read_text_csv,
    regions_upsert,
    with_tree_columns,
)

REQUIRED_COLUMNS = ("code", "name", "parent_code", "level")
RESERVED_SCHEMES = {CN, "all"}


def regions_import_csv(*, path: Path, scheme: str) -> UpsertResult:
    """Import a tree from a CSV with columns ``code, name, parent_code, level``.

    Codes are text of any form, unique across schemes; ``parent_code`` is blank at a root (level
    1) and names a region of the same file or already in the scheme; ``level`` is the parent's
    level + 1. Nothing is written unless every row is valid.

    Args:
        path: the CSV file (UTF-8 or GB18030).
        scheme: the tree's name (letters, digits, ``-``/``_``); not ``cn``.

    Returns:
        Created/updated/unchanged counts.

    Raises:
        RegionImportError: listing every problem by row (row 2 is the first data row).
    """
    if scheme in RESERVED_SCHEMES or not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", scheme):
        raise RegionImportError(
            f"Scheme {scheme!r} is not allowed here: use 1-32 letters, digits, '-' or '_', and not "
            "'cn' (China's divisions come from import_divisions) or 'all' (the API's word for every tree)."
        )
    frame = read_text_csv(Path(path))
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise RegionImportError(f"{path}: missing columns {', '.join(missing)} (need {', '.join(REQUIRED_COLUMNS)}).")
    frame = frame[list(REQUIRED_COLUMNS)].apply(lambda column: column.str.strip())
    row = frame.index + 2
    problems: list[tuple[str, str]] = []
    for column in ("code", "name", "level"):
        for r in row[frame[column] == ""]:
            problems.append((f"row {r}, column {column}", "empty"))
    level = pd.to_numeric(frame["level"], errors="coerce")
    bad_level = (level.isna() | (level < 1) | (level % 1 != 0)) & (frame["level"] != "")
    for r, value in zip(row[bad_level], frame["level"][bad_level], strict=True):
        problems.append((f"row {r}, column level", f"{value!r} is not a whole number ≥ 1"))
    for column in ("code", "parent_code"):
        bad_code = (frame[column] != "") & ~frame[column].str.fullmatch(CODE_PATTERN)
        for r, value in zip(row[bad_code], frame[column][bad_code], strict=True):
            problems.append(
                (f"row {r}, column {column}", f"{value!r}: codes are 1-40 letters, digits, '.', '_' or '-'")
            )
    if frame.empty:
        problems.append(("file", "no data rows"))
    duplicated = frame["code"].duplicated(keep=False) & (frame["code"] != "")
    for r, code in zip(row[duplicated], frame["code"][duplicated], strict=True):
        problems.append((f"row {r}, column code", f"{code} appears more than once"))
    roots_with_parent = (level == 1) & (frame["parent_code"] != "")
    for r in row[roots_with_parent]:
        problems.append((f"row {r}, column parent_code", "a level-1 region has no parent"))
    if problems:
        raise RegionImportError(f"{path}: {len(problems)} problem(s); nothing was written.", problems)
    frame = frame.assign(level=level.astype(int), scheme=scheme)
    return regions_upsert(with_tree_columns(frame))

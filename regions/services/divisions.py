"""Import China's statistical divisions (NBS 2023) from the project's ``data/divisions/``."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from django.conf import settings

from regions.models import CN
from regions.services.upsert import RegionImportError, UpsertResult, check_cn_codes, regions_upsert, with_tree_columns

DIVISIONS_FILE = Path("divisions") / "cn_divisions_2023.csv.gz"
VILLAGES_FILE = Path("divisions") / "cn_villages_2023.csv.gz"
_READ = {"dtype": str, "keep_default_na": False, "compression": "gzip"}


@dataclass(frozen=True)
class DivisionsResult:
    """What an import read (rows per level) and what it wrote."""

    rows_by_level: dict[int, int]
    upsert: UpsertResult


def _village_provinces(villages: str | Sequence[str] | None, province_codes: set[str]) -> set[str]:
    if villages is None:
        return set()
    if isinstance(villages, str):
        if villages.strip().lower() == "all":
            return set(province_codes)
        villages = [code for code in villages.split(",")]
    wanted = {code.strip() for code in villages if code.strip()}
    if not wanted:
        raise RegionImportError("--villages needs province codes (e.g. 62,63) or 'all'.")
    unknown = sorted(wanted - province_codes)
    if unknown:
        raise RegionImportError(
            "Unknown province codes for --villages (use two-digit codes such as 62, or 'all').",
            [(code, "not a province code") for code in unknown],
        )
    return wanted


def divisions_read(*, villages: str | Sequence[str] | None = None, data_dir: Path | None = None) -> pd.DataFrame:
    """Read the division rows to import.

    Args:
        villages: ``None`` for provinces, prefectures and counties only; ``"all"`` or province
            codes (a sequence or a comma-separated string such as ``"62,63"``) to add those
            provinces' townships and villages.
        data_dir: the project's ``data/`` folder (default ``settings.TUOPIN_DATA_DIR``).

    Returns:
        A frame with text columns ``code``, ``name``, ``parent_code``, ``scheme`` and an integer
        ``level`` (1-5), one row per division.

    Raises:
        RegionImportError: an unknown province code in ``villages``.
    """
    data_dir = Path(data_dir or settings.TUOPIN_DATA_DIR)
    upper = pd.read_csv(data_dir / DIVISIONS_FILE, **_READ)
    upper["level"] = upper["level"].astype(int)
    provinces = _village_provinces(villages, set(upper.loc[upper["level"] == 1, "code"]))
    keep = (upper["level"] <= 3) | upper["code"].str[:2].isin(provinces)
    frames = [upper[keep]]
    if provinces:
        lower = pd.read_csv(data_dir / VILLAGES_FILE, **_READ)
        frames.append(lower[lower["code"].str[:2].isin(provinces)].assign(level=5))
    frame = pd.concat(frames, ignore_index=True)
    return frame.assign(scheme=CN)[["code", "name", "level", "parent_code", "scheme"]]


def divisions_import(*, villages: str | Sequence[str] | None = None, data_dir: Path | None = None) -> DivisionsResult:
    """Load China's divisions into ``Region``; a second run with the same data writes nothing.

    Provinces, prefectures and counties always; townships and villages for the provinces named
    in ``villages`` (see ``divisions_read``). On PostgreSQL the rows go through COPY into a staging
    table and one ``INSERT … ON CONFLICT`` (all 620,573 villages included); elsewhere in batches.

    Returns:
        Rows read per level and the created/updated/unchanged counts.

    Raises:
        RegionImportError: bad province codes, or rows that break the ``cn`` code rules.
    """
    frame = divisions_read(villages=villages, data_dir=data_dir)
    check_cn_codes(frame)
    rows = with_tree_columns(frame)
    result = regions_upsert(rows)
    counts = {int(level): int(n) for level, n in frame["level"].value_counts().sort_index().items()}
    return DivisionsResult(rows_by_level=counts, upsert=result)

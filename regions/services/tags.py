"""Region tags: definitions from ``data/region_tags.yaml``, the 832 poverty counties from a CSV."""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from pathlib import Path

import pandas as pd
import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from regions.models import CN, Level, Region, RegionTag, Tag
from regions.services.upsert import RegionImportError, read_text_csv

TAGS_FILE = Path("region_tags.yaml")
POVERTY_COUNTIES_TAG = "poverty_county_832"
#: Columns the poverty-county CSV must have (``../shared/data/poverty_counties/poverty_counties_832.csv``).
POVERTY_COUNTY_COLUMNS = ("code_2023", "name_source", "exit_year")


@dataclass
class TagResult:
    """What the import did for one tag.

    ``merged``: current code → the source names that map to it (several source rows, one region);
    ``unknown``: source codes with no county region; ``values``: region count per value.
    """

    code: str
    source_rows: int = 0
    regions: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    merged: dict[str, list[str]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    values: dict[object, int] = field(default_factory=dict)
    skipped: str = ""


def tag_definitions_read(*, path: Path | None = None) -> list[dict]:
    """Read the tag definitions (a list of dicts with ``code``, names, ``members`` …)."""
    path = Path(path or Path(settings.TUOPIN_DATA_DIR) / TAGS_FILE)
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["tags"]


def poverty_counties_read(path: Path) -> tuple[dict[str, int], dict[str, list[str]], int]:
    """Read the 832-county list.

    Args:
        path: CSV with at least ``code_2023`` (NBS 2023 county code), ``name_source`` and
            ``exit_year`` (the year the county exited poverty, 2016-2020).

    Returns:
        (exit year by county code, "name (year)" of the rows that share a code, rows read).
        When merged rows disagree on the year, the latest counts: a merged county exits when its
        last part does.

    Raises:
        RegionImportError: missing columns, blank codes, or years that are not whole numbers.
    """
    frame = read_text_csv(path)
    if frame.empty:
        raise RegionImportError(f"{path}: no data rows; the assignments were left unchanged.")
    missing = [c for c in POVERTY_COUNTY_COLUMNS if c not in frame.columns]
    if missing:
        raise RegionImportError(f"{path}: missing columns {', '.join(missing)}.")
    years = pd.to_numeric(frame["exit_year"], errors="coerce")
    bad = years.isna() | (years % 1 != 0) | ~years.between(1986, 2030) | (frame["code_2023"].str.strip() == "")
    if bad.any():
        raise RegionImportError(
            f"{path}: rows without a county code or an exit year between 1986 and 2030.",
            [(f"row {i + 2}", f"code {r.code_2023!r}, exit year {r.exit_year!r}") for i, r in frame[bad].iterrows()],
        )
    frame = frame.assign(code=frame["code_2023"].str.strip(), year=years.astype(int))
    by_code = frame.groupby("code")
    labelled = frame["name_source"] + " (" + frame["year"].astype(str) + ")"
    merged = {code: list(names) for code, names in labelled.groupby(frame["code"]) if len(names) > 1}
    return {str(k): int(v) for k, v in by_code["year"].max().items()}, merged, len(frame)


def _members(definition: dict) -> dict[int, object]:
    """Region ids (scheme cn) covered by a definition's ``members``, with a null value."""
    codes = [str(code) for code in definition.get("members", [])]
    level = definition.get("assign_level")
    members = Region.objects.filter(scheme=CN, code__in=codes)
    if level is None:
        return dict.fromkeys(members.values_list("id", flat=True))
    covered = reduce(or_, (Q(path__startswith=path) for path in members.values_list("path", flat=True)), Q(pk__in=[]))
    ids = Region.objects.filter(covered, scheme=CN, level=level).values_list("id", flat=True)
    return dict.fromkeys(ids)


def _sync(tag: Tag, wanted: dict[int, object], result: TagResult) -> None:
    """Make the tag's assignments exactly ``wanted`` (region id → value), writing only changes."""
    existing = {a.region_id: a for a in RegionTag.objects.filter(tag=tag)}
    new = [RegionTag(region_id=rid, tag=tag, value=value) for rid, value in wanted.items() if rid not in existing]
    changed = []
    for rid, value in wanted.items():
        old = existing.get(rid)
        if old is not None and old.value != value:
            old.value = value
            changed.append(old)
    gone = [a.pk for rid, a in existing.items() if rid not in wanted]
    RegionTag.objects.bulk_create(new, batch_size=1000)
    RegionTag.objects.bulk_update(changed, ["value"], batch_size=1000)
    RegionTag.objects.filter(pk__in=gone).delete()
    result.created, result.updated, result.deleted = len(new), len(changed), len(gone)
    result.regions = len(wanted)
    counts: dict[object, int] = {}
    for value in wanted.values():
        counts[value] = counts.get(value, 0) + 1
    result.values = dict(sorted(counts.items(), key=lambda item: str(item[0])))


@transaction.atomic
def tags_import(*, poverty_counties: Path | None = None, definitions: Path | None = None) -> list[TagResult]:
    """Create the tags of ``data/region_tags.yaml`` and assign them to regions of scheme ``cn``.

    Args:
        poverty_counties: path of the 832-county CSV (not redistributable, so not in the
            project); without it the ``poverty_county_832`` assignments are left as they are.
        definitions: the YAML file (default ``data/region_tags.yaml``).

    Returns:
        One ``TagResult`` per tag: regions tagged, rows written, merged and unknown codes.

    Raises:
        RegionImportError: no county regions loaded yet, or a malformed poverty-county file.
    """
    if not Region.objects.filter(scheme=CN, level=Level.COUNTY).exists():
        raise RegionImportError("No counties are loaded: run import_divisions first.")
    results = []
    for definition in tag_definitions_read(path=definitions):
        tag, _created = Tag.objects.update_or_create(
            code=definition["code"],
            defaults={
                "name_zh": definition["name_zh"],
                "name_en": definition["name_en"],
                "description": definition.get("description", "").strip(),
                "value_label_zh": definition.get("value_label_zh", ""),
                "value_label_en": definition.get("value_label_en", ""),
                "source": definition.get("source", ""),
            },
        )
        result = TagResult(code=tag.code)
        if definition.get("from_file") == "poverty_counties":
            if poverty_counties is None:
                result.skipped = "no poverty-county file given; assignments left unchanged"
                results.append(result)
                continue
            years, result.merged, result.source_rows = poverty_counties_read(Path(poverty_counties))
            ids = dict(Region.objects.filter(scheme=CN, level=Level.COUNTY, code__in=years).values_list("code", "id"))
            result.unknown = sorted(code for code in years if code not in ids)
            wanted = {ids[code]: year for code, year in years.items() if code in ids}
        else:
            wanted = _members(definition)
            result.source_rows = len(definition.get("members", []))
        _sync(tag, wanted, result)
        results.append(result)
    return results

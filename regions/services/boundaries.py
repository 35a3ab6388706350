"""Import province, prefecture and county boundaries from ``data/geo/`` through the crosswalk."""

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction

from regions.models import CN, Boundary, BoundaryCrosswalk, Level, Region

GEO_FILES = {
    Level.PROVINCE: Path("geo") / "cn_provinces.geojson.gz",
    Level.PREFECTURE: Path("geo") / "cn_prefectures.geojson.gz",
    Level.COUNTY: Path("geo") / "cn_counties.geojson.gz",
}
CROSSWALK_FILE = Path("geo") / "crosswalk.csv"


@dataclass(frozen=True)
class LevelCoverage:
    """How one level's polygons match its regions, after the crosswalk.

    ``regions_without_polygon`` and ``polygons_without_region`` are ``(code, name)`` pairs;
    ``crosswalked`` are ``(file code, current code)`` pairs.
    """

    level: int
    polygons: int
    regions: int
    regions_without_polygon: list[tuple[str, str]] = field(default_factory=list)
    polygons_without_region: list[tuple[str, str]] = field(default_factory=list)
    crosswalked: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class BoundariesResult:
    """Coverage per level and the rows written (created, updated, deleted)."""

    coverage: list[LevelCoverage]
    created: int
    updated: int
    deleted: int


def crosswalk_read(*, data_dir: Path | None = None) -> dict[str, tuple[str, str]]:
    """Read ``data/geo/crosswalk.csv``: boundary-file code → (current code, note)."""
    path = Path(data_dir or settings.TUOPIN_DATA_DIR) / CROSSWALK_FILE
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {row.source_code: (row.code, row.note) for row in frame.itertuples()}


def _features(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)["features"]


@transaction.atomic
def boundaries_import(*, data_dir: Path | None = None) -> BoundariesResult:
    """Replace the stored boundaries with those in ``data/geo/``, writing only what changed.

    Each polygon's file code goes through the crosswalk (``data/geo/crosswalk.csv``) to the
    current division code; places without a region (Taiwan, Hong Kong, Macao) keep their codes.

    Returns:
        Coverage per level: the regions of scheme ``cn`` with no polygon (development zones and a
        few recent units) and the polygons with no region, each named by code, so nothing is
        dropped silently.
    """
    data_dir = Path(data_dir or settings.TUOPIN_DATA_DIR)
    crosswalk = crosswalk_read(data_dir=data_dir)
    BoundaryCrosswalk.objects.bulk_create(
        [BoundaryCrosswalk(source_code=s, code=c, note=n) for s, (c, n) in crosswalk.items()],
        update_conflicts=True,
        unique_fields=["source_code"],
        update_fields=["code", "note"],
    )
    BoundaryCrosswalk.objects.exclude(source_code__in=crosswalk).delete()

    wanted: dict[tuple[int, str], Boundary] = {}
    crosswalked: dict[int, list[tuple[str, str]]] = {}
    for level, relative in GEO_FILES.items():
        for feature in _features(data_dir / relative):
            source_code = feature["properties"]["code"]
            code = crosswalk.get(source_code, (source_code, ""))[0]
            if code != source_code:
                crosswalked.setdefault(level, []).append((source_code, code))
            wanted[(level, code)] = Boundary(
                level=level,
                code=code,
                source_code=source_code,
                name=feature["properties"]["name"],
                geometry=feature["geometry"],
            )

    existing = {(b.level, b.code): b for b in Boundary.objects.all()}
    fields = ("source_code", "name", "geometry")
    new = [b for key, b in wanted.items() if key not in existing]
    changed = []
    for key, b in wanted.items():
        old = existing.get(key)
        if old is not None and any(getattr(old, f) != getattr(b, f) for f in fields):
            b.pk = old.pk
            changed.append(b)
    gone = [old.pk for key, old in existing.items() if key not in wanted]
    Boundary.objects.bulk_create(new, batch_size=500)
    Boundary.objects.bulk_update(changed, fields, batch_size=500)
    Boundary.objects.filter(pk__in=gone).delete()

    coverage = []
    for level in GEO_FILES:
        regions = dict(Region.objects.filter(scheme=CN, level=level).values_list("code", "name"))
        polygons = {code: b.name for (lvl, code), b in wanted.items() if lvl == level}
        coverage.append(
            LevelCoverage(
                level=int(level),
                polygons=len(polygons),
                regions=len(regions),
                regions_without_polygon=sorted((c, n) for c, n in regions.items() if c not in polygons),
                polygons_without_region=sorted((c, n) for c, n in polygons.items() if c not in regions),
                crosswalked=sorted(crosswalked.get(level, [])),
            )
        )
    return BoundariesResult(coverage=coverage, created=len(new), updated=len(changed), deleted=len(gone))

"""Rebuild the processed copies under ``data/`` from the public sources in ``../shared/data/``.

Run from the project root: ``python data/build_data.py [SHARED_DATA_DIR]``. Output is deterministic
(sorted rows, gzip without timestamps), so a rerun on the same sources changes no byte.
See ``data/SOURCES.md`` for what each output is and where its source came from.

Outputs:
    divisions/cn_divisions_2023.csv.gz  code,name,level,parent_code for levels 1-4 (NBS 2023)
    divisions/cn_villages_2023.csv.gz   code,name,parent_code for level 5 (NBS 2023)
    geo/cn_{provinces,prefectures,counties}.geojson.gz
        FeatureCollections with properties {code, name}; code is the key of the boundary file at
        its natural length (province ``62``, prefecture ``6201``, county ``620102``); coordinates
        rounded to 1e-3 degrees except rings whose orientation or shape rounding would break.
"""

import csv
import gzip
import io
import json
import sys
from itertools import pairwise
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parent
PRECISION = 3


def _write_gzip(path: Path, text: str) -> None:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as handle:
        handle.write(text.encode("utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    print(f"{path.relative_to(OUT)}: {len(buffer.getvalue()) / 1024:.0f} KiB")


def _csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def build_divisions(src: Path) -> None:
    read = {"dtype": str, "keep_default_na": False}
    provinces = pd.read_csv(src / "provinces.csv", **read).assign(level=1, parent_code="")
    cities = pd.read_csv(src / "cities.csv", **read).rename(columns={"provinceCode": "parent_code"}).assign(level=2)
    areas = pd.read_csv(src / "areas.csv", **read).rename(columns={"cityCode": "parent_code"}).assign(level=3)
    streets = pd.read_csv(src / "streets.csv", **read).rename(columns={"areaCode": "parent_code"}).assign(level=4)
    columns = ["code", "name", "level", "parent_code"]
    upper = pd.concat([frame[columns] for frame in (provinces, cities, areas, streets)], ignore_index=True)
    upper = upper.sort_values(["level", "code"], kind="stable")
    _write_gzip(OUT / "divisions" / "cn_divisions_2023.csv.gz", _csv_text(upper))

    villages = pd.read_csv(src / "villages_all.csv.gz", **read)
    villages = villages.rename(columns={"streetCode": "parent_code"})[["code", "name", "parent_code"]]
    _write_gzip(OUT / "divisions" / "cn_villages_2023.csv.gz", _csv_text(villages.sort_values("code")))


def _signed_area(ring: list[list[float]]) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring))


def _round_ring(ring: list[list[float]]) -> list[list[float]]:
    """Round a ring; keep the source ring when rounding would flip or collapse it."""
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, PRECISION), round(y, PRECISION)]
        if not out or point != out[-1]:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    before, after = _signed_area(ring), _signed_area(out)
    if len(out) < 4 or after == 0 or (before > 0) != (after > 0) or abs(after - before) > 0.5 * abs(before):
        return ring
    return out


def _round_geometry(geometry: dict) -> dict:
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"unexpected geometry type {geometry['type']}")
    rounded = [[_round_ring(ring) for ring in polygon] for polygon in polygons]
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": rounded[0]}
    return {"type": "MultiPolygon", "coordinates": rounded}


def _natural_code(adcode: str, level: int) -> str:
    """The division code at its natural length: ``620000`` → ``62``, ``620100`` → ``6201``.

    Units administered directly by a province (``419001``) appear in the prefecture file under
    their own county code, which is kept.
    """
    if level == 1:
        return adcode[:2]
    if level == 2 and adcode.endswith("00"):
        return adcode[:4]
    return adcode


def build_geo(src: Path) -> None:
    for level, name in ((1, "provinces"), (2, "prefectures"), (3, "counties")):
        source = json.loads((src / f"china_{name}.geojson").read_text(encoding="utf-8"))
        features = []
        for feature in source["features"]:
            props = feature["properties"]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": _natural_code(props["adcode"], level), "name": props["name"]},
                    "geometry": _round_geometry(feature["geometry"]),
                }
            )
        features.sort(key=lambda item: item["properties"]["code"])
        collection = {"type": "FeatureCollection", "features": features}
        text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
        _write_gzip(OUT / "geo" / f"cn_{name}.geojson.gz", text)


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT.parent.parent / "shared" / "data"
    build_divisions(shared / "admin_divisions")
    build_geo(shared / "geo")


if __name__ == "__main__":
    main()

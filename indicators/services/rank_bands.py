"""The EQI rank bands of a run (``RegionRankBand``): the sensitivity analysis of
``indicators.methods.sensitivity`` on the rankings the dashboards show, written when the run publishes.

A ranking needs all its peers: the counties of the country are spread over every province's chunk,
so the bands are computed once every chunk is done (``run_publish``), from the run's region rows, one
call per ranking (provinces in the country; counties in the country, in their province, in their
prefecture), each vectorised over all its regions and scenarios.

Peers: ``cn`` regions with an EQI and at least ``SMALL_CELL`` surveyed households that the public may
see (small cells and their complements, ``indicators.methods.disclosure``, are left out), so a band
tells nothing of a withheld region, and the nominal rank is the rank the public dashboard shows.
"""

import logging
import time

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection

from indicators.methods import sensitivity
from indicators.methods.disclosure import cells_suppressed
from indicators.methods.scoring import DIMENSIONS
from indicators.models import ComputationRun, RegionRankBand, RegionScore
from indicators.services import store
from indicators.services.rollup import SMALL_CELL
from regions.models import CN, Level

log = logging.getLogger(__name__)

BAND_TABLE = RegionRankBand._meta.db_table
#: The runs' manifests (``ComputationRun.snapshots``).
MANIFEST_TABLE = ComputationRun.snapshots.through._meta.db_table
Within = RegionRankBand.Within
#: (level ranked, ranked among, the region column naming the group: None for one group).
RANKINGS = (
    (Level.PROVINCE, Within.COUNTRY, None),
    (Level.COUNTY, Within.COUNTRY, None),
    (Level.COUNTY, Within.PROVINCE, "province_code"),
    (Level.COUNTY, Within.PREFECTURE, "prefecture_code"),
)


def _peers(run: ComputationRun) -> pd.DataFrame:
    """The run's ``cn`` regions at the ranked levels that may be ranked (see the module), with D1-D4.

    One query: the region rows at the public levels (all schemes: the complements are chosen as
    ``indicators.selectors.cells_hidden`` chooses them for the public) and down to the counties.
    """
    public = settings.TUOPIN_PUBLIC_MAX_LEVEL
    deepest = max(public, int(Level.COUNTY))
    frame = store.frame_select(
        f"""
        SELECT s.region_id, s.level, s.households, {", ".join("s." + d for d in DIMENSIONS)}, s.eqi,
               r.code, r.parent_code, r.scheme, r.province_code, r.prefecture_code
        FROM {RegionScore._meta.db_table} s JOIN regions_region r ON r.id = s.region_id
        WHERE s.period_id = %s AND s.level <= %s
          AND s.snapshot_id IN (SELECT scoresnapshot_id FROM {MANIFEST_TABLE} WHERE computationrun_id = %s)
        ORDER BY s.region_id
        """,
        [run.period_id, deepest, run.pk],
        text=("code", "parent_code", "scheme", "province_code", "prefecture_code"),
    )
    households = frame["households"].fillna(0).to_numpy(np.int64)
    hidden = households < SMALL_CELL
    shown_level = (frame["level"] <= public).to_numpy()
    if shown_level.any():
        cells = frame[shown_level].reset_index(drop=True)
        position = pd.Series(np.arange(len(cells)), index=cells["code"].to_numpy())  # a parent is keyed by code
        parent = cells["parent_code"].map(position).fillna(-1).to_numpy(np.int64)
        hidden[shown_level] = cells_suppressed(
            parent=parent,
            households=households[shown_level],
            visible=np.zeros(len(cells), dtype=bool),
            threshold=SMALL_CELL,
        )
    ranked_level = frame["level"].isin([int(level) for level, _within, _group in RANKINGS])
    keep = ~hidden & (frame["scheme"] == CN).to_numpy() & ranked_level.to_numpy() & frame["eqi"].notna().to_numpy()
    return frame[keep].reset_index(drop=True)


def rank_bands_write(*, run: ComputationRun) -> dict:
    """Replace the run's ``RegionRankBand`` rows (idempotent) and return what was done, for the run's
    notes: the spec used, the regions ranked per ranking, the median of the scenarios' average absolute
    rank shift (R̄_S, Saisana et al. 2005) and the seconds taken.

    The methodology's ``sensitivity`` parameters (defaults where the stored methodology has none, as
    methodology v1); nothing is written when ``enabled`` is false.
    """
    started = time.perf_counter()
    params = run.methodology.parameters
    spec = sensitivity.validate_sensitivity(params.get("sensitivity"))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {BAND_TABLE} WHERE run_id = %s", [run.pk])
    if not spec["enabled"]:
        return {"enabled": False}
    peers = _peers(run)
    parts, summary = [], {}
    for level, within, group_column in RANKINGS:
        regions = peers[peers["level"] == level]
        if group_column is not None:
            regions = regions[regions[group_column] != ""]  # a county with no prefecture ranks in none
        bands = sensitivity.rank_bands(
            regions[list(DIMENSIONS)].to_numpy(float),
            params=params["scores"],
            spec=spec,
            groups=None if group_column is None else regions[group_column].to_numpy(object),
        )
        done = bands.ranked > 0
        parts.append(
            pd.DataFrame(
                {
                    "region_id": regions["region_id"].to_numpy()[done],
                    "level": int(level),
                    "within": int(within),
                    "ranked": bands.ranked[done],
                    "rank": bands.nominal[done].astype(np.int64),
                    "rank_median": bands.median[done].astype(np.int64),
                    "rank_low": bands.low[done].astype(np.int64),
                    "rank_high": bands.high[done].astype(np.int64),
                }
            )
        )
        shift = float(np.median(bands.shift)) if done.any() else None
        summary[f"{int(level)}:{within.name.lower()}"] = {"regions": int(done.sum()), "median_shift": shift}
    rows = pd.concat(parts, ignore_index=True).assign(run_id=run.pk)
    written = store.frame_insert(table=BAND_TABLE, frame=rows)
    seconds = round(time.perf_counter() - started, 3)
    log.info("run %s: %s EQI rank bands over %s scenarios in %.2f s", run.pk, written, spec["scenarios"], seconds)
    return {"enabled": True, "spec": spec, "rankings": summary, "seconds": seconds}

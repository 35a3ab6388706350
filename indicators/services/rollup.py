"""Roll household scores up the region tree (DESIGN §5).

Additive measures (means, shares, headcounts, FGT, AF H and M0) are ratios of sums, so each region's
value is computed from the sums of its households' numerators and denominators (two-step), never an
average of its children's values. Rank-based measures (median, quantiles, Gini, S80/S20) are computed
from the household rows of each region at each level. Everything is vectorised over regions: a
``groupby`` per tree depth, and the grouped rank functions of ``indicators.methods.poverty``.

Weights: person measures use persons x sampling weight; household shares (flagged) use the sampling
weight. A measure over zero weight is null ("no data"), never 0 or 100. Incomes below zero count as
zero in the Gini and the relative median poverty gap, as in the FGT gaps, so they stay within 0-1.

Where the methodology says the households are a sample (``scores.sampling``), the headcount ratio
(national line) and M0 also get their standard error and 95 % interval (``rollup_uncertainty``: one
design per province, one variance call per measure and tree level); for a census those are null.
"""

import numpy as np
import pandas as pd

from indicators.methods import poverty
from indicators.methods.scoring import CATEGORIES, DIMENSIONS, region_eqi, validate_parameters
from indicators.services import rollup_uncertainty

#: Exit check: poverty incidence below 2 %, or 3 % in the 12 western provinces (DESIGN §5).
WESTERN_PROVINCES = frozenset({"15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"})

#: A region with fewer surveyed households shows no numbers in public and gets no exit check (DESIGN §2).
SMALL_CELL = 10


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(float)


def _gaps(ratio: np.ndarray) -> np.ndarray:
    """Normalised FGT gap from y/z: (z - y)/z for the poor, incomes below zero counted as zero."""
    gap = 1.0 - np.clip(ratio, 0.0, None)
    return np.where(ratio < 1.0, gap, 0.0)


def rollup(households: pd.DataFrame, *, af_indicators: tuple[str, ...], params: dict) -> pd.DataFrame:
    """Region aggregates from household scores, for every ancestor of every household.

    Args:
        households: one row per scored household: ``path`` (the village's ``/a/b/c/`` path),
            persons, weight, income (yuan per person per year), ratio (y/z), margin (y/z_m),
            d1_income … d4_industry (0-100, NaN = null), flagged (bool), category (str or ''),
            vulnerability (0-1 or NaN), deprivation_score (0-1 or NaN), deprivations (bitmask over
            ``af_indicators``), af_poor (bool).
        af_indicators: the names of the AF indicators, in bit order.
        params: the methodology parameters (EQI weights and aggregation).
    Returns:
        One row per region code: ``code`` and every ``RegionScore`` measure (shares 0-1, scores
        0-100, NaN = null), plus households and persons; the SE and interval fields
        (``rollup_uncertainty.FIELDS``) of a sample design, NaN for a census.
    """
    frame = households.reset_index(drop=True)
    row_path, levels = _ancestor_labels(frame["path"])
    persons_w = frame["persons"].astype(float) * frame["weight"].astype(float)
    ratio, margin = frame["ratio"].to_numpy(float), frame["margin"].to_numpy(float)
    has_income = ~np.isnan(ratio)
    base = pd.DataFrame(
        {
            "pw": persons_w,
            "pw_income": np.where(has_income, persons_w, 0.0),
            "hw": frame["weight"].astype(float),
            "n": 1,
            "persons": frame["persons"].astype(int),
            "flagged_w": np.where(frame["flagged"], frame["weight"], 0.0),
        }
    )
    for d in DIMENSIONS:
        valid = frame[d].notna().to_numpy()
        base[f"{d}_num"] = np.where(valid, persons_w * frame[d].fillna(0), 0.0)
        base[f"{d}_den"] = np.where(valid, persons_w, 0.0)
    for suffix, r in (("", ratio), ("_monitoring", margin)):
        valid = ~np.isnan(r)
        gap = _gaps(np.nan_to_num(r, nan=2.0))
        base[f"hc{suffix}"] = np.where(valid & (r < 1), persons_w, 0.0)
        base[f"gap{suffix}"] = np.where(valid, persons_w * gap, 0.0)
        base[f"sev{suffix}"] = np.where(valid, persons_w * gap**2, 0.0)
        base[f"den{suffix}"] = np.where(valid, persons_w, 0.0)
    af_valid = frame["deprivation_score"].notna().to_numpy()
    poor = af_valid & frame["af_poor"].fillna(False).astype(bool).to_numpy()
    base["af_den"] = np.where(af_valid, persons_w, 0.0)
    base["af_h"] = np.where(poor, persons_w, 0.0)
    base["af_m0"] = np.where(poor, persons_w * frame["deprivation_score"].fillna(0), 0.0)
    mask = frame["deprivations"].fillna(0).astype(int).to_numpy()
    for j, name in enumerate(af_indicators):
        base[f"af_ch_{name}"] = np.where(poor & ((mask >> j) & 1).astype(bool), persons_w, 0.0)
    v = frame["vulnerability"].to_numpy(float)
    base["v_num"] = np.where(~np.isnan(v), persons_w * np.nan_to_num(v), 0.0)
    base["v_den"] = np.where(~np.isnan(v), persons_w, 0.0)
    base["v_high"] = np.where(~np.isnan(v) & (v >= 0.5), persons_w, 0.0)
    for category in CATEGORIES:
        base[f"cat_{category}"] = np.where(frame["category"] == category, frame["weight"], 0.0)

    income, weights = frame["income"].to_numpy(float), persons_w.to_numpy(float)
    # each rank-based measure sorts its values once for every level (poverty.value_order)
    poor_ratio = np.where(~np.isnan(ratio) & (ratio < 1), np.maximum(ratio, 0.0), np.nan)
    orders = {
        name: poverty.value_order(x) for name, x in (("income", income), ("margin", margin), ("poor", poor_ratio))
    }
    # two-step: sums per village (distinct path) once, then each level sums its villages' sums
    path_sums = base.groupby(row_path).sum().reindex(range(len(levels[0][0])), fill_value=0)
    sample = rollup_uncertainty.sample_design(weights, row_path, levels, validate_parameters(params)["sampling"])
    terms = {
        "headcount_ratio": (base["hc"].to_numpy(float), base["den"].to_numpy(float)),
        "mpi_m0": (base["af_m0"].to_numpy(float), base["af_den"].to_numpy(float)),
    }
    out = []
    for depth, (label_of_path, codes) in enumerate(levels):
        labels = label_of_path[row_path]
        keep = labels >= 0
        has = label_of_path >= 0
        sums = path_sums[has].groupby(label_of_path[has]).sum()
        measures = _additive(sums, af_indicators, params)
        measures = measures.join(_rank_based(labels, keep, income, margin, poor_ratio, weights, orders))
        measures = measures.join(rollup_uncertainty.level_uncertainty(sample, depth, labels, terms, measures))
        measures.index = codes[measures.index.to_numpy()]
        out.append(measures)
    result = pd.concat(out)
    result.index.name = "code"
    return result.reset_index()


def _ancestor_labels(paths: pd.Series) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """The distinct path of each row (labels 0..P-1), and for each tree depth: (the label of each
    distinct path's ancestor at that depth, -1 where the path is shorter; the codes the labels
    index). Paths are split once per distinct village, not once per household."""
    row_path, unique_paths = pd.factorize(paths)
    if len(unique_paths) == 0:
        return row_path, [(np.array([], dtype=np.intp), np.array([], dtype=object))]
    parts = pd.Series(unique_paths).str.strip("/").str.split("/", expand=True)
    levels = []
    for depth in range(parts.shape[1]):
        label_of_path, codes = pd.factorize(parts[depth])  # -1 where the path has no such depth
        levels.append((label_of_path, np.asarray(codes, dtype=object)))
    return row_path, levels


def _additive(sums: pd.DataFrame, af_indicators: tuple[str, ...], params: dict) -> pd.DataFrame:
    m = pd.DataFrame(index=sums.index)
    for d in DIMENSIONS:
        m[d] = _ratio(sums[f"{d}_num"], sums[f"{d}_den"])
    m["eqi"] = region_eqi(*(m[d].to_numpy(float) for d in DIMENSIONS), params)
    for suffix in ("", "_monitoring"):
        den = sums[f"den{suffix}"]
        m[f"headcount_ratio{suffix}"] = _ratio(sums[f"hc{suffix}"], den)
        m[f"poverty_gap{suffix}"] = _ratio(sums[f"gap{suffix}"], den)
        m[f"poverty_severity{suffix}"] = _ratio(sums[f"sev{suffix}"], den)
    m["mpi_h"] = _ratio(sums["af_h"], sums["af_den"])
    m["mpi_m0"] = _ratio(sums["af_m0"], sums["af_den"])
    m["mpi_a"] = _ratio(sums["af_m0"], sums["af_h"])
    weight_j = 1.0 / len(af_indicators)
    censored = {name: _ratio(sums[f"af_ch_{name}"], sums["af_den"]) for name in af_indicators}
    m["mpi_censored_headcounts"] = _json_rows(pd.DataFrame(censored))
    m["mpi_contributions"] = _json_rows(pd.DataFrame({k: weight_j * c / m["mpi_m0"] for k, c in censored.items()}))
    m["flagged_share"] = _ratio(sums["flagged_w"], sums["hw"])
    m["flagged_by_category"] = _json_rows(pd.DataFrame({c: _ratio(sums[f"cat_{c}"], sums["hw"]) for c in CATEGORIES}))
    m["mean_vulnerability"] = _ratio(sums["v_num"], sums["v_den"])
    m["vulnerable_share"] = _ratio(sums["v_high"], sums["v_den"])
    m["households"] = sums["n"].astype(int)
    m["persons"] = sums["persons"].astype(int)
    m["flagged_households_w"] = sums["flagged_w"]
    return m


def _rank_based(labels, keep, income, margin, poor_ratio, weights, orders) -> pd.DataFrame:
    """Median, quantiles, Gini, S80/S20, median margin and RMPG of each region's own household rows.

    ``labels`` (n,): the level's region label of each household (-1: none at this level, as ``keep``
    says); ``poor_ratio``: y/z floored at 0 for the poor, NaN otherwise; ``orders``: each variable's
    ``poverty.value_order`` subset function (one sort for all levels).
    """
    uniques, labels_kept = np.unique(labels[keep], return_inverse=True)
    size = len(uniques)
    m = pd.DataFrame(index=uniques)
    group = np.full(len(labels), -1, dtype=np.intp)
    group[keep] = labels_kept

    def by(fn, name, x, **kwargs):
        rows = keep & ~np.isnan(x)
        return fn(group[rows], x[rows], weights[rows], n_groups=size, by_x=orders[name](rows), **kwargs)

    ok = keep & ~np.isnan(income)
    totals = np.bincount(group[ok], weights=weights[ok], minlength=size)
    m["income_mean"] = np.bincount(group[ok], weights=income[ok] * weights[ok], minlength=size) / np.where(
        totals > 0, totals, np.nan
    )
    # incomes below zero count as zero in the Gini and the RMPG (as in FGT), so both stay within 0-1
    quantiles, m["gini"], m["s80_s20"] = by(
        poverty.distribution_by, "income", income, p=[0.2, 0.5, 0.8], gini_floor=0.0
    )
    m["income_q20"], m["income_median"], m["income_q80"] = quantiles[:, 0], quantiles[:, 1], quantiles[:, 2]
    m["median_margin"] = by(poverty.weighted_quantile_by, "margin", margin, p=0.5)
    # (z - median of the poor) / z, in units of the line: 1 - median ratio of the poor (laeken's rmpg)
    m["relative_median_poverty_gap"] = 1.0 - by(poverty.weighted_quantile_by, "poor", poor_ratio, p=0.5)
    return m


def _json_rows(frame: pd.DataFrame) -> list[str]:
    """One JSON object per row (NaN as null), for the JSON columns of ``RegionScore``."""
    if frame.empty:
        return []
    return frame.astype(float).to_json(orient="records", lines=True, double_precision=15).splitlines()


def exit_check(
    codes: pd.Series, province_codes: pd.Series, headcount: pd.Series, schemes: pd.Series, households: pd.Series
) -> pd.Series:
    """Poverty incidence below 2 % (3 % in the western provinces), for ``cn`` regions with at least
    ``SMALL_CELL`` surveyed households; else null (too few households to judge a region's exit)."""
    limit = np.where(province_codes.isin(WESTERN_PROVINCES), 0.03, 0.02)
    check = pd.Series(headcount.to_numpy() < limit, index=codes.index, dtype=object)
    unknown = headcount.isna().to_numpy() | (schemes != "cn").to_numpy() | (households < SMALL_CELL).to_numpy()
    check[unknown] = None
    return check

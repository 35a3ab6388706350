"""Rank uncertainty of the exit-quality index: a Monte-Carlo over the methodology's own choices.

Uncertainty and sensitivity analysis as the OECD/JRC *Handbook on Constructing Composite Indicators:
Methodology and User Guide* (OECD 2008) describes it (step 7, "Uncertainty and sensitivity analysis", and
Part 2 §7): every choice made in building the index (normalisation, weights, aggregation) is an input
factor; draw S scenarios of them, compute the index and the regions' ranks in each, and report each
region's rank distribution: its median and 5th-95th percentile band (a 90 % band), against its rank
under the methodology as published (Saisana, Saltelli & Tarantola 2005, "Uncertainty and sensitivity
analysis techniques as tools for the quality assessment of composite indicators", *Journal of the Royal
Statistical Society A* 168(2), 307-323: the ranks of each scenario, their median and 5th/95th percentiles,
and the average absolute shift in rank R̄_S of their eq. 6).

What is varied, per scenario, all at region level (from the regions' D1-D4, without the households):
  weights: each nominal weight w_i times (1 + u_i·spread), u_i ~ U(-1, 1) independent, then renormalised
    to sum 1; a dimension of nominal weight 0 stays out of the index, as in ``scoring._eqi``.
  aggregation: the weighted geometric mean of D_i floored at ``eqi_floor`` (the methodology's) or the
    weighted arithmetic mean.
  normalisation of D1-D4 across the regions ranked together: ``goalposts`` (D_i as published: already
    0-100 against fixed goalposts, scoring.py), ``min_max`` (100·(D_i − min)/(max − min) over the regions
    ranked together; a dimension on which they are all equal is the constant 100, so it does not move a
    rank) or ``z_score`` ((D_i − mean)/sd, population sd; sd 0 → 0). z-scores are negative for half the
    regions, so they are combined by the arithmetic mean only (Handbook §5: geometric aggregation needs
    positive values); a scenario draws one of the allowed (normalisation, aggregation) pairs uniformly.
  Not varied: the goalposts of the household components and the household-level normalisation (they
    would need every household scored again, which a region-level analysis cannot do), the floor, and
    the data (sampling error is a separate question).

Ranks: 1 = the highest index; ties take the smallest rank of the tie (the "min" or competition rule,
1224, as the dashboard's ranks), within each group of regions ranked together. Percentiles are the
empirical ones (Hyndman & Fan type 1, numpy's ``inverted_cdf``): the smallest rank r that at least that
share of the scenarios give or beat, so the median and the band are ranks that occur.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from indicators.methods.scoring import DIMENSIONS, region_eqi, validate_parameters

NORMALISATIONS = ("goalposts", "min_max", "z_score")
AGGREGATIONS = ("geometric", "arithmetic")
#: The most scenarios a methodology may ask for (the cost grows linearly: about 0.2 s per 1,000 scenarios
#: and 3,000 regions, bench_recompute).
MAX_SCENARIOS = 20_000

DEFAULT_SENSITIVITY: dict = {
    "enabled": True,
    "scenarios": 1000,
    "weight_spread": 0.2,  # each weight drawn uniformly within ±20 % of its nominal value, then renormalised
    "aggregations": list(AGGREGATIONS),
    "normalisations": list(NORMALISATIONS),
    "seed": 1,  # the same seed, data and methodology give the same bands (a rerun reproduces them)
}


def validate_sensitivity(spec: dict | None) -> dict:
    """Fill defaults from ``DEFAULT_SENSITIVITY`` and check every value.

    Args:
        spec: ``{"enabled": bool, "scenarios": int 1..MAX_SCENARIOS, "weight_spread": number in [0, 1),
            "aggregations": distinct codes of AGGREGATIONS, "normalisations": distinct codes of
            NORMALISATIONS, "seed": int >= 0}``, any key left out taking its default; None for all defaults.
    Returns:
        A new complete dict (spread as a float; lists in the order of AGGREGATIONS and NORMALISATIONS).
    Raises:
        ValueError: naming the first unknown key (``'sensitivity.foo'``) or bad value; also when the lists
            allow no scenario (``z_score`` alone with ``geometric`` alone).
    """
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise ValueError(f"parameter 'sensitivity' must be a mapping, not {spec!r}")
    unknown = sorted(set(spec) - set(DEFAULT_SENSITIVITY), key=str)
    if unknown:
        raise ValueError(f"unknown parameter(s): {', '.join(repr(f'sensitivity.{k}') for k in unknown)}")
    p = {**copy.deepcopy(DEFAULT_SENSITIVITY), **copy.deepcopy(spec)}
    if not isinstance(p["enabled"], bool):
        raise ValueError(f"parameter 'sensitivity.enabled' must be true or false, not {p['enabled']!r}")
    for key, high in (("scenarios", MAX_SCENARIOS), ("seed", 2**63 - 1)):
        value = p[key]
        low = 1 if key == "scenarios" else 0
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"parameter 'sensitivity.{key}' must be a whole number in {low}..{high}, not {value!r}")
    spread = p["weight_spread"]
    if isinstance(spread, bool) or not isinstance(spread, int | float) or not math.isfinite(spread):
        raise ValueError(f"parameter 'sensitivity.weight_spread' must be a number in [0, 1), not {spread!r}")
    if not 0 <= spread < 1:
        raise ValueError(f"parameter 'sensitivity.weight_spread' = {spread!r} is out of range [0, 1)")
    p["weight_spread"] = float(spread)
    for key, codes in (("aggregations", AGGREGATIONS), ("normalisations", NORMALISATIONS)):
        given = p[key]
        known = isinstance(given, list | tuple) and all(isinstance(c, str) and c in codes for c in given)
        if not known or not given:
            raise ValueError(f"parameter 'sensitivity.{key}' must list codes from {codes}, not {given!r}")
        if len(set(given)) != len(given):
            raise ValueError(f"parameter 'sensitivity.{key}' lists a code twice: {given!r}")
        p[key] = [c for c in codes if c in given]
    if not combinations(p):
        raise ValueError(
            "parameter 'sensitivity.normalisations' = ['z_score'] needs 'arithmetic' among the aggregations "
            "(z-scores are negative for half the regions: they have no geometric mean)"
        )
    return p


def combinations(spec: dict) -> list[tuple[str, str]]:
    """The (normalisation, aggregation) pairs a scenario may draw: every pair of the spec's lists but
    (z_score, geometric), in the order of NORMALISATIONS then AGGREGATIONS."""
    return [
        (n, a)
        for n in spec["normalisations"]
        for a in spec["aggregations"]
        if not (n == "z_score" and a == "geometric")
    ]


@dataclass(frozen=True)
class Scenarios:
    """S drawn scenarios: ``weights`` (S, 4) summing to 1 per row (0 where the nominal weight is 0),
    ``rule`` (S,) the index of each scenario's pair in ``rules`` ((normalisation, aggregation))."""

    weights: NDArray[np.float64]
    rule: NDArray[np.intp]
    rules: list[tuple[str, str]]


def scenarios_draw(spec: dict, nominal_weights: ArrayLike) -> Scenarios:
    """The scenarios of ``spec`` (validated) around ``nominal_weights`` (4,), from ``spec["seed"]``: the
    same spec gives the same scenarios, call after call (numpy's PCG64 ``default_rng``; the weights'
    uniforms are drawn first, then the rules)."""
    nominal = np.asarray(nominal_weights, dtype=float)
    rng = np.random.default_rng(spec["seed"])
    s = spec["scenarios"]
    u = rng.uniform(-1.0, 1.0, size=(s, len(nominal)))
    weights = nominal * (1.0 + spec["weight_spread"] * u)
    weights /= weights.sum(axis=1, keepdims=True)
    rules = combinations(spec)
    return Scenarios(weights=weights, rule=rng.integers(len(rules), size=s), rules=rules)


@dataclass(frozen=True)
class RankBands:
    """Per region (R,), NaN (``ranked`` 0) for a region not ranked (a weighted dimension null):
    ``nominal`` the rank under the published methodology, ``median``, ``low`` (5th percentile: the best
    end of the band) and ``high`` (95th percentile) of its S scenario ranks, all 1 = best; ``ranked`` the
    number of regions ranked in its group. ``shift`` (S,): each scenario's average absolute rank shift
    from the nominal ranks over all ranked regions, R̄_S of Saisana et al. (2005), NaN when none is ranked."""

    nominal: NDArray[np.float64]
    median: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    ranked: NDArray[np.int64]
    shift: NDArray[np.float64]


def ranks_within(values: NDArray[np.float64], groups: NDArray[np.intp]) -> NDArray[np.int64]:
    """Ranks of each row of ``values`` (S, R) within ``groups`` (R,) labels 0..G-1: 1 = highest value,
    ties the smallest rank of the tie ("min" rule). No NaN allowed (leave unranked regions out).

    Two sorts of the rows: by value descending, then a stable sort of that order by group (a radix sort of
    16-bit labels: a third of the time of one ``np.lexsort`` on both keys); then the group's first
    position is subtracted, and a tie takes the position of its first member.
    """
    s, r = values.shape
    if r == 0:
        return np.zeros((s, 0), dtype=np.int64)
    order = np.argsort(-values, axis=1)
    ordered = np.take_along_axis(values, order, axis=1)
    if groups.max() > 0:
        small = groups.astype(np.int16 if groups.max() < 2**15 else np.int64)
        by_group = np.argsort(small[order], axis=1, kind="stable")
        order = np.take_along_axis(order, by_group, axis=1)
        ordered = np.take_along_axis(ordered, by_group, axis=1)
    group_sorted = np.sort(groups, kind="stable")  # the same for every row: the group is the first key
    group_start = np.searchsorted(group_sorted, group_sorted, side="left")
    new = np.ones((s, r), dtype=bool)
    new[:, 1:] = (ordered[:, 1:] != ordered[:, :-1]) | (group_sorted[1:] != group_sorted[:-1])
    position = np.arange(r)
    tie_start = np.maximum.accumulate(np.where(new, position, 0), axis=1)
    ranks = np.empty((s, r), dtype=np.int64)
    np.put_along_axis(ranks, order, tie_start - group_start + 1, axis=1)
    return ranks


def _group_stats(x: NDArray[np.float64], groups: NDArray[np.intp], n_groups: int):
    """Per group and dimension of ``x`` (R, k): min, max, mean and population sd, each (G, k)."""
    k = x.shape[1]
    low = np.full((n_groups, k), np.inf)
    high = np.full((n_groups, k), -np.inf)
    np.minimum.at(low, groups, x)
    np.maximum.at(high, groups, x)
    count = np.bincount(groups, minlength=n_groups)[:, None]
    total = np.zeros((n_groups, k))
    np.add.at(total, groups, x)
    mean = total / np.maximum(count, 1)
    squares = np.zeros((n_groups, k))
    np.add.at(squares, groups, (x - mean[groups]) ** 2)
    return low, high, mean, np.sqrt(squares / np.maximum(count, 1))


def _normalised(x: NDArray[np.float64], groups: NDArray[np.intp], n_groups: int) -> dict[str, NDArray]:
    """``x`` (R, k) under each normalisation, across the regions of each group."""
    low, high, mean, sd = _group_stats(x, groups, n_groups)
    span, sd = (high - low)[groups], sd[groups]
    with np.errstate(invalid="ignore", divide="ignore"):
        min_max = np.where(span > 0, 100.0 * (x - low[groups]) / span, 100.0)
        z_score = np.where(sd > 0, (x - mean[groups]) / sd, 0.0)
    return {"goalposts": x, "min_max": min_max, "z_score": z_score}


def rank_bands(
    dims: ArrayLike,
    *,
    params: dict | None = None,
    spec: dict | None = None,
    groups: ArrayLike | None = None,
) -> RankBands:
    """Each region's EQI rank under the published methodology and its band over S scenarios.

    Args:
        dims: (R, 4) the regions' D1-D4 (columns in ``scoring.DIMENSIONS`` order), scores 0-100, NaN = null,
            all of one level.
        params: the methodology's scoring parameters (``scoring.validate_parameters``; ``weights``,
            ``eqi_aggregation`` and ``eqi_floor`` are read); None for the defaults.
        spec: the sensitivity parameters (``validate_sensitivity``); None for the defaults.
        groups: (R,) labels of the groups ranked separately (the counties of each province: the province
            codes); None ranks all R together. The min-max and z-score normalisations are taken over each
            group's ranked regions, since those are the regions compared.
    Returns:
        ``RankBands``. The nominal rank ranks the EQI of ``scoring.region_eqi`` (the stored EQI) with the
        same tie rule. A region with a null weighted dimension (a null EQI) is not ranked and does not
        count in its group. The S x R index values are one array per (normalisation, aggregation) pair:
        a matrix product of the scenario weights with the transformed D (log D for the geometric mean,
        whose exp keeps the ranks), then one sort for all ranks.
    Raises:
        ValueError: ``dims`` not (R, 4), a score outside 0-100, ``groups`` of another length, or a bad
            parameter (``validate_parameters``, ``validate_sensitivity``).
    """
    p = validate_parameters(params)
    spec = validate_sensitivity(spec)
    d = np.asarray(dims, dtype=float)
    if d.ndim != 2 or d.shape[1] != len(DIMENSIONS):
        raise ValueError(f"dims must be (R, {len(DIMENSIONS)}) in the order {DIMENSIONS}, not shape {d.shape}")
    if ((d < 0) | (d > 100)).any():
        raise ValueError("dims must be scores in 0-100 (or NaN)")
    n = len(d)
    labels = np.zeros(n, dtype=np.intp)
    if groups is not None:
        raw = np.asarray(groups)
        if raw.shape != (n,):
            raise ValueError(f"groups must have one label per region ({n}), not shape {raw.shape}")
        _, labels = np.unique(raw, return_inverse=True)
        labels = labels.reshape(n)

    nominal_eqi = region_eqi(*d.T, p)
    keep = ~np.isnan(nominal_eqi)
    out = {k: np.full(n, np.nan) for k in ("nominal", "median", "low", "high")}
    ranked = np.zeros(n, dtype=np.int64)
    if not keep.any():
        return RankBands(**out, ranked=ranked, shift=np.full(spec["scenarios"], np.nan))
    nominal_w = np.array([p["weights"][k] for k in DIMENSIONS])
    used = nominal_w > 0  # a zero-weight dimension is out of the index (its NaN does not count)
    x, group = d[keep][:, used], np.unique(labels[keep], return_inverse=True)[1].reshape(-1)
    n_groups = int(group.max()) + 1
    counts = np.bincount(group, minlength=n_groups)

    drawn = scenarios_draw(spec, nominal_w)
    weights = drawn.weights[:, used]
    forms = _normalised(x, group, n_groups)
    values = np.empty((spec["scenarios"], len(x)))
    for i, (normalisation, aggregation) in enumerate(drawn.rules):  # at most five pairs, never per region
        rows = drawn.rule == i
        t = forms[normalisation]
        t = np.log(np.maximum(t, p["eqi_floor"])) if aggregation == "geometric" else t
        values[rows] = weights[rows] @ t.T

    scenario_ranks = ranks_within(values, group)
    nominal = ranks_within(nominal_eqi[keep][None, :], group)[0]
    low, median, high = np.quantile(scenario_ranks, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
    for key, value in (("nominal", nominal), ("median", median), ("low", low), ("high", high)):
        out[key][keep] = value
    ranked[keep] = counts[group]
    shift = np.abs(scenario_ranks - nominal[None, :]).mean(axis=1)
    return RankBands(**out, ranked=ranked, shift=shift)

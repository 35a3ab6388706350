"""The EQI's rank uncertainty (indicators.methods.sensitivity) on cases checked by hand: dominance,
a pair that swaps, the min-max and z-score rescalings worked out on three regions, groups, nulls,
reproducibility by seed, and the parameter checks."""

import numpy as np
import pytest

from indicators.methods import sensitivity as sa
from indicators.methods.scoring import region_eqi

NAN = np.nan
#: One normalisation, one aggregation, no weight noise: every scenario is the same methodology.
FIXED = {"weight_spread": 0.0, "normalisations": ["goalposts"], "aggregations": ["geometric"], "scenarios": 50}


def _band(bands, i):
    return (bands.nominal[i], bands.median[i], bands.low[i], bands.high[i], bands.ranked[i])


def test_a_region_that_dominates_on_every_dimension_has_the_band_1_1():
    dims = [[90, 90, 90, 90], [50, 60, 70, 80], [40, 50, 60, 70]]
    bands = sa.rank_bands(dims)  # the defaults: 1,000 scenarios, ±20 %, both aggregations, three normalisations
    # each normalisation is increasing in each dimension, each weight positive: dominance is kept
    assert _band(bands, 0) == (1, 1, 1, 1, 3)
    assert _band(bands, 1) == (2, 2, 2, 2, 3)
    assert _band(bands, 2) == (3, 3, 3, 3, 3)
    assert bands.shift.shape == (1000,) and not bands.shift.any()


def test_two_regions_that_swap_under_other_weights_have_overlapping_bands():
    # A leads on D1, B on D2: equal weights put A first (geometric: ln 62 + ln 40 = 7.817 > ln 40 + ln 60 = 7.783)
    dims = [[62, 40, 50, 50], [40, 60, 50, 50]]
    assert region_eqi(*np.array(dims, dtype=float).T)[0] > region_eqi(*np.array(dims, dtype=float).T)[1]
    bands = sa.rank_bands(dims, spec={"normalisations": ["goalposts"]})
    assert _band(bands, 0)[0] == 1 and _band(bands, 1)[0] == 2
    assert (bands.low[0], bands.high[0]) == (1, 2) and (bands.low[1], bands.high[1]) == (1, 2)
    # goalposts, arithmetic: A first iff 62 w1 + 40 w2 > 40 w1 + 60 w2, i.e. w2/w1 < 1.1; both ends occur
    drawn = sa.scenarios_draw(sa.validate_sensitivity({"normalisations": ["goalposts"]}), [1, 1, 1, 1])
    arithmetic = np.array([r[1] == "arithmetic" for r in drawn.rules])[drawn.rule]
    w1, w2 = drawn.weights[:, 0], drawn.weights[:, 1]
    a_first = np.where(arithmetic, 62 * w1 + 40 * w2 > 40 * w1 + 60 * w2, 62**w1 * 40**w2 > 40**w1 * 60**w2)
    assert 0.05 < a_first.mean() < 0.95
    assert bands.median[0] == (1 if a_first.mean() >= 0.5 else 2)
    assert bands.shift.mean() == pytest.approx((1 - a_first.mean()) * 2 / 2)  # both move, or neither


def test_without_noise_the_band_is_the_nominal_rank():
    dims = [[62, 40, 50, 50], [40, 60, 50, 50], [10, 20, 30, 40]]
    bands = sa.rank_bands(dims, spec=FIXED)
    assert [_band(bands, i) for i in range(3)] == [(1, 1, 1, 1, 3), (2, 2, 2, 2, 3), (3, 3, 3, 3, 3)]


def test_min_max_and_z_scores_reweight_by_the_spread_of_each_dimension():
    """By hand: D1 spreads 10-90, D2 only 48-52. Goalposts, arithmetic: R1 (90+48+50+50)/4 = 59.5,
    R2 50.5, R3 40: R1 first. Min-max over the three: D1 → 100, 50, 0; D2 → 0, 100, 50 (D3, D4 equal:
    100); sums R1 100, R2 150, R3 50: R2 first. z-scores: D1 → 1.22, 0, -1.22; D2 → -1.22, 1.22, 0:
    R1 0, R2 1.22, R3 -1.22: R2 first again."""
    dims = [[90, 48, 50, 50], [50, 52, 50, 50], [10, 50, 50, 50]]
    arithmetic = {"eqi_aggregation": "arithmetic"}
    for normalisation in ("min_max", "z_score"):
        spec = {**FIXED, "normalisations": [normalisation], "aggregations": ["arithmetic"]}
        bands = sa.rank_bands(dims, params=arithmetic, spec=spec)
        assert list(bands.nominal) == [1, 2, 3]
        assert list(bands.median) == list(bands.low) == list(bands.high) == [2, 1, 3], normalisation
        assert bands.shift == pytest.approx(np.full(50, 2 / 3))
    # half goalposts, half min-max: R1 and R2 each rank 1 in about half the scenarios
    spec = {**FIXED, "normalisations": ["goalposts", "min_max"], "aggregations": ["arithmetic"], "scenarios": 1000}
    bands = sa.rank_bands(dims, params=arithmetic, spec=spec)
    goalposts_share = (sa.scenarios_draw(sa.validate_sensitivity(spec), [1, 1, 1, 1]).rule == 0).mean()
    assert 0.45 < goalposts_share < 0.55
    assert (bands.low[0], bands.high[0], bands.low[1], bands.high[1]) == (1, 2, 1, 2)
    assert bands.median[0] == (1 if goalposts_share >= 0.5 else 2)
    assert (bands.low[2], bands.high[2]) == (3, 3)


def test_min_max_with_the_geometric_mean_floors_the_lowest_region_at_the_floor():
    # min-max puts R1's D2 and R3's D1 at 0: floored at 1 (ln 1 = 0), not a geometric mean of 0 for both
    dims = [[90, 48, 50, 50], [50, 52, 50, 50], [10, 50, 50, 50]]
    spec = {**FIXED, "normalisations": ["min_max"], "aggregations": ["geometric"]}
    bands = sa.rank_bands(dims, spec=spec)
    # R1: ln 100 + ln 1 + 2 ln 100 = 13.82; R2: ln 50 + 3 ln 100 = 17.73; R3: ln 1 + ln 50 + 2 ln 100 = 13.12
    assert list(bands.median) == [2, 1, 3]
    # goalposts: ln 90 + ln 48 = 8.37 > ln 50 + ln 52 = 7.86 > ln 10 + ln 50 = 6.21 (D3, D4 alike)
    assert list(bands.nominal) == [1, 2, 3]


def test_ties_take_the_smallest_rank_within_each_group():
    values = np.array([[3.0, 1.0, 1.0, 2.0, 5.0], [0.0, 0.0, 0.0, 0.0, 0.0]])
    groups = np.array([0, 0, 1, 1, 1])
    assert sa.ranks_within(values, groups).tolist() == [[1, 2, 3, 2, 1], [1, 1, 1, 1, 1]]
    assert sa.ranks_within(values, np.zeros(5, dtype=np.intp)).tolist() == [[2, 4, 4, 3, 1], [1, 1, 1, 1, 1]]


def test_ranks_within_agrees_with_counting_the_better_regions():
    rng = np.random.default_rng(7)
    values = rng.integers(0, 12, (40, 200)).astype(float)  # many ties
    groups = rng.integers(0, 6, 200)
    better = (values[:, None, :] > values[:, :, None]) & (groups[None, :] == groups[:, None])[None]
    assert (sa.ranks_within(values, groups) == 1 + better.sum(axis=2)).all()


def test_groups_are_ranked_and_normalised_on_their_own():
    """Counties of two provinces: each province's ranks and min-max/z-score ranges come from its own
    counties, so adding a second province changes nothing for the first."""
    first = [[90, 48, 50, 50], [50, 52, 50, 50], [10, 50, 50, 50]]
    second = [[20, 99, 10, 80], [99, 20, 80, 10]]
    alone = sa.rank_bands(first)
    together = sa.rank_bands(first + second, groups=["62", "62", "62", "63", "63"])
    for key in ("nominal", "median", "low", "high"):
        assert list(getattr(together, key)[:3]) == list(getattr(alone, key)), key
    assert list(together.ranked) == [3, 3, 3, 2, 2]
    assert set(together.nominal[3:]) <= {1, 2}


def test_a_region_with_a_null_dimension_is_not_ranked_and_counts_for_none():
    dims = [[90, 90, 90, 90], [50, NAN, 70, 80], [40, 50, 60, 70]]
    bands = sa.rank_bands(dims)
    assert _band(bands, 0) == (1, 1, 1, 1, 2) and _band(bands, 2) == (2, 2, 2, 2, 2)
    assert np.isnan(_band(bands, 1)[:4]).all() and bands.ranked[1] == 0
    # a dimension of weight 0 is out of the index: its null does not keep a region out
    weights = {"weights": {"d2_resilience": 0.0}}
    bands = sa.rank_bands(dims, params=weights)
    assert list(bands.nominal) == [1, 2, 3] and list(bands.ranked) == [3, 3, 3]
    none = sa.rank_bands([[NAN, 1, 1, 1]])
    assert np.isnan(none.nominal).all() and none.ranked.tolist() == [0] and np.isnan(none.shift).all()


def test_the_nominal_rank_ranks_the_stored_eqi():
    rng = np.random.default_rng(3)
    dims = np.round(rng.uniform(0, 100, (300, 4)), 0)  # rounded: ties, and dimensions at 0 (floored)
    bands = sa.rank_bands(dims, spec={"scenarios": 10})
    eqi = region_eqi(*dims.T)
    assert (bands.nominal == 1 + (eqi[None, :] > eqi[:, None]).sum(axis=1)).all()


def test_scenarios_are_reproducible_by_seed():
    rng = np.random.default_rng(11)
    dims = rng.uniform(20, 80, (60, 4))
    first, again = sa.rank_bands(dims, spec={"seed": 5}), sa.rank_bands(dims, spec={"seed": 5})
    other = sa.rank_bands(dims, spec={"seed": 6})
    assert (first.shift == again.shift).all() and (first.median == again.median).all()
    assert (first.shift != other.shift).any()
    drawn = sa.scenarios_draw(sa.validate_sensitivity({"seed": 5, "scenarios": 2000}), [1.0, 2.0, 1.0, 0.0])
    assert drawn.weights.shape == (2000, 4) and drawn.weights.sum(axis=1) == pytest.approx(np.ones(2000))
    ratio = drawn.weights[:, 1] / drawn.weights[:, 0]  # nominal 2: within 2·0.8/1.2 … 2·1.2/0.8
    assert ratio.min() >= 2 * 0.8 / 1.2 and ratio.max() <= 2 * 1.2 / 0.8 and (drawn.weights[:, 3] == 0).all()
    assert {rule for rule in drawn.rules} == {
        ("goalposts", "geometric"),
        ("goalposts", "arithmetic"),
        ("min_max", "geometric"),
        ("min_max", "arithmetic"),
        ("z_score", "arithmetic"),
    }
    assert np.bincount(drawn.rule).min() > 300  # each of the five pairs in about a fifth of 2,000


def test_validate_sensitivity_fills_defaults_and_orders_the_lists():
    assert sa.validate_sensitivity(None) == sa.DEFAULT_SENSITIVITY
    spec = sa.validate_sensitivity({"normalisations": ["z_score", "goalposts"], "weight_spread": 0})
    assert spec["normalisations"] == ["goalposts", "z_score"] and spec["weight_spread"] == 0.0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"scenario": 10}, "unknown parameter.*'sensitivity.scenario'"),
        ({"scenarios": 0}, "'sensitivity.scenarios' must be a whole number in 1..20000"),
        ({"scenarios": 10.0}, "'sensitivity.scenarios' must be a whole number"),
        ({"scenarios": True}, "'sensitivity.scenarios' must be a whole number"),
        ({"seed": -1}, "'sensitivity.seed' must be a whole number"),
        ({"weight_spread": 1.0}, r"'sensitivity.weight_spread' = 1.0 is out of range \[0, 1\)"),
        ({"weight_spread": "0.2"}, "'sensitivity.weight_spread' must be a number"),
        ({"aggregations": []}, "'sensitivity.aggregations' must list codes from"),
        ({"aggregations": ["harmonic"]}, "'sensitivity.aggregations' must list codes from"),
        ({"normalisations": ["goalposts", "goalposts"]}, "lists a code twice"),
        ({"normalisations": ["z_score"], "aggregations": ["geometric"]}, "needs 'arithmetic' among the aggregations"),
        ({"enabled": "yes"}, "'sensitivity.enabled' must be true or false"),
        ([1], "'sensitivity' must be a mapping"),
    ],
)
def test_validate_sensitivity_names_the_bad_parameter(spec, message):
    with pytest.raises(ValueError, match=message):
        sa.validate_sensitivity(spec)


@pytest.mark.parametrize(
    ("dims", "groups", "message"),
    [
        ([[1, 2, 3]], None, r"dims must be \(R, 4\)"),
        ([[1, 2, 3, 101]], None, "scores in 0-100"),
        ([[1, 2, 3, 4], [1, 2, 3, 4]], ["a"], "one label per region"),
    ],
)
def test_rank_bands_rejects_bad_inputs(dims, groups, message):
    with pytest.raises(ValueError, match=message):
        sa.rank_bands(dims, groups=groups)

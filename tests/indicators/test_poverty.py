"""Poverty and inequality methods: laeken's published EU-SILC values, hand-computed examples, grouped
versions against the scalar ones, and the ``poverty_measures`` command."""

import csv
import functools
import json
import re
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from indicators.methods.poverty import (
    MEASURE_COLUMNS,
    _group_then_value_order,
    distribution_by,
    equivalised_income,
    fgt,
    gini,
    gini_by,
    headcount_ratio,
    modified_oecd_scale,
    per_capita_income,
    poverty_gap,
    poverty_measures,
    poverty_measures_arrays,
    poverty_severity,
    quintile_share_ratio,
    quintile_share_ratio_by,
    relative_line,
    relative_median_poverty_gap,
    value_order,
    weighted_median,
    weighted_quantile,
    weighted_quantile_by,
)

# --- laeken's EU-SILC reference values -------------------------------------------------------------


def _reference_rows() -> list[dict]:
    path = Path(settings.TUOPIN_SHARED_DATA_DIR).parent / "reference" / "laeken_eusilc.csv"
    return list(csv.DictReader(path.open(encoding="utf-8"))) if path.is_file() else []


REFERENCE = _reference_rows()
# The command's column of each reference indicator (the quantiles at p = 0.2 and 0.8 are p20 and p80).
COMMAND_COLUMN = {
    "weighted_quantile": {"p=0.2": "p20", "p=0.8": "p80"},
    "weighted_median": "median",
    "at_risk_of_poverty_threshold": "line",
    "at_risk_of_poverty_rate": "headcount_ratio",
    "quintile_share_ratio": "s80_s20",
    "relative_median_poverty_gap": "rmpg",
    "gini": "gini",
}


def _expected(row) -> float:
    return float(row["value"]) / (100 if row["unit"] == "percent" else 1)


def _share(row) -> float:
    """The line's share of the median: "40% of median" etc.; laeken's default 60 % otherwise."""
    found = re.search(r"(\d+)% of median", row["parameters"])
    return int(found.group(1)) / 100 if found else 0.6


def _row_id(row) -> str:
    return f"{row['indicator']}[{row['parameters']}]"


@pytest.fixture
def eusilc(shared_data) -> Path:
    return shared_data / "eusilc" / "eusilc.csv"


def _laeken_by_methods(row, x, w) -> float:
    line = relative_line(x, w, share=_share(row))
    match row["indicator"]:
        case "weighted_quantile":
            return weighted_quantile(x, w, float(re.search(r"p=([\d.]+)", row["parameters"]).group(1)))
        case "weighted_median":
            return weighted_median(x, w)
        case "at_risk_of_poverty_threshold":
            return line
        case "at_risk_of_poverty_rate":
            return headcount_ratio(x, line, w)
        case "quintile_share_ratio":
            return quintile_share_ratio(x, w)
        case "relative_median_poverty_gap":
            return relative_median_poverty_gap(x, w, line=line)
        case "gini":
            return gini(x, w)
    raise AssertionError(f"unknown reference indicator {row['indicator']}")


@pytest.mark.shared_data
@pytest.mark.parametrize("row", REFERENCE, ids=_row_id)
def test_laeken_reference_by_methods(eusilc, row):
    data = pd.read_csv(eusilc)
    value = _laeken_by_methods(row, data["eqIncome"].to_numpy(), data["rb050"].to_numpy())
    assert value == pytest.approx(_expected(row), rel=1e-6)


@functools.cache
def _command_all_row(path: str, share: float) -> dict:
    args = [path, "--income", "eqIncome", "--weight", "rb050", "--relative-line", share]
    return json.loads(run(*args))[0]


@pytest.mark.shared_data
@pytest.mark.parametrize("row", [r for r in REFERENCE if r["indicator"] in COMMAND_COLUMN], ids=_row_id)
def test_laeken_reference_by_command(eusilc, row):
    output = _command_all_row(str(eusilc), _share(row))
    assert output["group"] == "all" and output["n"] == 14827
    column = COMMAND_COLUMN[row["indicator"]]
    if isinstance(column, dict):
        column = column[re.search(r"p=[\d.]+", row["parameters"]).group(0)]
    assert output[column] == pytest.approx(_expected(row), rel=1e-6)


# --- hand-computed examples -------------------------------------------------------------------------


def test_weighted_quantile_first_share_above_p_and_the_tie_rule():
    # x = 1, 2, 3, 4 unweighted: shares 1/4, 1/2, 3/4, 1. p = 0.3 -> first share >= 0.3 is 1/2 -> 2.
    # p = 0.5 equals the share of 2 exactly -> mean of 2 and the next income 3 = 2.5; p = 0.75 -> 3.5.
    # p = 0 and p = 1 give the minimum and the maximum.
    x = [4, 2, 3, 1]
    assert weighted_quantile(x, p=0.3) == 2
    assert weighted_median(x) == 2.5
    assert list(weighted_quantile(x, None, [0, 0.5, 0.75, 0.76, 1])) == [1, 2.5, 3.5, 4, 4]
    # x = 3, 1, 2 with weights 1, 2, 1: sorted 1 (2), 2 (1), 3 (1), shares 1/2, 3/4, 1.
    # p = 0.5 -> tie -> (1 + 2)/2 = 1.5; p = 0.6 -> 2; p = 0.2 -> 1.
    assert list(weighted_quantile([3, 1, 2], [1, 2, 1], [0.5, 0.6, 0.2])) == [1.5, 2, 1]
    # Tied incomes 1, 1, 2, 3: the share 1/2 is reached at the second 1, so the median is (1 + 2)/2.
    assert weighted_median([1, 1, 2, 3]) == 1.5
    assert weighted_quantile([7.0], p=0.5) == 7.0
    assert isinstance(weighted_quantile(x, p=0.5), float)
    assert weighted_quantile(x, p=np.array([0.5])).shape == (1,)


def test_relative_line_of_median_and_mean():
    # median of 1, 2, 3, 4 = 2.5 -> 60 % = 1.5; mean with weights 1, 1, 1, 3 = (1+2+3+12)/6 = 3 -> 50 % = 1.5.
    assert relative_line([1, 2, 3, 4]) == pytest.approx(1.5)
    assert relative_line([1, 2, 3, 4], [1, 1, 1, 3], share=0.5, of="mean") == pytest.approx(1.5)


def test_fgt_alpha_0_1_2_with_a_negative_income():
    # y = -100, 500, 1000, 3000, z = 1000. Poor (strictly below): -100 and 500; 1000 is not poor.
    # Gaps: -100 counts as 0 -> g = 1; 500 -> g = 0.5.
    #   unweighted: H = 2/4 = 0.5; PG = (1 + 0.5)/4 = 0.375; P2 = (1 + 0.25)/4 = 0.3125.
    #   weights 1, 1, 2, 4 (total 8): H = 2/8; PG = 1.5/8 = 0.1875; P2 = 1.25/8 = 0.15625.
    y = [-100, 500, 1000, 3000]
    assert [fgt(y, 1000, alpha=a) for a in (0, 1, 2)] == [0.5, 0.375, 0.3125]
    w = [1, 1, 2, 4]
    assert [headcount_ratio(y, 1000, w), poverty_gap(y, 1000, w), poverty_severity(y, 1000, w)] == [
        0.25,
        0.1875,
        0.15625,
    ]
    # One line per row z = 1000, 400, 1000, 4000: poor -100 (g = 1) and 3000 (g = 1000/4000 = 0.25);
    # H = 2/4, PG = 1.25/4 = 0.3125, P2 = (1 + 0.0625)/4 = 0.265625.
    z = [1000, 400, 1000, 4000]
    assert [fgt(y, z, alpha=a) for a in (0, 1, 2)] == [0.5, 0.3125, 0.265625]
    assert fgt(y, 1000, alpha=0.5) == pytest.approx((1 + 0.5**0.5) / 4)


def test_gini_laeken_weighted_form():
    # 1, 2, 3, 4 unweighted: cumulative weights 1..4; sum(w·x·c) = 1+4+9+16 = 30, sum(w²x) = 10, W = 4,
    # sum(w·x) = 10 -> (60 - 10)/40 - 1 = 0.25 (= sum|xi - xj| / (2 n² mean) = 20/80).
    assert gini([4, 3, 2, 1]) == pytest.approx(0.25)
    # 1 (weight 3), 3 (weight 1): c = 3, 4; sum(w·x·c) = 9 + 12 = 21; sum(w²x) = 9 + 3 = 12; W = 4;
    # sum(w·x) = 6 -> (42 - 12)/24 - 1 = 0.25, the Gini of 1, 1, 1, 3.
    assert gini([1, 3], [3, 1]) == pytest.approx(0.25) == pytest.approx(gini([1, 1, 1, 3]))
    assert gini([5.0]) == 0.0
    assert gini([2, 2, 2]) == pytest.approx(0.0)
    assert np.isnan(gini([0, 0]))


def test_quintile_share_ratio_laeken_definition():
    # 1..10 unweighted: shares i/10. q0.2: share of 2 is exactly 0.2 -> (2 + 3)/2 = 2.5; q0.8 -> (8 + 9)/2 = 8.5.
    # Above 8.5: 9 + 10 = 19; at or below 2.5: 1 + 2 = 3 -> 19/3.
    assert quintile_share_ratio(range(1, 11)) == pytest.approx(19 / 3)
    # 1..6 with weights 1, 3, 1, 1, 2, 2 (total 10): shares .1, .4, .5, .6, .8, 1. q0.2 = 2; q0.8: share .8
    # exactly -> (5 + 6)/2 = 5.5. Top: 6·2 = 12; bottom: 1·1 + 2·3 = 7 -> 12/7 (weighted totals).
    assert quintile_share_ratio([1, 2, 3, 4, 5, 6], [1, 3, 1, 1, 2, 2]) == pytest.approx(12 / 7)
    assert np.isnan(quintile_share_ratio([5.0]))  # nobody above q0.8
    assert np.isnan(quintile_share_ratio([0, 0, 0, 0, 0, 1, 2, 3, 4, 5]))  # bottom income 0


def test_relative_median_poverty_gap():
    # Line 500: poor 100, 200, 300, 400; their median: share of 200 is exactly 1/2 -> (200 + 300)/2 = 250;
    # RMPG = (500 - 250)/500 = 0.5. With weights 1, 1, 1, 5 on the poor: shares 1/8, 2/8, 3/8, 1 -> 400, 0.2.
    x = [100, 200, 300, 400, 1000, 2000]
    assert relative_median_poverty_gap(x, line=500) == 0.5
    assert relative_median_poverty_gap(x, [1, 1, 1, 5, 1, 1], line=500) == pytest.approx(0.2)
    assert np.isnan(relative_median_poverty_gap(x, line=100))  # nobody below 100


def test_oecd_scale_equivalised_and_per_capita_income():
    # 2 adults + 2 children: 1 + 0.5 + 0.6 = 2.1; 1 + 0: 1; 3 + 1: 1 + 1 + 0.3 = 2.3;
    # no adult, 2 children: the first child weighs 1 -> 1.3; an empty household -> NaN.
    scale = modified_oecd_scale([2, 1, 3, 0, 0], [2, 0, 1, 2, 0])
    assert scale[:4] == pytest.approx([2.1, 1, 2.3, 1.3]) and np.isnan(scale[4])
    assert modified_oecd_scale(2, 2) == pytest.approx(2.1)
    assert equivalised_income(21000, 2.1) == pytest.approx(10000)
    assert np.isnan(equivalised_income([1000.0], [np.nan])[0])
    # 3000 / 3 = 1000; size 0 -> NaN (no per-capita income).
    per_capita = per_capita_income([3000, 5000], [3, 0])
    assert per_capita[0] == 1000 and np.isnan(per_capita[1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: weighted_quantile([]), "empty"),
        (lambda: weighted_quantile([1, np.nan]), "1 missing"),
        (lambda: weighted_quantile([1, 2], [1]), "shape"),
        (lambda: weighted_quantile([1, 2], [1, 0]), "1 weight"),
        (lambda: weighted_quantile([1, 2], [1, -1]), "negative"),
        (lambda: weighted_quantile([1, 2], [1, np.nan]), "missing"),
        (lambda: weighted_quantile([1, 2], p=1.5), "p must"),
        (lambda: weighted_quantile([[1, 2]]), "one-dimensional"),
        (lambda: relative_line([1, 2], of="mode"), "of must"),
        (lambda: relative_line([1, 2], share=0), "share"),
        (lambda: fgt([1, 2], 0), "greater than zero"),
        (lambda: fgt([1, 2], [1, 2, 3]), "line must"),
        (lambda: fgt([1, 2], 1, alpha=-1), "alpha"),
        (lambda: gini([1, 2], [1, 2, 3]), "shape"),
        (lambda: relative_median_poverty_gap([1, 2], line=-1), "greater than zero"),
        (lambda: modified_oecd_scale([1, -1], [0, 0]), "whole numbers"),
        (lambda: modified_oecd_scale([1, 2], [0]), "shape"),
        (lambda: per_capita_income([1, 2], [1]), "shape"),
        (lambda: per_capita_income(1, -1), "size must"),
        (lambda: equivalised_income(1, 0), "scale must"),
        (lambda: gini_by([0, 1.5], [1, 2]), "integers"),
        (lambda: gini_by([0, -1], [1, 2]), "labels must"),
        (lambda: weighted_quantile_by([0, 3], [1, 2], n_groups=2), "labels must"),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- grouped versions -------------------------------------------------------------------------------


@pytest.mark.parametrize("integer_weights", [True, False])
def test_grouped_versions_equal_scalar_per_group(integer_weights):
    rng = np.random.default_rng(20201231)
    n, groups = 4000, 150
    group = rng.integers(0, groups, n)
    group[group == 7] = 8  # 7 is empty
    group[0] = groups  # a one-row group; label groups + 1 has no rows at the end
    x = rng.integers(-2, 40, n).astype(float)  # many tied incomes, some negative
    w = rng.integers(1, 5, n).astype(float) if integer_weights else rng.uniform(0.2, 3.0, n)
    probs = [0, 0.1, 0.2, 0.25, 0.5, 0.8, 1]
    size = groups + 2
    q = weighted_quantile_by(group, x, w, probs, n_groups=size)
    g = gini_by(group, x, w, n_groups=size)
    s = quintile_share_ratio_by(group, x, w, n_groups=size)
    assert q.shape == (size, len(probs)) and g.shape == s.shape == (size,)
    assert weighted_quantile_by(group, x, w, 0.5, n_groups=size).shape == (size,)
    for label in range(size):
        rows = group == label
        if not rows.any():
            assert np.isnan(q[label]).all() and np.isnan(g[label]) and np.isnan(s[label])
            continue
        np.testing.assert_array_equal(q[label], weighted_quantile(x[rows], w[rows], probs))
        np.testing.assert_allclose(g[label], gini(x[rows], w[rows]), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(s[label], quintile_share_ratio(x[rows], w[rows]), rtol=1e-12)
    one_row = groups  # row 0 alone: its income is every quantile, Gini 0, nobody above q0.8
    assert (q[one_row] == x[0]).all() and g[one_row] == 0 and np.isnan(s[one_row])
    if integer_weights:  # the tie rule was exercised: some medians are halfway between two integers
        assert np.any(q[:, 4] % 1 == 0.5)


def test_distribution_by_equals_the_three_grouped_functions_from_one_sort():
    rng = np.random.default_rng(7)
    n, size = 3000, 60
    group = rng.integers(0, size, n)
    x = rng.integers(-5, 30, n).astype(float)  # ties and negatives: the clipped Gini has a block of zeros
    w = rng.uniform(0.5, 2.0, n)
    q, g, s = distribution_by(group, x, w, p=[0.2, 0.5, 0.8], n_groups=size, gini_floor=0.0)
    np.testing.assert_array_equal(q, weighted_quantile_by(group, x, w, [0.2, 0.5, 0.8], n_groups=size))
    np.testing.assert_allclose(g, gini_by(group, np.maximum(x, 0), w, n_groups=size), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(s, quintile_share_ratio_by(group, x, w, n_groups=size))
    _, unclipped, _ = distribution_by(group, x, w, p=[0.5], n_groups=size)
    np.testing.assert_allclose(unclipped, gini_by(group, x, w, n_groups=size), rtol=1e-12, atol=1e-15)
    assert not np.allclose(unclipped, g)  # the floor changed something


def test_grouped_versions_without_rows():
    assert weighted_quantile_by([], [], n_groups=2).shape == (2,)
    assert np.isnan(gini_by(np.array([], dtype=int), [], n_groups=3)).all()


# --- poverty_measures -------------------------------------------------------------------------------

# Incomes 100, 200, 300 (weight 2) in county A and 400, 600, 800 in B; weight total 7.
# Whole file: shares 1/7, 2/7, 4/7, 5/7, 6/7, 1 -> median 300 (4/7 is the first share >= 1/2).
# A: 100 (1), 200 (1), 300 (2): shares 1/4, 1/2, 1 -> median (200 + 300)/2 = 250; B: median 600.
SMALL = pd.DataFrame(
    {
        "income": [100, 200, 300, 400, 600, 800],
        "w": [1, 1, 2, 1, 1, 1],
        "county": ["A", "A", "A", "B", "B", "B"],
    }
)


def test_poverty_measures_whole_frame_row_equals_the_functions():
    table = poverty_measures(SMALL, income="income", weight="w", line=250)
    assert list(table.columns) == list(MEASURE_COLUMNS) and len(table) == 1
    row = table.iloc[0]
    x, w = SMALL["income"].to_numpy(), SMALL["w"].to_numpy()
    # Line 250: poor 100, 200 (weight 1 each) -> H = 2/7, gaps 0.6, 0.2 -> PG = 0.8/7, P2 = 0.4/7.
    assert (row["group"], row["n"], row["weight_total"], row["line"]) == ("all", 6, 7, 250)
    assert [row[c] for c in ("headcount_ratio", "poverty_gap", "poverty_severity")] == pytest.approx(
        [2 / 7, 0.8 / 7, 0.4 / 7]
    )
    # mean 2700/7; q0.2 = 200 (2/7 is the first share >= 0.2), q0.8 = 600 (6/7) -> S80/S20 = 800/300;
    # poor median (100 + 200)/2 -> rmpg 0.4.
    assert [row[c] for c in ("mean", "median", "p20", "p80", "gini", "s80_s20", "rmpg")] == pytest.approx(
        [2700 / 7, 300, 200, 600, gini(x, w), 8 / 3, 0.4]
    )


def test_poverty_measures_arrays_with_codes_equal_the_frame_version():
    frame = poverty_measures(SMALL, income="income", weight="w", by="county", relative_share=0.6)
    arrays = poverty_measures_arrays(
        SMALL["income"], SMALL["w"], groups=[1, 1, 1, 0, 0, 0], labels=["B", "A"], relative_share=0.6
    )
    assert arrays["group"] == ["all", "B", "A"]  # in the labels' order
    for name in MEASURE_COLUMNS[1:]:
        np.testing.assert_array_equal(arrays[name], frame[name].to_numpy()[[0, 2, 1]])
    with pytest.raises(ValueError, match="group named 'all'"):
        poverty_measures_arrays(SMALL["income"], groups=[0] * 6, labels=["all"], line=1)


def test_poverty_measures_by_group_whole_line_or_line_per_group():
    whole = poverty_measures(SMALL, income="income", weight="w", by="county", relative_share=0.6)
    assert list(whole["group"]) == ["all", "A", "B"]
    assert list(whole["line"]) == pytest.approx([180, 180, 180])  # 60 % of the whole median 300
    per_group = poverty_measures(
        SMALL, income="income", weight="w", by="county", relative_share=0.6, line_per_group=True
    )
    assert list(per_group["line"]) == pytest.approx([180, 150, 360])
    # A against 180: 100 is poor (weight 1 of 4) -> H 1/4, PG (80/180)/4 = 1/9; against 150: PG (50/150)/4 = 1/12.
    assert whole.loc[1, "poverty_gap"] == pytest.approx(1 / 9) and per_group.loc[1, "poverty_gap"] == pytest.approx(
        1 / 12
    )
    assert list(per_group["headcount_ratio"]) == pytest.approx([1 / 7, 1 / 4, 0])
    a = SMALL[SMALL["county"] == "A"]
    assert per_group.loc[1, "median"] == 250 == weighted_median(a["income"], a["w"])
    # A: shares 1/4, 1/2, 1 -> q0.2 = 100, q0.8 = 300; B: 1/3, 2/3, 1 -> 400, 800.
    assert [list(per_group[c]) for c in ("p20", "p80")] == [[200, 100, 400], [600, 300, 800]]
    assert per_group.loc[1, "gini"] == pytest.approx(gini(a["income"], a["w"]))
    assert np.isnan(per_group.loc[1, "s80_s20"]) and np.isnan(quintile_share_ratio(a["income"], a["w"]))
    assert np.isnan(per_group.loc[2, "rmpg"])  # nobody in B is poor
    mean_line = poverty_measures(SMALL, income="income", by="county", relative_share=0.5, of="mean")
    assert mean_line.loc[0, "line"] == pytest.approx(2400 / 6 / 2)


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (SMALL, {"line": 1, "relative_share": 0.6}, "exactly one"),
        (SMALL, {}, "exactly one"),
        (SMALL, {"line": 1, "line_per_group": True}, "line_per_group needs"),
        (SMALL, {"line": 1, "weight": "weight"}, "no weight column 'weight'"),
        (SMALL.assign(income=[1, None, 3, None, 5, 6]), {"line": 1}, "2 missing"),
        (SMALL.assign(county=["A", "all", "A", "B", "B", "B"]), {"line": 1, "by": "county"}, "named 'all'"),
        (SMALL.assign(income=[0] * 6), {"relative_share": 0.6}, "greater than zero"),
        (SMALL, {"relative_share": 0.6, "of": "mode"}, "of must"),
    ],
)
def test_poverty_measures_errors(frame, kwargs, message):
    with pytest.raises(ValueError, match=message):
        poverty_measures(frame, income="income", **kwargs)


# --- the command ------------------------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("poverty_measures", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


@pytest.fixture
def small_csv(tmp_path) -> Path:
    path = tmp_path / "small.csv"
    SMALL.to_csv(path, index=False)
    with path.open("a") as handle:
        handle.write("\n")  # a trailing blank line is ignored
    return path


def test_command_json_full_precision(small_csv):
    output = json.loads(run(small_csv, "--income", "income", "--weight", "w", "--line", 250))
    expected = poverty_measures(SMALL, income="income", weight="w", line=250).iloc[0]
    assert len(output) == 1 and list(output[0]) == list(MEASURE_COLUMNS)
    assert output[0]["n"] == 6 and output[0]["group"] == "all"
    assert output[0]["poverty_gap"] == expected["poverty_gap"]  # repr round-trips exactly


def test_command_csv_with_by_whole_line_and_line_per_group(small_csv):
    args = [small_csv, "--income", "income", "--weight", "w", "--by", "county", "--relative-line", 0.6]
    rows = list(csv.DictReader(StringIO(run(*args, "--format", "csv"))))
    assert [r["group"] for r in rows] == ["all", "A", "B"]
    assert [float(r["line"]) for r in rows] == pytest.approx([180, 180, 180])
    assert rows[2]["rmpg"] == ""  # NaN: nobody in B is below 180
    per_group = list(csv.DictReader(StringIO(run(*args, "--line-per-group", "--format", "csv"))))
    assert [float(r["line"]) for r in per_group] == pytest.approx([180, 150, 360])
    assert float(per_group[1]["poverty_gap"]) == pytest.approx(1 / 12)
    as_json = json.loads(run(*args, "--line-per-group"))
    assert [float(r["poverty_gap"]) for r in per_group] == [r["poverty_gap"] for r in as_json]
    assert as_json[2]["rmpg"] is None


def test_command_group_codes_stay_text(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("income,county\n100,640104\n200,0641\n300,0641\n")
    output = json.loads(run(path, "--income", "income", "--by", "county", "--line", 150))
    assert [r["group"] for r in output] == ["all", "0641", "640104"]


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (None, ["--line", 1], "no such file"),
        ("income,w\n1,1\n", ["--line", 1, "--weight", "weight"], "--weight: no column 'weight'"),
        ("income,w\n1,1\n", ["--line", 1, "--by", "county"], "--by: no column 'county'"),
        ("income,w\n1,1\n2,1\nabc,1\n", ["--line", 1], "row 4, column 'income': 'abc' is not a number"),
        # A blank row is left out but counted in the row numbers.
        ("income,w\n1,1\n\n2,x\n", ["--line", 1, "--weight", "w"], "row 4, column 'w': 'x' is not a number"),
        ("income,w\n1,1\n,1\n", ["--line", 1], "row 3, column 'income': empty cell"),
        ("income,w\n1,1\n \t,1\n", ["--line", 1], "row 3, column 'income': empty cell"),
        ("income,w\n1,1\nNA,1\n", ["--line", 1], "row 3, column 'income': 'NA' is not a number"),
        ("income,w\n1,1\n-inf,1\n", ["--line", 1], "row 3, column 'income': '-inf' is not a finite number"),
        (
            "income,w\n1,1\nNA,1\n2,1\ninf,1\n,1\n",
            ["--line", 1],
            "row 3, column 'income': 'NA' is not a number; 3 cells of column 'income' are not finite numbers: "
            "rows 3, 5, 6",
        ),
        (
            "income\n" + "x\n" * 7,
            ["--line", 1],
            "row 2, column 'income': 'x' is not a number; 7 cells of column 'income' are not finite numbers: "
            "rows 2, 3, 4, 5, 6, ...",
        ),
        ("income,w\n1,0\n", ["--line", 1, "--weight", "w"], "row 2, column 'w': weight 0.0 is not greater than zero"),
        ("income,w\n1,1\n2,-1\n", ["--line", 1, "--weight", "w"], "row 3, column 'w': weight -1.0 is not greater"),
        ("income,w\n1,1\n2,\n", ["--line", 1, "--weight", "w"], "row 3, column 'w': empty cell"),
        ("income,w\n1,1\n2,inf\n", ["--line", 1, "--weight", "w"], "row 3, column 'w': 'inf' is not a finite"),
        (
            "income,w\n1,0\n2,x\n3,1\n4,\n",
            ["--line", 1, "--weight", "w"],
            "row 2, column 'w': weight 0.0 is not greater than zero; 3 cells of column 'w' are not numbers greater "
            "than zero: rows 2, 3, 5",
        ),
        # The earliest bad row first, whichever column it is in.
        ("income,w\n1,1\n2,0\nx,1\n", ["--line", 1, "--weight", "w"], "row 3, column 'w': weight 0.0"),
        ("income,county\n1,A\n2, \n", ["--line", 1, "--by", "county"], "row 3, column 'county': the group label is"),
        ("income,w\n", ["--line", 1], "no data rows"),
        ("income,w\n1,1\n2\n3,1\n", ["--line", 1, "--weight", "w"], "row 3, column 'w': empty cell"),
        ("income,w\n1,1,1\n", ["--line", 1], "cannot read"),
        ("income,w\n1,1\n", [], "exactly one of --line"),
        ("income,w\n1,1\n", ["--line", 1, "--relative-line", 0.6], "exactly one of --line"),
        ("income,w\n1,1\n", ["--line", 1, "--of", "mean"], "go with --relative-line"),
        ("income,w\n1,1\n", ["--line", 0], "--line must be greater than zero, got 0.0"),
        ("income,w\n1,1\n", ["--relative-line", 0], "--relative-line must be greater than zero, got 0.0"),
        ("income,w\n1,1\n", ["--relative-line", -0.5], "--relative-line must be greater than zero, got -0.5"),
        ("income,w\n1,1\n", ["--relative-line", 1.5], "--relative-line must be at most 1, got 1.5"),
        ("income,w\n1,1\n", ["--relative-line", "nan"], "--relative-line must be greater than zero, got nan"),
        # The line is 0.6 × a median of 0: the method's message shows NumPy's np.float64(0.0), the command 0.0.
        ("income,w\n0,1\n0,1\n5,1\n", ["--relative-line", 0.6], "the poverty line must be greater than zero, got 0.0"),
        ("income,w,income\n1,1,2\n", ["--line", 1], "names column(s) 'income' more than once"),
        ("income,w,w,x,x\n1,1,2,3,4\n", ["--line", 1], "names column(s) 'w', 'x' more than once"),
    ],
)
def test_command_errors(tmp_path, content, args, message):
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=re.escape(message)) as caught:
        run(path, "--income", "income", *args)
    assert "np." not in str(caught.value)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-16", "utf-8"])
def test_command_reads_gb18030_and_bom_files(tmp_path, encoding):
    # Excel on Chinese Windows saves GB18030 ("CSV (逗号分隔)"); "CSV UTF-8" adds a BOM; UTF-16 needs its BOM.
    path = tmp_path / "zh.csv"
    path.write_bytes("人均纯收入,县\n100,东乡县\n200,临夏县\n300,临夏县\n".encode(encoding))
    output = json.loads(run(path, "--income", "人均纯收入", "--by", "县", "--line", 150))
    assert [(r["group"], r["n"], r["headcount_ratio"]) for r in output] == [
        ("all", 3, pytest.approx(1 / 3)),
        ("东乡县", 1, 1.0),
        ("临夏县", 2, 0.0),
    ]


def test_command_rejects_text_neither_utf8_nor_gb18030(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"income\n1\n\x80\n")  # 0x80 alone is neither UTF-8 nor GB18030
    with pytest.raises(CommandError, match="neither UTF-8 nor GB18030"):
        run(path, "--income", "income", "--line", 1)


@pytest.mark.parametrize("n_groups", [1, 300, 40_000])  # 40,000 labels do not fit 16 bits
def test_group_then_value_order_is_lexsort_order_with_ties(n_groups):
    rng = np.random.default_rng(7)
    g = rng.integers(0, n_groups, 50_000)
    x = rng.integers(0, 50, 50_000).astype(float)  # many ties: ties keep row order
    order = _group_then_value_order(g, x, n_groups)
    np.testing.assert_array_equal(order, np.lexsort((x, g)))


def test_a_shared_value_order_gives_the_same_grouped_measures():
    rng = np.random.default_rng(11)
    x = np.round(rng.lognormal(8, 1, 5_000), -1)  # rounded: ties
    x[rng.random(5_000) < 0.1] = np.nan
    w = rng.uniform(0.5, 2.0, 5_000)
    keep = rng.random(5_000) < 0.8
    subset = value_order(x)
    rows = keep & ~np.isnan(x)
    group = rng.integers(0, 40, 5_000)[rows]
    shared = distribution_by(group, x[rows], w[rows], p=[0.2, 0.5], n_groups=40, by_x=subset(rows))
    own = distribution_by(group, x[rows], w[rows], p=[0.2, 0.5], n_groups=40)
    for a, b in zip(shared, own, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        weighted_quantile_by(group, x[rows], w[rows], n_groups=40, by_x=subset(rows)),
        weighted_quantile_by(group, x[rows], w[rows], n_groups=40),
    )

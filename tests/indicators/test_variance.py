"""Design-based standard errors: convey's published EU-SILC values, a hand-computed stratified cluster
sample (checked against R's survey 4.1-1), a census and the design's refusals."""

import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from indicators.methods.alkire_foster import _unit_terms
from indicators.methods.poverty import UNCERTAINTY_MEASURES, poverty_measures
from indicators.methods.variance import (
    Z_975,
    alkire_foster_uncertainty,
    confidence_interval,
    poverty_measures_uncertainty,
    ratio_mean_uncertainty,
    survey_design,
    total_variance_by,
)

# --- convey's published values on laeken's eusilc -------------------------------------------------


@pytest.fixture
def eusilc_design(shared_data):
    data = pd.read_csv(shared_data / "eusilc" / "eusilc.csv")
    # convey's examples: svydesign(ids = ~rb030, strata = ~db040, weights = ~rb050, data = eusilc)
    design = survey_design(data["rb050"].to_numpy(), strata=data["db040"].to_numpy(), clusters=data["rb030"])
    return data, design


def test_convey_arpt_and_arpr_standard_errors(eusilc_design):
    """svyarpt(~eqincome, des_eusilc): 10859.24, SE 50.63622; svyarpr: 0.1444422, SE 0.002756769."""
    data, design = eusilc_design
    out = poverty_measures_uncertainty(data["eqIncome"].to_numpy(), design, relative_share=0.6)
    assert out["line"]["se"][0] == pytest.approx(50.63622, rel=1e-6)
    assert out["headcount_ratio"]["se"][0] == pytest.approx(0.002756769, rel=1e-6)
    # the line's SE is 0.6 times the median's (the threshold is 0.6 x the median)
    assert out["line"]["se"][0] == pytest.approx(0.6 * out["median"]["se"][0], rel=1e-12)


def test_groups_use_the_whole_sample_line(eusilc_design):
    """By region with the national line: each region's SE is a domain estimate on the whole design, and
    the one group "all" equals the ungrouped call."""
    data, design = eusilc_design
    codes, labels = pd.factorize(data["db040"], sort=True)
    x = data["eqIncome"].to_numpy()
    by = poverty_measures_uncertainty(x, design, codes, len(labels), relative_share=0.6)
    whole = poverty_measures_uncertainty(x, design, np.zeros(len(x), dtype=int), 1, relative_share=0.6)
    assert whole["gini"]["se"][0] == poverty_measures_uncertainty(x, design, relative_share=0.6)["gini"]["se"][0]
    assert np.all(by["headcount_ratio"]["se"] > whole["headcount_ratio"]["se"][0])  # smaller samples
    assert np.allclose(by["line"]["se"], whole["line"]["se"][0])  # one line for everyone


# --- a hand-computed stratified cluster sample --------------------------------------------------------

# stratum, cluster (within stratum), weight, income, group
ROWS = [
    ("A", 1, 2, 10, "x"),
    ("A", 1, 2, 20, "y"),
    ("A", 2, 3, 30, "x"),
    ("A", 3, 1, 40, "y"),
    ("A", 3, 1, 0, "x"),
    ("B", 1, 4, 50, "x"),
    ("B", 2, 2, 60, "y"),
    ("B", 2, 2, 10, "y"),
]
STRATA, CLUSTERS, W, Y, GROUPS = (np.array(column) for column in zip(*ROWS, strict=True))
W, Y = W.astype(float), Y.astype(float)
# The mean 530/17. Each cluster's total of w (y - mean) / N, times 17^2: A: -1100, -60, -380 (mean
# -1540/3), B: 1280, 260 (mean 770). Stratum A: 3/2 * (1760^2 + 1360^2 + 400^2) / 9 = 851,200;
# stratum B: 2/1 * 2 * 510^2 = 1,040,400. V = 1,891,600 / 17^4.
HAND_SE_OF_MEAN = math.sqrt(1_891_600) / 17**2  # 4.759012..., R: svymean(~y, des) SE 4.759


def _design(**options):
    return survey_design(W, strata=STRATA, clusters=CLUSTERS, **options)


def test_hand_computed_mean():
    estimate, se, deff = ratio_mean_uncertainty(_design(), W * Y)
    assert estimate[0] == pytest.approx(530 / 17)
    assert se[0] == pytest.approx(HAND_SE_OF_MEAN, rel=1e-12)
    assert deff[0] == pytest.approx(0.436355247982, rel=1e-10)  # R: svymean(~y, des, deff = "replace")
    # the design effect does not depend on the weights' scale (normalised weights summing to n)
    rescaled = survey_design(W * len(W) / W.sum(), strata=STRATA, clusters=CLUSTERS)
    assert ratio_mean_uncertainty(rescaled, W * len(W) / W.sum() * Y)[2][0] == pytest.approx(deff[0], rel=1e-12)
    low, high = confidence_interval(estimate, se)
    assert (low[0], high[0]) == pytest.approx((530 / 17 - Z_975 * HAND_SE_OF_MEAN, 530 / 17 + Z_975 * HAND_SE_OF_MEAN))


def test_hand_computed_domains_and_fpc():
    codes = pd.factorize(GROUPS, sort=True)[0]
    _, se, _ = ratio_mean_uncertainty(_design(), W * Y, codes, 2)
    assert se == pytest.approx([8.36002392341, 4.50831061926], rel=1e-10)  # R: svyby(~y, ~grp, des, svymean)
    # 6 and 4 PSUs in the population: each stratum's term times 1 - 3/6 = 1 - 2/4 = 1/2
    pop = np.where(STRATA == "A", 6, 4)
    _, se, deff = ratio_mean_uncertainty(_design(fpc=pop), W * Y)
    assert se[0] == pytest.approx(HAND_SE_OF_MEAN * math.sqrt(0.5), rel=1e-12)
    assert deff[0] == pytest.approx(0.218177623991, rel=1e-10)  # R, fpc = ~pop, deff = "replace"
    # the same as sampling fractions
    assert ratio_mean_uncertainty(_design(fpc=np.where(STRATA == "A", 0.5, 0.5)), W * Y)[1][0] == pytest.approx(se[0])


def test_headcount_ratio_with_an_absolute_line():
    """y < 25 on rows 1, 2, 5, 8: 7/17 poor; R: svymean(~I(y < 25), des) SE 0.218541628715."""
    out = poverty_measures_uncertainty(Y, _design(), line=25)
    assert out["headcount_ratio"]["se"][0] == pytest.approx(0.218541628715, rel=1e-10)
    assert out["mean"]["se"][0] == pytest.approx(HAND_SE_OF_MEAN, rel=1e-12)
    assert "line" not in out  # a fixed line has no sampling error


def test_a_census_has_no_sampling_error():
    census = _design(fpc=np.where(STRATA == "A", 3, 2))  # every PSU of each stratum sampled
    assert ratio_mean_uncertainty(census, W * Y)[1][0] == 0
    out = poverty_measures_uncertainty(Y, census, relative_share=0.6)
    assert all(values["se"][0] == 0 for values in out.values())
    assert ratio_mean_uncertainty(_design(fpc=np.ones(len(W))), W * Y)[1][0] == 0  # fraction 1


def test_common_term_is_added_with_its_covariance():
    """v_g = za [group = g] + b_g zt: the variance of the sum equals the variance of the explicit column."""
    design = _design()
    rng = np.random.default_rng(7)
    za, zt = rng.normal(size=len(W)), rng.normal(size=len(W))
    codes = pd.factorize(GROUPS, sort=True)[0]
    b = np.array([0.3, -2.0])
    combined = total_variance_by(design, za, codes, 2, zt, b)
    for g in (0, 1):
        explicit = np.where(codes == g, za, 0) + b[g] * zt
        assert combined[g] == pytest.approx(total_variance_by(design, explicit)[0], rel=1e-12)


# --- Alkire-Foster ---------------------------------------------------------------------------------


def test_alkire_foster_worked_example_with_a_design():
    """The 2011 worked example at k = 2 (H 1/2, M0 3/8 unweighted), weights 1, 2, 1, 2 in two strata of
    two persons. R: svymean(~poor) SE 0.353553390593, svymean(~c_poor) SE 0.248451997500,
    svyratio(~c_poor, ~poor) SE 0.157134840264."""
    y = [[13.1, 14, 4, 1], [15.2, 7, 5, 0], [12.5, 10, 1, 0], [20.0, 11, 3, 1]]
    w = np.array([1, 2, 1, 2.0])
    terms, _ = _unit_terms(y, [13, 12, 3, 1], 0.5, None, w, None)
    out = alkire_foster_uncertainty(survey_design(w, strata=["A", "A", "B", "B"]), terms)
    assert out["H"]["se"][0] == pytest.approx(0.353553390593, rel=1e-10)
    assert out["M0"]["se"][0] == pytest.approx(0.248451997500, rel=1e-10)
    assert out["A"]["se"][0] == pytest.approx(0.157134840264, rel=1e-10)
    assert out["H"]["deff"][0] == pytest.approx(1.5)  # R: deff = "replace"


# --- refusals ------------------------------------------------------------------------------------


def test_design_refusals():
    with pytest.raises(ValueError, match="stratum 'A' has one PSU"):
        survey_design(W, strata=STRATA, clusters=np.where(STRATA == "A", 1, CLUSTERS))
    with pytest.raises(ValueError, match="smaller than the 3 PSUs sampled in stratum 'A'"):
        _design(fpc=np.where(STRATA == "A", 2, 4))
    with pytest.raises(ValueError, match="varies within stratum 'A'"):
        _design(fpc=np.arange(len(W)) + 10)
    with pytest.raises(ValueError, match="missing"):
        survey_design(W, strata=[None, *STRATA[1:]])
    with pytest.raises(ValueError, match="zero, negative"):
        survey_design(np.zeros(len(W)))


# --- the commands and the Python API with a design -----------------------------------------------


def test_poverty_measures_command_with_convey_design(shared_data):
    out = io.StringIO()
    call_command(
        "poverty_measures",
        str(shared_data / "eusilc" / "eusilc.csv"),
        "--income=eqIncome",
        "--weight=rb050",
        "--relative-line=0.6",
        "--strata=db040",
        "--cluster=rb030",
        "--by=db040",
        stdout=out,
    )
    rows = json.loads(out.getvalue())
    whole = rows[0]
    assert whole["group"] == "all"
    assert whole["line"] == pytest.approx(10859.24, rel=1e-6)
    assert whole["line_se"] == pytest.approx(50.63622, rel=1e-6)
    assert whole["headcount_ratio"] == pytest.approx(0.1444422, rel=1e-6)
    assert whole["headcount_ratio_se"] == pytest.approx(0.002756769, rel=1e-6)
    low, high = whole["headcount_ratio_ci_low"], whole["headcount_ratio_ci_high"]
    assert (low, high) == pytest.approx((0.1444422 - Z_975 * 0.002756769, 0.1444422 + Z_975 * 0.002756769), rel=1e-5)
    assert [row["group"] for row in rows[1:3]] == ["Burgenland", "Carinthia"]
    assert all(row["gini_se"] > 0 and row["gini_deff"] > 0 for row in rows)


def test_python_api_with_a_design():
    frame = pd.DataFrame({"h": STRATA, "c": CLUSTERS, "w": W, "y": Y, "g": GROUPS})
    table = poverty_measures(frame, income="y", weight="w", by="g", line=25, strata="h", cluster="c")
    assert table["mean_se"].tolist() == pytest.approx([HAND_SE_OF_MEAN, 8.36002392341, 4.50831061926], rel=1e-10)
    assert table.loc[0, "headcount_ratio_se"] == pytest.approx(0.218541628715, rel=1e-10)
    assert "line_se" not in table  # an absolute line
    se_columns = [name for name in table if name.endswith("_se")]
    assert se_columns == [f"{m}_se" for m in UNCERTAINTY_MEASURES if m != "line"]
    assert "mean_se" not in poverty_measures(frame, income="y", weight="w", line=25)  # no design, no SE


def _worked_example_csv(tmp_path, fpc=None):
    path = tmp_path / "af.csv"
    rows = [[13.1, 14, 4, 1], [15.2, 7, 5, 0], [12.5, 10, 1, 0], [20.0, 11, 3, 1]]
    lines = ["income,school,health,member,w,stratum,fpc"]
    for row, w, h in zip(rows, (1, 2, 1, 2), "AABB", strict=True):
        lines.append(",".join(str(v) for v in [*row, w, h, fpc or 2]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _mpi(path, *options) -> dict:
    out = io.StringIO()
    indicators = ["--indicator=income:13", "--indicator=school:12", "--indicator=health:3", "--indicator=member:1"]
    call_command("mpi", str(path), *indicators, "--k=2/4", "--weight=w", "--strata=stratum", *options, stdout=out)
    return json.loads(out.getvalue())


def test_mpi_command_with_a_design(tmp_path):
    result = _mpi(_worked_example_csv(tmp_path))
    assert result["H_se"] == pytest.approx(0.353553390593, rel=1e-10)  # R survey, as above
    assert result["M0_se"] == pytest.approx(0.248451997500, rel=1e-10)
    assert result["A_se"] == pytest.approx(0.157134840264, rel=1e-10)
    assert result["M0_ci_low"] == pytest.approx(result["M0"] - Z_975 * 0.248451997500, rel=1e-10)
    # fpc = 2 persons per stratum, both sampled: a census
    census = _mpi(_worked_example_csv(tmp_path), "--fpc=fpc")
    assert census["H_se"] == census["M0_se"] == census["M1_se"] == 0


def test_commands_name_the_stratum_with_one_psu(tmp_path):
    path = tmp_path / "lonely.csv"
    rows = ["h,c,w,y", "A,1,1,10", "A,2,1,20", "C,1,2,30", "C,1,2,5"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    options = ["--income=y", "--weight=w", "--line=25", "--strata=h", "--cluster=c"]
    with pytest.raises(CommandError, match="stratum 'C' has one PSU"):
        call_command("poverty_measures", str(path), *options, stdout=io.StringIO())

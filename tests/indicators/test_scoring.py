"""Household scores (DESIGN §5): every goalpost, edge rule, flag and category computed by hand."""

import json
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from indicators.methods.scoring import (
    COMPONENTS,
    DEFAULT_PARAMETERS,
    DIMENSIONS,
    INPUT_COLUMNS,
    OUTPUT_COLUMNS,
    REASONS,
    goalpost,
    household_scores,
    income_ratio,
    region_eqi,
    validate_parameters,
)

LN3 = math.log(3)
Z = 2960.0  # national line z, yuan per person per year
ZM = 4440.0  # monitoring line z_m = 1.5·z


def household(**overrides) -> dict:
    """One person, income = wage, z = 2,960, z_m = 4,440; every other input unknown (NaN)."""
    row = dict.fromkeys(INPUT_COLUMNS, np.nan)
    row.update(wage=0.0, operating=0.0, property=0.0, relief=0.0, other_transfers=0.0, deductions=0.0)
    row.update(size=1, line=Z, line_monitoring=ZM, registered_poor=False)
    row.update(overrides)
    return row


def score(params=None, **overrides) -> pd.Series:
    return household_scores(pd.DataFrame([household(**overrides)]), params).iloc[0]


def full_household(**overrides) -> dict:
    """The end-to-end household of ``test_full_household_by_hand``."""
    row = household(
        wage=6000,
        operating=1500,
        property=300,
        relief=800,
        other_transfers=600,
        deductions=200,
        size=2,
        line=3000,
        line_monitoring=3600,
        ratio_prev1=1.44,
        ratio_prev2=1.2,
        medical_spending=1000,
        disaster_loss=500,
        job_loss=False,
        serious_ill_or_disabled=False,
        food_secure=True,
        clothing_secure=True,
        compulsory_education=True,
        basic_medical_insurance=True,
        safe_housing=False,
        safe_drinking_water=True,
        industry_or_coop=True,
        employed_share=0.5,
        enterprise_link=False,
        v_hardened_road=1,
        v_tap_water=0.8,
        v_electricity=1,
        v_broadband_or_mobile=1,
        v_school=1,
        v_clinic=0,
        v_collective_income=40000,
        v_cooperative=1,
        v_leading_enterprise=0,
        v_characteristic_industry=1,
        v_processing=0,
        v_ecommerce=1,
        vulnerability=0.25,
        registered_poor=True,
    )
    row.update(overrides)
    return row


# --- goalposts ---------------------------------------------------------------------------------------


def test_goalpost_interior_and_clamped():
    # s(0.05; −0.1 → 0, 0.1 → 100) = 100·(0.15/0.2) = 75; below a → 0, above b → 100
    assert goalpost(0.05, -0.1, 0.1) == pytest.approx(75.0)
    assert goalpost([-0.2, 0.3], -0.1, 0.1).tolist() == [0.0, 100.0]


def test_goalpost_reversed_ends():
    # stability s(CV; 0.5 → 0, 0 → 100): CV 0.25 → 100·(0.25 − 0.5)/(0 − 0.5) = 50; 0.6 → 0; 0 → 100
    assert goalpost([0.25, 0.6, 0.0], 0.5, 0.0) == pytest.approx([50.0, 0.0, 100.0])


def test_goalpost_nan_stays_nan():
    result = goalpost([np.nan, 1.5], 1.0, 2.0)
    assert np.isnan(result[0]) and result[1] == pytest.approx(50.0)


def test_goalpost_equal_ends_raises():
    with pytest.raises(ValueError, match="low != high"):
        goalpost(1.0, 2.0, 2.0)


# --- D1 income -----------------------------------------------------------------------------------------


def test_adequacy_goalpost():
    # y = 4,440, z = 2,960: ln(1.5)/ln 3·100 = 0.405465/1.098612·100 = 36.907…
    assert score(wage=4440)["c_adequacy"] == pytest.approx(36.907024643)
    # y/z = 3 → 100; y/z = 1 → 0; y/z = 0.5 → ln 0.5 < ln 1 → clamped to 0
    assert score(wage=3 * Z)["c_adequacy"] == pytest.approx(100.0)
    assert score(wage=Z)["c_adequacy"] == 0.0
    assert score(wage=Z / 2)["c_adequacy"] == 0.0


def test_adequacy_goalposts_from_params():
    # goalposts [1, 2]: ln 1.5/ln 2·100 = 0.405465/0.693147·100 = 58.496…
    params = {"goalposts": {"adequacy": [1, 2]}}
    assert score(params, wage=4440)["c_adequacy"] == pytest.approx(58.496250072)


@pytest.mark.parametrize(("wage", "operating"), [(0, 0), (1000, -3000)])
def test_adequacy_zero_when_income_not_positive(wage, operating):
    # y = 0 or y = 1,000 − 3,000 = −2,000: ln y not taken, adequacy 0 (counted, not left out)
    row = score(wage=wage, operating=operating)
    assert row["c_adequacy"] == 0.0
    assert row["y"] == wage + operating
    # only adequacy is computable (dev share left out, no previous periods): D1 = 0
    assert row["d1_income"] == 0.0


def test_growth_goalpost():
    # ratio 1.5 (y = 4,440), prev 1.4: 1.5/1.4 − 1 = 0.071429 → 100·(0.071429 + 0.1)/0.2 = 85.714…
    assert score(wage=4440, ratio_prev1=1.4)["c_growth"] == pytest.approx(85.714285714)
    # 1.5/1.25 − 1 = 0.2 > 0.1 → 100; 1.5/2 − 1 = −0.25 < −0.1 → 0
    assert score(wage=4440, ratio_prev1=1.25)["c_growth"] == pytest.approx(100.0)
    assert score(wage=4440, ratio_prev1=2.0)["c_growth"] == 0.0
    # current income negative: ratio −0.5 → −0.5/1.4 − 1 = −1.357 → 0 (computed, not left out)
    assert score(wage=-0.5 * Z, ratio_prev1=1.4)["c_growth"] == 0.0


@pytest.mark.parametrize("prev", [np.nan, 0.0, -0.5])
def test_growth_left_out_without_positive_previous_ratio(prev):
    row = score(wage=4440, ratio_prev1=prev)
    assert np.isnan(row["c_growth"])
    # D1 = adequacy alone (dev share = 4,440/4,440 = 1 → 100): (36.907 + 100)/2 = 68.4535…
    assert row["d1_income"] == pytest.approx((36.907024643 + 100.0) / 2)


def test_dev_share_goalpost():
    # total = 3,000 + 1,000 relief + 400 other = 4,400; dev = 3,400/4,400 = 0.772727
    # → 100·(0.772727 − 0.5)/0.5 = 54.545…
    row = score(wage=3000, relief=1000, other_transfers=400)
    assert row["dev_share"] == pytest.approx(0.772727273)
    assert row["c_dev_share"] == pytest.approx(54.545454545)
    # deductions lower the total: 4,000 + 1,000 − 1,000 = 4,000; dev = 4,000/4,000 = 1 → 100
    assert score(wage=4000, relief=1000, deductions=1000)["c_dev_share"] == pytest.approx(100.0)
    # relief only: dev 0 < 0.5 → 0
    assert score(relief=3000)["c_dev_share"] == 0.0


@pytest.mark.parametrize(("wage", "operating"), [(0, 0), (500, -800)])
def test_dev_share_left_out_when_total_not_positive(wage, operating):
    row = score(wage=wage, operating=operating)
    assert np.isnan(row["dev_share"]) and np.isnan(row["c_dev_share"])


def test_stability_goalpost():
    # y/z series [1.0, 1.2, 1.4] (y = 1.4·2,960 = 4,144): mean 1.2, population std √(0.08/3) = 0.163299,
    # CV 0.136083 → 100·(0.5 − 0.136083)/0.5 = 72.783…
    row = score(wage=1.4 * Z, ratio_prev1=1.2, ratio_prev2=1.0)
    assert row["c_stability"] == pytest.approx(72.783447302)
    # constant series: CV 0 → 100
    assert score(wage=1.4 * Z, ratio_prev1=1.4, ratio_prev2=1.4)["c_stability"] == pytest.approx(100.0)


@pytest.mark.parametrize(("prev1", "prev2"), [(1.2, np.nan), (np.nan, 1.0), (np.nan, np.nan)])
def test_stability_left_out_without_three_periods(prev1, prev2):
    assert np.isnan(score(wage=4000, ratio_prev1=prev1, ratio_prev2=prev2)["c_stability"])


def test_stability_zero_when_mean_not_positive():
    # series [−1.0, 0.2, 0.5]: mean −0.1 ≤ 0, CV undefined → scored 0 (the limit as CV → ∞), not left out
    assert score(wage=0.5 * Z, ratio_prev1=0.2, ratio_prev2=-1.0)["c_stability"] == 0.0
    # series [0, 0, 0]: mean 0 → 0
    assert score(wage=0, ratio_prev1=0.0, ratio_prev2=0.0)["c_stability"] == 0.0


# --- D2 resilience -------------------------------------------------------------------------------------


def test_resilience_and_margin():
    # v = 0.3 → 100·(1 − 0.3) = 70; y = 5,550: y/z_m = 1.25 → 100·(1.25 − 1)/(2 − 1) = 25
    row = score(wage=5550, vulnerability=0.3)
    assert row["c_resilience"] == pytest.approx(70.0)
    assert row["margin"] == pytest.approx(1.25)
    assert row["c_margin"] == pytest.approx(25.0)
    # y = 8,880: 2 → 100; y = 4,000 < z_m → 0
    assert score(wage=8880)["c_margin"] == pytest.approx(100.0)
    assert score(wage=4000)["c_margin"] == 0.0


def test_resilience_left_out_when_v_unknown():
    # D2 = mean(margin 25, shocks 100) = 62.5, v NaN left out (not counted as 0)
    row = score(wage=5550, medical_spending=0, disaster_loss=0, serious_ill_or_disabled=False, job_loss=False)
    assert np.isnan(row["c_resilience"])
    assert row["d2_resilience"] == pytest.approx(62.5)


NO_SHOCK = {"medical_spending": 0, "disaster_loss": 0, "serious_ill_or_disabled": False, "job_loss": False}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, 100.0),  # 4 of 4 absent
        ({"medical_spending": 501}, 75.0),  # 501 > 10 % of 5,000 = 500: 3 of 4 absent
        ({"medical_spending": 500}, 100.0),  # exactly 10 %: not above
        ({"disaster_loss": 600}, 75.0),  # 600 > 500
        ({"disaster_loss": 500}, 100.0),
        ({"serious_ill_or_disabled": True}, 75.0),
        ({"job_loss": True}, 75.0),
        ({"medical_spending": 900, "job_loss": True}, 50.0),  # 2 of 4 absent
        ({"job_loss": np.nan, "serious_ill_or_disabled": True}, 100 * 2 / 3),  # unknown left out: 2 of 3 = 66.667
    ],
)
def test_shocks_share_absent(overrides, expected):
    # total income 5,000
    assert score(wage=5000, **{**NO_SHOCK, **overrides})["c_shocks"] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("column", "amount", "expected"),
    [
        ("medical_spending", 1, 75.0),
        ("medical_spending", 0, 100.0),
        ("disaster_loss", 1, 75.0),
        ("disaster_loss", 0, 100.0),
    ],
)
def test_shocks_with_total_not_positive(column, amount, expected):
    # total = 0: any spending or loss > 0 counts as above 10 %
    assert score(wage=0, **{**NO_SHOCK, column: amount})["c_shocks"] == pytest.approx(expected)


def test_shocks_all_unknown_is_nan():
    assert np.isnan(score(wage=5000)["c_shocks"])


def test_d2_mean_of_three():
    # v 0.2 → 80; y = 5,550 → margin 25; job loss → 3 of 4 absent = 75; D2 = (80 + 25 + 75)/3 = 60
    row = score(wage=5550, vulnerability=0.2, **{**NO_SHOCK, "job_loss": True})
    assert row["d2_resilience"] == pytest.approx(60.0)


# --- D3 public services ------------------------------------------------------------------------------------

VILLAGE_SERVICES_ROW = {
    "v_hardened_road": 1,
    "v_tap_water": 0.9,
    "v_electricity": 1,
    "v_broadband_or_mobile": 1,
    "v_school": 0,
    "v_clinic": 1,
}
GUARANTEES_ROW = {
    "food_secure": True,
    "clothing_secure": True,
    "compulsory_education": True,
    "basic_medical_insurance": True,
    "safe_housing": False,
    "safe_drinking_water": np.nan,
}


def test_guarantees_share_met_unknown_left_out():
    # 4 met of 5 known (drinking water unknown) → 80
    assert score(wage=4000, **GUARANTEES_ROW)["c_guarantees"] == pytest.approx(80.0)
    # all six known, 5 met → 83.333
    assert score(wage=4000, **{**GUARANTEES_ROW, "safe_drinking_water": True})["c_guarantees"] == pytest.approx(500 / 6)


def test_d3_half_household_half_village():
    # village: (1 + 0.9 + 1 + 1 + 0 + 1)/6 = 4.9/6 → 81.667; D3 = (80 + 81.667)/2 = 80.833
    row = score(wage=4000, **GUARANTEES_ROW, **VILLAGE_SERVICES_ROW)
    assert row["c_village_services"] == pytest.approx(490 / 6)
    assert row["d3_public_services"] == pytest.approx((80 + 490 / 6) / 2)


def test_d3_one_part_when_the_other_is_missing():
    # no village survey: D3 = household part 80; no household answers: D3 = village part 81.667
    assert score(wage=4000, **GUARANTEES_ROW)["d3_public_services"] == pytest.approx(80.0)
    assert score(wage=4000, **VILLAGE_SERVICES_ROW)["d3_public_services"] == pytest.approx(490 / 6)


def test_d3_split_from_params():
    # split 0.75/0.25: 0.75·80 + 0.25·81.667 = 60 + 20.417 = 80.417
    params = {"split": {"d3_public_services": {"household": 0.75, "village": 0.25}}}
    row = score(params, wage=4000, **GUARANTEES_ROW, **VILLAGE_SERVICES_ROW)
    assert row["d3_public_services"] == pytest.approx(60 + 490 / 24)


def test_village_service_item_unknown_left_out():
    # tap water unknown: (1 + 1 + 1 + 0 + 1)/5 → 80
    row = score(wage=4000, **{**VILLAGE_SERVICES_ROW, "v_tap_water": np.nan})
    assert row["c_village_services"] == pytest.approx(80.0)


# --- D4 industrial support ----------------------------------------------------------------------------------


def test_d4_household_and_village_parts():
    # household: [100, 25, 0] → 41.667; village: s(25,000; 0 → 100,000) = 25, flags [1, 0, 1, 0, 0]
    # → (25 + 100 + 0 + 100 + 0 + 0)/6 = 37.5; D4 = (41.667 + 37.5)/2 = 39.583
    village = {
        "v_collective_income": 25000,
        "v_cooperative": 1,
        "v_leading_enterprise": 0,
        "v_characteristic_industry": 1,
        "v_processing": 0,
        "v_ecommerce": 0,
    }
    row = score(wage=4000, industry_or_coop=True, employed_share=0.25, enterprise_link=False, **village)
    assert row["c_household_industry"] == pytest.approx(125 / 3)
    assert row["c_village_industry"] == pytest.approx(37.5)
    assert row["d4_industry"] == pytest.approx((125 / 3 + 37.5) / 2)


def test_d4_employed_share_unknown_left_out():
    # no labour-capable member: [100, 0] → 50; no village survey → D4 = 50
    row = score(wage=4000, industry_or_coop=True, employed_share=np.nan, enterprise_link=False)
    assert row["c_household_industry"] == pytest.approx(50.0)
    assert row["d4_industry"] == pytest.approx(50.0)


@pytest.mark.parametrize(("income", "expected"), [(150000, 100.0), (-2000, 0.0), (0, 0.0), (100000, 100.0)])
def test_collective_income_goalpost(income, expected):
    # only the income item known: village part = s(income; 0 → 100,000), clamped
    assert score(wage=4000, v_collective_income=income)["c_village_industry"] == pytest.approx(expected)


# --- dimensions and EQI -------------------------------------------------------------------------------------


def test_dimension_without_component_is_null_and_nulls_eqi():
    # full household without any D3 input: D3 NaN → EQI NaN (both aggregations)
    guarantees = dict.fromkeys(GUARANTEES_ROW, np.nan)
    village = dict.fromkeys(VILLAGE_SERVICES_ROW, np.nan)
    frame = pd.DataFrame([full_household(**guarantees, **village)])
    for aggregation in ("geometric", "arithmetic"):
        row = household_scores(frame, {"eqi_aggregation": aggregation}).iloc[0]
        assert np.isnan(row["d3_public_services"]) and np.isnan(row["eqi"])
        assert not np.isnan(row["d1_income"])


def test_eqi_floor_geometric_and_arithmetic():
    # D = [0, 100, 100, 100]: geometric floors 0 at 1 → (1·100³)^(1/4) = 100^0.75 = 31.623;
    # arithmetic takes the scores as they are: 300/4 = 75
    assert region_eqi([0], [100], [100], [100])[0] == pytest.approx(31.622776602)
    assert region_eqi([0], [100], [100], [100], {"eqi_aggregation": "arithmetic"})[0] == pytest.approx(75.0)


def test_eqi_weights():
    # weights (2, 1, 1, 1), D = [50, 80, 80, 80]: exp((2 ln 50 + 3 ln 80)/5) = exp(4.194031) = 66.289;
    # arithmetic (100 + 240)/5 = 68
    params = {"weights": {"d1_income": 2}}
    assert region_eqi([50], [80], [80], [80], params)[0] == pytest.approx(66.289080347)
    params["eqi_aggregation"] = "arithmetic"
    assert region_eqi([50], [80], [80], [80], params)[0] == pytest.approx(68.0)


def test_eqi_zero_weight_dimension_ignored():
    # weight 0 for D4: its NaN does not null the EQI; (50·80·80)^(1/3) = exp((ln 50 + 2 ln 80)/3) = 68.399
    params = {"weights": {"d4_industry": 0}}
    assert region_eqi([50], [80], [80], [np.nan], params)[0] == pytest.approx(68.399037867)


def test_region_eqi_null_when_any_dimension_null():
    result = region_eqi([50, 50], [80, np.nan], [80, 80], [80, 80])
    assert result[0] == pytest.approx(math.exp((math.log(50) + 3 * math.log(80)) / 4))
    assert np.isnan(result[1])


def test_full_household_by_hand():
    row = household_scores(pd.DataFrame([full_household()])).iloc[0]
    # total = 6,000 + 1,500 + 300 + 800 + 600 − 200 = 9,000; y = 9,000/2 = 4,500; y/z = 4,500/3,000 = 1.5
    assert row["income_total"] == 9000 and row["y"] == 4500 and row["ratio"] == pytest.approx(1.5)
    # adequacy ln 1.5/ln 3·100 = 36.907
    assert row["c_adequacy"] == pytest.approx(36.907024643)
    # growth 1.5/1.44 − 1 = 0.041667 → 100·0.141667/0.2 = 70.833
    assert row["c_growth"] == pytest.approx(70.833333333)
    # dev share (6,000 + 1,500 + 300 + 600)/9,000 = 0.933333 → 100·0.433333/0.5 = 86.667
    assert row["c_dev_share"] == pytest.approx(86.666666667)
    # stability [1.2, 1.44, 1.5]: mean 1.38, deviations −0.18, 0.06, 0.12 → var (0.0324 + 0.0036 + 0.0144)/3
    # = 0.0168, std 0.129615, CV 0.093924 → 100·(0.5 − 0.093924)/0.5 = 81.215
    assert row["c_stability"] == pytest.approx(81.215244352)
    # D1 = (36.907 + 70.833 + 86.667 + 81.215)/4 = 68.906
    assert row["d1_income"] == pytest.approx(68.905567175)
    # D2: v 0.25 → 75; margin 4,500/3,600 = 1.25 → 25; shocks: medical 1,000 > 900 (10 % of 9,000) yes,
    # ill no, disaster 500 ≤ 900 no, job no → 3 of 4 absent = 75; D2 = (75 + 25 + 75)/3 = 58.333
    assert (row["c_resilience"], row["c_margin"], row["c_shocks"]) == pytest.approx((75, 25, 75))
    assert row["d2_resilience"] == pytest.approx(175 / 3)
    # D3: guarantees 5 of 6 → 83.333; village (1 + 0.8 + 1 + 1 + 1 + 0)/6 = 0.8 → 80; D3 = 81.667
    assert row["d3_public_services"] == pytest.approx((500 / 6 + 80) / 2)
    # D4: household [100, 50, 0] → 50; village [s(40,000) = 40, 100, 0, 100, 0, 100] → 340/6 = 56.667;
    # D4 = (50 + 56.667)/2 = 53.333
    assert row["c_village_industry"] == pytest.approx(340 / 6)
    assert row["d4_industry"] == pytest.approx(160 / 3)
    # geometric: exp((ln 68.9056 + ln 58.3333 + ln 81.6667 + ln 53.3333)/4)
    # = exp((4.232739 + 4.066174 + 4.402648 + 3.976562)/4) = exp(4.169531) = 64.685
    assert row["eqi"] == pytest.approx(64.685012247)
    # arithmetic: (68.9056 + 58.3333 + 81.6667 + 53.3333)/4 = 65.560
    arithmetic = household_scores(pd.DataFrame([full_household()]), {"eqi_aggregation": "arithmetic"}).iloc[0]
    assert arithmetic["eqi"] == pytest.approx(65.559725175)
    # flags: y ≥ z_m; v < 0.5; catastrophic medical and 4,500 < 1.5·3,600 = 5,400; no illness;
    # disaster loss 500 > 0 → shock. Ever registered poor → ex_poor_unstable
    assert row["reasons"] == ["catastrophic_health", "shock"]
    assert row["category"] == "ex_poor_unstable"
    assert row["data_error"] is None


# --- income basis, ratios, data errors --------------------------------------------------------------------------


def test_equivalised_income_falls_back_to_size():
    params = {"income_basis": "equivalised"}
    # total 6,000, size 3, scale 2: equivalised y = 3,000, per capita 2,000; scale missing → size
    assert score(params, wage=6000, size=3, equivalence_scale=2.0)["y"] == pytest.approx(3000)
    assert score(params, wage=6000, size=3, equivalence_scale=np.nan)["y"] == pytest.approx(2000)
    assert score(params, wage=6000, size=3, equivalence_scale=0.0)["y"] == pytest.approx(2000)
    assert score(None, wage=6000, size=3, equivalence_scale=2.0)["y"] == pytest.approx(2000)


def test_income_ratio_matches_household_ratio():
    # 6,000/3 = 2,000 → /1,000 = 2; equivalised 6,000/2 = 3,000 → 3; size 0 or line 0 → NaN
    ratio = income_ratio([6000, 6000, 6000], [3, 0, 3], [2.0, 2.0, 2.0], [1000, 1000, 0])
    assert ratio[0] == pytest.approx(2.0) and np.isnan(ratio[1]) and np.isnan(ratio[2])
    assert income_ratio([6000], [3], [2.0], [1000], {"income_basis": "equivalised"})[0] == pytest.approx(3.0)
    assert score(wage=4440)["ratio"] == income_ratio([4440], [1], [np.nan], [Z])[0]


def test_size_zero_is_a_data_error():
    row = score(wage=4000, size=0, vulnerability=0.9, job_loss=True, **GUARANTEES_ROW)
    assert row["data_error"] == "household size 0"
    assert row["income_total"] == 4000 and np.isnan(row["y"]) and np.isnan(row["ratio"])
    assert all(np.isnan(row[c]) for c in (*COMPONENTS, *DIMENSIONS, "eqi"))
    assert not row["flagged"] and row["reasons"] == [] and row["category"] is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"size": np.nan}, "household size missing"),
        ({"size": -1}, "household size negative"),
        ({"line": 0}, "poverty line missing"),
        ({"size": 0, "line_monitoring": np.nan}, "household size 0; monitoring line missing"),
    ],
)
def test_data_error_messages(overrides, message):
    assert score(wage=4000, **overrides)["data_error"] == message


def test_data_error_row_does_not_touch_others():
    frame = pd.DataFrame([household(wage=4440), household(wage=4440, size=0)], index=["a", "b"])
    out = household_scores(frame)
    assert list(out.index) == ["a", "b"]
    assert out.loc["a", "c_adequacy"] == pytest.approx(36.907024643) and out.loc["a", "data_error"] is None


# --- early warning ---------------------------------------------------------------------------------------------


def test_flag_below_monitoring_line():
    # 4,000 < 4,440 → flagged; exactly 4,440 is not below
    assert score(wage=4000)["flag_below_monitoring_line"]
    assert not score(wage=ZM)["flagged"]


@pytest.mark.parametrize(("v", "expected"), [(0.5, True), (0.49, False), (np.nan, False)])
def test_flag_vulnerable(v, expected):
    assert score(wage=8000, vulnerability=v)["flag_vulnerable"] == expected


def test_flag_catastrophic_health():
    # y = 5,000, medical 600 > 500: 5,000 < 1.5·4,440 = 6,660 → flag
    assert score(wage=5000, medical_spending=600)["flag_catastrophic_health"]
    # y = 7,000, medical 800 > 700 but 7,000 ≥ 6,660 → no flag; medical 400 ≤ 500 → no flag
    assert not score(wage=7000, medical_spending=800)["flag_catastrophic_health"]
    assert not score(wage=5000, medical_spending=400)["flag_catastrophic_health"]


def test_flag_illness_disability():
    # y = 5,000 < 6,660 with a seriously ill member → flag; y = 7,000 → no flag
    assert score(wage=5000, serious_ill_or_disabled=True)["flag_illness_disability"]
    assert not score(wage=7000, serious_ill_or_disabled=True)["flag_illness_disability"]
    assert not score(wage=5000, serious_ill_or_disabled=np.nan)["flagged"]


def test_flag_shock():
    # any disaster loss (1 yuan, far below 10 %) or a job loss, whatever the income
    assert score(wage=20000, disaster_loss=1)["flag_shock"]
    assert score(wage=20000, job_loss=True)["flag_shock"]
    assert not score(wage=20000, disaster_loss=0, job_loss=False)["flagged"]


def test_reasons_in_fixed_order():
    # job loss, v 0.6, y 4,000 < z_m, catastrophic medical (500 > 400) and ill with y < 6,660: all five
    row = score(wage=4000, job_loss=True, vulnerability=0.6, medical_spending=500, serious_ill_or_disabled=True)
    assert row["reasons"] == list(REASONS)
    assert row["flagged"] and all(row[f"flag_{r}"] for r in REASONS)


def test_rule_left_out_never_flags():
    params = {"early_warning": {"rules": ["shock"]}}
    row = score(params, wage=4000, vulnerability=0.9)
    assert not row["flag_below_monitoring_line"] and not row["flag_vulnerable"] and not row["flagged"]
    assert row["reasons"] == [] and row["category"] is None


def test_early_warning_thresholds_from_params():
    # vulnerability_min 0.7: v 0.6 no longer flags; health_margin_max 1.2: 5,000/4,440 = 1.126 < 1.2 still flags
    params = {"early_warning": {"vulnerability_min": 0.7, "health_margin_max": 1.2}}
    row = score(params, wage=5000, vulnerability=0.6, medical_spending=600)
    assert not row["flag_vulnerable"] and row["flag_catastrophic_health"]
    assert not score(params, wage=5400, medical_spending=600)["flag_catastrophic_health"]  # 1.216 ≥ 1.2


@pytest.mark.parametrize(
    ("overrides", "category"),
    [
        ({"wage": 4000, "registered_poor": True}, "ex_poor_unstable"),  # below z_m, ex-poor
        ({"wage": 9000, "job_loss": True, "registered_poor": True}, "ex_poor_unstable"),  # ex-poor comes first
        ({"wage": 9000, "job_loss": True}, "sudden_hardship"),
        ({"wage": 9000, "disaster_loss": 100}, "sudden_hardship"),
        ({"wage": 5000, "medical_spending": 600}, "sudden_hardship"),  # catastrophic health
        ({"wage": 5000, "serious_ill_or_disabled": True}, "near_poor_at_risk"),  # illness alone is not sudden
        ({"wage": 4000}, "near_poor_at_risk"),
        ({"wage": 9000, "vulnerability": 0.8}, "near_poor_at_risk"),
        ({"wage": 9000, "registered_poor": True}, None),  # not flagged
    ],
)
def test_default_categories(overrides, category):
    assert score(**overrides)["category"] == category


def test_categories_from_params():
    # the alternative order: shocks first, then ex-poor; no catch-all → a flagged non-poor household stays None
    params = {
        "categories": [
            {"category": "sudden_hardship", "when_any": ["shock", "catastrophic_health"]},
            {"category": "ex_poor_unstable", "when_any": ["registered_poor"]},
        ]
    }
    assert score(params, wage=9000, job_loss=True, registered_poor=True)["category"] == "sudden_hardship"
    assert score(params, wage=4000, registered_poor=True)["category"] == "ex_poor_unstable"
    assert score(params, wage=4000)["category"] is None


# --- inputs and outputs ------------------------------------------------------------------------------------------


def test_output_columns_and_index():
    frame = pd.DataFrame([full_household(), household(wage=4000)], index=[7, 3])
    out = household_scores(frame)
    assert tuple(out.columns) == OUTPUT_COLUMNS and list(out.index) == [7, 3]
    assert out["flagged"].dtype == bool


def test_frame_equals_rows_scored_one_by_one():
    rows = [full_household(), household(wage=4000, size=0), household(wage=5000, medical_spending=600)]
    together = household_scores(pd.DataFrame(rows))
    for i, row in enumerate(rows):
        alone = household_scores(pd.DataFrame([row])).iloc[0]
        pd.testing.assert_series_equal(together.iloc[i], alone, check_names=False)


def test_accepts_decimals_and_nullable_booleans():
    frame = pd.DataFrame([full_household(), full_household()])
    frame["wage"] = [Decimal("6000.00"), Decimal("6000.00")]
    frame["job_loss"] = pd.array([False, None], dtype="boolean")
    out = household_scores(frame)
    assert out["c_shocks"].tolist() == pytest.approx([75.0, 100 * 2 / 3])


def test_missing_input_column_raises():
    frame = pd.DataFrame([household()]).drop(columns=["v_clinic", "size"])
    with pytest.raises(ValueError, match="size, v_clinic"):
        household_scores(frame)


@pytest.mark.parametrize(("column", "value"), [("vulnerability", 1.2), ("v_tap_water", -0.1), ("job_loss", 2)])
def test_out_of_range_input_raises(column, value):
    with pytest.raises(ValueError, match=column):
        score(**{column: value})


# --- parameters ------------------------------------------------------------------------------------------------


def test_validate_parameters_fills_defaults():
    params = validate_parameters({})
    assert params == DEFAULT_PARAMETERS
    assert json.loads(json.dumps(params)) == params
    params["goalposts"]["growth"][0] = -1
    assert DEFAULT_PARAMETERS["goalposts"]["growth"] == [-0.10, 0.10]


def test_validate_parameters_merges_nested_groups():
    params = validate_parameters({"goalposts": {"margin": (1, 3)}, "weights": {"d4_industry": 0.5}})
    assert params["goalposts"]["margin"] == [1.0, 3.0]
    assert params["goalposts"]["growth"] == [-0.10, 0.10]
    assert params["weights"] == {d: (0.5 if d == "d4_industry" else 1.0) for d in DIMENSIONS}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"colour": 1}, "'colour'"),
        ({"goalposts": {"wealth": [0, 1]}}, "'goalposts.wealth'"),
        ({"split": {"d3_public_services": {"region": 1}}}, "'split.d3_public_services.region'"),
        ({"income_basis": "per_adult"}, "'income_basis'"),
        ({"goalposts": {"growth": [0.1, 0.1]}}, "'goalposts.growth'"),
        ({"goalposts": {"margin": [1]}}, "'goalposts.margin'"),
        ({"goalposts": {"adequacy": [0, 3]}}, "'goalposts.adequacy'"),
        ({"goalposts": {"dev_share": ["0.5", 1]}}, "'goalposts.dev_share'"),
        ({"shock_thresholds": {"medical_share": -0.1}}, "'shock_thresholds.medical_share'"),
        ({"weights": {"d1_income": -1}}, "'weights.d1_income'"),
        ({"weights": dict.fromkeys(DIMENSIONS, 0)}, "'weights'"),
        ({"weights": {"d2_resilience": True}}, "'weights.d2_resilience'"),
        ({"split": {"d4_industry": {"household": 0, "village": 0}}}, "'split.d4_industry'"),
        ({"eqi_aggregation": "harmonic"}, "'eqi_aggregation'"),
        ({"eqi_floor": 0}, "'eqi_floor'"),
        ({"early_warning": {"rules": ["shock", "poverty"]}}, "'early_warning.rules'"),
        ({"early_warning": {"vulnerability_min": 1.5}}, "'early_warning.vulnerability_min'"),
        ({"early_warning": {"health_margin_max": float("nan")}}, "'early_warning.health_margin_max'"),
        ({"categories": [{"category": "rich", "when_any": []}]}, "'categories\\[0\\].category'"),
        ({"categories": [{"category": "sudden_hardship", "when_any": ["flood"]}]}, "'categories\\[0\\].when_any'"),
        ({"categories": [{"category": "sudden_hardship"}]}, "'categories\\[0\\]'"),
        ({"goalposts": [0, 1]}, "'goalposts'"),
    ],
)
def test_validate_parameters_errors(params, message):
    with pytest.raises(ValueError, match=message):
        validate_parameters(params)


def test_empty_frame():
    out = household_scores(pd.DataFrame(columns=list(INPUT_COLUMNS), dtype=float))
    assert out.empty and tuple(out.columns) == OUTPUT_COLUMNS


def test_reasons_are_separate_lists():
    out = household_scores(pd.DataFrame([household(wage=4000), household(wage=4000)]))
    out["reasons"].iloc[0].append("edited")
    assert out["reasons"].iloc[1] == ["below_monitoring_line"]

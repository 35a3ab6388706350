"""Sampling error of the region scores (issue 15): the ``sampling`` parameter, the SE and 95 % interval
of the headcount ratio and M0 through the whole recompute on a tiny stratified cluster sample (two
counties as strata, villages as clusters, worked by hand), a census, and a stratum with one PSU."""

import logging
import math

import numpy as np
import pytest

from indicators.methods.scoring import validate_parameters
from indicators.methods.variance import Z_975, ratio_mean_uncertainty, survey_design
from indicators.models import UNCERTAINTY_FIELDS, HouseholdScore, Methodology, RegionScore
from indicators.services import recompute as service
from indicators.services import rollup_uncertainty
from indicators.services.methodology import parameters_validate
from regions.models import Region
from tests.indicators.builders import Row, households_write

pytestmark = pytest.mark.django_db

COUNTY_A, COUNTY_B, COUNTY_C = "640422", "640402", "640423"  # 西吉县, 原州区, 隆德县 of 固原市 (6404)
SAMPLE = {"design": "sample", "strata": "county", "cluster": "village"}
POOR, RICH = 1000.0, 9000.0  # yuan per person per year, against the 2020 line of 3,309


def villages_of(county: str, n: int) -> list[str]:
    codes = list(
        Region.objects.filter(level=5, path__startswith=Region.objects.get(code=county).path)
        .order_by("code")
        .values_list("code", flat=True)[:n]
    )
    assert len(codes) == n
    return codes


def sample_methodology(sampling=SAMPLE, version="sample-1") -> Methodology:
    return Methodology.objects.create(
        version=version, name="a sample", parameters=parameters_validate({"scores": {"sampling": sampling}})
    )


# persons, poor (income below the national line), sampling weight, guarantees met; by village
# a1, a2 (county A) and b1, b2, b3 (county B). Persons x weight: 2, 3 | 2, 4 | 4 | 6 | 1, 3 (25).
HOUSEHOLDS = {
    "a1": [(2, True, 1.0, True), (3, False, 1.0, False)],
    "a2": [(1, True, 2.0, True), (2, False, 2.0, True)],
    "b1": [(4, False, 1.0, True)],
    "b2": [(2, True, 3.0, False)],
    "b3": [(1, False, 1.0, True), (3, True, 1.0, True)],
}
# The prefecture's headcount ratio: 13 poor of 25 weighted persons, R = 0.52. Linearised values
# z = (y - R x) / 25 summed per village, times 25: a1 (2 - 1.04) + (0 - 1.56) = -0.60, a2 0.96 - 2.08
# = -1.12; b1 -2.08, b2 6 - 3.12 = 2.88, b3 -0.52 + 1.44 = 0.92. Stratum A: 2/1 * (0.26^2 + 0.26^2)
# = 0.2704; stratum B (mean 1.72/3): 3/2 * (2.653333^2 + 2.306667^2 + 0.346667^2) = 18.7216.
PREFECTURE_SE = math.sqrt(0.2704 + 18.7216) / 25  # 0.1743192...
# County A alone (a domain inside stratum A): R = 4/11; z x 11 per village: a1 (2 - 8/11) + (0 - 12/11)
# = 2/11, a2 (2 - 8/11) + (0 - 16/11) = -2/11; 2/1 * 2 * (2/11)^2 / 11^2; stratum B adds nothing.
COUNTY_A_SE = 4 / 121


def rows_write(villages: dict[str, str], households=HOUSEHOLDS) -> list[Row]:
    rows = []
    for key, members in households.items():
        for serial, (persons, poor, weight, guarantees) in enumerate(members, start=1):
            income = (POOR if poor else RICH) * persons
            rows.append(Row(villages[key], serial, wage=income, persons=persons, weight=weight, guarantees=guarantees))
    households_write(rows, period=2020)
    return rows


@pytest.fixture
def villages() -> dict[str, str]:
    a, b = villages_of(COUNTY_A, 2), villages_of(COUNTY_B, 3)
    return {"a1": a[0], "a2": a[1], "b1": b[0], "b2": b[1], "b3": b[2]}


def by_code(run) -> dict[str, RegionScore]:
    return {s.region.code: s for s in RegionScore.objects.of_run(run).select_related("region")}


def test_hand_computed_se_of_the_headcount_ratio_through_the_recompute(villages):
    rows_write(villages)
    run = service.recompute(period=2020, methodology=sample_methodology())
    scores = by_code(run)
    prefecture, county_a = scores["6404"], scores[COUNTY_A]
    assert prefecture.headcount_ratio == pytest.approx(0.52)
    assert prefecture.headcount_ratio_se == pytest.approx(PREFECTURE_SE, rel=1e-12)
    assert scores["64"].headcount_ratio_se == pytest.approx(PREFECTURE_SE, rel=1e-12)  # the same households
    assert (prefecture.headcount_ratio_ci_low, prefecture.headcount_ratio_ci_high) == pytest.approx(
        (0.52 - Z_975 * PREFECTURE_SE, 0.52 + Z_975 * PREFECTURE_SE)
    )
    assert county_a.headcount_ratio == pytest.approx(4 / 11)
    assert county_a.headcount_ratio_se == pytest.approx(COUNTY_A_SE, rel=1e-12)
    # a village is one PSU: no SE (the linearised ratio sums to 0 over it), its estimate is kept
    village = scores[villages["a1"]]
    assert village.headcount_ratio == pytest.approx(2 / 5)
    assert all(getattr(village, f) is None for f in UNCERTAINTY_FIELDS)


def test_every_region_agrees_with_ratio_mean_uncertainty_on_the_same_rows(villages):
    """Cross-check on M0 and the headcount ratio of every region above the villages: the design of
    the test's own rows (strata = county, clusters = village) through ``ratio_mean_uncertainty``."""
    rows_write(villages)
    run = service.recompute(period=2020, methodology=sample_methodology())
    households = HouseholdScore.objects.of_run(run).select_related("region").order_by("household_id")
    paths = [h.region.path for h in households]
    w = np.array([h.persons * h.weight for h in households])
    county = [p.strip("/").split("/")[2] for p in paths]
    village = [p.strip("/").split("/")[4] for p in paths]
    design = survey_design(w, strata=county, clusters=village)
    poor = np.array([h.ratio < 1 for h in households], dtype=float)
    af = np.array([h.deprivation_score if h.deprivation_score >= 1 / 3 - 1e-9 else 0.0 for h in households])
    assert af.max() == pytest.approx(1.0) and 0 < af.mean() < 1  # M0 is not trivially 0 here
    scores = by_code(run)
    checked = 0
    for code, score in scores.items():
        if score.level >= 5 or not score.households:
            continue
        checked += 1
        inside = np.array([f"/{code}/" in p for p in paths])
        group = np.where(inside, 0, 1)
        for measure, phi in (("headcount_ratio", poor), ("mpi_m0", af)):
            with np.errstate(invalid="ignore"):  # the province: nothing outside it
                estimate, se, _ = ratio_mean_uncertainty(design, w * phi, group, 2)
            assert getattr(score, measure) == pytest.approx(estimate[0], abs=1e-12), (code, measure)
            assert getattr(score, f"{measure}_se") == pytest.approx(se[0], rel=1e-9, abs=1e-15), (code, measure)
            low = max(0.0, estimate[0] - Z_975 * se[0])
            high = min(1.0, estimate[0] + Z_975 * se[0])
            assert getattr(score, f"{measure}_ci_low") == pytest.approx(low, abs=1e-12)
            assert getattr(score, f"{measure}_ci_high") == pytest.approx(high, abs=1e-12)
    assert checked >= 5  # the province, the prefecture, both counties and their townships
    for score in scores.values():
        for f in ("headcount_ratio_ci_low", "headcount_ratio_ci_high", "mpi_m0_ci_low", "mpi_m0_ci_high"):
            value = getattr(score, f)
            assert value is None or 0.0 <= value <= 1.0


def test_a_census_has_no_standard_errors(villages):
    rows_write(villages)
    run = service.recompute(period=2020)  # the default v1: a census
    assert validate_parameters(run.methodology.parameters["scores"])["sampling"] == {"design": "census"}
    scores = by_code(run)
    assert scores["6404"].headcount_ratio == pytest.approx(0.52)
    assert all(getattr(s, f) is None for s in scores.values() for f in UNCERTAINTY_FIELDS)


def test_a_stratum_with_one_psu_nulls_the_regions_holding_it_and_logs_a_warning(villages, caplog):
    c = villages_of(COUNTY_C, 1)[0]
    rows_write({**villages, "c1": c}, {**HOUSEHOLDS, "c1": [(2, True, 1.0, True), (2, False, 1.0, True)]})
    with caplog.at_level(logging.WARNING, logger="indicators.services.rollup_uncertainty"):
        run = service.recompute(period=2020, methodology=sample_methodology())
    assert run.is_current
    assert any(COUNTY_C in r.getMessage() and "one sampling unit" in r.getMessage() for r in caplog.records)
    scores = by_code(run)
    for code in (COUNTY_C, "6404", "64"):  # county C is the stratum; the prefecture and province hold it
        assert scores[code].headcount_ratio is not None
        assert all(getattr(scores[code], f) is None for f in UNCERTAINTY_FIELDS), code
    # county A's SE is that of the design without C (a stratum without A's households adds nothing)
    assert scores[COUNTY_A].headcount_ratio_se == pytest.approx(COUNTY_A_SE, rel=1e-12)


def test_household_clusters_and_one_stratum_per_province():
    """The default sample design: each household its own PSU, the province one stratum: the
    with-replacement SE of a ratio, n/(n-1) sum (w (phi - R))^2 / W^2, worked for three households."""
    township = Region.objects.filter(level=4, code__startswith="6404").order_by("code").first()
    village = Region.objects.filter(parent=township).order_by("code").first()
    households_write(
        [
            Row(village.code, 1, wage=POOR, persons=1),
            Row(village.code, 2, wage=2 * RICH, persons=2),
            Row(village.code, 3, wage=POOR, persons=1, weight=2.0),
        ],
        period=2020,
    )
    run = service.recompute(period=2020, methodology=sample_methodology({"design": "sample"}, "sample-srs"))
    score = RegionScore.objects.of_run(run).get(region=village)
    # w = 1, 2, 2; poor 1, 0, 1: R = 3/5; w (phi - R) = 0.4, -1.2, 0.8 (mean 0): 3/2 * 2.24 / 25
    assert score.headcount_ratio == pytest.approx(0.6)
    assert score.headcount_ratio_se == pytest.approx(math.sqrt(1.5 * 2.24 / 25), rel=1e-12)
    # 0.6 -/+ 1.96 x 0.3666 = -0.12 ... 1.32, clipped to the range of a share
    assert (score.headcount_ratio_ci_low, score.headcount_ratio_ci_high) == (0.0, 1.0)


def test_the_fields_are_the_models():
    assert rollup_uncertainty.FIELDS == UNCERTAINTY_FIELDS


@pytest.mark.parametrize(
    ("sampling", "message"),
    [
        ({"design": "survey"}, r"'sampling.design' must be 'census' or 'sample', not 'survey'"),
        ({"design": "census", "strata": "county"}, r"for a census: 'sampling.strata'"),
        ({"design": "sample", "strata": "household"}, r"'sampling.strata' must be one of province, prefecture"),
        ({"design": "sample", "cluster": "province"}, r"'sampling.cluster' must be one of prefecture"),
        ({"design": "sample", "strata": "village", "cluster": "county"}, r"must lie below 'sampling.strata'"),
        ({"design": "sample", "strata": "county", "cluster": "county"}, r"must lie below 'sampling.strata'"),
        ({"design": "sample", "fpc": 10}, r"for a sample: 'sampling.fpc'"),
        ("sample", r"'sampling' must be a mapping"),
    ],
)
def test_sampling_parameter_errors(sampling, message):
    with pytest.raises(ValueError, match=message):
        validate_parameters({"sampling": sampling})


def test_sampling_parameter_defaults():
    assert validate_parameters({})["sampling"] == {"design": "census"}
    assert validate_parameters({"sampling": {"design": "sample"}})["sampling"] == {
        "design": "sample",
        "strata": "province",
        "cluster": "household",
    }
    assert parameters_validate({"scores": {"sampling": SAMPLE}})["scores"]["sampling"] == SAMPLE

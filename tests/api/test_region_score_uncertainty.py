"""``region-scores`` with sampling error (issue 15): the ``*_se``, ``*_ci_low``, ``*_ci_high`` fields,
``sampling_design``, small cells, CSV and the schema."""

import csv
import io

import pytest
import yaml
from rest_framework.test import APIClient

from indicators.models import UNCERTAINTY_FIELDS, Methodology
from indicators.selectors import REGION_SCORE_FIELDS
from indicators.services.methodology import parameters_validate
from regions.models import Assignment, Region, Role
from tests.api.conftest import COUNTY_A, COUNTY_B, client_for, run_publish, scores_write

pytestmark = pytest.mark.django_db
URL = "/api/v1/region-scores/"
COUNTY_C = "640423"
INTERVALS = {
    "headcount_ratio": 0.12,
    "headcount_ratio_se": 0.015,
    "headcount_ratio_ci_low": 0.0906,
    "headcount_ratio_ci_high": 0.1494,
    "mpi_m0": 0.05,
    "mpi_m0_se": 0.01,
    "mpi_m0_ci_low": 0.0304,
    "mpi_m0_ci_high": 0.0696,
}


@pytest.fixture
def sample_run():
    """A run of a methodology with a sample design: county A (1,200 households) with intervals, B a
    small cell (7) with intervals stored, C (200) its complement."""
    methodology = Methodology.objects.create(
        version="s1",
        name="sample",
        parameters=parameters_validate({"scores": {"sampling": {"design": "sample", "strata": "county"}}}),
    )
    run = run_publish(period=2020, methodology=methodology)
    scores_write(
        run,
        {
            "6404": {"households": 1407, **INTERVALS},
            COUNTY_A: {"households": 1200, **INTERVALS},
            COUNTY_B: {"households": 7, **INTERVALS},
            COUNTY_C: {"households": 200, **INTERVALS},
        },
    )
    return run


def rows(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {row["region"]: row for row in response.json()["results"]}


def test_a_sample_runs_rows_carry_the_se_and_interval_and_say_sample(sample_run):
    found = rows(client_for().get(URL, {"period": 2020, "methodology": "s1", "region": COUNTY_A}))
    row = found[COUNTY_A]
    assert {k: row[k] for k in INTERVALS} == INTERVALS
    assert row["sampling_design"] == "sample" and row["methodology"] == "s1"
    fields = list(row)
    assert fields.index("headcount_ratio_se") == fields.index("headcount_ratio") + 1
    assert fields[fields.index("mpi_m0") + 1 : fields.index("mpi_m0") + 4] == [
        "mpi_m0_se",
        "mpi_m0_ci_low",
        "mpi_m0_ci_high",
    ]


def test_a_census_run_says_census_and_has_null_intervals():
    run = run_publish(period=2020)  # the default v1, which predates the parameter: a census
    scores_write(run, {COUNTY_A: {"households": 1200, "headcount_ratio": 0.12}})
    row = rows(client_for().get(URL, {"period": 2020, "region": COUNTY_A}))[COUNTY_A]
    assert row["sampling_design"] == "census" and row["headcount_ratio"] == 0.12
    assert all(row[f] is None for f in UNCERTAINTY_FIELDS)


def test_a_small_cell_hides_its_intervals_from_the_public_but_not_from_its_official(sample_run, people):
    public = rows(client_for().get(URL, {"period": 2020, "methodology": "s1", "region": "6404"}))
    for code in (COUNTY_B, COUNTY_C):  # the small cell and its complement
        assert public[code]["suppressed"] is True
        assert all(public[code][f] is None for f in UNCERTAINTY_FIELDS), code
    assert public[COUNTY_A]["headcount_ratio_se"] == 0.015
    Assignment.objects.create(user=people["outsider"], role=Role.OFFICIAL, region=Region.objects.get(code=COUNTY_B))
    official = rows(client_for(people["outsider"]).get(URL, {"period": 2020, "methodology": "s1", "region": COUNTY_B}))
    assert official[COUNTY_B]["suppressed"] is False and official[COUNTY_B]["mpi_m0_ci_high"] == 0.0696


def test_csv_has_the_interval_columns(sample_run):
    response = client_for().get(URL, {"period": 2020, "methodology": "s1", "format": "csv"})
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(table[0]) == list(REGION_SCORE_FIELDS)
    county = {row["region"]: row for row in table}[COUNTY_A]
    assert float(county["headcount_ratio_se"]) == 0.015 and float(county["mpi_m0_ci_low"]) == 0.0304
    assert county["sampling_design"] == "sample"
    assert {row["region"]: row for row in table}[COUNTY_B]["headcount_ratio_ci_low"] == ""  # suppressed


def test_schema_describes_the_interval_fields_with_their_units():
    schema = yaml.safe_load(APIClient().get("/api/schema/").content)
    fields = schema["components"]["schemas"]["RegionScoreOutput"]["properties"]
    for name in UNCERTAINTY_FIELDS:
        assert fields[name]["type"] == "number" and fields[name]["nullable"] is True, name
        assert "0-1" in fields[name]["description"], name
    assert "census" in fields["headcount_ratio_se"]["description"]
    assert "95 %" in fields["mpi_m0_ci_high"]["description"]
    design = schema["components"]["schemas"][fields["sampling_design"]["allOf"][0]["$ref"].split("/")[-1]]
    assert design["enum"] == ["census", "sample"]

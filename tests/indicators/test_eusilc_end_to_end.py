"""laeken's published eusilc indicators, end to end: the file imported with the shipped mapping,
recomputed under a methodology "equivalised income, relative line at a share of the root's weighted
median", and read back from the root region's ``RegionScore``."""

import csv
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from households.importing.mapping import mapping_import
from indicators.methods.scoring import validate_parameters
from indicators.models import Methodology, RegionScore
from indicators.services.recompute import recompute
from regions.services.custom import regions_import_csv

MAPPINGS = Path(django_settings.BASE_DIR) / "data" / "mappings"
REFERENCE = Path(django_settings.BASE_DIR).parent / "shared" / "reference" / "laeken_eusilc.csv"


def reference() -> dict[tuple[str, str], float]:
    with open(REFERENCE, newline="", encoding="utf-8") as handle:
        return {(r["indicator"], r["parameters"]): float(r["value"]) for r in csv.DictReader(handle)}


def relative_methodology(share: float) -> Methodology:
    return Methodology.objects.create(
        version=f"eusilc-{share}",
        name=f"Equivalised income, relative line at {share:.0%} of the root's weighted median",
        parameters={
            "scores": validate_parameters({"income_basis": "equivalised"}),
            "line": {"type": "relative", "share": share, "of": "median"},
            "mpi_k": 1 / 3,
        },
    )


@pytest.fixture
def eusilc(db, settings, tmp_path, shared_data):
    settings.MEDIA_ROOT = tmp_path / "media"
    regions_import_csv(path=MAPPINGS / "eusilc_regions.csv", scheme="at-eusilc")
    data = (shared_data / "eusilc" / "eusilc.csv").read_bytes()
    result = mapping_import(
        data=data, filename="eusilc.csv", mapping_path=MAPPINGS / "eusilc.yaml", period=2006, user=None, commit=True
    )
    assert result.problems == []


@pytest.mark.shared_data
def test_laeken_reference_values_from_the_root_region_score(eusilc):
    values = reference()
    rates = {0.4: "40%", 0.5: "50%", 0.6: "60%", 0.7: "70%"}
    for share, label in rates.items():
        run = recompute(period=2006, methodology=relative_methodology(share))
        root = RegionScore.objects.of_run(run).get(region__code="AT")
        expected = values[("at_risk_of_poverty_rate", f"x=eqIncome, w=rb050, line={label} of median")]
        assert root.headcount_ratio * 100 == pytest.approx(expected, rel=1e-6), label
        if share != 0.6:
            continue
        line = run.lines["national"]["2006"]["AT"]
        assert line == pytest.approx(
            values[("at_risk_of_poverty_threshold", "x=eqIncome, w=rb050, 60% of median")], rel=1e-6
        )
        assert root.income_median == pytest.approx(values[("weighted_median", "x=eqIncome, w=rb050")], rel=1e-6)
        assert root.income_q20 == pytest.approx(values[("weighted_quantile", "x=eqIncome, w=rb050, p=0.2")], rel=1e-6)
        assert root.income_q80 == pytest.approx(values[("weighted_quantile", "x=eqIncome, w=rb050, p=0.8")], rel=1e-6)
        assert root.s80_s20 == pytest.approx(values[("quintile_share_ratio", "x=eqIncome, w=rb050")], rel=1e-6)
        assert root.gini * 100 == pytest.approx(values[("gini", "x=eqIncome, w=rb050 (laeken formula)")], rel=1e-6)
        rmpg = values[("relative_median_poverty_gap", "x=eqIncome, w=rb050")]
        assert root.relative_median_poverty_gap * 100 == pytest.approx(rmpg, rel=1e-6)
        assert root.households == 6000 and root.persons == 14827
        assert RegionScore.objects.of_run(run).filter(level=2).count() == 9

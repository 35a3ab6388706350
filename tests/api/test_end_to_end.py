"""A real recompute on a tiny data set, read back through the API: hand-computed values, the small
cell of a public county, and the official's unsuppressed township and village."""

import pytest

from indicators.services import recompute as service
from regions.models import Region
from tests.api.conftest import COUNTY_A, client_for
from tests.indicators.builders import Row, households_write

pytestmark = pytest.mark.django_db
URL = "/api/v1/region-scores/"
Z_2020 = 3309.0  # national line 2020 (data/poverty_lines.csv)


def test_recompute_then_read_the_scores_of_county_a(people):
    township = Region.objects.filter(parent_id=COUNTY_A, level=4).order_by("code").first()
    v1, v2 = Region.objects.filter(parent=township).order_by("code").values_list("code", flat=True)[:2]
    households_write(
        [
            Row(v1, 1, wage=10 * 1000, persons=10),  # 10 persons at 1,000 yuan each: poor
            Row(v2, 1, wage=2 * 5000, persons=2),
            Row(v2, 2, wage=2 * 6000, persons=2),
            Row(v2, 3, wage=2 * 7000, persons=2),
        ],
        period=2020,
    )
    run = service.recompute(period=2020)

    official = {
        r["region"]: r for r in client_for(people["official_a"]).get(URL, {"region": COUNTY_A}).json()["results"]
    }
    t = official[township.code]
    # person-weighted: 10 poor persons of 16
    assert t["headcount_ratio"] == pytest.approx(10 / 16)
    assert t["poverty_gap"] == pytest.approx(10 * (Z_2020 - 1000) / Z_2020 / 16)
    assert (t["households"], t["persons"], t["run"], t["suppressed"]) == (4, 16, run.pk, False)
    assert official[v1]["headcount_ratio"] == 1.0 and official[v2]["headcount_ratio"] == 0.0
    assert official[COUNTY_A]["headcount_ratio"] == pytest.approx(10 / 16)

    # the public sees county A (4 surveyed households < 10) as a suppressed row, and no township
    public = client_for().get(URL, {"region": COUNTY_A}).json()["results"]
    assert [(r["region"], r["suppressed"], r["headcount_ratio"], r["households"]) for r in public] == [
        (COUNTY_A, True, None, None)
    ]
    warnings = client_for(people["official_a"]).get("/api/v1/early-warning/", {"village": v1}).json()["results"]
    assert [w["registry_number"] for w in warnings] == [f"{v1}****"]  # masked for an official
    assert "below_monitoring_line" in warnings[0]["reasons"] and warnings[0]["income"] == pytest.approx(1000.0)

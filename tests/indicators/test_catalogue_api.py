"""The indicator catalogue, poverty lines and runs through the public API."""

import pytest
from rest_framework.test import APIClient

from indicators.models import PovertyLine, RegionScore
from indicators.registry import INDICATORS, indicator_get
from indicators.services.lines import line_supersede, lines_for

pytestmark = pytest.mark.django_db


def test_every_indicator_is_a_region_score_field_named_in_both_languages():
    fields = {f.name for f in RegionScore._meta.concrete_fields}
    for indicator in INDICATORS:
        assert indicator.code in fields, indicator.code
        names = indicator.names()
        assert names["en"] and names["zh_hans"] and names["en"] != names["zh_hans"], indicator.code
    assert indicator_get("eqi").names()["zh_hans"] == "脱贫质量指数"
    with pytest.raises(KeyError, match="unknown indicator 'nope'"):
        indicator_get("nope")


def test_indicator_list_filters_by_dimension_and_rejects_unknown_parameters():
    client = APIClient()
    everything = client.get("/api/v1/indicators/").json()
    assert [row["code"] for row in everything] == [i.code for i in INDICATORS]
    income = client.get("/api/v1/indicators/", {"dimension": "income"}).json()
    assert {row["dimension"] for row in income} == {"income"} and len(income) < len(everything)
    bad = client.get("/api/v1/indicators/", {"dimension": "weather"})
    assert bad.status_code == 400 and "Unknown dimension" in bad.json()["dimension"][0]
    assert client.get("/api/v1/indicators/", {"colour": "red"}).status_code == 400


def test_a_superseded_line_is_kept_and_the_new_one_is_used():
    assert lines_for(years=[2020], provinces=["62"])["national"] == {"2020": {"62": 3309.0}}
    line_supersede(year=2020, line_type="national", value=4000, note="revalued")
    line_supersede(year=2020, line_type="monitoring", value=6500, province_code="62")
    lines = lines_for(years=[2020], provinces=["62", "64"])
    assert lines["national"]["2020"] == {"62": 4000.0, "64": 4000.0}
    assert lines["monitoring"]["2020"] == {"62": 6500.0, "64": 6000.0}  # 64: 1.5 x 4,000
    rows = APIClient().get("/api/v1/poverty-lines/", {"year": 2020, "line_type": "national"}).json()["results"]
    assert [(r["value"], r["superseded_at"] is None) for r in rows] == [(3309.0, False), (4000.0, True)]
    assert PovertyLine.objects.filter(year=2020, line_type="national").count() == 2

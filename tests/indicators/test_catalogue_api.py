"""The indicator catalogue, poverty lines and runs through the public API."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from indicators.models import Methodology, PovertyLine, RegionScore
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
    bad = client.get("/api/v1/indicators/", {"dimension": "weather"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "Unknown dimension" in bad.json()["dimension"][0]
    bad = client.get("/api/v1/indicators/", {"dimension": "weather"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad.json()["dimension"][0].startswith("未知维度。可选：composite")  # in the reader's language
    assert client.get("/api/v1/indicators/", {"colour": "red"}).status_code == 400


def test_indicator_formula_and_source_are_english_in_the_api_whatever_the_language():
    client = APIClient()
    for language in ("en", "zh-hans"):
        rows = {row["code"]: row for row in client.get("/api/v1/indicators/", HTTP_ACCEPT_LANGUAGE=language).json()}
        assert rows["headcount_ratio"]["formula"] == "FGT(0): person-weighted share with y < z"
        assert rows["d3_public_services"]["source"].startswith("Tuopin method: the goalposts, weights")
        assert rows["flagged_share"]["source"].startswith(
            "国家乡村振兴局 防止返贫动态监测和帮扶机制 (2021); Tuopin method"
        )
        assert rows["eqi"]["name_zh_hans"] == "脱贫质量指数"


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


def test_after_2020_the_national_line_is_the_monitoring_line_over_one_and_a_half():
    lines = lines_for(years=[2021], provinces=["62"])
    assert lines["national"]["2021"]["62"] == 4000.0 and lines["monitoring"]["2021"]["62"] == 6000.0


def test_poverty_lines_are_validated():
    with pytest.raises(ValidationError) as error:
        PovertyLine(year=1800, line_type="national", province_code="zz", value=0).full_clean()
    assert set(error.value.message_dict) == {"year", "province_code", "value"}
    PovertyLine(year=2022, line_type="monitoring", province_code="62", value=6500).full_clean()


def test_methodology_parameters_and_default_are_checked():
    v1 = Methodology.objects.get(version="v1")
    with pytest.raises(ValidationError, match="unknown parameter"):
        Methodology(version="v2", name="x", parameters={"foo": 1}).full_clean()
    with pytest.raises(ValidationError, match="out of range"):
        Methodology(version="v2", name="x", parameters={"scores": {"weights": {"d1_income": -1}}}).full_clean()
    v1.is_default = False
    with pytest.raises(ValidationError):
        v1.full_clean()
    v2 = Methodology(version="v2", name="relative", parameters={"line": {"type": "relative", "share": 0.6}})
    v2.full_clean()
    assert v2.parameters["line"] == {"type": "relative", "share": 0.6, "of": "median"}
    v2.is_default = True
    v2.save()
    assert list(Methodology.objects.filter(is_default=True)) == [v2]


def test_runs_list_rejects_bad_values():
    client = APIClient()
    assert client.get("/api/v1/runs/", {"period": "99999999999999999999"}).status_code == 400
    assert client.get("/api/v1/runs/", {"current": "maybe"}).status_code == 400
    assert client.get("/api/v1/runs/", {"current": "true"}).json()["count"] == 0

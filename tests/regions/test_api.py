"""/api/v1/regions/: filters, strict parameters, detail, schema, query counts."""

import pytest
from rest_framework.test import APIClient

from regions.models import Region


@pytest.fixture
def api():
    return APIClient()


def _all(api, query: str) -> list[dict]:
    response = api.get(f"/api/v1/regions/?{query}&page_size=5000")
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.mark.django_db
def test_regions_list_poverty_counties_831(api, shared_data):
    rows = _all(api, "level=3&tag=poverty_county_832")
    assert len(rows) == 831
    dongxiang = next(r for r in rows if r["code"] == "622926")
    assert dongxiang["tags"][0]["code"] == "poverty_county_832"
    assert dongxiang["tags"][0]["value"] == 2020
    assert dongxiang["parent"] == "6229" and dongxiang["code12"] == "622926000000"


@pytest.mark.django_db
def test_regions_list_subtree_and_prefix_filters(api):
    subtree = _all(api, "region=6229")
    assert [r["code"] for r in subtree][:2] == ["6229", "622901"]
    assert len(subtree) == 1 + 8  # Linxia prefecture and its 8 counties
    assert {r["code"][:4] for r in subtree} == {"6229"}
    prefix = _all(api, "code_prefix=62&level=2")
    assert len(prefix) == 14 and all(r["code"].startswith("62") and r["level"] == 2 for r in prefix)
    assert len(_all(api, "level=1")) == 31


@pytest.mark.django_db
def test_regions_list_tag_without_values_filters_provinces(api):
    rows = _all(api, "tag=western_province")
    assert [r["code"] for r in rows] == ["15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]
    assert rows[0]["tags"] == [
        {"code": "western_province", "name_zh": "西部省份", "name_en": "Western province", "value": None}
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("level=x", "level"),
        ("level=1.5", "level"),
        ("level=0", "level"),
        ("colour=red", "colour"),
        ("region=999999", "region"),
        ("tag=nope", "tag"),
        ("code_prefix=6%25", "code_prefix"),
        ("page_size=abc&levels=3", "levels"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page_size=0", "page_size"),
        ("page_size=5001", "page_size"),
        ("page_size=-5", "page_size"),
        ("scheme=nonexistent", "scheme"),
        ("level=1&level=2", "level"),
        ("level=99999999999999999999", "level"),
        ("region=G%201", "region"),
    ],
)
def test_regions_list_bad_parameters_are_400_naming_the_parameter(api, query, field):
    response = api.get(f"/api/v1/regions/?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_regions_list_paginates_at_100_by_default(api):
    body = api.get("/api/v1/regions/?level=3").json()
    assert body["count"] == 2978 and len(body["results"]) == 100 and "page=2" in body["next"]


@pytest.mark.django_db
def test_regions_detail_counts_children_and_shows_tags(api, shared_data):
    body = api.get("/api/v1/regions/622926/").json()
    assert body["name"] == "东乡族自治县" and body["children_count"] == 0
    assert {t["code"]: t["value"] for t in body["tags"]} == {
        "poverty_county_832": 2020,
        "three_areas_three_prefectures": None,
    }
    gansu = api.get("/api/v1/regions/62/").json()
    assert gansu["children_count"] == 14 and gansu["level"] == 1 and gansu["parent"] is None


@pytest.mark.django_db
def test_regions_detail_unknown_code_is_404_and_unknown_parameter_400(api):
    assert api.get("/api/v1/regions/99/").status_code == 404
    assert api.get("/api/v1/regions/62/?level=1").status_code == 400


@pytest.mark.django_db
def test_regions_list_query_count_does_not_grow_with_rows(api, django_assert_num_queries):
    with django_assert_num_queries(4):  # count, page, tag validation, prefetch of tags
        assert (
            len(api.get("/api/v1/regions/?level=3&page_size=10&tag=three_areas_three_prefectures").json()["results"])
            == 10
        )
    with django_assert_num_queries(3):
        assert len(api.get("/api/v1/regions/?level=3&page_size=10").json()["results"]) == 10
    with django_assert_num_queries(3):
        assert len(api.get("/api/v1/regions/?level=3&page_size=1000").json()["results"]) == 1000


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served_from_local_assets(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/regions/{code}/" in text and "code_prefix" in text
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


@pytest.mark.django_db
def test_regions_list_shows_other_schemes_only_when_asked(api):
    Region.objects.create(code="AT", name="Austria", level=1, path="/AT/", scheme="nuts")
    assert "AT" not in [r["code"] for r in _all(api, "level=1")]
    assert [r["code"] for r in _all(api, "scheme=nuts")] == ["AT"]
    assert "AT" in [r["code"] for r in _all(api, "scheme=all&level=1")]
    assert api.get("/api/v1/regions/AT/").json()["scheme"] == "nuts"

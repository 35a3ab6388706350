"""The national map page, region pages and the boundary GeoJSON."""

import gzip
import json

import pytest


@pytest.mark.django_db
def test_home_embeds_every_county_with_its_tag_value(client, shared_data):
    response = client.get("/?tag=poverty_county_832", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    data = response.context["map_data"]
    values = {c["code"]: c["value"] for c in data["counties"]}
    assert len(values) == 2978
    assert values["622926"] == 2020 and values["620102"] is None
    assert sum(v is not None for v in values.values()) == 831
    assert data["topojsonUrl"] == "/static/vendor/plotly-topojson/"
    html = response.content.decode()
    assert "/static/vendor/plotly-4.1.1.min.js" in html and "831 of 2978 counties" in html


@pytest.mark.django_db
def test_home_tag_of_a_province_colours_its_counties(client):
    data = client.get("/?tag=western_province").context["map_data"]
    values = {c["code"]: c["value"] for c in data["counties"]}
    assert values["622926"] is True and values["110101"] is None
    assert sum(v is True for v in values.values()) == sum(
        1 for code in values if code[:2] in {"15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
    )


@pytest.mark.django_db
def test_home_unknown_tag_is_404(client):
    assert client.get("/?tag=nope").status_code == 404


@pytest.mark.django_db
def test_home_speaks_chinese_and_english(client):
    zh = client.get("/?tag=western_province", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    en = client.get("/?tag=western_province", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "全国县级地图" in zh and "按此着色" in zh
    assert "National county map" in en and "Colour counties by" in en
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "National county map" in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()


@pytest.mark.django_db
def test_region_page_lists_children_with_their_counts(client):
    response = client.get("/regions/6229/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    children = response.context["children"]
    assert [c.code for c in children] == [
        "622901",
        "622921",
        "622922",
        "622923",
        "622924",
        "622925",
        "622926",
        "622927",
    ]
    html = response.content.decode()
    assert "临夏回族自治州" in html and "东乡族自治县" in html and "8 child regions" in html
    assert [a.code for a in response.context["ancestors"]] == ["62"]


@pytest.mark.django_db
def test_region_page_unknown_code_is_404(client):
    assert client.get("/regions/99/").status_code == 404


@pytest.mark.django_db
def test_boundaries_geojson_counties_with_taiwan_and_conditional_get(client):
    response = client.get("/geo/3.geojson", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(response.content))
    codes = {f["properties"]["code"] for f in body["features"]}
    assert len(codes) == 2875 and {"710000", "810001", "654203", "622926"} <= codes
    assert "max-age" in response["Cache-Control"]
    again = client.get("/geo/3.geojson", HTTP_IF_NONE_MATCH=response["ETag"], HTTP_ACCEPT_ENCODING="gzip")
    assert again.status_code == 304
    assert client.get("/geo/4.geojson").status_code == 404


@pytest.mark.django_db
def test_pages_answer_head_requests(client):
    for url in ("/", "/regions/62/", "/geo/3.geojson"):
        assert client.head(url).status_code == 200, url
    assert client.post("/regions/62/").status_code == 405


@pytest.mark.django_db
def test_region_page_names_tags_in_the_reader_language(client, shared_data):
    html = client.get("/regions/6229/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "National poverty county (the 832): 2020" in html and "poverty_county_832" not in html

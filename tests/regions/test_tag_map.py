"""``/map/tags/`` opens on a tag that colours counties, and says so when the 832 list is not loaded."""

import re

import pytest
from django.conf import settings

from regions.models import RegionTag, Tag
from regions.views import default_map_tag

MISSING_EN = "The list of the 832 national poverty counties is not loaded"
MISSING_ZH = "832个国家级贫困县名单尚未导入"


def _without_the_832_list():
    RegionTag.objects.filter(tag__code="poverty_county_832").delete()  # as on a machine without the CSV


def test_default_tag_prefers_the_832_then_the_first_tag_with_counties():
    tags = [Tag(code="poverty_county_832"), Tag(code="three_areas_three_prefectures"), Tag(code="western_province")]
    every = {"poverty_county_832", "three_areas_three_prefectures", "western_province"}
    assert default_map_tag(tags=tags, with_counties=every) == "poverty_county_832"
    assert default_map_tag(tags=tags, with_counties=every - {"poverty_county_832"}) == "three_areas_three_prefectures"
    assert default_map_tag(tags=tags, with_counties={"western_province"}) == "western_province"
    assert default_map_tag(tags=tags, with_counties=set()) == "poverty_county_832"  # nothing anywhere: still a tag
    assert default_map_tag(tags=[], with_counties=set()) == ""


@pytest.mark.django_db
def test_map_opens_on_the_832_counties_when_their_list_is_loaded(client, shared_data):
    response = client.get("/map/tags/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["map_data"]["tag"] == "poverty_county_832"
    assert response.context["tagged"] == 831
    assert response.context["poverty_counties_missing"] is False
    assert MISSING_EN not in response.content.decode()


@pytest.mark.django_db
def test_map_without_the_832_list_opens_on_a_tag_with_counties_and_says_why(client):
    _without_the_832_list()
    response = client.get("/map/tags/", HTTP_ACCEPT_LANGUAGE="en")
    data = response.context["map_data"]
    assert data["tag"] == "three_areas_three_prefectures"
    tagged = sum(c["value"] is not None for c in data["counties"])
    # every county of 三区三州 (the set tests/regions/test_tags.py derives from the definition): 215
    stored = RegionTag.objects.filter(tag__code="three_areas_three_prefectures", region__level=3).count()
    assert tagged == response.context["tagged"] == stored == 215
    html = response.content.decode()
    assert MISSING_EN in html and "import_region_tags --poverty-counties" in html
    assert "Shown instead: Three areas and three prefectures." in html
    assert '<option value="three_areas_three_prefectures" selected>' in html

    zh = client.get("/map/tags/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert MISSING_ZH in zh and "现显示：三区三州。" in zh

    # asked for by name, the empty tag is shown (no county coloured), with the same notice
    asked = client.get("/map/tags/?tag=poverty_county_832", HTTP_ACCEPT_LANGUAGE="en")
    assert asked.context["tagged"] == 0 and asked.context["map_data"]["tag"] == "poverty_county_832"
    assert MISSING_EN in asked.content.decode() and "Shown instead" not in asked.content.decode()


@pytest.mark.django_db
def test_tag_map_page_gets_its_colours_from_the_one_palette_module(client):
    colours = client.get("/map/tags/?tag=western_province").context["map_data"]["colours"]
    assert colours == {
        "noData": "#f0f0f0",
        "notTagged": "#ffffff",
        "notTaggedLine": "#c0c4ca",
        "tag": "#2b6cb0",
        "tagScale": ["#9ecae1", "#08519c"],
    }


@pytest.mark.django_db
def test_readme_first_tag_example_answers_counties_without_the_832_list(client):
    _without_the_832_list()
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    first = re.search(r"curl '(http://127\.0\.0\.1:8000)?(/api/v1/regions/\?[^']*tag=[^']*)'", readme)
    assert first is not None
    assert "tag=three_areas_three_prefectures" in first.group(2)
    body = client.get(first.group(2)).json()
    assert body["count"] == 215 and len(body["results"]) == 215

"""import_boundaries: polygons keyed by current codes through the crosswalk, gaps named."""

from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command

from regions.models import Boundary, RegionTag
from regions.services.boundaries import boundaries_import


def _coverage(level: int):
    return next(c for c in boundaries_import().coverage if c.level == level)


@pytest.mark.django_db
def test_import_boundaries_every_tagged_poverty_county_has_a_polygon(shared_data):
    tagged = set(RegionTag.objects.filter(tag__code="poverty_county_832").values_list("region__code", flat=True))
    assert len(tagged) == 831
    with_polygon = set(Boundary.objects.filter(level=3).values_list("code", flat=True))
    assert tagged - with_polygon == set()


@pytest.mark.django_db
def test_import_boundaries_crosswalk_maps_old_codes_to_current_ones():
    shawan = Boundary.objects.get(level=3, code="654203")
    assert (shawan.source_code, shawan.name) == ("654223", "沙湾市")
    assert Boundary.objects.get(level=3, code="620201").source_code == "620200"
    assert not Boundary.objects.filter(level=3, code="654223").exists()


@pytest.mark.django_db
def test_import_boundaries_reports_counties_without_polygon_and_polygons_without_county():
    county = _coverage(3)
    missing = dict(county.regions_without_polygon)
    assert len(missing) == 130  # 124 development zones (xx7x) + 6 units newer than the boundary file
    assert sum(1 for code in missing if code[4] == "7") == 124
    assert {"232762", "232763", "232764", "460323", "659011", "659012"} <= set(missing)
    assert missing["620171"] == "兰州新区"
    extra = dict(county.polygons_without_region)
    assert len(extra) == 27 and extra["710000"] == "台湾省"
    assert sum(1 for code in extra if code.startswith(("81", "82"))) == 26
    assert len(county.crosswalked) == 14


@pytest.mark.django_db
def test_import_boundaries_second_run_writes_nothing():
    result = boundaries_import()
    assert (result.created, result.updated, result.deleted) == (0, 0, 0)


@pytest.mark.django_db
def test_import_boundaries_command_names_the_gaps():
    out = StringIO()
    call_command("import_boundaries", stdout=out)
    text = out.getvalue()
    assert "county: 2875 polygons, 2978 regions; 14 codes crosswalked; 130 regions without a polygon" in text
    assert "no polygon: 620171 兰州新区" in text
    assert "crosswalk 654223 -> 654203" in text


@pytest.mark.django_db
def test_boundary_geometry_outer_rings_are_clockwise():
    # d3/Plotly fill the outside of a counter-clockwise outer ring: the whole globe.
    def signed_area(ring):
        return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)) / 2

    for geometry in Boundary.objects.filter(level=3).values_list("geometry", flat=True):
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            assert signed_area(polygon[0]) < 0

"""The national map page, region pages and the boundary GeoJSON."""

import gzip
import json

import pytest

from regions.selectors import boundary_rows


@pytest.mark.django_db
def test_home_embeds_every_county_with_its_tag_value(client, shared_data):
    response = client.get("/map/tags/?tag=poverty_county_832", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    data = response.context["map_data"]
    values = {c["code"]: c["value"] for c in data["counties"]}
    assert len(values) == 2978
    assert values["622926"] == 2020 and values["620102"] is None
    assert sum(v is not None for v in values.values()) == 831
    assert data["topojsonUrl"] == "/static/vendor/plotly-topojson/"
    html = response.content.decode()
    assert "/static/vendor/plotly-tuopin-3.7.0.min.js" in html and "831 of 2978 counties" in html


@pytest.mark.django_db
def test_home_tag_of_a_province_colours_its_counties(client):
    data = client.get("/map/tags/?tag=western_province").context["map_data"]
    values = {c["code"]: c["value"] for c in data["counties"]}
    assert values["622926"] is True and values["110101"] is None
    assert sum(v is True for v in values.values()) == sum(
        1 for code in values if code[:2] in {"15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
    )


@pytest.mark.django_db
def test_home_unknown_tag_is_404(client):
    assert client.get("/map/tags/?tag=nope").status_code == 404


@pytest.mark.django_db
def test_home_speaks_chinese_and_english(client):
    zh = client.get("/map/tags/?tag=western_province", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    en = client.get("/map/tags/?tag=western_province", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "全国县级地图" in zh and "按此着色" in zh
    assert "National county map" in en and "Colour counties by" in en
    client.post("/i18n/setlang/", {"language": "en", "next": "/map/tags/"})
    assert "National county map" in client.get("/map/tags/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()


@pytest.mark.django_db
def test_region_page_lists_children_with_their_counts(client):
    response = client.get("/regions/6229/tree/", HTTP_ACCEPT_LANGUAGE="en")
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
    assert client.get("/regions/99/tree/").status_code == 404


@pytest.mark.django_db
def test_pages_answer_head_requests(client):
    for url in (
        "/",
        "/regions/62/",
        "/map/tags/",
        "/regions/62/tree/",
        "/geo/3.topojson",
        "/methodology/",
    ):
        assert client.head(url).status_code == 200, url
    assert client.post("/regions/62/").status_code == 405 and client.post("/regions/62/tree/").status_code == 405


@pytest.mark.django_db
def test_region_page_names_tags_in_the_reader_language(client, shared_data):
    html = client.get("/regions/6229/tree/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "National poverty county (the 832): 2020" in html and "poverty_county_832" not in html


def _decode_topojson(topology: dict) -> dict[str, list]:
    """code -> MultiPolygon coordinates, decoded as any TopoJSON client does (delta, scale, translate;
    a ring joins its arcs, ``~i`` walking arc ``i`` backwards)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([round(x * sx + tx, 3), round(y * sy + ty, 3)])
        arcs.append(points)

    def ring(refs: list[int]) -> list[list[float]]:
        points: list[list[float]] = []
        for ref in refs:
            line = arcs[ref] if ref >= 0 else arcs[~ref][::-1]
            points.extend(line if not points else line[1:])
        return points

    return {
        g["id"]: [[ring(refs) for refs in polygon] for polygon in g["arcs"]]
        for g in topology["objects"]["regions"]["geometries"]
    }


def _same_ring(decoded: list[list[float]], stored: list[list[float]]) -> bool:
    """The decoded ring is the stored one (three decimals, repeats dropped), perhaps from another start."""
    points = []
    for x, y in stored:
        point = [round(x, 3), round(y, 3)]
        if not points or point != points[-1]:
            points.append(point)
    body, other = points[:-1], decoded[:-1]
    if len(body) != len(other) or body[0] not in other:
        return False
    start = other.index(body[0])
    return other[start:] + other[:start] == body


@pytest.mark.django_db
def test_topojson_counties_under_800_kb_gzipped_every_county_drawable_and_lossless(client):
    response = client.get("/geo/3.topojson", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert len(response.content) <= 800_000  # was 1.19 MB as GeoJSON, 0.71 MB with an arc per ring
    assert "max-age" in response["Cache-Control"] and "Accept-Encoding" in response["Vary"]
    topology = json.loads(gzip.decompress(response.content))
    decoded = _decode_topojson(topology)
    stored = {code: geometry for _level, code, _name, geometry in boundary_rows(3)}
    assert set(decoded) == set(stored) and {"710000", "810001", "654203", "622926"} <= set(decoded)  # Taiwan too
    assert len(decoded) == 2875 and all(len(rings) >= 1 for rings in decoded.values())
    for code, geometry in stored.items():  # quantised to 0.001 degree: the stored three decimals survive
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        kept = [ring for polygon in polygons for ring in polygon if len({tuple(p) for p in ring}) >= 3]
        rings = [ring for polygon in decoded[code] for ring in polygon]
        assert len(rings) == len(kept), code
        assert all(_same_ring(d, s) for d, s in zip(rings, kept, strict=True)), code
    # neighbours share their borders: of the 9,580 arcs 8,502 are drawn by two counties, one walking
    # them backwards; 622921 (临夏县) and 622927 (积石山县) are one such pair
    uses: dict[int, list[bool]] = {}
    arcs_of: dict[str, set[int]] = {}
    for g in topology["objects"]["regions"]["geometries"]:
        for ref in (r for polygon in g["arcs"] for ring in polygon for r in ring):
            uses.setdefault(ref if ref >= 0 else ~ref, []).append(ref >= 0)
            arcs_of.setdefault(g["id"], set()).add(ref if ref >= 0 else ~ref)
    shared = [arc for arc, forwards in uses.items() if sorted(forwards) == [False, True]]
    assert len(shared) > 0.8 * len(topology["arcs"])
    assert arcs_of["622921"] & arcs_of["622927"]
    again = client.get("/geo/3.topojson", HTTP_IF_NONE_MATCH=response["ETag"], HTTP_ACCEPT_ENCODING="gzip")
    assert again.status_code == 304
    plain = client.get("/geo/3.topojson")
    assert "Content-Encoding" not in plain and json.loads(plain.content)["type"] == "Topology"
    assert plain["ETag"] != response["ETag"]
    assert client.get("/geo/4.topojson").status_code == 404
    assert client.get("/geo/3.topojson?detail=nope").status_code == 400
    assert client.get("/geo/3.topojson?detail=national&detail=full").status_code == 400  # which one?


@pytest.mark.django_db
def test_topojson_national_detail_draws_every_county_with_a_fifth_of_the_points(client):
    full = json.loads(client.get("/geo/3.topojson").content)
    national = client.get("/geo/3.topojson?detail=national", HTTP_ACCEPT_ENCODING="gzip")
    assert national.status_code == 200 and national["ETag"] != client.get("/geo/3.topojson")["ETag"]
    decoded_full = _decode_topojson(full)
    decoded = _decode_topojson(json.loads(gzip.decompress(national.content)))
    assert set(decoded) == set(decoded_full) and len(decoded) == 2875

    def points(d: dict) -> int:
        return sum(len(ring) - 1 for polygons in d.values() for polygon in polygons for ring in polygon)

    assert points(decoded) < points(decoded_full) / 4
    assert all(len(ring) >= 4 for polygons in decoded.values() for polygon in polygons for ring in polygon)
    # the simplified lines stay within the tolerance: every kept point is a stored point
    stored = {tuple(p) for polygons in decoded_full.values() for polygon in polygons for ring in polygon for p in ring}
    assert all(
        tuple(p) in stored for polygons in decoded.values() for polygon in polygons for ring in polygon for p in ring
    )


@pytest.mark.django_db
def test_admin_assigns_a_region_found_by_its_code_not_by_its_internal_id(admin_client):
    """The assignment form searches regions by code or name (autocomplete); it never takes a typed
    number as the internal id, which once turned Gansu's code 62 into the region whose id is 62."""
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "regions", "model_name": "assignment", "field_name": "region", "term": "62"},
    )
    assert response.status_code == 200
    texts = [r["text"] for r in response.json()["results"]]
    assert texts[0] == "甘肃省 (62)" and all("(62" in t for t in texts)
    form = admin_client.get("/admin/regions/assignment/add/").content.decode()
    assert "admin-autocomplete" in form and "vForeignKeyRawIdAdminField" not in form


@pytest.mark.django_db
def test_region_pages_without_children_say_why_without_admin_commands_for_the_public(client):
    from regions.models import Region

    village = Region.objects.filter(scheme="cn", level=5).first()
    html = client.get(f"/regions/{village.code}/tree/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No child regions." in html and "import_divisions" not in html  # a village has none to load
    empty = Region.objects.filter(scheme="cn", level=3, children__isnull=True).first()
    html = client.get(f"/regions/{empty.code}/tree/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No child regions are loaded here yet." in html and "import_divisions" not in html

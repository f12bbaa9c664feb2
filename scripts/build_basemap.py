"""Build Cabinet's offline basemap from Natural Earth (public domain), as carried by the npm
package world-atlas 2.0.2 (TopoJSON at 1:110m, 1:50m and 1:10m).

    cd "$(mktemp -d)" && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/build_basemap.py PATH/TO/package [--out FOLDER]   (default: the app's resources)

For each scale it writes ``ne-<scale>.bin`` (read by app/core/geo/basemap.py): the land
polygons (coastlines are their outlines) and the land borders between countries (arcs that
two different countries share), as zlib-compressed int32 deltas of 1e-5 degrees.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import zlib
from array import array
from pathlib import Path

from app.resources import resources_dir

SCALES = ("110m", "50m", "10m")
MAGIC = b"CABMAP1\0"
UNIT = 1e-5  # degrees per stored unit


def _decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    transform = topo.get("transform")
    out: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        points: list[tuple[float, float]] = []
        if transform:
            sx, sy = transform["scale"]
            tx, ty = transform["translate"]
            x = y = 0
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(p[0], p[1]) for p in arc]
        out.append(points)
    return out


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        part = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(part[1:] if ring else part)
    return ring


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def build(package: Path, scale: str) -> bytes:
    topo = json.loads((package / f"countries-{scale}.json").read_text())
    arcs = _decode_arcs(topo)
    polygons: list[list[list[tuple[float, float]]]] = []
    for geometry in topo["objects"]["land"]["geometries"]:
        for polygon in _polygons(geometry):
            polygons.append([_ring(arcs, ring) for ring in polygon])
    # Borders: arcs used by two different countries.
    owners: dict[int, set[int]] = {}
    for n, geometry in enumerate(topo["objects"]["countries"]["geometries"]):
        for polygon in _polygons(geometry):
            for ring in polygon:
                for i in ring:
                    owners.setdefault(i if i >= 0 else ~i, set()).add(n)
    lines = [arcs[i] for i, who in sorted(owners.items()) if len(who) > 1]

    rings_per_polygon = array("I", (len(p) for p in polygons))
    all_rings = [ring for p in polygons for ring in p] + lines
    points_per_ring = array("I", (len(r) for r in all_rings))
    coords = array("i")
    for ring in all_rings:
        px = py = 0
        for lon, lat in ring:
            qx, qy = round(lon / UNIT), round(lat / UNIT)
            coords.append(qx - px)
            coords.append(qy - py)
            px, py = qx, qy
    header = struct.pack("<8sIIII", MAGIC, len(polygons), len(all_rings) - len(lines), len(lines),
                         len(coords) // 2)
    body = rings_per_polygon.tobytes() + points_per_ring.tobytes() + coords.tobytes()
    return header + zlib.compress(body, 9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="the unpacked world-atlas package folder")
    parser.add_argument("--out", type=Path, default=resources_dir() / "basemap")
    args = parser.parse_args(argv)
    if not (args.package / "countries-110m.json").is_file():
        print(f"{args.package} does not hold world-atlas (countries-110m.json is missing)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for scale in SCALES:
        data = build(args.package, scale)
        (args.out / f"ne-{scale}.bin").write_bytes(data)
        print(f"ne-{scale}.bin: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

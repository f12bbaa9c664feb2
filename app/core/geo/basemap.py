"""The offline basemap (Natural Earth land and country borders, made by scripts/build_basemap.py):
decoding its bytes into rings in unit Web Mercator coordinates, each with its bounding box."""

from __future__ import annotations

import struct
import zlib
from array import array
from itertools import accumulate

from app.core.geo.mercator import project_x, project_y

MAGIC = b"CABMAP1\0"
UNIT = 1e-5
_HEADER = struct.Struct("<8sIIII")
# Which scale draws at which zoom: coarse first (zoom below the bound → that scale).
SCALES: tuple[tuple[str, float], ...] = (("110m", 3.0), ("50m", 6.0), ("10m", 99.0))


def scale_for(zoom: float) -> str:
    for name, below in SCALES:
        if zoom < below:
            return name
    return SCALES[-1][0]


class BasemapError(ValueError):
    pass


class Ring:
    """A run of points in unit coordinates, flattened (x0, y0, x1, y1, …), and its box."""

    __slots__ = ("coords", "box")

    def __init__(self, coords: list[float]) -> None:
        self.coords = coords
        xs, ys = coords[0::2], coords[1::2]
        self.box = (min(xs), min(ys), max(xs), max(ys))


class Basemap:
    """Land polygons (a list of rings each: the outline then its holes) and border lines."""

    __slots__ = ("polygons", "lines", "point_count")

    def __init__(self, polygons: list[list[Ring]], lines: list[Ring], point_count: int) -> None:
        self.polygons = polygons
        self.lines = lines
        self.point_count = point_count


def _unwrap(xs: list[float]) -> list[float]:
    """A ring that jumps across the antimeridian made continuous (x then runs past 0 or 1; the
    drawing repeats the world). A ring that crosses it once (around a pole) stays as it is."""
    out = [xs[0]]
    shift = 0.0
    for prev, x in zip(xs, xs[1:], strict=False):
        if x - prev > 0.5:
            shift -= 1.0
        elif prev - x > 0.5:
            shift += 1.0
        out.append(x + shift)
    return out if shift == 0.0 else xs


def decode(data: bytes) -> Basemap:
    if len(data) < _HEADER.size:
        raise BasemapError("the basemap file is too short")
    magic, n_polygons, n_rings, n_lines, n_points = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise BasemapError("not a Cabinet basemap file")
    try:
        body = zlib.decompress(data[_HEADER.size:])
    except zlib.error as exc:
        raise BasemapError(f"the basemap file is damaged ({exc})") from None
    rings_per_polygon = array("I")
    points_per_ring = array("I")
    coords = array("i")
    a = 4 * n_polygons
    b = a + 4 * (n_rings + n_lines)
    if len(body) != b + 8 * n_points:
        raise BasemapError("the basemap file is damaged (its sizes do not add up)")
    rings_per_polygon.frombytes(body[:a])
    points_per_ring.frombytes(body[a:b])
    coords.frombytes(body[b:])
    lngs = coords[0::2]
    lats = coords[1::2]
    runs: list[Ring] = []
    start = 0
    for count in points_per_ring:
        end = start + count
        xs = _unwrap([project_x(v * UNIT) for v in accumulate(lngs[start:end])])
        ys = [project_y(v * UNIT) for v in accumulate(lats[start:end])]
        flat = [0.0] * (2 * count)
        flat[0::2] = xs
        flat[1::2] = ys
        runs.append(Ring(flat))
        start = end
    polygons: list[list[Ring]] = []
    at = 0
    for count in rings_per_polygon:
        polygons.append(runs[at:at + count])
        at += count
    return Basemap(polygons, runs[n_rings:], n_points)

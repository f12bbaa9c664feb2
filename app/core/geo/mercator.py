"""Web Mercator (EPSG:3857) in unit coordinates: x and y in [0, 1), x east from -180°, y south
from the top edge at 85.0511°N. A world of 256·2^zoom pixels, as XYZ tiles use."""

from __future__ import annotations

import math
from collections.abc import Sequence

MAX_LAT = 85.05112878
TILE_SIZE = 256
EARTH_CIRCUMFERENCE = 40_075_016.686  # metres at the equator
MIN_ZOOM = 0.0
MAX_ZOOM = 20.0


def clamp_lat(lat: float) -> float:
    return max(-MAX_LAT, min(MAX_LAT, lat))


def normalize_lng(lng: float) -> float:
    """The longitude in [-180, 180)."""
    return (lng + 180.0) % 360.0 - 180.0


def project(lng: float, lat: float) -> tuple[float, float]:
    """(lng, lat) in degrees → unit (x, y)."""
    s = math.sin(math.radians(clamp_lat(lat)))
    return (lng + 180.0) / 360.0, 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)


def project_x(lng: float) -> float:
    return (lng + 180.0) / 360.0


def project_y(lat: float) -> float:
    s = math.sin(math.radians(clamp_lat(lat)))
    return 0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)


def project_ys(lats: Sequence[float]) -> list[float]:
    """project_y of many latitudes (one pass, no call per value)."""
    sin, log, rad, top, k = math.sin, math.log, math.radians, MAX_LAT, 1 / (4 * math.pi)
    out = []
    for lat in lats:
        s = sin(rad(top if lat > top else -top if lat < -top else lat))
        out.append(0.5 - log((1 + s) / (1 - s)) * k)
    return out


def unproject(x: float, y: float) -> tuple[float, float]:
    """Unit (x, y) → (lng, lat) in degrees; x wraps, so any x gives a longitude in [-180, 180)."""
    lng = normalize_lng(x * 360.0 - 180.0)
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))
    return lng, lat


def world_size(zoom: float) -> float:
    """The width of the whole world in pixels at ``zoom``."""
    return TILE_SIZE * 2.0 ** zoom


def metres_per_pixel(lat: float, zoom: float) -> float:
    return EARTH_CIRCUMFERENCE * math.cos(math.radians(clamp_lat(lat))) / world_size(zoom)


def clamp_zoom(zoom: float) -> float:
    return max(MIN_ZOOM, min(MAX_ZOOM, zoom))


def lng_span(lngs: Sequence[float]) -> tuple[float, float]:
    """The shortest run of longitudes holding every one of ``lngs``: (west, east) with east ≥ west,
    east possibly past 180 when the run crosses the antimeridian (a map over the Pacific)."""
    if not lngs:
        return -180.0, 180.0
    ordered = sorted(normalize_lng(v) for v in lngs)
    # The widest gap between neighbours (the wrap-around one included) is what is left out.
    best_gap, best_at = ordered[0] + 360.0 - ordered[-1], 0
    for i in range(1, len(ordered)):
        gap = ordered[i] - ordered[i - 1]
        if gap > best_gap:
            best_gap, best_at = gap, i
    west = ordered[best_at]
    east = ordered[best_at - 1] if best_at > 0 else ordered[-1]
    if east < west:
        east += 360.0
    return west, east


def x_span(xs: Sequence[float]) -> tuple[float, float]:
    """The shortest run of unit x (wrapping at 1) holding every one of ``xs``: (west, east),
    east ≥ west and possibly past 1 when the run crosses the antimeridian."""
    if not xs:
        return 0.0, 1.0
    ordered = sorted(x % 1.0 for x in xs)
    gaps = [b - a for a, b in zip(ordered, ordered[1:], strict=False)]
    wrap_gap = ordered[0] + 1.0 - ordered[-1]
    widest = max(range(len(gaps)), key=gaps.__getitem__) if gaps else -1
    if widest < 0 or wrap_gap >= gaps[widest]:
        return ordered[0], ordered[-1]
    return ordered[widest + 1], ordered[widest] + 1.0


def fit_unit(xs: Sequence[float], ys: Sequence[float], width: int, height: int, *, padding: int = 40,
             max_zoom: float = 15.0) -> tuple[float, float, float]:
    """(centre x, centre y, zoom) in unit coordinates that shows every point in width × height px."""
    if not xs:
        return 0.5, 0.5, 1.0
    west, east = x_span(xs)
    top, bottom = min(ys), max(ys)
    usable_w = max(width - 2 * padding, 16)
    usable_h = max(height - 2 * padding, 16)
    zooms = [max_zoom]
    if east > west:
        zooms.append(math.log2(usable_w / ((east - west) * TILE_SIZE)))
    if bottom > top:
        zooms.append(math.log2(usable_h / ((bottom - top) * TILE_SIZE)))
    return ((west + east) / 2.0) % 1.0, (top + bottom) / 2.0, clamp_zoom(min(zooms))


def fit(lngs: Sequence[float], lats: Sequence[float], width: int, height: int, *,
        padding: int = 40, max_zoom: float = 15.0) -> tuple[float, float, float]:
    """(center lng, center lat, zoom) that shows every point in a view of width × height pixels."""
    if not lngs:
        return 0.0, 20.0, 1.0
    cx, cy, zoom = fit_unit([project_x(v) for v in lngs], project_ys(lats), width, height,
                            padding=padding, max_zoom=max_zoom)
    lng, lat = unproject(cx, cy)
    return lng, lat, zoom


_NICE = (1, 2, 5)


def scale_bar(lat: float, zoom: float, max_px: int) -> tuple[int, str]:
    """The longest round distance that fits in ``max_px`` pixels: (its length in px, its text)."""
    mpp = metres_per_pixel(lat, zoom)
    if mpp <= 0:
        return 0, ""
    limit = mpp * max_px
    magnitude = 10 ** math.floor(math.log10(limit))
    metres = magnitude
    for step in _NICE:
        if step * magnitude <= limit:
            metres = step * magnitude
    px = int(round(metres / mpp))
    text = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    return px, text

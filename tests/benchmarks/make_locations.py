"""Believable Mapiry locations for the map benchmarks and tests: spread over the world's land
(around big cities) or packed into one city, with layers and categories."""

from __future__ import annotations

import random
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from app.storage import Cache
from tests.benchmarks.make_cache import reuse_or_make

MAP_ID = "map_bench"
LAYERS = [("Visited", "#e6194b"), ("Wishlist", "#3cb44b"), ("Food", "#f58231"), ("Museums", "#4363d8"),
          ("Parks", "#46a0a0")]
CATEGORIES = [("Restaurant", "#d35400"), ("Sight", "#8e44ad"), ("Shop", "#16a085")]
CITIES = [(48.8566, 2.3522), (51.5074, -0.1278), (40.7128, -74.0060), (35.6895, 139.6917),
          (-33.8688, 151.2093), (-23.5505, -46.6333), (55.7558, 37.6173), (19.4326, -99.1332),
          (28.6139, 77.2090), (30.0444, 31.2357), (-1.2921, 36.8219), (64.1466, -21.9426),
          (-36.8485, 174.7633), (21.3069, -157.8583), (1.3521, 103.8198), (61.2181, -149.9003)]
PARIS = (48.8566, 2.3522)


def _id(rnd: random.Random, prefix: str) -> str:
    return f"{prefix}_{uuid.UUID(int=rnd.getrandbits(128), version=4).hex[:20]}"


def layer_records(map_id: str = MAP_ID) -> list[dict]:
    return [{"id": f"lyr_{i}", "mapId": map_id, "name": name, "color": color, "order": i}
            for i, (name, color) in enumerate(LAYERS)]


def category_records(map_id: str = MAP_ID) -> list[dict]:
    return [{"id": f"cat_{i}", "mapId": map_id, "name": name, "color": color}
            for i, (name, color) in enumerate(CATEGORIES)]


def fake_locations(n: int, spread: str = "world", *, seed: int = 11, map_id: str = MAP_ID) -> Iterator[dict]:
    rnd = random.Random(seed)
    layers = layer_records(map_id)
    for i in range(n):
        if spread == "city":
            lat, lng = PARIS[0] + rnd.gauss(0, 0.04), PARIS[1] + rnd.gauss(0, 0.06)
        elif rnd.random() < 0.7:
            clat, clng = rnd.choice(CITIES)
            lat, lng = clat + rnd.gauss(0, 1.5), clng + rnd.gauss(0, 2.0)
        else:
            lat, lng = rnd.uniform(-55, 70), rnd.uniform(-180, 180)
        lat = max(-85.0, min(85.0, lat))
        lng = (lng + 180.0) % 360.0 - 180.0
        chosen = rnd.sample(layers, rnd.choice([0, 1, 1, 1, 2]))
        yield {
            "id": _id(rnd, "loc"), "mapId": map_id, "name": f"Place {i:05d}", "lat": round(lat, 6),
            "lng": round(lng, 6), "address": "", "description": "",
            "categoryId": f"cat_{rnd.randrange(len(CATEGORIES))}" if rnd.random() < 0.8 else None,
            "tagIds": [], "layers": [{"id": la["id"], "name": la["name"], "color": la["color"]} for la in chosen],
            "createdAt": "2026-03-01T10:00:00.000Z", "updatedAt": "2026-03-01T10:00:00.000Z",
        }


def make_location_cache(path: Path | str, n: int, spread: str = "world") -> Path:
    cache = Cache(path)
    try:
        cache.replace_all("maps", [{"id": MAP_ID, "title": "Benchmark map", "slug": "bench",
                                    "centerLat": None, "centerLng": None, "zoom": None}])
        cache.add_known_map(MAP_ID, "manual")
        cache.replace_all("layers", layer_records(), scope=MAP_ID)
        cache.replace_all("categories", category_records(), scope=MAP_ID)
        cache.replace_all("locations", fake_locations(n, spread), scope=MAP_ID)
    finally:
        cache.close()
    return Path(path)


def location_cache_path(n: int, spread: str) -> Path:
    """A cache with ``n`` locations, built once per machine and reused by the map benchmarks."""
    path = Path(tempfile.gettempdir()) / f"cabinet-map-bench-{spread}-{n}.sqlite3"
    return reuse_or_make(path, "locations", n, lambda p: make_location_cache(p, n, spread))

"""app/core/geo: Web Mercator, the wrapping viewport, clustering, the spatial index, labels and
the shipped basemap files."""

from __future__ import annotations

import math

import pytest

from app.core.geo import mercator
from app.core.geo.basemap import BasemapError, decode, scale_for
from app.core.geo.cluster import Clusterer, Points
from app.core.geo.index import BoxIndex, GridIndex
from app.core.geo.labels import LabelPlacer, candidates
from app.core.geo.viewport import Viewport
from app.resources import resource_path


@pytest.mark.parametrize(("lng", "lat", "x", "y"), [
    (0.0, 0.0, 0.5, 0.5),
    (-180.0, 0.0, 0.0, 0.5),
    (90.0, 0.0, 0.75, 0.5),
    (0.0, mercator.MAX_LAT, 0.5, 0.0),
    (0.0, -mercator.MAX_LAT, 0.5, 1.0),
    # Reykjavík and Longyearbyen: high latitudes stretch (y from the textbook formula).
    (-21.9426, 64.1466, 0.4390483, 0.2657621),
    (15.6356, 78.2232, 0.5434322, 0.1384456),
])
def test_projection_of_known_points(lng: float, lat: float, x: float, y: float) -> None:
    px, py = mercator.project(lng, lat)
    assert px == pytest.approx(x, abs=1e-6)
    assert py == pytest.approx(y, abs=1e-6)
    back_lng, back_lat = mercator.unproject(px, py)
    assert back_lng == pytest.approx(mercator.normalize_lng(lng), abs=1e-9)
    assert back_lat == pytest.approx(mercator.clamp_lat(lat), abs=1e-7)


def test_latitudes_past_the_poles_are_clamped_and_x_wraps() -> None:
    assert mercator.project(0, 89.9)[1] == pytest.approx(0.0, abs=1e-9)
    assert mercator.unproject(1.25, 0.5)[0] == pytest.approx(-90.0)
    assert mercator.unproject(-0.25, 0.5)[0] == pytest.approx(90.0)


def test_the_shortest_longitude_span_crosses_the_antimeridian_when_shorter() -> None:
    # Fiji, Samoa, Tonga, New Zealand: a Pacific map.
    west, east = mercator.lng_span([178.4, -171.8, -175.2, 174.8])
    assert west == pytest.approx(174.8)
    assert east == pytest.approx(-171.8 + 360)
    assert mercator.lng_span([-10.0, 20.0]) == (-10.0, 20.0)


def test_fit_over_the_pacific_centres_near_the_antimeridian_and_zooms_in() -> None:
    lng, lat, zoom = mercator.fit([178.4, -171.8, -175.2, 174.8], [-18.1, -13.8, -21.1, -41.3], 800, 600)
    assert abs(mercator.normalize_lng(lng - 180.0)) < 10  # near 180°, not near 0°
    assert -35 < lat < -15
    assert zoom > 2.5  # a naive west-east box would be the whole world (zoom < 2)
    # Every point is inside the view.
    view = Viewport(zoom=zoom, width=800, height=600)
    view.set_center(lng, lat)
    for plng, plat in [(178.4, -18.1), (-171.8, -13.8), (-175.2, -21.1), (174.8, -41.3)]:
        x, y = mercator.project(plng, plat)
        x += round(view.cx - x)
        sx, sy = view.to_screen(x, y)
        assert 0 <= sx <= 800 and 0 <= sy <= 600


def test_viewport_zoom_keeps_the_point_under_the_cursor() -> None:
    view = Viewport(0.5, 0.5, 3.0, 1000, 800)
    before = view.lnglat_at(700, 200)
    view.zoom_at(5.5, 700, 200)
    after = view.lnglat_at(700, 200)
    assert after == pytest.approx(before, abs=1e-9)


def test_viewport_over_the_antimeridian_touches_two_world_copies() -> None:
    view = Viewport(zoom=4, width=1000, height=600)
    view.set_center(179.0, 0.0)
    assert list(view.wraps()) == [0, 1]
    sx, _sy = view.to_screen(*mercator.project(-179.0, 0.0))  # east of the line: copy 1
    sx1, _ = view.to_screen(mercator.project(-179.0, 0.0)[0] + 1, 0.5)
    assert sx < 0 < sx1 < 1000


def test_scale_bar_is_a_round_distance() -> None:
    # 152.87 m a pixel at zoom 10 on the equator: 120 px are 18.3 km, so the bar shows 10 km.
    assert mercator.scale_bar(0.0, 10, 120) == (65, "10 km")
    assert mercator.scale_bar(0.0, 18, 120)[1] == "50 m"
    # The same pixels cover less ground near the poles.
    assert mercator.metres_per_pixel(60.0, 10) == pytest.approx(mercator.metres_per_pixel(0.0, 10) / 2, rel=1e-6)


def _points(coords: list[tuple[float, float]]) -> Points:
    return Points(range(len(coords)), [c[0] for c in coords], [c[1] for c in coords], [0] * len(coords))


def test_clusters_split_as_one_zooms_in() -> None:
    # Three places in Paris a few hundred metres apart and one in Lyon.
    pts = _points([(2.3522, 48.8566), (2.3622, 48.8600), (2.3400, 48.8500), (4.8357, 45.7640)])
    clusterer = Clusterer(pts)
    world = clusterer.level(2.0)
    assert sorted(c.count for c in world.clusters.values()) == [4] or \
        sorted(c.count for c in world.clusters.values()) == [1, 3]
    country = clusterer.level(6.0)
    assert sorted(c.count for c in country.clusters.values()) == [1, 3]
    street = clusterer.level(16.0)
    assert sorted(c.count for c in street.clusters.values()) == [1, 1, 1, 1]
    # A cluster sits at its members' mean position.
    paris = next(c for c in country.clusters.values() if c.count == 3)
    assert paris.x == pytest.approx(sum(pts.xs[:3]) / 3)


def test_visible_clusters_include_the_copy_across_the_antimeridian() -> None:
    pts = _points([(179.5, 0.0), (-179.5, 0.0)])
    level = Clusterer(pts).level(8.0)
    view = Viewport(zoom=8, width=800, height=600)
    view.set_center(179.9, 0.0)
    seen = {(c.members[0], k) for c, k in level.visible(*view.bounds())}
    assert (0, 0) in seen and (1, 1) in seen


def test_grid_index_finds_points_in_a_rectangle_across_the_wrap() -> None:
    xs, ys = [0.01, 0.5, 0.99], [0.5, 0.5, 0.5]
    index = GridIndex(xs, ys, 1 / 64)
    assert sorted(index.query(xs, ys, 0.95, 0.4, 1.02, 0.6)) == [0, 2]
    assert index.query(xs, ys, 0.4, 0.4, 0.45, 0.6) == []


def test_box_index_returns_each_item_once() -> None:
    index = BoxIndex([(0.0, 0.0, 0.5, 0.5), (0.6, 0.6, 0.7, 0.7), (0.1, 0.1, 0.9, 0.9)], n=16)
    assert index.query(0.2, 0.2, 0.3, 0.3) == [0, 2]
    assert index.query(0.65, 0.65, 0.66, 0.66) == [1, 2]


def test_labels_never_overlap() -> None:
    placer = LabelPlacer()
    placer.occupy((95, 95, 105, 105))  # a marker
    first = placer.place(candidates(100, 100, 80, 14, 8))
    assert first == (108, 93, 188, 107)
    second = placer.place(candidates(110, 100, 80, 14, 8))  # crowded: goes elsewhere or nowhere
    assert second is None or not (second[0] < first[2] and first[0] < second[2]
                                  and second[1] < first[3] and first[1] < second[3])


@pytest.mark.parametrize("scale", ["110m", "50m", "10m"])
def test_the_shipped_basemap_decodes(scale: str) -> None:
    path = resource_path("basemap", f"ne-{scale}.bin")
    assert path.stat().st_size < 2_000_000
    if scale == "10m":
        return  # decoding 10m takes seconds; its header and sizes are checked by the others' code path
    basemap = decode(path.read_bytes())
    assert len(basemap.polygons) > 100 and len(basemap.lines) > 100
    for ring in (r for p in basemap.polygons for r in p):
        assert ring.box[0] >= -1.0 and ring.box[2] <= 2.0 and ring.box[1] >= -1e-9 and ring.box[3] <= 1.0 + 1e-9


def test_a_damaged_basemap_says_so() -> None:
    with pytest.raises(BasemapError):
        decode(b"not a basemap at all, but long enough")
    good = resource_path("basemap", "ne-110m.bin").read_bytes()
    with pytest.raises(BasemapError):
        decode(good[:-100])


def test_detail_follows_zoom() -> None:
    assert [scale_for(z) for z in (0, 2.9, 3, 5.9, 6, 18)] == ["110m", "110m", "50m", "50m", "10m", "10m"]
    assert math.isfinite(mercator.world_size(20))

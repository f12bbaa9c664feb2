"""The map widget on its own: where markers land, clusters, layer toggles, selection, dragging
and the context menu."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.ui.map.view import MapView

LAYERS = [{"id": "l1", "name": "Visited", "color": "#e6194b"}, {"id": "l2", "name": "Wishlist", "color": "#3cb44b"}]
CATEGORIES = [{"id": "c1", "name": "Food", "color": "#f58231"}]


def _textbook(lng: float, lat: float, zoom: float) -> tuple[float, float]:
    """World pixel coordinates by the textbook Web Mercator formula (independent of app.core.geo)."""
    size = 256 * 2 ** zoom
    r = math.radians(lat)
    return (lng + 180) / 360 * size, (1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * size


@pytest.fixture
def view(qtbot) -> MapView:  # noqa: ANN001
    v = MapView()
    qtbot.addWidget(v)
    v.resize(1000, 700)
    v.set_groups(LAYERS, CATEGORIES)
    v.show()
    qtbot.waitExposed(v)
    return v


def _drawn_at(view: MapView) -> dict[int, tuple[float, float]]:
    view.canvas.repaint()
    keys = view.canvas.points.keys
    return {keys[d.cluster.members[0]]: (d.x, d.y) for d in view.canvas.renderer.drawn if d.cluster.count == 1}


@pytest.mark.parametrize(("lng", "lat", "zoom", "places"), [
    # Fiji and Samoa either side of the antimeridian, the view centred on it.
    (180.0, -15.0, 5.0, [(1, 178.4419, -18.1416), (2, -171.7514, -13.8333)]),
    # Svalbard and Reykjavík: high latitudes.
    (0.0, 72.0, 4.0, [(3, 15.6356, 78.2232), (4, -21.9426, 64.1466)]),
])
def test_markers_are_drawn_at_their_projected_positions(view: MapView, lng: float, lat: float, zoom: float,
                                                        places: list[tuple[int, float, float]]) -> None:
    view.set_rows([(k, la, ln, f"p{k}", "", "l1") for k, ln, la in places])
    view.canvas.set_view(lng, lat, zoom)
    drawn = _drawn_at(view)
    cw, ch = view.canvas.width(), view.canvas.height()
    cx, cy = _textbook(lng, lat, zoom)
    world = 256 * 2 ** zoom
    for key, plng, plat in places:
        px, py = _textbook(plng, plat, zoom)
        if px - cx > world / 2:  # the copy of the world nearest the centre
            px -= world
        elif cx - px > world / 2:
            px += world
        expected = (px - cx + cw / 2, py - cy + ch / 2)
        assert drawn[key] == pytest.approx(expected, abs=0.01)
        assert 0 <= expected[0] <= cw and 0 <= expected[1] <= ch
    if zoom == 5.0:  # across the line the two are drawn east and west of the centre
        assert drawn[1][0] < cw / 2 < drawn[2][0]


def test_clusters_split_as_one_zooms_in(view: MapView) -> None:
    rows = [(1, 48.8566, 2.3522, "Louvre", "", "l1"), (2, 48.8600, 2.3622, "Bastille", "", "l1"),
            (3, 48.8500, 2.3400, "Luxembourg", "", "l2"), (4, 45.7640, 4.8357, "Lyon", "", "l2")]
    view.set_rows(rows)
    counts = []
    for zoom in (2.0, 6.0, 15.0):
        view.canvas.set_view(3.5, 47.3, zoom) if zoom < 15 else view.canvas.set_view(2.352, 48.856, zoom)
        view.canvas.repaint()
        counts.append(sorted(d.cluster.count for d in view.canvas.renderer.drawn))
    assert counts[0] == [4]
    assert counts[1] == [1, 3]
    assert counts[2] == [1, 1, 1]  # Lyon is off screen at street zoom over Paris


def test_layer_toggles_hide_and_show_their_locations(view: MapView) -> None:
    view.set_rows([(1, 10.0, 10.0, "a", "c1", "l1"), (2, 11.0, 11.0, "b", "", "l2"), (3, 12.0, 12.0, "c", "", "")])
    items = {view.layer_list.item(i).text(): view.layer_list.item(i) for i in range(view.layer_list.count())}
    assert set(items) == {"Visited  (1)", "Wishlist  (1)", "No layer  (1)"}
    items["Wishlist  (1)"].setCheckState(Qt.CheckState.Unchecked)
    assert sorted(view.canvas.points.keys) == [1, 3]
    view.layer_list.item(0).setCheckState(Qt.CheckState.Unchecked)  # Visited
    assert sorted(view.canvas.points.keys) == [3]
    for i in range(view.layer_list.count()):
        view.layer_list.item(i).setCheckState(Qt.CheckState.Checked)
    assert sorted(view.canvas.points.keys) == [1, 2, 3]
    # By category: the panel lists categories and their colours instead.
    view.set_mode("category")
    texts = [view.layer_list.item(i).text() for i in range(view.layer_list.count())]
    assert texts == ["Food  (1)", "No category  (2)"]
    assert view.canvas.renderer.color_of(view.canvas.points.index_of(1)).name() == "#f58231"


def test_click_and_rubber_band_select_and_say_so(view: MapView, qtbot) -> None:  # noqa: ANN001
    view.set_rows([(k, 0.0, -1.0 + k * 0.5, f"p{k}", "", "l1") for k in range(1, 5)])
    view.canvas.set_view(0.25, 0.0, 8.0)
    drawn = _drawn_at(view)
    with qtbot.waitSignal(view.selectionChanged, timeout=2000) as sig:
        QTest.mouseClick(view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPointF(*drawn[2]).toPoint())
    assert sig.args == [[2]]
    # Shift-drag a band around the two on the right.
    a = QPoint(int(drawn[3][0]) - 15, int(drawn[3][1]) - 15)
    b = QPoint(int(drawn[4][0]) + 15, int(drawn[4][1]) + 15)
    QTest.mousePress(view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, a)
    QTest.mouseMove(view.canvas, (a + b) / 2)
    QTest.mouseMove(view.canvas, b)
    with qtbot.waitSignal(view.selectionChanged, timeout=2000) as sig:
        QTest.mouseRelease(view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, b)
    assert sig.args == [[2, 3, 4]]  # shift adds to the selection
    # From outside (the table): no signal back, the map shows it.
    with qtbot.assertNotEmitted(view.selectionChanged):
        view.select_keys([1])
    assert view.selected_keys() == [1]


def test_dragging_a_marker_asks_to_move_it_only_when_editable(view: MapView, qtbot) -> None:  # noqa: ANN001
    view.set_rows([(1, 0.0, 0.0, "p1", "", "l1")])
    view.canvas.set_view(0.0, 0.0, 10.0)
    start = QPointF(*_drawn_at(view)[1]).toPoint()
    end = start + QPoint(100, 0)
    moves: list[tuple[int, float, float]] = []
    view.canvas.moveRequested.connect(lambda k, lng, lat: moves.append((k, lng, lat)))
    for editable in (False, True):
        view.canvas.editable = editable
        QTest.mousePress(view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
        for step in range(1, 6):
            QTest.mouseMove(view.canvas, start + QPoint(20 * step, 0))
        QTest.mouseRelease(view.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
        if not editable:
            assert moves == []  # a pan instead
            view.canvas.set_view(0.0, 0.0, 10.0)
    assert len(moves) == 1
    key, lng, lat = moves[0]
    assert key == 1
    assert (lng, lat) == pytest.approx(view.canvas.view.lnglat_at(end.x(), end.y()), abs=1e-9)  # where it was let go
    assert lng == pytest.approx(100 * 360 / (256 * 2 ** 10), abs=0.001)  # 100 px east at zoom 10
    assert lat == pytest.approx(0.0, abs=0.001)


def test_context_menu_copies_coordinates_and_offers_adding_only_when_editable(view: MapView) -> None:
    view.canvas.set_view(13.405, 52.52, 12)
    centre = QPoint(view.canvas.width() // 2, view.canvas.height() // 2)
    menu = view.canvas.context_menu(centre)
    actions = {a.text(): a for a in menu.actions() if a.text()}
    assert set(actions) == {"Copy coordinates", "Open in OpenStreetMap", "Add location here…"}
    assert not actions["Add location here…"].isEnabled()
    actions["Copy coordinates"].trigger()
    lat, lng = (float(v) for v in QGuiApplication.clipboard().text().split(","))
    expected_lng, expected_lat = view.canvas.view.lnglat_at(centre.x(), centre.y())
    assert (lat, lng) == pytest.approx((expected_lat, expected_lng), abs=1e-6)
    assert (lat, lng) == pytest.approx((52.52, 13.405), abs=1e-3)
    view.canvas.editable = True
    added: list[tuple[float, float]] = []
    view.canvas.addRequested.connect(lambda lng, lat: added.append((lng, lat)))
    menu = view.canvas.context_menu(centre)
    add = next(a for a in menu.actions() if a.text() == "Add location here…")
    assert add.isEnabled()
    add.trigger()
    assert added[0] == pytest.approx((expected_lng, expected_lat), abs=1e-9)


def test_the_view_saves_as_png_and_svg_with_its_attribution(view: MapView, tmp_path) -> None:  # noqa: ANN001
    view.set_rows([(1, 48.8566, 2.3522, "Louvre", "", "l1"), (2, 41.9028, 12.4964, "Colosseo", "", "l2")])
    view.canvas.set_view(7.0, 45.5, 4.5)
    png, svg = tmp_path / "map.png", tmp_path / "map.svg"
    assert view.save_image(str(png)) and view.save_image(str(svg))
    image = QImage(str(png))
    assert (image.width(), image.height()) == (view.canvas.width(), view.canvas.height())
    text = svg.read_text(encoding="utf-8")
    assert "Natural Earth" in text and "<path" in text
    assert "Louvre" in text  # labels are text in the SVG


def test_keys_and_the_wheel_pan_and_zoom(view: MapView) -> None:
    canvas = view.canvas
    canvas.set_view(0.0, 0.0, 5.0)
    canvas.setFocus()
    before = canvas.view.center_lnglat()
    QTest.keyClick(canvas, Qt.Key.Key_Right)
    after = canvas.view.center_lnglat()
    assert after[0] > before[0] and after[1] == pytest.approx(before[1])  # the view moved east
    QTest.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.view.zoom == pytest.approx(6.0)
    QTest.keyClick(canvas, Qt.Key.Key_Minus)
    assert canvas.view.zoom == pytest.approx(5.0)
    # The wheel zooms around the cursor: the point under it stays put.
    at = QPoint(canvas.width() // 4, canvas.height() // 3)
    under = canvas.view.lnglat_at(at.x(), at.y())
    wheel = QWheelEvent(QPointF(at), QPointF(canvas.mapToGlobal(at)), QPoint(0, 0), QPoint(0, 240), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(canvas, wheel)
    assert canvas.view.zoom == pytest.approx(6.0)
    assert canvas.view.lnglat_at(at.x(), at.y()) == pytest.approx(under, abs=1e-9)
    # Double-click on empty ground zooms in there.
    QTest.mouseDClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    assert canvas.view.zoom == pytest.approx(7.0)

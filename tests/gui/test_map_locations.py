# ruff: noqa: F811 - pytest fixtures imported from test_editing_support
"""The map beside the Locations table, in the real window against a real sandbox: the filter and
search applied to the map, selection shared both ways (and the detail pane), dragging a marker
(one update, then Undo), adding from the map, and a READ_ONLY key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.core.geo.mercator import unproject
from tests.gui.looping import drive
from tests.gui.test_editing_support import Env, act, close_env, env, make_env  # noqa: F401


def _map_id(env: Env) -> str:
    maps = env.srv.info["mapiry"]["maps"]
    return max(maps, key=lambda m: env.cache.count("locations", scope=m))


def _open_map(env: Env, map_id: str) -> Any:
    env.window.show_view("locations")
    page = env.window.current_page()
    combo = page.filter_combos["mapId"]
    combo.setCurrentIndex(combo.findData(map_id))
    page.map.set_mode("both")
    env.window.resize(1400, 800)
    view = page.map.view
    drive(env.loop, lambda: page.model.keys_complete and not view.loading
          and set(view.canvas.points.keys) == set(page.model.keys()), timeout=20)
    return page


def test_map_follows_the_tables_filter_and_search_and_shares_selection(env: Env) -> None:
    map_id = _map_id(env)
    page = _open_map(env, map_id)
    view, canvas = page.map.view, page.map.view.canvas
    in_map = set(env.cache.query_keys("locations", filters={"scope": map_id}))
    assert set(canvas.points.keys) == in_map and len(in_map) > 10
    the_map = env.cache.get("maps", map_id)
    if the_map.get("centerLat") is not None:  # opened at the map's own centre and zoom
        assert canvas.view.zoom == pytest.approx(float(the_map["zoom"]))
    env.window.grab().save("/tmp/shot-map-locations.png")

    # The search box filters the map too.
    name = env.cache.rows_for_keys("locations", [min(in_map)])[0]["name"]
    page.search.setText(name)
    page.apply_search()
    drive(env.loop, lambda: page.model.keys_complete and not view.loading
          and set(canvas.points.keys) == set(page.model.keys()), timeout=20)
    assert 1 <= len(canvas.points) < len(in_map)
    page.search.setText("")
    page.apply_search()
    drive(env.loop, lambda: not view.loading and set(canvas.points.keys) == in_map, timeout=20)

    # Table → map (and the detail pane shows the row).
    page.table.selectRow(2)
    key = page.model.keys()[2]
    assert view.selected_keys() == [key]
    # Map → table → detail pane.
    other = page.model.keys()[5]
    canvas._select_indices({canvas.points.index_of(other)})  # noqa: SLF001 - as a click does
    assert page.table.selected_rows() == [5]
    record = env.cache.rows_for_keys("locations", [other])[0]
    assert page.selected_record()["id"] == record["id"]
    assert record["name"] in page.detail.findChild(type(page.count_label), "detailTitle").text() \
        if page.detail.findChild(type(page.count_label), "detailTitle") is not None else True


def test_dragging_a_marker_sends_one_update_and_undo_sends_it_back(env: Env) -> None:
    map_id = _map_id(env)
    page = _open_map(env, map_id)
    canvas = page.map.view.canvas
    key = page.model.keys()[0]
    before = env.cache.rows_for_keys("locations", [key])[0]
    canvas.set_view(float(before["lng"]), float(before["lat"]), 19.0)
    canvas.repaint()
    start = canvas.screen_pos(key).toPoint()
    assert canvas.editable, canvas.edit_reason
    env.spy(env.mapiry)
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 5):
        QTest.mouseMove(canvas, start + QPoint(15 * step, 10 * step))
    end = start + QPoint(60, 40)
    act(env.loop, lambda: QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end),
        lambda: page.map.task is not None and page.map.task.done())
    puts = [(m, p, b) for m, p, b in env.sent if m == "PUT"]
    assert len(puts) == 1 and set(puts[0][2]) == {"lat", "lng"}
    moved = env.cache.get("locations", before["id"])
    assert moved["lat"] < before["lat"] and moved["lng"] > before["lng"]  # down and to the right
    assert (moved["lat"], moved["lng"]) == (puts[0][2]["lat"], puts[0][2]["lng"])
    remote = env.run(env.mapiry.get_location(map_id, before["id"]))
    assert (remote["lat"], remote["lng"]) == (moved["lat"], moved["lng"])
    assert page.map.undo_bar.isVisible() and "Moved" in page.map.undo_bar.label.text()

    act(env.loop, page.map.undo_bar.button.click, lambda: page.map.task.done())
    puts = [(m, p, b) for m, p, b in env.sent if m == "PUT"]
    assert len(puts) == 2
    back = env.cache.get("locations", before["id"])
    assert (back["lat"], back["lng"]) == pytest.approx((before["lat"], before["lng"]), abs=1e-9)
    drive(env.loop, lambda: not page.map.view.loading)
    index = canvas.points.index_of(key)
    assert unproject(canvas.points.xs[index], canvas.points.ys[index]) == pytest.approx(
        (before["lng"], before["lat"]), abs=1e-9)  # the marker is back where it was


def test_add_location_here_opens_the_form_with_the_coordinates(env: Env) -> None:
    map_id = _map_id(env)
    page = _open_map(env, map_id)
    canvas = page.map.view.canvas
    canvas.set_view(13.4343, 52.5103, 15.0)
    centre = QPoint(canvas.width() // 2, canvas.height() // 2)
    menu = canvas.context_menu(centre)
    add = next(a for a in menu.actions() if a.text() == "Add location here…")
    add.trigger()
    dialog = env.ctl.dialog
    assert dialog is not None and dialog.isVisible() and dialog.map_id == map_id
    lng, lat = canvas.view.lnglat_at(centre.x(), centre.y())  # the point right-clicked
    assert (lat, lng) == pytest.approx((52.5103, 13.4343), abs=1e-4)
    assert float(dialog.widget("lat").text().replace(",", ".")) == pytest.approx(lat, abs=1e-6)
    assert float(dialog.widget("lng").text().replace(",", ".")) == pytest.approx(lng, abs=1e-6)
    dialog.widget("name").setText("Added on the map")
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    created = next(r for r in env.cache.all_rows("locations", scope=map_id) if r["name"] == "Added on the map")
    assert created["lat"] == pytest.approx(lat, abs=1e-6)
    drive(env.loop, lambda: not page.map.view.loading and canvas.points.index_of(
        env.cache.key_for_id("locations", created["id"])) is not None, timeout=20)


@pytest.fixture
def read_only_env(fresh_sandbox: Any, loop: Any, tmp_path: Path, qtbot: Any) -> Iterator[Env]:
    e = make_env(fresh_sandbox, loop, tmp_path, qtbot, mapiry_key="read_only")
    try:
        yield e
    finally:
        close_env(e)


def test_a_read_only_key_turns_editing_on_the_map_off_and_says_why(read_only_env: Env) -> None:
    env = read_only_env
    page = _open_map(env, _map_id(env))
    map_ = page.map
    # Known before anyone tries: the key's scope, from Mapiry's keys list.
    drive(env.loop, lambda: map_.access_task is not None and map_.access_task.done())
    assert not map_.view.canvas.editable and "READ_ONLY" in map_.view.canvas.edit_reason
    map_.view.canvas.editable = True  # and were it not known, the refused write says it
    key = page.model.keys()[0]
    record = env.cache.rows_for_keys("locations", [key])[0]
    act(env.loop, lambda: map_.move(key, float(record["lng"]) + 0.01, float(record["lat"])),
        lambda: map_.task is not None and map_.task.done())
    canvas = map_.view.canvas
    assert not canvas.editable and "READ_ONLY" in canvas.edit_reason
    assert env.cache.get("locations", record["id"])["lng"] == record["lng"]  # nothing changed
    menu = canvas.context_menu(QPoint(10, 10))
    add = next(a for a in menu.actions() if a.text() == "Add location here…")
    assert not add.isEnabled() and "READ_ONLY" in add.toolTip()

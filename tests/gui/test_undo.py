# ruff: noqa: F811 - pytest fixtures imported from test_editing_support
"""Edit → Undo / Redo against a real sandbox: an edit goes back to the old values and forward
again, a deleted layer comes back with its locations, a deleted location with its fields and
layers; what the APIs cannot take back says so."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.core.undo import Change, Entry, UndoStack
from tests.gui.looping import drive, in_loop
from tests.gui.test_editing_support import Env, act, env  # noqa: F401


def _map(env: Env) -> str:
    maps = env.srv.info["mapiry"]["maps"]
    return max(maps, key=lambda m: env.cache.count("layers", scope=m))


def _undo(env: Env, redo: bool = False) -> None:
    """Ctrl+Z (or Ctrl+Shift+Z) on the window's table, then wait for the writes to be answered."""
    undo = env.actions.undo
    table = env.window.current_page().table
    mods = Qt.KeyboardModifier.ControlModifier
    if redo:
        mods |= Qt.KeyboardModifier.ShiftModifier
    before = undo.task

    in_loop(env.loop, env.window.activateWindow)
    drive(env.loop, lambda: QApplication.activeWindow() is env.window, timeout=5)
    in_loop(env.loop, table.setFocus)

    act(env.loop, lambda: QTest.keyClick(table, Qt.Key.Key_Z, mods), lambda: undo.task is not before and undo.task.done())
    env.run(asyncio.sleep(0.05))


def test_undo_and_redo_an_edit(env: Env) -> None:
    map_id = _map(env)
    location = env.cache.all_rows("locations", scope=map_id)[0]
    env.window.show_view("locations")
    dialog = env.ctl.edit("locations", location)
    dialog.widget("name").setText("Renamed for the undo test")
    dialog.widget("address").setText("Somewhere else 1")
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    assert "Edit location “Renamed for the undo test”" in env.actions.undo.undo_action.text()

    _undo(env)
    remote = env.run(env.mapiry.get_location(map_id, location["id"]))
    assert remote["name"] == location["name"] and (remote.get("address") or "") == (location.get("address") or "")
    assert env.cache.get("locations", location["id"])["name"] == location["name"]  # the cache from the answer
    assert env.actions.undo.redo_action.isEnabled()
    assert any("Undone" in text for _k, text in env.ctl.messages)

    _undo(env, redo=True)
    remote = env.run(env.mapiry.get_location(map_id, location["id"]))
    assert remote["name"] == "Renamed for the undo test" and remote["address"] == "Somewhere else 1"
    assert env.cache.get("locations", location["id"])["name"] == "Renamed for the undo test"


def test_undo_a_deleted_layer_brings_it_back_with_its_locations(env: Env) -> None:
    map_id = _map(env)
    layer = max(env.cache.all_rows("layers", scope=map_id),
                key=lambda r: len(env.cache.query_keys("locations", filters={"layers": r["id"]})))
    members = {r["id"] for r in env.cache.rows_for_keys(
        "locations", env.cache.query_keys("locations", filters={"layers": layer["id"]}))}
    assert members
    env.window.show_view("layers")
    env.confirm(env.ctl.delete("layers", [layer]))
    assert env.cache.get("layers", layer["id"]) is None

    _undo(env)
    again = [r for r in env.run(env.mapiry.list_layers(map_id)) if r["name"] == layer["name"]]
    assert len(again) == 1 and again[0]["color"] == layer["color"] and again[0]["id"] != layer["id"]
    new_id = again[0]["id"]
    for loc_id in members:
        remote = env.run(env.mapiry.get_location(map_id, loc_id))
        assert new_id in [lay["id"] for lay in remote["layers"]], remote["name"]
    cached = {r["id"] for r in env.cache.rows_for_keys(
        "locations", env.cache.query_keys("locations", filters={"layers": new_id}))}
    assert cached == members

    _undo(env, redo=True)  # deleted again: the re-created one
    assert [r for r in env.run(env.mapiry.list_layers(map_id)) if r["name"] == layer["name"]] == []
    assert env.cache.get("layers", new_id) is None


def test_undo_a_deleted_location_recreates_it_with_fields_and_layers(env: Env) -> None:
    map_id = _map(env)
    location = next(r for r in env.cache.all_rows("locations", scope=map_id) if r.get("layers"))
    env.window.show_view("locations")
    env.confirm(env.ctl.delete("locations", [location]))
    assert env.cache.get("locations", location["id"]) is None

    _undo(env)
    back = [r for r in env.cache.all_rows("locations", scope=map_id) if r["name"] == location["name"]]
    assert len(back) == 1
    remote = env.run(env.mapiry.get_location(map_id, back[0]["id"]))
    for key in ("lat", "lng", "address", "description", "categoryId"):
        assert remote.get(key) == location.get(key), key
    assert sorted(remote["tagIds"]) == sorted(location["tagIds"])
    assert {lay["id"] for lay in remote["layers"]} == {lay["id"] for lay in location["layers"]}


def test_what_the_apis_cannot_take_back_says_so(env: Env) -> None:
    coll = env.cache.all_rows("collections")[0]
    env.window.show_view("items")
    dialog = env.actions.new()
    dialog.widget("collection_id").setCurrentIndex(dialog.widget("collection_id").findData(coll["id"]))
    dialog.widget("name").setText("Cannot be undone")
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    in_loop(env.loop, env.actions.undo.undo_action.trigger)
    kind, text = env.ctl.messages[-1]
    assert kind == "warning" and "cannot be undone" in text and "InstaMapp" in text
    assert any(r["name"] == "Cannot be undone" for r in env.cache.all_rows("items"))  # nothing was sent
    assert not env.actions.undo.undo_action.isEnabled()

    the_map = env.cache.all_rows("maps")[0]
    env.window.show_view("maps")
    env.confirm(env.ctl.delete("maps", [the_map]))
    in_loop(env.loop, env.actions.undo.undo_action.trigger)
    kind, text = env.ctl.messages[-1]
    assert kind == "warning" and "deleted map" in text


def test_the_stack_drops_what_was_undone_when_a_new_change_comes() -> None:
    stack = UndoStack(limit=3)
    changes = [Change("update", "tags", [Entry({"id": str(i)}, {"id": str(i)})]) for i in range(5)]
    for change in changes[:3]:
        stack.push(change)
    stack.undone()
    assert stack.next_redo() is changes[2]
    stack.push(changes[3])  # the undone change is gone
    assert not stack.can_redo() and stack.next_undo() is changes[3]
    stack.push(changes[4])  # past the limit: the oldest goes
    assert stack.changes == changes[1:2] + changes[3:5]

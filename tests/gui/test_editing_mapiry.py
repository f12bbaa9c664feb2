# ruff: noqa: F811 - pytest fixtures imported from test_editing_support
"""Editing a map's contents against a real sandbox: locations (with layers), categories, tags,
layers, and deleting several rows at once."""

from __future__ import annotations

from typing import Any

import pytest

from app.core.errors import NotFoundError
from tests.gui.test_editing_support import Env, env  # noqa: F401


def _map(env: Env) -> str:
    """The demo map with the most layers (the locations view's map filter is set to it)."""
    maps = env.srv.info["mapiry"]["maps"]
    return max(maps, key=lambda m: env.cache.count("layers", scope=m))


def _filter_to(env: Env, view: str, map_id: str) -> None:
    env.window.show_view(view)
    combo = env.window.current_page().filter_combos["mapId"]
    combo.setCurrentIndex(combo.findData(map_id))


def _check(widget: Any, ids: set[str]) -> None:
    widget.set_value(sorted(ids))


def test_location_create_with_layers_edit_and_delete(env: Env) -> None:
    map_id = _map(env)
    layers = sorted(env.cache.all_rows("layers", scope=map_id), key=lambda r: r["order"])[:2]
    category = env.cache.all_rows("categories", scope=map_id)[0]
    tag = env.cache.all_rows("tags", scope=map_id)[0]
    _filter_to(env, "locations", map_id)
    dialog = env.actions.new()
    assert dialog.map_id == map_id and dialog.map_combo.currentData() == map_id
    assert dialog.widget("layerIds").count() == env.cache.count("layers", scope=map_id)
    dialog.widget("name").setText("Antikmarkt am Ostbahnhof")
    dialog.widget("lat").setText("52,5103")  # a decimal comma is fine
    dialog.widget("lng").setText("13.4343")
    dialog.widget("address").setText("Erich-Steinfurth-Str.")
    dialog.widget("categoryId").setCurrentIndex(dialog.widget("categoryId").findData(category["id"]))
    _check(dialog.widget("tagIds"), {tag["id"]})
    _check(dialog.widget("layerIds"), {lay["id"] for lay in layers})
    dialog.adjustSize()
    dialog.grab().save("/tmp/shot-edit-locations-filled.png")
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()

    cached = next(r for r in env.cache.all_rows("locations", scope=map_id) if r["name"] == "Antikmarkt am Ostbahnhof")
    remote = env.run(env.mapiry.get_location(map_id, cached["id"]))
    assert remote["lat"] == 52.5103 and remote["categoryId"] == category["id"] and remote["tagIds"] == [tag["id"]]
    assert {lay["id"] for lay in remote["layers"]} == {lay["id"] for lay in layers}
    assert cached == remote
    colours = {lay["id"]: lay["color"] for lay in cached["layers"]}
    assert colours == {lay["id"]: lay["color"] for lay in layers} and all(colours.values())
    assert cached["id"] in env.view_ids("locations")
    # The layer filter finds it through the membership table.
    assert env.cache.query_keys("locations", filters={"layers": layers[0]["id"], "scope": map_id})

    env.spy(env.mapiry)
    edit = env.ctl.edit("locations", cached)
    assert set(edit.widget("layerIds").value()) == {lay["id"] for lay in layers}
    edit.widget("name").setText("Antikmarkt (Sundays)")
    _check(edit.widget("layerIds"), {layers[1]["id"]})
    env.ok(edit)
    assert not edit.isVisible(), edit.message.text()
    assert [(m, b) for m, _p, b in env.sent] == [
        ("PUT", {"name": "Antikmarkt (Sundays)"}), ("PUT", {"layerIds": [layers[1]["id"]]})]
    cached = env.cache.get("locations", cached["id"])
    assert cached["name"] == "Antikmarkt (Sundays)" and [lay["id"] for lay in cached["layers"]] == [layers[1]["id"]]

    box = env.ctl.delete("locations", [cached])
    assert "Antikmarkt (Sundays)" in box.text()
    env.confirm(box)
    with pytest.raises(NotFoundError):
        env.run(env.mapiry.get_location(map_id, cached["id"]))
    assert env.cache.get("locations", cached["id"]) is None
    assert cached["id"] not in env.view_ids("locations")


def test_location_limits_are_checked_before_sending(env: Env) -> None:
    env.spy(env.mapiry)
    dialog = env.ctl.create("locations", map_id=_map(env))
    dialog.widget("name").setText("x")
    dialog.widget("lat").setText("91")
    dialog.widget("lng").setText("east")
    dialog.widget("address").setText("a" * 501)
    dialog.ok_button.click()
    assert set(dialog.problems()) == {"lat", "lng", "address"}
    assert env.sent == [] and dialog.isVisible()


def test_category_create_edit_delete_with_a_colour(env: Env) -> None:
    map_id = _map(env)
    _filter_to(env, "categories", map_id)
    dialog = env.actions.new()
    assert dialog.widget("color").value() == "#64748B"
    dialog.widget("name").setText("Record shop")
    dialog.widget("color").set_value("#12ab9f")
    dialog.widget("icon").setText("vinyl")
    picker = dialog.widget("color").pick()
    assert picker.isVisible() and picker.currentColor().name().upper() == "#12AB9F"
    picker.reject()
    dialog.adjustSize()
    dialog.grab().save("/tmp/shot-edit-categories-filled.png")
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    cat = next(r for r in env.cache.all_rows("categories", scope=map_id) if r["name"] == "Record shop")
    assert cat["color"] == "#12AB9F" and cat["icon"] == "vinyl"
    assert env.run(env.mapiry.list_categories(map_id)) == env.cache.all_rows("categories", scope=map_id)

    edit = env.ctl.edit("categories", cat)
    edit.widget("color").set_value("#000000")
    env.ok(edit)
    assert env.cache.get("categories", cat["id"])["color"] == "#000000"

    # Deleting a category in use: its locations lose it, on the service and in the cache.
    used = next(r for r in env.cache.all_rows("categories", scope=map_id)
                if env.cache.query_keys("locations", filters={"categoryId": r["id"]}))
    users = env.cache.query_keys("locations", filters={"categoryId": used["id"]})
    box = env.ctl.delete("categories", [used])
    env.confirm(box)
    assert env.cache.get("categories", used["id"]) is None
    assert env.cache.query_keys("locations", filters={"categoryId": used["id"]}) == []
    loc = env.cache.rows_for_keys("locations", users[:1])[0]
    assert loc["categoryId"] is None
    assert env.run(env.mapiry.get_location(map_id, loc["id"]))["categoryId"] is None


def test_tag_duplicate_name_keeps_the_dialog_open(env: Env) -> None:
    map_id = _map(env)
    existing = env.cache.all_rows("tags", scope=map_id)[0]
    _filter_to(env, "tags", map_id)
    dialog = env.actions.new()
    dialog.widget("name").setText(existing["name"].upper())
    env.ok(dialog)
    assert dialog.isVisible()
    assert dialog.problems()["name"] == "A tag with that name already exists on this map."
    assert "already exists on this map" in dialog.message.text()
    assert dialog.ok_button.isEnabled() and dialog.widget("name").text() == existing["name"].upper()
    dialog.adjustSize()
    dialog.grab().save("/tmp/shot-edit-tags-duplicate.png")

    dialog.widget("name").setText("Rare finds")
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    tag = next(r for r in env.cache.all_rows("tags", scope=map_id) if r["name"] == "Rare finds")

    edit = env.ctl.edit("tags", tag)
    edit.widget("name").setText("Rare finds!")
    env.ok(edit)
    assert env.cache.get("tags", tag["id"])["name"] == "Rare finds!"

    users = env.cache.query_keys("locations", filters={"tag_id": existing["id"]})
    box = env.ctl.delete("tags", [existing])
    env.confirm(box)
    assert env.cache.get("tags", existing["id"]) is None
    for loc in env.cache.rows_for_keys("locations", users):
        assert existing["id"] not in loc["tagIds"]
    assert all(t["id"] != existing["id"] for t in env.run(env.mapiry.list_tags(map_id)))


def test_layer_create_edit_delete_and_the_locations_follow(env: Env) -> None:
    map_id = _map(env)
    _filter_to(env, "layers", map_id)
    dialog = env.actions.new()
    dialog.widget("name").setText("Winter markets")
    dialog.widget("color").set_value("#0EA5E9")
    dialog.widget("routeEnabled").setChecked(True)
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    layer = next(r for r in env.cache.all_rows("layers", scope=map_id) if r["name"] == "Winter markets")
    assert layer["routeEnabled"] is True and layer["order"] >= 0  # the service chose the order

    used = max(env.cache.all_rows("layers", scope=map_id),
               key=lambda r: len(env.cache.query_keys("locations", filters={"layers": r["id"]})))
    members = env.cache.query_keys("locations", filters={"layers": used["id"]})
    assert members
    edit = env.ctl.edit("layers", used)
    edit.widget("color").set_value("#111111")
    edit.widget("order").setText("7")
    env.ok(edit)
    assert not edit.isVisible(), edit.message.text()
    assert env.cache.get("layers", used["id"])["color"] == "#111111"
    for loc in env.cache.rows_for_keys("locations", members):
        embedded = next(lay for lay in loc["layers"] if lay["id"] == used["id"])
        assert embedded["color"] == "#111111" and embedded["order"] == 7
    remote_loc = env.run(env.mapiry.get_location(map_id, env.cache.rows_for_keys("locations", members[:1])[0]["id"]))
    assert next(lay for lay in remote_loc["layers"] if lay["id"] == used["id"])["color"] == "#111111"

    box = env.ctl.delete("layers", [env.cache.get("layers", used["id"])])
    env.confirm(box)
    assert env.cache.get("layers", used["id"]) is None
    assert env.cache.query_keys("locations", filters={"layers": used["id"]}) == []
    for loc in env.cache.rows_for_keys("locations", members):
        assert used["id"] not in [lay["id"] for lay in loc["layers"]]


def test_deleting_several_stops_at_the_first_error_and_says_how_many(env: Env) -> None:
    map_id = _map(env)
    rows = env.cache.all_rows("locations", scope=map_id)[:3]
    env.run(env.mapiry.delete_location(map_id, rows[1]["id"]))  # gone on the service already
    box = env.ctl.delete("locations", rows)
    assert all(r["name"] in box.text() for r in rows) and "3 locations" in box.text()
    env.confirm(box)
    kind, text = env.ctl.messages[-1]
    assert kind == "error" and "Deleted 1 of 3 locations" in text and rows[1]["name"] in text
    assert env.cache.get("locations", rows[0]["id"]) is None
    assert env.cache.get("locations", rows[2]["id"]) is not None  # not attempted
    assert env.run(env.mapiry.get_location(map_id, rows[2]["id"]))["id"] == rows[2]["id"]

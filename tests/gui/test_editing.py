# ruff: noqa: F811 - pytest fixtures imported from test_editing_support
"""Editing against a real sandbox through a real MainWindow: items, maps, API keys, permissions,
offline, and the Edit menu's actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.core.errors import AuthenticationError, NotFoundError
from app.services.mapiry import MapiryClient
from tests.gui.looping import drive
from tests.gui.test_editing_support import Env, close_env, env, idle, make_env  # noqa: F401


# -- InstaMapp items --------------------------------------------------------------------------
def test_create_item_goes_to_the_api_then_the_cache_and_the_items_view(env: Env) -> None:
    coll = env.cache.all_rows("collections")[1]
    env.window.show_view("items")
    dialog = env.actions.new()
    assert dialog is not None and dialog.isVisible()
    assert dialog.widget("collection_id").count() == env.cache.count("collections")
    dialog.widget("collection_id").setCurrentIndex(dialog.widget("collection_id").findData(coll["id"]))
    dialog.widget("name").setText("  Millennium Falcon 1979  ")
    dialog.widget("status").setCurrentIndex(dialog.widget("status").findData("sell"))
    dialog.widget("condition").setCurrentIndex(dialog.widget("condition").findData("near_mint"))
    dialog.widget("estimated_value").setText("410.5")
    dialog.widget("currency").setText("eur")
    dialog.widget("notes").setPlainText("Boxed")
    env.ok(dialog)

    assert not dialog.isVisible(), dialog.message.text()
    created = [r for r in env.cache.all_rows("items") if r["name"] == "Millennium Falcon 1979"]
    assert len(created) == 1
    item = created[0]
    remote = env.run(env.instamapp.get_item(item["id"]))
    assert remote["collection_id"] == coll["id"] and remote["status"] == "sell"
    assert remote["condition"] == "near_mint" and remote["estimated_value"] == 410.5
    assert remote["currency"] == "EUR" and remote["notes"] == "Boxed"
    assert item == remote  # the cache holds the API's answer
    assert item["id"] in env.view_ids("items")
    # Listed for sale: the listing and the collection's count follow.
    listing = env.cache.get("listings", "lst_" + item["id"].removeprefix("itm_"))
    assert listing is not None and listing["price"] == 410.5 and listing["type"] == "sale"
    assert env.cache.get("collections", coll["id"])["item_count"] == coll["item_count"] + 1
    assert any("Millennium Falcon 1979" in text for _k, text in env.ctl.messages)


def test_edit_item_patches_only_the_changed_fields_and_updates_the_cache(env: Env) -> None:
    env.spy(env.instamapp)
    item = next(r for r in env.cache.all_rows("items") if r["status"] == "keep" and r["estimated_value"])
    env.window.show_view("items")
    dialog = env.ctl.edit("items", item)
    assert dialog.widget("name").text() == item["name"]
    dialog.widget("status").setCurrentIndex(dialog.widget("status").findData("trade"))
    dialog.widget("estimated_value").setText("99.95")
    env.ok(dialog)

    assert not dialog.isVisible(), dialog.message.text()
    patches = [(m, p, body) for m, p, body in env.sent if m == "PATCH"]
    assert patches == [("PATCH", f"/items/{item['id']}", {"status": "trade", "estimated_value": 99.95})]
    remote = env.run(env.instamapp.get_item(item["id"]))
    assert remote["status"] == "trade" and remote["estimated_value"] == 99.95
    assert remote["name"] == item["name"] and remote["notes"] == item["notes"]
    cached = env.cache.get("items", item["id"])
    assert cached["status"] == "trade" and cached["estimated_value"] == 99.95
    assert cached["updated_at"] == remote["updated_at"]
    listing = env.cache.get("listings", "lst_" + item["id"].removeprefix("itm_"))
    assert listing is not None and listing["type"] == "trade" and listing["price"] is None

    # Opening and saving without a change sends nothing.
    env.sent.clear()
    again = env.ctl.edit("items", cached)
    env.ok(again)
    assert not again.isVisible() and env.sent == []


def test_item_form_checks_the_limits_before_sending(env: Env) -> None:
    env.spy(env.instamapp)
    dialog = env.ctl.create("items")
    dialog.widget("name").setText("   ")
    dialog.widget("estimated_value").setText("-1")
    dialog.widget("currency").setText("dollars")
    dialog.widget("notes").setPlainText("x" * 2001)
    dialog.ok_button.click()
    problems = dialog.problems()
    assert set(problems) == {"name", "estimated_value", "currency", "notes"}
    assert "2000" in problems["notes"]
    assert dialog.isVisible() and env.sent == []
    dialog.grab().save("/tmp/shot-edit-items-invalid.png")


def test_items_cannot_be_deleted_and_collections_are_read_only(env: Env) -> None:
    item = env.cache.all_rows("items")[0]
    assert env.ctl.delete("items", [item]) is None
    assert "Archived" in env.ctl.messages[-1][1]
    assert env.ctl.create("collections") is None
    assert not env.ctl.can_edit("listings") and not env.ctl.can_create("listings")


def test_a_create_whose_answer_is_lost_is_not_resent(env: Env) -> None:
    before = env.run(env.instamapp.list_items(per_page=1))
    env.srv.set_faults(drop_after_commit=1)
    dialog = env.ctl.create("items")
    dialog.widget("name").setText("Lost answer")
    env.ok(dialog)
    env.srv.set_faults()
    assert dialog.isVisible() and "Refresh to check" in dialog.message.text()
    assert dialog.widget("name").text() == "Lost answer"  # nothing typed is lost
    items = [i for i in env.run(env.instamapp.list_items(per_page=100)).items if i["name"] == "Lost answer"]
    assert len(items) == 1 and before is not None  # made once, never sent again


# -- Mapiry maps ------------------------------------------------------------------------------
def test_create_edit_delete_a_map(env: Env) -> None:
    env.window.show_view("maps")
    dialog = env.actions.new()
    dialog.widget("title").setText("Toy fairs 2026")
    dialog.widget("city").setText("Utrecht")
    dialog.widget("public").setChecked(True)
    dialog.widget("centerLat").setText("52.09")
    dialog.widget("centerLng").setText("5.12")
    dialog.widget("zoom").setText("11")
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    the_map = next(m for m in env.cache.all_rows("maps") if m["title"] == "Toy fairs 2026")
    assert {"id": the_map["id"], "source": "created"}.items() <= next(
        k for k in env.cache.known_maps() if k["id"] == the_map["id"]).items()
    remote = env.run(env.mapiry.get_map(the_map["id"]))
    assert remote["city"] == "Utrecht" and remote["public"] is True and remote["centerLat"] == 52.09
    assert the_map["id"] in env.view_ids("maps")

    env.spy(env.mapiry)
    edit = env.ctl.edit("maps", the_map)
    edit.widget("title").setText("Toy fairs 2026 (NL)")
    edit.widget("zoom").setText("")  # cleared → sent as null
    env.ok(edit)
    assert [b for m, _p, b in env.sent if m == "PUT"] == [{"title": "Toy fairs 2026 (NL)", "zoom": None}]
    remote = env.run(env.mapiry.get_map(the_map["id"]))
    assert remote["title"] == "Toy fairs 2026 (NL)" and remote["zoom"] is None
    assert env.cache.get("maps", the_map["id"])["slug"] == remote["slug"]

    box = env.ctl.delete("maps", [env.cache.get("maps", the_map["id"])])
    assert "Toy fairs 2026 (NL)" in box.text()
    env.confirm(box)
    with pytest.raises(NotFoundError):
        env.run(env.mapiry.get_map(the_map["id"]))
    assert env.cache.get("maps", the_map["id"]) is None
    assert the_map["id"] not in {k["id"] for k in env.cache.known_maps()}


def test_deleting_a_map_forgets_its_cached_contents(env: Env) -> None:
    map_id = env.srv.info["mapiry"]["maps"][0]
    assert env.cache.count("locations", scope=map_id) > 0
    box = env.ctl.delete("maps", [env.cache.get("maps", map_id)])
    assert "locations" in box.informativeText()
    env.confirm(box)
    assert env.cache.count("locations", scope=map_id) == 0
    assert env.cache.count("layers", scope=map_id) == 0
    assert map_id not in {k["id"] for k in env.cache.known_maps()}
    assert map_id not in env.view_ids("maps")


# -- API keys ---------------------------------------------------------------------------------
def test_api_key_secret_is_shown_once_and_never_stored(env: Env, tmp_path: Path, caplog: Any) -> None:
    env.window.show_view("api_keys")
    dialog = env.actions.new()
    dialog.widget("name").setText("Backup script")
    dialog.widget("scope").setCurrentIndex(dialog.widget("scope").findData("READ_WRITE"))
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    shown = env.ctl.secret_dialog
    assert shown is not None and shown.isVisible()
    secret = shown.secret_field.text()
    looks_right = secret.startswith("mk_live_") and len(secret) > 20
    assert looks_right, "the secret dialog does not show a Mapiry key"
    warning = shown.findChild(QLabel, "secretWarning").text()
    assert "only once" in warning and "cannot be shown again" in warning
    shown.copy()

    # The secret works…
    async def use() -> list[dict]:
        async with MapiryClient(env.srv.mapiry_url, secret) as client:
            return await client.list_keys()
    keys = env.run(use())
    new = next(k for k in keys if k["name"] == "Backup script")
    assert "key" not in new
    cached = env.cache.get("api_keys", new["id"])
    assert cached is not None and "key" not in cached and cached["prefix"] == secret[:16]
    assert new["id"] in env.view_ids("api_keys")

    # …and is kept nowhere: not in the cache files, not in QSettings, not in the log.
    shown.accept()
    empty_after_close = shown.secret_field.text() == ""
    assert empty_after_close
    env.window.save_settings()
    env.cache.connect().execute("PRAGMA wal_checkpoint(FULL)").close()
    leaked = [p.name for p in tmp_path.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
    assert leaked == []
    in_log = secret in caplog.text
    assert not in_log

    # Revoke, with a confirmation; the key stops working at once.
    box = env.ctl.delete("api_keys", [cached])
    assert "Revoke" in box.text() and "Backup script" in box.text()
    env.confirm(box)
    assert env.cache.get("api_keys", new["id"])["revokedAt"]
    with pytest.raises(AuthenticationError):
        env.run(use())


# -- permissions, offline ---------------------------------------------------------------------
def test_read_only_key_says_so_and_the_cache_does_not_change(fresh_sandbox: Any, loop: Any,
                                                               tmp_path: Path, qtbot: Any) -> None:
    e = make_env(fresh_sandbox, loop, tmp_path, qtbot, mapiry_key="read_only", instamapp_key="items_read")
    try:
        before_maps = e.cache.all_rows("maps")
        before_items = e.cache.all_rows("items")
        locations_before = e.cache.count("locations")
        dialog = e.ctl.edit("maps", before_maps[0])
        dialog.widget("title").setText("Renamed")
        e.ok(dialog)
        assert dialog.isVisible() and dialog.widget("title").text() == "Renamed"
        assert "READ_ONLY" in dialog.message.text() and "READ_WRITE" in dialog.message.text()
        dialog.adjustSize()
        dialog.grab().save("/tmp/shot-edit-maps-read-only.png")
        dialog.reject()

        item_dialog = e.ctl.edit("items", before_items[0])
        item_dialog.widget("name").setText("Renamed item")
        e.ok(item_dialog)
        assert item_dialog.isVisible() and "scope" in item_dialog.message.text()
        item_dialog.reject()

        box = e.ctl.delete("locations", [e.cache.all_rows("locations")[0]])
        e.confirm(box)
        kind, text = e.ctl.messages[-1]
        assert kind == "error" and "Deleted 0 of 1 locations" in text and "READ_ONLY" in text
        assert e.cache.all_rows("maps") == before_maps
        assert e.cache.all_rows("items") == before_items
        assert e.cache.count("locations") == locations_before
    finally:
        close_env(e)


def test_offline_says_changes_need_a_connection(fresh_sandbox: Any, loop: Any, tmp_path: Path,
                                                qtbot: Any) -> None:
    e = make_env(fresh_sandbox, loop, tmp_path, qtbot, connected=False)
    try:
        e.window.show_view("items")
        assert e.actions.new() is None
        kind, text = e.ctl.messages[-1]
        assert "Offline: changes need a connection" in text and "Settings (Ctrl+,)" in text
        assert "InstaMapp" in text
        assert e.ctl.edit("maps", e.cache.all_rows("maps")[0]) is None
        assert "Mapiry" in e.ctl.messages[-1][1]
        assert e.window.notice.isVisible()
    finally:
        close_env(e)


def test_connection_lost_while_the_dialog_is_open(env: Env) -> None:
    dialog = env.ctl.create("tags")
    dialog.widget("name").setText("new tag")
    env.window.sync_engine.disconnect("mapiry")  # disconnected meanwhile
    env.ok(dialog)
    assert dialog.isVisible() and "Offline: changes need a connection" in dialog.message.text()


# -- the Edit menu ----------------------------------------------------------------------------
def test_edit_actions_follow_the_view_and_the_selection(env: Env, qtbot: Any) -> None:
    actions = env.actions
    edit_menu = next(a.menu() for a in env.window.menuBar().actions() if a.menu() and "Edit" in a.text())
    assert {actions.new_action, actions.edit_action, actions.delete_action} <= set(edit_menu.actions())
    assert actions.new_action.shortcut().toString() == "Ctrl+N"
    assert actions.edit_action.shortcut().toString() == "F2"
    for view in ("collections", "sales", "imports"):  # read-only, or not a table
        env.window.show_view(view)
        assert not actions.new_action.isEnabled() and not actions.edit_action.isEnabled()
        assert not actions.delete_action.isEnabled()
    env.window.show_view("items")
    assert actions.new_action.isEnabled() and not actions.delete_action.isEnabled()
    page = env.window.current_page()
    page.table.selectRow(0)
    assert actions.edit_action.isEnabled() and not actions.delete_action.isEnabled()  # no item delete
    env.window.show_view("locations")
    page = env.window.current_page()
    assert not actions.edit_action.isEnabled()
    page.table.selectRow(0)
    page.table.selectionModel().select(page.model.index(1, 0), page.table.selectionModel().SelectionFlag.Select
                                       | page.table.selectionModel().SelectionFlag.Rows)
    assert actions.delete_action.isEnabled() and "2" in actions.delete_action.text()
    assert not actions.edit_action.isEnabled()  # one row at a time
    page.table.selectRow(1)
    assert actions.edit_action.isEnabled()
    # Double-click and Edit… open the form of that row.
    record = page.model.record(1)
    page.table.doubleClicked.emit(page.model.index(1, 0))
    assert env.ctl.dialog.record["id"] == record["id"]
    env.ctl.dialog.reject()
    actions.edit_action.trigger()
    assert env.ctl.dialog.isVisible() and env.ctl.dialog.record["id"] == record["id"]
    env.ctl.dialog.reject()
    # Delete in the table asks first.
    page.table.setFocus()
    actions.delete_action.trigger()
    assert env.ctl.confirmation.isVisible() and record["name"] in env.ctl.confirmation.text()
    env.ctl.confirmation.reject()
    env.window.show_view("api_keys")
    assert actions.new_action.isEnabled() and "API key" in actions.new_action.text()
    env.window.current_page().table.selectRow(0)
    assert not actions.edit_action.isEnabled() and "Revoke" in actions.delete_action.text()
    env.window.grab().save("/tmp/shot-edit-window.png")


def test_confirmation_defaults_to_cancel(env: Env) -> None:
    rows = env.cache.all_rows("tags")[:3]
    count = env.cache.count("tags")
    box = env.ctl.delete("tags", rows)
    assert box.defaultButton() is not box.confirm_button
    assert all(r["name"] in box.text() for r in rows) and "3 tags" in box.text()
    box.adjustSize()
    box.grab().save("/tmp/shot-edit-confirm-delete.png")
    box.reject()
    drive(env.loop, lambda: idle(env.ctl))
    assert env.ctl.task is None and env.cache.count("tags") == count


def test_keys_on_the_table_edit_and_delete_but_not_in_the_search_box(env: Env, qtbot: Any) -> None:
    assert env.actions is not None
    env.window.show_view("tags")
    page = env.window.current_page()
    page.table.setFocus()
    page.table.selectRow(0)
    record = page.model.record(0)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert env.ctl.dialog is not None and env.ctl.dialog.record["id"] == record["id"]
    env.ctl.dialog.reject()
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    assert env.ctl.dialog.isVisible()
    env.ctl.dialog.reject()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert env.ctl.confirmation is not None and env.ctl.confirmation.isVisible()
    env.ctl.confirmation.reject()
    env.ctl.confirmation = None
    page.search.setFocus()
    page.search.setText("abc")
    page.search.setCursorPosition(0)
    qtbot.keyClick(page.search, Qt.Key.Key_Delete)
    assert page.search.text() == "bc" and env.ctl.confirmation is None

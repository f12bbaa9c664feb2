"""A real person's first start: the welcome page, connecting with keys kept for the session only
(no keyring), bringing the maps in, and switching between the demo and the real accounts in
the running window. Over real HTTP to sandboxes of the test's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
import shiboken6

from app.services.credentials import CredentialStore
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.sync import known_maps as K
from app.ui import modes
from app.ui.controller import AppController
from app.ui.main_window import MainWindow
from app.ui.palette import accent
from app.ui.settings_dialog import SettingsDialog
from tests.gui.looping import drive, in_loop, run, show
from tests.gui.running import running_app


@pytest.fixture
def account(make_sandbox: Any, qloop: qasync.QEventLoop, data_dir: str,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A person's own accounts: an empty sandbox with one map and one item made through the API;
    Cabinet reaches it through the base-URL environment variables (the keys are typed)."""
    srv = make_sandbox(seed="empty")
    info = srv.info
    client = MapiryClient(srv.mapiry_url, info["mapiry"]["keys"]["read_write"])
    try:
        the_map = run(qloop, client.create_map("My flea markets"))
        run(qloop, client.create_location(the_map["id"], name="Mauerpark", lat=52.5431, lng=13.4023))
    finally:
        run(qloop, client.aclose())
    monkeypatch.setenv("INSTAMAPP_BASE_URL", srv.instamapp_url)
    monkeypatch.setenv("MAPIRY_BASE_URL", srv.mapiry_url)
    for name in ("INSTAMAPP_API_KEY", "MAPIRY_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    yield {"map": the_map, "mapiry_key": info["mapiry"]["keys"]["read_write"],
           "instamapp_key": info["instamapp"]["keys"]["full"], "server": srv}
    CredentialStore.clear_session()


def _settings(qloop: qasync.QEventLoop, window: MainWindow) -> SettingsDialog:
    drive(qloop, lambda: isinstance(window._settings_dialog, SettingsDialog)  # noqa: SLF001
          and window._settings_dialog.isVisible(), 10)  # noqa: SLF001
    return window._settings_dialog  # noqa: SLF001


def _closed(dialog: SettingsDialog) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def _type_key(qloop: qasync.QEventLoop, dialog: SettingsDialog, service: str, key: str) -> None:
    panel = dialog.panel(service)
    assert not panel.session_only.isHidden() and panel.session_only.isChecked()  # no keyring here
    in_loop(qloop, panel.key_edit.setText, key)


def test_the_welcome_path_connects_mapiry_tests_the_key_and_brings_the_maps_in(
        qloop: qasync.QEventLoop, account: dict[str, Any], no_quit_on_close: None, tmp_path: Path) -> None:
    cache = Cache(modes.cache_path(demo=False))
    window = MainWindow(cache)
    welcome = window.show_welcome()
    show(qloop, window)
    controller = AppController(window, cache, demo=False)
    try:
        in_loop(qloop, controller.start)
        drive(qloop, lambda: controller._start_task.done(), 20)  # noqa: SLF001
        assert window.showing_welcome() and not window.splitter.isVisible()
        in_loop(qloop, lambda: window.grab().save(str(tmp_path / "welcome.png")))
        # Nothing connected yet is not a failure: a neutral "Not connected", not the orange of offline.
        for status in window.service_status.values():
            assert status.state == "unconnected" and "Not connected" in status.text()
            assert "Offline" not in status.text() and accent("warning") not in status.dot.styleSheet()
            assert accent("idle") in status.dot.styleSheet()

        in_loop(qloop, welcome.connect_button.click)
        assert "Account Settings → API Keys" in welcome.service_buttons["mapiry"].description()
        in_loop(qloop, welcome.service_buttons["mapiry"].click)
        dialog = _settings(qloop, window)
        assert dialog.tabs.currentWidget() is dialog.panel("mapiry")
        assert "Account Settings → API Keys" in dialog.panel("mapiry").key_place.text()
        assert "Business team settings → API keys" in dialog.panel("instamapp").key_place.text()

        # A wrong key: OK tests it, says so, and keeps the dialog open.
        _type_key(qloop, dialog, "mapiry", "mk_live_thisisnotakeyatall0000000000")
        in_loop(qloop, dialog.buttons.accepted.emit)
        drive(qloop, lambda: dialog.save_error.isVisible(), 20)
        assert dialog.isVisible() and "did not pass the connection test" in dialog.save_error.text()
        assert window.showing_welcome()

        # The right one: tested, kept for the session, connected; the maps are asked for next.
        _type_key(qloop, dialog, "mapiry", account["mapiry_key"])
        tested: list[Any] = []
        dialog.panel("mapiry").tested.connect(tested.append)
        in_loop(qloop, dialog.buttons.accepted.emit)
        drive(qloop, lambda: _closed(dialog), 20)
        assert [r.ok for r in tested] == [True]
        assert CredentialStore().session_key("mapiry") == account["mapiry_key"]
        drive(qloop, lambda: window.maps_actions.dialog is not None and window.maps_actions.dialog.isVisible(), 20)
        assert not window.showing_welcome() and window.splitter.isVisible()
        adder = window.maps_actions.dialog
        in_loop(qloop, adder.input.setPlainText, f"https://mapiry.com/maps/{account['map']['id']}")
        in_loop(qloop, adder.add_button.click)
        drive(qloop, lambda: adder.task is not None and adder.task.done(), 20)
        assert [r.outcome for r in adder.results] == [K.ADDED]
        drive(qloop, lambda: cache.count("locations", scope=account["map"]["id"]) == 1, 30)
        drive(qloop, lambda: window.sync_task() is not None and window.sync_task().done(), 30)
        assert window.service_status["mapiry"].state == "synced"
        in_loop(qloop, adder.close)
    finally:
        run(qloop, controller.shutdown())
        in_loop(qloop, window.close)
        controller.cache.close()
        cache.close()


def test_demo_and_real_switch_in_the_running_window_with_session_only_keys(
        qloop: qasync.QEventLoop, account: dict[str, Any], no_quit_on_close: None, tmp_path: Path) -> None:
    demo_cache = Cache(modes.prepare_demo_cache())
    with running_app(qloop, demo_cache, demo=True) as (window, controller):
        drive(qloop, lambda: window.sync_task() is not None and window.sync_task().done(), 60)
        demo_items = demo_cache.count("items")
        assert demo_items >= 200 and window.windowTitle() == "Demo data" and window.demo_banner.isVisible()
        assert not window.demo_action.isEnabled()

        # The banner's Connect → Settings; both keys typed, kept for this session only (no keyring).
        in_loop(qloop, window.demo_banner.connect_button.click)
        dialog = _settings(qloop, window)
        assert dialog.test_before_save
        _type_key(qloop, dialog, "instamapp", account["instamapp_key"])
        _type_key(qloop, dialog, "mapiry", account["mapiry_key"])
        in_loop(qloop, dialog.buttons.accepted.emit)
        drive(qloop, lambda: _closed(dialog), 30)

        # No restart: the running window now shows the real accounts from the real cache.
        drive(qloop, lambda: not controller.demo and window.cache is controller.cache, 30)
        real_cache = controller.cache
        assert Path(real_cache.path) == modes.cache_path(demo=False)
        assert window.windowTitle() == "Cabinet" and not window.demo_banner.isVisible()
        assert window.demo_action.isEnabled()
        drive(qloop, lambda: window.maps_actions.dialog is not None, 30)  # no maps known yet: asked for
        drive(qloop, lambda: window.sync_task() is not None and window.sync_task().done(), 60)
        assert real_cache.count("items") == 0 and window.service_status["instamapp"].state == "synced"
        in_loop(qloop, window.maps_actions.dialog.input.setPlainText, account["map"]["id"])
        in_loop(qloop, window.maps_actions.dialog.add_button.click)
        drive(qloop, lambda: real_cache.count("locations") == 1, 30)
        assert [m["id"] for m in real_cache.known_maps()] == [account["map"]["id"]]
        in_loop(qloop, window.maps_actions.dialog.close)
        drive(qloop, lambda: window.sync_task().done(), 60)

        # Help → Explore the demo: back to the demo, its own cache and server; the real cache kept.
        in_loop(qloop, window.demo_action.trigger)
        drive(qloop, lambda: controller.demo and window.cache is controller.cache, 30)
        drive(qloop, lambda: window.sync_task() is not None and window.sync_task().done(), 60)
        assert window.windowTitle() == "Demo data" and controller.cache.count("items") == demo_items
        assert account["map"]["id"] not in {m["id"] for m in controller.cache.known_maps()}
        window.show_view("items")
        assert window.current_page().model.rowCount() == demo_items

        # The session-only keys lasted the session: back to the real accounts without typing them.
        in_loop(qloop, controller.switch, demo=False)
        drive(qloop, lambda: not controller.demo, 30)
        drive(qloop, lambda: window.sync_task() is not None and window.sync_task().done(), 60)
        assert controller.cache.count("locations") == 1 and window.service_status["mapiry"].state == "synced"


def test_the_demo_cache_goes_when_its_server_data_is_gone(data_dir: str) -> None:
    path = modes.cache_path(demo=True)
    Cache(path).close()
    modes.demo_server_path(path).write_bytes(b"")
    assert modes.prepare_demo_cache() == path and path.exists()  # the pair is kept
    modes.demo_server_path(path).unlink()
    modes.prepare_demo_cache()
    assert not path.exists() and not path.with_name("demo-state.sqlite3").exists()  # reset together

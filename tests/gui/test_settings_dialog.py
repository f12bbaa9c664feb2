"""The settings dialog: masked keys, connection tests on the typed values, keyring-only storage."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import pytest
import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget

from app.services import config
from app.services.credentials import KEYRING_SERVICE, CredentialStore
from app.ui.eventloop import new_event_loop
from app.ui.settings_dialog import SettingsDialog
from tests.keyring_double import MemoryKeyring

ENV_VARS = ("INSTAMAPP_API_KEY", "MAPIRY_API_KEY", "INSTAMAPP_BASE_URL", "MAPIRY_BASE_URL")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Own config and data folders, no key variables, no session keys left behind."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CABINET_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CABINET_DATA_DIR", str(tmp_path / "data"))
    CredentialStore.clear_session()
    yield tmp_path
    CredentialStore.clear_session()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop over the test's QApplication, as the app runs one; closed after the test.

    The tests run it with ``drive()`` (the Qt event loop turns while it runs), and the
    dialog's default run_task starts its coroutines on it.
    """
    loop = new_event_loop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        leftover = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in leftover:
            task.cancel()
        if leftover:
            loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))
        loop.close()  # also shuts the loop's executor threads down
        asyncio.set_event_loop(None)
        assert not leftover, "tasks were left running"


def drive(loop: qasync.QEventLoop, condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Run the qasync loop (and with it Qt's) until ``condition()`` holds."""

    async def until() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    loop.run_until_complete(asyncio.wait_for(until(), timeout))


class Secret(str):
    """A sandbox key whose repr is masked, so a failing test never prints it."""

    def __repr__(self) -> str:
        return "'***'"


def _key(sandbox: Any, service: str, which: str) -> Secret:
    return Secret(sandbox.info[service]["keys"][which])


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _dialog(qtbot: Any) -> SettingsDialog:
    dialog = SettingsDialog(CredentialStore())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _next_tab_stop(widget: QWidget) -> QWidget:
    """The widget Tab moves to from ``widget`` (skipping those that take no tab focus)."""
    nxt = widget.nextInFocusChain()
    while not (nxt.focusPolicy() & Qt.FocusPolicy.TabFocus) or not nxt.isVisibleTo(widget.window()):
        nxt = nxt.nextInFocusChain()
    return nxt


def _files_containing(root: Path, secret: str) -> list[Path]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and secret.encode() in path.read_bytes():
            hits.append(path)
    return hits


def _run_test(
    qtbot: Any, loop: qasync.QEventLoop, dialog: SettingsDialog, service: str, url: str, key: str
) -> str:
    """Type the values, press Test connection, wait for the result; return its text."""
    panel = dialog.panel(service)
    dialog.tabs.setCurrentWidget(panel)
    panel.url_edit.setText(url)
    panel.key_edit.setText(key)
    ticks = []
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: ticks.append(1))
    heartbeat.start(5)
    qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    assert panel.is_testing()
    assert panel.busy.isVisible() and not panel.test_button.isEnabled()
    drive(loop, lambda: not panel.is_testing())
    heartbeat.stop()
    assert ticks, "the event loop did not run while the test was under way"
    assert not panel.busy.isVisible() and panel.test_button.isEnabled()
    assert panel.result_frame.isVisible()
    text = panel.result_label.text()
    if key in text:
        pytest.fail("the key appears in the result")
    return text


# ---------------------------------------------------------------- the key field


def test_key_is_masked_by_default_and_show_hide_toggles(qtbot: Any) -> None:
    dialog = _dialog(qtbot)
    for service in ("instamapp", "mapiry"):
        panel = dialog.panel(service)
        dialog.tabs.setCurrentWidget(panel)
        assert panel.key_edit.echoMode() == QLineEdit.EchoMode.Password
        qtbot.mouseClick(panel.show_key, Qt.MouseButton.LeftButton)
        assert panel.key_edit.echoMode() == QLineEdit.EchoMode.Normal
        assert panel.show_key.text().replace("&", "") == "Hide"
        qtbot.mouseClick(panel.show_key, Qt.MouseButton.LeftButton)
        assert panel.key_edit.echoMode() == QLineEdit.EchoMode.Password
        assert panel.show_key.text().replace("&", "") == "Show"


def test_base_url_shows_the_default_as_placeholder_and_resets(qtbot: Any) -> None:
    config.save_base_url("mapiry", "http://127.0.0.1:9/mapiry/api/v1")
    dialog = _dialog(qtbot)
    panel = dialog.panel("mapiry")
    assert panel.url_edit.placeholderText() == config.DEFAULT_BASE_URLS["mapiry"]
    assert panel.url_edit.text() == "http://127.0.0.1:9/mapiry/api/v1"
    qtbot.mouseClick(panel.reset_url, Qt.MouseButton.LeftButton)
    assert panel.url_edit.text() == ""
    assert panel.typed_base_url() == config.DEFAULT_BASE_URLS["mapiry"]
    dialog.accept()
    assert config.load_base_url("mapiry") == config.DEFAULT_BASE_URLS["mapiry"]


def test_keyboard_tab_order_mnemonics_and_enter_is_ok(qtbot: Any, memory_keyring: MemoryKeyring) -> None:
    dialog = _dialog(qtbot)
    panel = dialog.panel("instamapp")
    assert _next_tab_stop(panel.key_edit) is panel.show_key
    assert _next_tab_stop(panel.show_key) is panel.url_edit
    assert _next_tab_stop(panel.url_edit) is panel.reset_url
    for text in (panel.test_button.text(), panel.reset_url.text(), panel.show_key.text()):
        assert "&" in text
    assert not panel.test_button.autoDefault() and not panel.reset_url.autoDefault()
    panel.key_edit.setFocus()
    qtbot.keyClicks(panel.key_edit, "imk_live_typed")
    with qtbot.waitSignal(dialog.connectionsChanged, timeout=2000):
        qtbot.keyClick(panel.key_edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert memory_keyring.store[(KEYRING_SERVICE, "instamapp-api-key")] == "imk_live_typed"


# ---------------------------------------------------------------- connection tests


def test_instamapp_full_key_shows_every_scope(qtbot: Any, qloop: Any, sandbox: Any) -> None:
    dialog = _dialog(qtbot)
    text = _run_test(
        qtbot, qloop, dialog, "instamapp", sandbox.instamapp_url, _key(sandbox, "instamapp", "full")
    )
    assert "Connected to InstaMapp" in text
    result = dialog.panel("instamapp").last_result
    assert result is not None and result.ok
    assert result.scopes == [
        "items:read",
        "items:write",
        "collections:read",
        "marketplace:read",
        "analytics:read",
    ]
    for scope in result.scopes:
        assert f"✓&nbsp;{scope}" in text


def test_instamapp_read_only_key_shows_missing_scopes(qtbot: Any, qloop: Any, sandbox: Any) -> None:
    dialog = _dialog(qtbot)
    text = _run_test(
        qtbot, qloop, dialog, "instamapp", sandbox.instamapp_url, _key(sandbox, "instamapp", "items_read")
    )
    assert "✓&nbsp;items:read" in text
    assert "✗&nbsp;items:write" in text


@pytest.mark.parametrize(
    "which, access, meaning",
    [("read_write", "READ_WRITE", "read and write"), ("read_only", "READ_ONLY", "read only")],
)
def test_mapiry_key_shows_access_and_pro(
    qtbot: Any, qloop: Any, sandbox: Any, which: str, access: str, meaning: str
) -> None:
    dialog = _dialog(qtbot)
    text = _run_test(qtbot, qloop, dialog, "mapiry", sandbox.mapiry_url, _key(sandbox, "mapiry", which))
    assert "Connected to Mapiry" in text
    assert f"Access: {access} ({meaning})" in text
    assert "Pro subscription: yes" in text


def test_mapiry_account_without_pro_is_shown(qtbot: Any, qloop: Any, sandbox: Any) -> None:
    dialog = _dialog(qtbot)
    text = _run_test(qtbot, qloop, dialog, "mapiry", sandbox.mapiry_url, _key(sandbox, "mapiry", "no_pro"))
    assert "Connection test failed" in text
    assert "this Mapiry account has no Pro subscription" in text
    assert "Request id: req_" in text


def test_expired_key_shows_a_clear_error(qtbot: Any, qloop: Any, sandbox: Any) -> None:
    dialog = _dialog(qtbot)
    text = _run_test(qtbot, qloop, dialog, "mapiry", sandbox.mapiry_url, _key(sandbox, "mapiry", "expired"))
    assert "Connection test failed" in text
    assert "This Mapiry API key has expired" in text
    result = dialog.panel("mapiry").last_result
    assert result is not None and not result.ok and result.error is not None


def test_closed_port_shows_could_not_reach(qtbot: Any, qloop: Any, sandbox: Any) -> None:
    port = _closed_port()
    dialog = _dialog(qtbot)
    text = _run_test(
        qtbot,
        qloop,
        dialog,
        "instamapp",
        f"http://127.0.0.1:{port}/instamapp/api/public/v1",
        _key(sandbox, "instamapp", "full"),
    )
    assert f"Could not reach 127.0.0.1:{port}: check the address and your connection." in text


def test_the_typed_values_are_tested_not_the_saved_ones(
    qtbot: Any, qloop: Any, sandbox: Any, memory_keyring: MemoryKeyring
) -> None:
    keys = {which: _key(sandbox, "mapiry", which) for which in ("expired", "read_write")}
    CredentialStore().set("mapiry", keys["expired"])
    config.save_base_url("mapiry", f"http://127.0.0.1:{_closed_port()}/mapiry/api/v1")
    dialog = _dialog(qtbot)
    panel = dialog.panel("mapiry")
    assert panel.key_edit.text() == keys["expired"]  # the saved key is loaded, masked
    text = _run_test(qtbot, qloop, dialog, "mapiry", sandbox.mapiry_url, keys["read_write"])
    assert "Access: READ_WRITE" in text
    # Testing saves nothing.
    assert memory_keyring.store[(KEYRING_SERVICE, "mapiry-api-key")] == keys["expired"]
    assert config.load_base_url("mapiry") != sandbox.mapiry_url
    # And the other way round: a working saved key does not rescue a bad typed one.
    CredentialStore().set("mapiry", keys["read_write"])
    text = _run_test(qtbot, qloop, dialog, "mapiry", sandbox.mapiry_url, keys["expired"])
    assert "has expired" in text


def test_editing_after_a_test_clears_the_stale_result(qtbot: Any, qloop: Any, sandbox: Any) -> None:
    dialog = _dialog(qtbot)
    _run_test(qtbot, qloop, dialog, "mapiry", sandbox.mapiry_url, _key(sandbox, "mapiry", "read_only"))
    panel = dialog.panel("mapiry")
    qtbot.keyClicks(panel.key_edit, "x")
    assert not panel.result_frame.isVisible()
    assert panel.last_result is None


def test_cancel_while_testing_stops_the_test(qtbot: Any, qloop: Any, sandbox: Any) -> None:
    sandbox.set_faults(latency_ms=1500)
    try:
        dialog = _dialog(qtbot)
        panel = dialog.panel("mapiry")
        panel.url_edit.setText(sandbox.mapiry_url)
        panel.key_edit.setText(_key(sandbox, "mapiry", "read_write"))
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        assert panel.is_testing()
        qloop.run_until_complete(asyncio.sleep(0.2))  # the request is out, the answer is 1.5 s away
        assert panel.is_testing()
        task = panel._task
        dialog.reject()
        assert not dialog.is_testing()
        drive(qloop, task.done, timeout=5)
        assert task.cancelled()
        assert panel.last_result is None
    finally:
        sandbox.set_faults(latency_ms=0)


# ---------------------------------------------------------------- saving


def test_ok_saves_keys_in_the_keyring_and_urls_without_keys(
    qtbot: Any, memory_keyring: MemoryKeyring, isolated: Path
) -> None:
    dialog = _dialog(qtbot)
    assert dialog.keyring_warning is None
    im, mp = dialog.panel("instamapp"), dialog.panel("mapiry")
    assert not im.session_only.isVisible()
    im.key_edit.setText("imk_live_secret_one_1234567890")
    mp.key_edit.setText("mk_live_secret_two_1234567890")
    mp.url_edit.setText("http://127.0.0.1:8123/mapiry/api/v1/")
    with qtbot.waitSignal(dialog.connectionsChanged, timeout=2000):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert memory_keyring.store == {
        (KEYRING_SERVICE, "instamapp-api-key"): "imk_live_secret_one_1234567890",
        (KEYRING_SERVICE, "mapiry-api-key"): "mk_live_secret_two_1234567890",
    }
    assert CredentialStore().source("mapiry") == "keyring"
    assert config.load_base_url("mapiry") == "http://127.0.0.1:8123/mapiry/api/v1"
    assert (isolated / "config" / "connections.json").is_file()
    for secret in ("imk_live_secret_one_1234567890", "mk_live_secret_two_1234567890"):
        assert _files_containing(isolated, secret) == []
    # Opened again, the dialog shows what was saved.
    again = _dialog(qtbot)
    assert again.panel("instamapp").key_edit.text() == "imk_live_secret_one_1234567890"
    assert again.panel("mapiry").url_edit.text() == "http://127.0.0.1:8123/mapiry/api/v1"


def test_clearing_a_key_removes_it_from_the_keyring(qtbot: Any, memory_keyring: MemoryKeyring) -> None:
    CredentialStore().set("instamapp", "imk_live_to_forget")
    dialog = _dialog(qtbot)
    dialog.panel("instamapp").key_edit.clear()
    with qtbot.waitSignal(dialog.connectionsChanged, timeout=2000):
        dialog.accept()
    assert memory_keyring.store == {}


def test_cancel_discards_and_ok_without_changes_is_silent(qtbot: Any, memory_keyring: MemoryKeyring) -> None:
    dialog = _dialog(qtbot)
    dialog.panel("instamapp").key_edit.setText("imk_live_discarded")
    dialog.panel("mapiry").url_edit.setText("http://127.0.0.1:1/x")
    with qtbot.assertNotEmitted(dialog.connectionsChanged):
        qtbot.mouseClick(
            dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton
        )
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert memory_keyring.store == {}
    assert config.load_base_url("mapiry") == config.DEFAULT_BASE_URLS["mapiry"]
    unchanged = _dialog(qtbot)
    with qtbot.assertNotEmitted(unchanged.connectionsChanged):
        unchanged.accept()
    assert unchanged.result() == QDialog.DialogCode.Accepted


# ---------------------------------------------------------------- no keyring


def test_no_keyring_shows_the_warning_and_keeps_the_key_for_the_session_only(
    qtbot: Any, isolated: Path
) -> None:
    assert not CredentialStore().available()  # tests/conftest.py sets the fail backend
    dialog = _dialog(qtbot)
    assert dialog.keyring_warning is not None and dialog.keyring_warning.isVisible()
    warning = dialog.keyring_warning.findChild(type(dialog.save_error), "noticeText").text()
    assert "No system keyring is available" in warning
    assert "never writes keys to a file" in warning
    panel = dialog.panel("mapiry")
    dialog.tabs.setCurrentWidget(panel)
    assert panel.session_only.isVisible() and panel.session_only.isChecked()
    assert panel.session_only.text().replace("&", "") == "Keep the key for this session only"
    panel.key_edit.setText("mk_live_session_only_123456")
    with qtbot.waitSignal(dialog.connectionsChanged, timeout=2000):
        dialog.accept()
    store = CredentialStore()
    assert store.get("mapiry") == "mk_live_session_only_123456"
    assert store.source("mapiry") == "session"
    assert _files_containing(isolated, "mk_live_session_only_123456") == []
    # The next dialog of this session shows the session key.
    assert _dialog(qtbot).panel("mapiry").key_edit.text() == "mk_live_session_only_123456"


def test_no_keyring_without_session_only_does_not_pretend_to_save(qtbot: Any, isolated: Path) -> None:
    dialog = _dialog(qtbot)
    panel = dialog.panel("instamapp")
    panel.session_only.setChecked(False)
    panel.key_edit.setText("imk_live_nowhere_to_go")
    with qtbot.assertNotEmitted(dialog.connectionsChanged):
        dialog.accept()
    assert dialog.isVisible()  # not closed: the key could not be kept
    assert dialog.save_error.isVisible()
    assert "Keep the key for this session only" in dialog.save_error.text()
    assert CredentialStore().get("instamapp") is None
    assert _files_containing(isolated, "imk_live_nowhere_to_go") == []


# ---------------------------------------------------------------- environment


def test_environment_override_is_shown_plainly(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAPIRY_API_KEY", "mk_live_from_the_environment")
    monkeypatch.setenv("INSTAMAPP_BASE_URL", "http://127.0.0.1:7/instamapp/api/public/v1")
    dialog = _dialog(qtbot)
    mp, im = dialog.panel("mapiry"), dialog.panel("instamapp")
    dialog.tabs.setCurrentWidget(mp)
    assert mp.env_key_notice is not None and mp.env_key_notice.isVisible()
    text = mp.env_key_notice.findChild(type(dialog.save_error), "noticeText").text()
    assert text == "Set by the environment variable MAPIRY_API_KEY; it overrides what you save here."
    assert mp.key_edit.text() == ""  # the environment's key is not shown
    assert mp.env_url_notice is None and im.env_key_notice is None
    assert im.env_url_notice is not None
    assert "INSTAMAPP_BASE_URL" in im.env_url_notice.findChild(type(dialog.save_error), "noticeText").text()


def test_a_test_failed_on_a_strange_answer_shows_its_request_id(
    qtbot: Any, qloop: Any, hostile: Any, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot)
    text = _run_test(qtbot, qloop, dialog, "mapiry", hostile.url("keys-shape", "mapiry"),
                     Secret("mk_live_HOSTILEtestKEY0123456789"))
    result = dialog.panel("mapiry").last_result
    assert result is not None and not result.ok and result.request_id
    assert "Connection test failed" in text and "not as the Mapiry API does" in text
    assert f"Request id: {result.request_id}" in text
    assert text.count(result.request_id) == 1  # on a line of its own, not repeated in the summary
    dialog.grab().save(str(tmp_path / "settings-request-id.png"))

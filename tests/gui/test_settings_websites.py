# ruff: noqa: F811 - the keyring fixture imported from test_settings_dialog
"""The Instabot and InstaWP settings panels: Test connection, the access levels, a user's sign-in."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core import instabot as ib
from app.services import config
from app.services.credentials import KEYRING_SERVICE, CredentialStore
from app.ui.settings_dialog import SettingsDialog
from app.ui.settings_websites import MASTER_SECRET, SESSION_SECRET, InstabotPanel, InstaWPPanel
from tests.gui.looping import drive, in_loop
from tests.gui.test_settings_dialog import memory_keyring  # noqa: F401 - the keyring double as a fixture
from tests.keyring_double import MemoryKeyring


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in ("INSTABOT_API_KEY", "INSTAWP_API_KEY", "INSTABOT_BASE_URL", "INSTAWP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CABINET_CONFIG_DIR", str(tmp_path / "config"))
    CredentialStore.clear_session()
    yield tmp_path
    CredentialStore.clear_session()


def _dialog(qtbot: Any, loop: qasync.QEventLoop) -> SettingsDialog:
    dialog = SettingsDialog(CredentialStore(), run_task=lambda coro: asyncio.ensure_future(coro))
    qtbot.addWidget(dialog)
    in_loop(loop, dialog.show)
    return dialog


def _instabot(qtbot: Any, loop: qasync.QEventLoop, sandbox: Any) -> tuple[SettingsDialog, InstabotPanel]:
    """The dialog with its Instabot tab open, the sandbox's address and API key typed in."""
    dialog = _dialog(qtbot, loop)
    panel = dialog.panel("instabot")
    assert isinstance(panel, InstabotPanel)
    dialog.tabs.setCurrentWidget(panel)
    panel.url_edit.setText(sandbox.instabot_url)
    panel.key_edit.setText(sandbox.info["instabot"]["keys"]["api_key"])
    return dialog, panel


def _test(qtbot: Any, loop: qasync.QEventLoop, panel: Any) -> str:
    panel.window().tabs.setCurrentWidget(panel)
    in_loop(loop, qtbot.mouseClick, panel.test_button, Qt.MouseButton.LeftButton)
    drive(loop, lambda: not panel.is_testing())
    assert panel.result_frame.isVisible()
    return panel.result_label.text()


def test_instabot_access_levels_and_test_connection(qtbot: Any, qloop: Any, sandbox: Any) -> None:
    keys = sandbox.info["instabot"]["keys"]
    _dialog_, panel = _instabot(qtbot, qloop, sandbox)
    assert panel.access() == ib.ACCESS_API_KEY and not panel.master_edit.isEnabled()
    text = _test(qtbot, qloop, panel)
    assert "Cabinet Demo Bot" in text and "2016-05-01" in text and "API key only" in text

    panel.access_button(ib.ACCESS_MASTER_KEY).setChecked(True)
    assert panel.master_edit.isEnabled() and not panel.session_edit.isEnabled()
    panel.master_edit.setText("ibm_wrong_master_key_000000000000")
    text = _test(qtbot, qloop, panel)
    assert "Connection test failed" in text and "master key or user session key" in text
    assert "ibm_wrong" not in text
    panel.master_edit.setText(keys["master_key"])
    text = _test(qtbot, qloop, panel)
    assert "master key (administrative access)" in text and keys["master_key"] not in text


def test_instabot_user_sign_in_is_kept_like_a_secret(qtbot: Any, qloop: Any, sandbox: Any,
                                                     memory_keyring: MemoryKeyring, isolated: Path) -> None:
    keys = sandbox.info["instabot"]["keys"]
    dialog, panel = _instabot(qtbot, qloop, sandbox)
    panel.access_button(ib.ACCESS_USER_SESSION).setChecked(True)
    panel.session_edit.setText(keys["user_session"])
    in_loop(qloop, qtbot.mouseClick, panel.sign_in, Qt.MouseButton.LeftButton)
    drive(qloop, lambda: not panel.is_testing())
    assert panel.signed_in_as == "Dana Demo"
    assert "Signed in as Dana Demo" in panel.session_status.text()
    assert "Signed in as: Dana Demo" in panel.result_label.text()
    in_loop(qloop, dialog.accept)
    stored = CredentialStore()
    assert stored.get(SESSION_SECRET) == keys["user_session"] and stored.get(MASTER_SECRET) is None
    assert (KEYRING_SERVICE, "instabot-session-key") in memory_keyring.store
    assert config.load_base_url("instabot") == sandbox.instabot_url
    for path in isolated.rglob("*"):  # never in a file
        assert not path.is_file() or keys["user_session"].encode() not in path.read_bytes()

    second = _dialog(qtbot, qloop)
    again = second.panel("instabot")
    assert isinstance(again, InstabotPanel)
    assert again.access() == ib.ACCESS_USER_SESSION and again.session_edit.text() == keys["user_session"]
    in_loop(qloop, qtbot.mouseClick, again.sign_out, Qt.MouseButton.LeftButton)
    assert again.session_edit.text() == "" and "Signed out" in again.session_status.text()
    again.access_button(ib.ACCESS_API_KEY).setChecked(True)
    in_loop(qloop, second.accept)
    assert CredentialStore().get(SESSION_SECRET) is None


def test_instabot_sign_in_refused(qtbot: Any, qloop: Any, sandbox: Any) -> None:
    _dialog_, panel = _instabot(qtbot, qloop, sandbox)
    panel.access_button(ib.ACCESS_USER_SESSION).setChecked(True)
    panel.session_edit.setText("ibs_not_a_session_0000000000000000")
    in_loop(qloop, qtbot.mouseClick, panel.sign_in, Qt.MouseButton.LeftButton)
    drive(qloop, lambda: not panel.is_testing())
    assert panel.signed_in_as is None and "Not signed in" in panel.session_status.text()


def test_instawp_token_test(qtbot: Any, qloop: Any, sandbox: Any, qapp: QApplication) -> None:
    dialog = _dialog(qtbot, qloop)
    panel = dialog.panel("instawp")
    assert isinstance(panel, InstaWPPanel)
    panel.url_edit.setText(sandbox.instawp_url)
    panel.key_edit.setText(sandbox.info["instawp"]["keys"]["token"])
    text = _test(qtbot, qloop, panel)
    assert "Connected to InstaWP" in text and "Sites: 7" in text and "Templates: 4" in text
    panel.key_edit.setText("not-a-token")
    text = _test(qtbot, qloop, panel)
    assert "Connection test failed" in text and "Unauthenticated." in text and "not-a-token" not in text

# ruff: noqa: F811 - pytest fixtures imported from wizard_helpers
"""Dropping files on the main window: a CSV opens the wizard on the Locations view, a PNG says why not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app.storage import Cache
from app.ui.import_wizard import ImportWizard
from app.ui.main_window import MainWindow
from tests.gui.conftest import MAP_B
from tests.gui.wizard_helpers import DATA, drive, in_loop, qloop, show  # noqa: F401 - fixtures


def _drop(window: MainWindow, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(60, 60), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(60, 60), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)


def _window(qtbot: Any, loop: qasync.QEventLoop, cache: Cache) -> MainWindow:
    window = in_loop(loop, MainWindow, cache)
    qtbot.addWidget(window)
    show(loop, window)
    return window


def _wizards(window: MainWindow) -> list[ImportWizard]:
    return [w for w in window.findChildren(ImportWizard) if w.isVisible()]


def test_a_dropped_csv_opens_the_wizard_on_the_locations_view_for_the_selected_map(
        qtbot: Any, qloop: qasync.QEventLoop, cache: Cache) -> None:
    window = _window(qtbot, qloop, cache)
    in_loop(qloop, window.show_view, "locations")
    combo = window.page("locations").filter_combos["mapId"]
    in_loop(qloop, combo.setCurrentIndex, combo.findData(MAP_B))
    in_loop(qloop, window.show_view, "items")
    path = DATA / "cities_lng_first.tsv"
    in_loop(qloop, _drop, window, path)
    assert window.current_view_name() == "locations"
    wizards = _wizards(window)
    assert len(wizards) == 1
    wizard = wizards[0]
    assert wizard.state.path == str(path) and wizard.state.map_id == MAP_B
    drive(qloop, wizard.file_page.isComplete)
    assert wizard.file_page.path_edit.text() == str(path)
    assert wizard.state.parsed is not None and wizard.state.parsed.count == 300
    in_loop(qloop, wizard.close)


def test_a_dropped_png_says_why_and_opens_nothing(qtbot: Any, qloop: qasync.QEventLoop, cache: Cache,
                                                  tmp_path: Path) -> None:
    window = _window(qtbot, qloop, cache)
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n")
    in_loop(qloop, _drop, window, png)
    assert _wizards(window) == []
    text = window.notice.text()
    assert "photo.png" in text and "can't be imported" in text and "CSV" in text


def test_file_import_csv_action_has_ctrl_i_and_open_import_wizard_takes_a_path(
        qtbot: Any, qloop: qasync.QEventLoop, cache: Cache) -> None:
    window = _window(qtbot, qloop, cache)
    assert window.import_action.shortcut().toString() == "Ctrl+I"
    wizard = in_loop(qloop, window.open_import_wizard, str(DATA / "cities_wkt.csv"))
    drive(qloop, wizard.file_page.isComplete)
    assert wizard.state.parsed.count == 200
    in_loop(qloop, wizard.close)
    in_loop(qloop, window.show_view, "imports")
    assert window.current_page() is window.page("imports")
    assert window.import_manager() is window.import_manager()

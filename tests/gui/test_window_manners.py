"""A desktop app's manners: Help (About, shortcuts), Ctrl+1…, the sidebar's menu, the title,
standard keys, and the question before quitting with an import under way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app import __version__
from app.importer import jobs as J
from app.importer.jobs import JobRow
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.sync.engine import SyncEngine
from app.ui.main_window import VIEW_NAMES, MainWindow
from tests.gui.looping import drive, in_loop, run, show


@pytest.fixture
def window(qloop: qasync.QEventLoop, cache: Cache) -> Iterator[MainWindow]:
    win = MainWindow(cache)
    show(qloop, win)
    yield win
    for dialog in list(win.manners.dialogs.values()):
        in_loop(qloop, dialog.close)
    in_loop(qloop, win.close)


class UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_the_title_is_cabinet_and_demo_data_in_demo_mode(qloop: qasync.QEventLoop, cache: Cache) -> None:
    real = MainWindow(cache)
    demo = MainWindow(cache, demo=True)
    try:
        assert real.windowTitle() == "Cabinet"
        assert demo.windowTitle() == "Demo data"  # shown as "Demo data — Cabinet" (the display name)
        assert "Cabinet" not in demo.windowTitle()
    finally:
        in_loop(qloop, real.close)
        in_loop(qloop, demo.close)


def test_about_shows_version_licences_folders_and_opens_the_log_folder(
        qloop: qasync.QEventLoop, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CABINET_LOG_DIR", str(tmp_path / "logs"))
    help_menu = window.manners.help_menu
    assert [a.text() for a in help_menu.actions() if not a.isSeparator()] == ["&Keyboard shortcuts", "Explore the &demo",
                                                                                "&About Cabinet"]
    dialog = in_loop(qloop, window.manners.about_action.trigger) or window.manners.dialogs["about"]
    assert dialog.isVisible()
    texts = " ".join(w.text() for w in dialog.findChildren(type(dialog.log_link)))
    assert f"Cabinet {__version__}" in texts and "MIT" in texts and "PySide6" in texts
    libraries = {name: licence for name, _v, licence in dialog.libraries}
    assert libraries["Qt"].startswith("LGPL-3.0")
    assert any(name.lower().replace("_", "-") == "pyside6-essentials" and licence.startswith("LGPL-3.0")
               for name, licence in libraries.items())
    assert libraries["httpx"] == "BSD-3-Clause" and libraries["qasync"] == "BSD-2-Clause"
    assert dialog.library_table.rowCount() == len(dialog.libraries) >= 10
    folders = dict(dialog.folders)
    assert folders["Log files"] == str(tmp_path / "logs")
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        in_loop(qloop, dialog.log_link.linkActivated.emit, "logs")
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in catcher.urls] == [str(tmp_path / "logs")]
    in_loop(qloop, lambda: dialog.grab().save(str(tmp_path / "about.png")))


def test_shortcuts_are_read_from_the_menus(qloop: qasync.QEventLoop, window: MainWindow) -> None:
    dialog = in_loop(qloop, window.manners.show_shortcuts)
    rows = {(command, keys) for _menu, command, keys in dialog.rows}
    assert any(command == "Find" and "Ctrl+F" in keys for command, keys in rows)
    assert any(command == "Refresh" and "F5" in keys for command, keys in rows)
    assert ("Items", "Ctrl+1") in rows and ("Collections", "Ctrl+2") in rows
    assert any(command == "Keyboard shortcuts" for command, _k in rows)
    assert dialog.table.rowCount() == len(dialog.rows)


def test_ctrl_number_switches_views_and_standard_keys_are_used(qloop: qasync.QEventLoop,
                                                               window: MainWindow) -> None:
    window.activateWindow()
    for n, name in enumerate(VIEW_NAMES[:9], start=1):
        in_loop(qloop, QTest.keyClick, window, Qt.Key(Qt.Key.Key_0 + n), Qt.KeyboardModifier.ControlModifier)
        assert window.current_view_name() == name
    # The platform's own keys where Qt has them (this platform has none for Quit: Ctrl+Q it is).
    for action, standard in ((window.find_action, QKeySequence.StandardKey.Find),
                             (window.quit_action, QKeySequence.StandardKey.Quit),
                             (window.refresh_action, QKeySequence.StandardKey.Refresh),
                             (window.manners.shortcuts_action, QKeySequence.StandardKey.HelpContents)):
        assert set(QKeySequence.keyBindings(standard)) <= set(action.shortcuts())
    assert QKeySequence("Ctrl+Q") in window.quit_action.shortcuts()
    assert QKeySequence("F5") in window.refresh_action.shortcuts()


def test_the_sidebar_has_a_right_click_menu(qloop: qasync.QEventLoop, window: MainWindow) -> None:
    in_loop(qloop, window.show_view, "items")
    menu = window.manners.sidebar_menu("maps")
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts[0] == "&Open Maps"
    assert "Add existing &maps…" in texts and "&Refresh" in texts and "&Export view…" in texts
    in_loop(qloop, next(a for a in menu.actions() if a.text() == "&Open Maps").trigger)
    assert window.current_view_name() == "maps"
    locations = [a.text() for a in window.manners.sidebar_menu("locations").actions()]
    assert "&Import CSV…" in locations


def _waiting_import(qloop: qasync.QEventLoop, cache: Cache, client: MapiryClient, window: MainWindow) -> str:
    map_id = run(qloop, client.create_map("Quit test"))["id"]
    cache.add_known_map(map_id, "created")
    manager = window.import_manager()
    rows = [JobRow(line=i + 2, fingerprint=f"fp{i}", payload={"name": f"Place {i}", "lat": 52.0 + i / 1000,
                                                              "lng": 13.0})
            for i in range(250)]
    job_id = manager.store.create_job(map_id=map_id, rows=rows, name="places.csv")
    in_loop(qloop, manager.start, job_id)
    drive(qloop, lambda: manager.last.get(job_id) is not None and manager.last[job_id].state == J.WAITING, 30)
    return job_id


@pytest.fixture
def paced(make_sandbox: Any, qloop: qasync.QEventLoop) -> Iterator[MapiryClient]:
    srv = make_sandbox(time_scale=60, bulk=1)  # one bulk request a minute: the import waits
    client = MapiryClient(srv.mapiry_url, srv.info["mapiry"]["keys"]["read_write"])
    yield client
    run(qloop, client.aclose())


@pytest.mark.parametrize("answer", ["stay", "keep", "stop"])
def test_quitting_with_an_import_waiting_asks_first(qloop: qasync.QEventLoop, empty_cache: Cache,
                                                    paced: MapiryClient, answer: str, tmp_path: Path) -> None:
    window = MainWindow(empty_cache, sync_engine=SyncEngine(empty_cache, None, paced))
    show(qloop, window)
    job_id = _waiting_import(qloop, empty_cache, paced, window)
    manager = window.import_manager()
    assert in_loop(qloop, window.close) is False  # not closed: asked first
    box = window.findChild(QObject, "quitQuestion")
    drive(qloop, lambda: box.isVisible(), 5)
    assert "under way" in box.text() and "places.csv" in box.informativeText()
    assert box.defaultButton() is box.keep_button
    if answer == "stay":
        in_loop(qloop, lambda: box.grab().save(str(tmp_path / "quit.png")))
        in_loop(qloop, box.stay_button.click)
        assert window.isVisible() and manager.is_running(job_id)
        in_loop(qloop, manager.cancel, job_id)
        drive(qloop, lambda: not manager.is_running(job_id), 30)
        in_loop(qloop, window.close)
    elif answer == "keep":
        in_loop(qloop, box.keep_button.click)
        drive(qloop, lambda: not window.isVisible(), 10)
        run(qloop, manager.shutdown())
        next_start = J.JobStore(empty_cache.state)  # what the next start resumes
        try:
            assert [j.id for j in next_start.list_jobs((J.QUEUED, J.RUNNING, J.WAITING))] == [job_id]
        finally:
            next_start.close()
    else:
        # The window closes while the loop runs (once the job has stopped): as in the app, closing
        # the last window must not quit the loop under the test.
        app = QApplication.instance()
        app.setQuitOnLastWindowClosed(False)
        try:
            in_loop(qloop, box.stop_button.click)
            drive(qloop, lambda: not window.isVisible(), 30)
        finally:
            app.setQuitOnLastWindowClosed(True)
        assert manager.job(job_id).state == J.CANCELLED
        run(qloop, manager.shutdown())
    assert not window.isVisible()

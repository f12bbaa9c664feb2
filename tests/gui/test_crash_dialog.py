"""An unexpected exception: logged without secrets, shown in one dialog, and the app goes on."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
from PySide6.QtCore import QObject, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from app.services import diagnostics
from app.storage import Cache
from app.ui import tasks
from app.ui.crash_dialog import CrashReporter, ExceptionDialog
from app.ui.main_window import MainWindow
from tests.gui.looping import drive, in_loop, run, show

SECRET = "s3cret-key-that-must-never-show"


class UrlCatcher(QObject):
    """Qt's own hook for a URL scheme: receives what "Open log folder" asks the desktop to open."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def crashes(qloop: qasync.QEventLoop, cache: Cache, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[MainWindow, CrashReporter, Path]]:
    monkeypatch.setenv("CABINET_LOG_DIR", str(tmp_path / "logs"))
    log_path = diagnostics.setup_logging()
    window = MainWindow(cache)
    show(qloop, window)
    reporter = CrashReporter(window)
    undo = reporter.install()
    qloop.set_exception_handler(reporter.loop_exception_handler)
    diagnostics.remember_secret(SECRET)
    try:
        yield window, reporter, log_path
    finally:
        undo()
        qloop.set_exception_handler(None)
        diagnostics.teardown_logging()
        if reporter.dialog is not None:
            in_loop(qloop, reporter.dialog.close)
        in_loop(qloop, window.close)


def _dialog(loop: qasync.QEventLoop, reporter: CrashReporter) -> ExceptionDialog:
    drive(loop, lambda: reporter.dialog is not None and reporter.dialog.isVisible(), 10)
    assert reporter.dialog is not None
    return reporter.dialog


def test_an_exception_in_a_slot_shows_the_dialog_and_the_window_goes_on(
        qloop: qasync.QEventLoop, crashes: tuple[MainWindow, CrashReporter, Path]) -> None:
    window, reporter, log_path = crashes
    assert sys.excepthook == reporter.excepthook

    def broken_slot() -> None:
        raise KeyError(f"no column named {SECRET}")

    in_loop(qloop, QTimer.singleShot, 0, broken_slot)
    dialog = _dialog(qloop, reporter)
    assert "KeyError" in dialog.summary_label.text()
    assert SECRET not in dialog.summary_label.text()
    details = dialog.details_text()
    assert "Traceback" in details and "broken_slot" in details and "Qt " in details
    assert SECRET not in details and "[redacted]" in details

    in_loop(qloop, dialog.copy_button.click)
    copied = QGuiApplication.clipboard().text()
    assert copied == details and SECRET not in copied

    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        in_loop(qloop, dialog.log_button.click)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in catcher.urls] == [str(log_path.parent)]

    # The window still works: switch a view, copy a row.
    in_loop(qloop, window.show_view, "collections")
    assert window.current_view_name() == "collections" and window.isVisible()
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_path.read_text(encoding="utf-8")
    assert "CRITICAL app.ui.crash_dialog" in text and "broken_slot" in text and SECRET not in text


def test_further_errors_are_collected_in_the_open_dialog(
        qloop: qasync.QEventLoop, crashes: tuple[MainWindow, CrashReporter, Path]) -> None:
    _window, reporter, _log = crashes

    async def broken_task() -> None:
        await asyncio.sleep(0)
        raise TypeError("unsupported operand")

    def broken_callback() -> None:
        raise ZeroDivisionError("division by zero")

    in_loop(qloop, tasks.run_task, broken_task())
    dialog = _dialog(qloop, reporter)
    assert "TypeError: unsupported operand" in dialog.summary_label.text()
    qloop.call_soon(broken_callback)  # an asyncio callback: the loop's exception handler
    drive(qloop, lambda: dialog.count == 2, 10)
    assert "1 more problem" in dialog.summary_label.text()
    assert "ZeroDivisionError" in dialog.details_text() and "TypeError" in dialog.details_text()
    assert reporter.dialog is dialog  # one window, not two


def test_expected_errors_stay_in_the_notice_bar(
        qloop: qasync.QEventLoop, crashes: tuple[MainWindow, CrashReporter, Path]) -> None:
    window, reporter, _log = crashes
    from app.core.errors import OfflineError

    async def offline() -> None:
        raise OfflineError("instamapp")

    task = in_loop(qloop, tasks.run_task, offline())
    run(qloop, asyncio.wait([task], timeout=10))
    drive(qloop, lambda: bool(window.notice.text()), 10)
    assert reporter.dialog is None

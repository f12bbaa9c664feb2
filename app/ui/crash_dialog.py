"""Unexpected errors: logged, then shown in a dialog the person can copy from; the app goes on.

:func:`install` routes the three places an unexpected exception can surface to one
:class:`CrashReporter`: ``sys.excepthook`` (an exception in a Qt slot or virtual method, which
PySide hands to it and then carries on), ``threading.excepthook`` (a worker thread) and the
asyncio loop's exception handler (a callback or a task nobody awaited); ui/tasks.py sends the
background work's own unexpected errors (anything but a CabinetError) the same way. Each is
written to the log with its traceback, and one non-modal :class:`ExceptionDialog` says what
happened, offers "Copy details" (redacted) and "Open log folder", and collects any further
errors while it is open instead of stacking windows.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

import PySide6
from PySide6.QtCore import QObject, Qt, QUrl, Signal, qVersion
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.services.config import log_dir
from app.services.diagnostics import exception_report, exception_summary
from app.ui import tasks
from app.ui.i18n import translator

log = logging.getLogger(__name__)


_tr = translator("ExceptionDialog")


def qt_versions() -> list[tuple[str, str]]:

    return [("Qt", qVersion()), ("PySide6", PySide6.__version__)]


def open_log_folder() -> bool:
    """Open the log folder in the file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir())))


class ExceptionDialog(QDialog):
    """What went wrong, that Cabinet is still running, and the (redacted) details to send."""

    def __init__(self, summary: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exceptionDialog")
        self.setWindowTitle(_tr("Unexpected problem"))
        self.setMinimumWidth(560)
        self.count = 0
        self._details: list[str] = []

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        top.addWidget(icon)
        text = QVBoxLayout()
        heading = QLabel(_tr("<b>Something went wrong inside Cabinet.</b>"))
        self.summary_label = QLabel()
        self.summary_label.setObjectName("exceptionSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        advice = QLabel(_tr(
            "Cabinet is still running. What you were doing may not have finished: check its result "
            "before you go on. If this happens again, send the details and the log file to the "
            "people who make Cabinet — keys and session keys are left out of both."))
        advice.setWordWrap(True)
        text.addWidget(heading)
        text.addWidget(self.summary_label)
        text.addWidget(advice)
        text.addStretch(1)
        top.addLayout(text, 1)
        layout.addLayout(top)

        self.details_toggle = QToolButton()
        self.details_toggle.setText(_tr("Details"))
        self.details_toggle.setCheckable(True)
        self.details_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.details_toggle.setAutoRaise(True)
        self.details_toggle.toggled.connect(self._toggle_details)
        layout.addWidget(self.details_toggle)
        self.details = QPlainTextEdit()
        self.details.setObjectName("exceptionDetails")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setMinimumHeight(200)
        self.details.setVisible(False)
        layout.addWidget(self.details, 1)

        buttons = QDialogButtonBox()
        self.copy_button = QPushButton(_tr("&Copy details"))
        self.copy_button.clicked.connect(self.copy_details)
        self.log_button = QPushButton(_tr("Open &log folder"))
        self.log_button.clicked.connect(open_log_folder)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.log_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.add(summary, details)

    def add(self, summary: str, details: str) -> None:
        """Another error while the dialog is open: counted, its details appended."""
        self.count += 1
        self._details.append(details)
        if self.count == 1:
            self.summary_label.setText(summary)
        else:
            self.summary_label.setText(_tr("{0}\n(and {1} more problem(s) since: see the details)").format(
                self.summary_label.text().split("\n(")[0], self.count - 1))
        self.details.setPlainText(("\n\n" + "-" * 60 + "\n\n").join(self._details))

    def details_text(self) -> str:
        return self.details.toPlainText()

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text())
        self.copy_button.setText(_tr("Copied"))

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.adjustSize()


class CrashReporter(QObject):
    """Logs unexpected exceptions and shows them in one ExceptionDialog (on the GUI thread)."""

    crashed = Signal(str, str)  # summary, redacted details; may be emitted from any thread

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: ExceptionDialog | None = None
        self._previous: tuple[Any, Any] | None = None
        self.crashed.connect(self._show)

    # -- reporting ---------------------------------------------------------------------
    def report(self, exc: BaseException, context: str = "") -> None:
        if tasks.reporter().intercepted(exc):  # not a bug: e.g. a damaged cache, which offers its Rebuild
            log.warning("%s%s", exception_summary(exc), f" ({context})" if context else "")
            return
        log.critical("unexpected error%s", f" ({context})" if context else "",
                     exc_info=(type(exc), exc, exc.__traceback__))
        self.crashed.emit(exception_summary(exc), exception_report(exc, context=context, extra=qt_versions()))

    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report(exc.with_traceback(tb))

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a worker thread"
        self.report(args.exc_value, _tr("in {0}").format(name))

    def loop_exception_handler(self, loop: Any, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        message = str(context.get("message") or "")
        if isinstance(exc, BaseException):
            self.report(exc, message)
        else:
            log.error("event loop: %s", message)

    # -- installing --------------------------------------------------------------------
    def install(self) -> Callable[[], None]:
        """Become sys/threading excepthook and tasks' unexpected-error path; returns the undo."""
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook
        tasks.reporter().unexpected.connect(self.report)
        return self.uninstall

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None
            tasks.reporter().unexpected.disconnect(self.report)

    # -- the dialog --------------------------------------------------------------------
    def _show(self, summary: str, details: str) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add(summary, details)
            return
        dialog = ExceptionDialog(summary, details, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._dialog_gone)
        self.dialog = dialog
        dialog.show()

    def _dialog_gone(self) -> None:
        self.dialog = None

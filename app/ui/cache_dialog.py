"""A cache that cannot be read: say which file and offer to rebuild it — at start, when the
running app switches to it (the demo and the real accounts), or when it breaks while in use.

The offline cache only holds copies of what the services have; import jobs and the list of
known maps live in the state database beside it. "Rebuild" moves the damaged file aside (with
a timestamp) and opens a new, empty cache, which a sync fills (storage.rebuild_cache, as
`cabinet cache rebuild` does); the app goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.storage import Cache, DatabaseDamagedError, rebuild_cache
from app.ui import tasks
from app.ui.i18n import translator

if TYPE_CHECKING:
    from app.storage import CacheStore

_tr = translator("CacheDialog")


class RebuildCacheDialog(QMessageBox):
    """What is wrong with the cache, with "Rebuild" and "Quit" (at start) or "Not now" (``running``:
    the app goes on with what it shows)."""

    def __init__(self, problem: DatabaseDamagedError, parent: QWidget | None = None, *,
                 running: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("rebuildCacheDialog")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(_tr("The offline cache cannot be read"))
        self.setText(_tr("The offline cache '{0}' cannot be read ({1}).").format(problem.path, problem.reason))
        advice = _tr("Rebuild moves the damaged file aside (it is kept, with a timestamp) and fills a new cache "
                     "from the services. Import jobs and the list of known maps are kept apart and are not lost.")
        if running:
            advice += " " + _tr("Not now: Cabinet goes on, but what it shows from this cache may be "
                                "missing until the cache is rebuilt.")
        self.setInformativeText(advice)
        self.rebuild_button = self.addButton(_tr("Rebuild"), QMessageBox.ButtonRole.AcceptRole)
        self.decline_button = self.addButton(_tr("Not now") if running else _tr("Quit"),
                                             QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.rebuild_button)
        self.setEscapeButton(self.decline_button)

    def rebuild_chosen(self) -> bool:
        return self.clickedButton() is self.rebuild_button


def rebuild(path: Path) -> Cache:
    """Move the damaged cache aside and open a new, empty one in its place."""
    return rebuild_cache(path)[0]


def rebuild_or_quit(problem: DatabaseDamagedError, path: Path) -> Cache | None:
    """At start, before the window: ask; a new cache when the person chose Rebuild, None when Quit."""
    dialog = RebuildCacheDialog(problem)
    dialog.exec()
    if not dialog.rebuild_chosen():
        return None
    return rebuild(path)


class CacheRepair(QObject):
    """The running window's side of a damaged cache. Wherever it surfaces — a read while browsing
    (through the crash reporter), a background task, a sync's writes — ``intercept`` tells the
    window's cache being damaged from other errors; the Rebuild dialog then shows (one at a time,
    window-modal, the app goes on) and "Rebuild" emits ``rebuildRequested``, which the controller
    answers by moving the file aside and syncing afresh. ``ask`` is the same dialog, awaited (a
    switch to a cache that cannot be opened)."""

    rebuildRequested = Signal()
    _noticed = Signal(object)  # a DatabaseDamagedError, from any thread, shown on the GUI thread

    def __init__(self, window: QWidget, cache: Callable[[], CacheStore], show_error: Callable[[str], None]) -> None:
        """``cache``: the cache the window shows now; ``show_error``: its notice bar."""
        super().__init__(window)
        self.window = window
        self._cache = cache
        self._show_error = show_error
        self.dialog: RebuildCacheDialog | None = None
        self._noticed.connect(self._offer, Qt.ConnectionType.QueuedConnection)
        tasks.reporter().add_interceptor(self.intercept)

    def detach(self) -> None:
        """The window closes: errors of its cache are no longer this window's to show."""
        tasks.reporter().remove_interceptor(self.intercept)

    def damage(self, exc: BaseException) -> DatabaseDamagedError | None:
        """The damage ``exc`` means for the window's cache, or None when it is about something else."""
        if isinstance(exc, DatabaseDamagedError) and exc.disposable and exc.path == Path(self._cache().path):
            return exc
        return None

    def intercept(self, exc: BaseException) -> bool:
        """True (and the dialog on its way) when ``exc`` says the window's cache is damaged. Any thread."""
        if not shiboken6.isValid(self):
            return False
        problem = self.damage(exc)
        if problem is None:
            return False
        self._noticed.emit(problem)
        return True

    def _open(self, problem: DatabaseDamagedError) -> RebuildCacheDialog:
        self._show_error(str(problem))  # stays in the notice bar after the dialog
        dialog = RebuildCacheDialog(problem, self.window, running=True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(self._closed)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _closed(self) -> None:
        self.dialog = None

    def _offer(self, problem: DatabaseDamagedError) -> None:
        if self.dialog is not None or self.damage(problem) is None:
            return  # asked already; or the window shows another cache by now
        dialog = self._open(problem)
        dialog.finished.connect(lambda _r: self._answered(dialog))

    def _answered(self, dialog: RebuildCacheDialog) -> None:
        if dialog.rebuild_chosen():
            self.rebuildRequested.emit()

    async def ask(self, problem: DatabaseDamagedError) -> bool:
        """The dialog for a cache the window does not show yet; True when the person chose Rebuild."""
        import asyncio  # start-up: loaded with the first background task anyway

        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        dialog = self._open(problem)
        dialog.finished.connect(lambda _r: answer.done() or answer.set_result(dialog.rebuild_chosen()))
        try:
            return await answer
        finally:
            if shiboken6.isValid(dialog) and dialog.isVisible():
                dialog.close()  # the switch was cancelled (the window closing)

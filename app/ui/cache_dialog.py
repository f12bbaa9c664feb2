"""A cache that cannot be read at start: say which file and offer to rebuild it.

The offline cache only holds copies of what the services have; import jobs and the list of
known maps live in the state database beside it. "Rebuild" moves the damaged file aside (with
a timestamp) and opens a new, empty cache, which the start-up sync fills; the app goes on.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from app.storage import Cache, DatabaseDamagedError, move_aside
from app.ui.i18n import translator

_tr = translator("CacheDialog")


class RebuildCacheDialog(QMessageBox):
    """What is wrong with the cache, with "Rebuild" and "Quit"."""

    def __init__(self, problem: DatabaseDamagedError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rebuildCacheDialog")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(_tr("The offline cache cannot be read"))
        self.setText(_tr("The offline cache '{0}' cannot be read ({1}).").format(problem.path, problem.reason))
        self.setInformativeText(_tr(
            "Rebuild moves the damaged file aside (it is kept, with a timestamp) and fills a new cache "
            "from the services. Import jobs and the list of known maps are kept apart and are not lost."))
        self.rebuild_button = self.addButton(_tr("Rebuild"), QMessageBox.ButtonRole.AcceptRole)
        self.quit_button = self.addButton(_tr("Quit"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.rebuild_button)


def rebuild(path: Path) -> Cache:
    """Move the damaged cache aside and open a new, empty one in its place."""
    move_aside(path)
    return Cache(path)


def rebuild_or_quit(problem: DatabaseDamagedError, path: Path) -> Cache | None:
    """Ask; a new cache when the person chose Rebuild, None when Quit."""
    dialog = RebuildCacheDialog(problem)
    dialog.exec()
    if dialog.clickedButton() is not dialog.rebuild_button:
        return None
    return rebuild(path)

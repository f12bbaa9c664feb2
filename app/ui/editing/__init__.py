"""Creating, editing and deleting records as far as the APIs allow (see app/core/edits.py).

``EditController`` does the writes; ``install_edit_actions(window, menu)`` wires it into a
MainWindow (Edit menu, keys, double-click);
``install_later(window, menu)`` does the same right after the window's first paint, so the
editing code costs the startup nothing. Everything here loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from app.ui.editing.host import EditHost

__all__ = ["EditActions", "EditController", "install_edit_actions", "install_later"]


def install_later(window: EditHost, menu: QMenu | None = None) -> None:
    """Install the Edit menu's New… / Edit… / Delete… in the event-loop pass after the window's
    first paint (at once if it has painted already)."""
    # start-up: the editing code loads after the window's first paint
    from PySide6.QtCore import QEvent, QObject, QTimer

    def install() -> None:
        # start-up: the editing code loads after the window's first paint
        from app.ui.editing.actions import install_edit_actions

        install_edit_actions(window, menu)

    class AfterPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                obj.removeEventFilter(self)
                QTimer.singleShot(0, window, install)
                self.deleteLater()
            return False

    if window.isVisible():
        QTimer.singleShot(0, window, install)
    else:
        window.installEventFilter(AfterPaint(window))


def __getattr__(name: str) -> Any:
    if name in ("EditActions", "install_edit_actions"):
        # start-up: the editing code loads after the window's first paint
        from app.ui.editing import actions

        return getattr(actions, name)
    if name == "EditController":
        from app.ui.editing.controller import EditController

        return EditController
    raise AttributeError(name)

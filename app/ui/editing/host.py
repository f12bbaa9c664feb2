"""``EditHost``: what the editing code needs of the window it serves (the MainWindow is one).

The editing package depends on this protocol, never on the window's module, so the window can
load it after its first paint without an import cycle.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from app.ui.context import AppContext


class EditHost(Protocol):
    context: AppContext
    pages: dict[str, QWidget]
    edit_actions: QObject | None  # the EditActions, once installed
    viewChanged: SignalInstance

    def current_page(self) -> QWidget | None: ...

    def current_view_name(self) -> str: ...

    def show_message(self, text: str, kind: str = "info") -> None: ...

    def reload_views(self) -> None: ...

    def addAction(self, action: QAction) -> None: ...  # noqa: N802 - Qt's name

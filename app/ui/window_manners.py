"""A desktop app's manners for the main window: the Help menu, Ctrl+1… to switch views, the
sidebar's right-click menu, and the question before quitting with an import under way.

Kept out of main_window.py: the window calls :func:`install` once its own menus exist. The
dialogs themselves load when first asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from app.ui.i18n import translator

if TYPE_CHECKING:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QMainWindow, QMenu, QTreeWidget

# Views reachable with Ctrl+1 … Ctrl+9, in sidebar order.
GO_TO_KEYS = tuple(f"Ctrl+{n}" for n in range(1, 10))


_tr = translator("MainWindow")


class WindowManners(QObject):
    """What install() added to a window, for its callers and tests."""

    def __init__(self, window: QMainWindow, views: Sequence[tuple[str, str]], show_view: Callable[[str], None],
                 view_menu: QMenu, sidebar: QTreeWidget, name_role: int,
                 common_actions: Sequence[QAction] = ()) -> None:
        super().__init__(window)
        self.window = window
        self._show_view = show_view
        self._name_role = name_role
        self.sidebar = sidebar
        self.dialogs: dict[str, Any] = {}
        self.common_actions = list(common_actions)  # in every entry's right-click menu
        # The actions of one view in its right-click menu (after switching to it), per view name.
        self.view_actions: dict[str, list[QAction]] = {}

        self.go_menu = view_menu.addMenu(_tr("&Go to"))
        self.go_actions: dict[str, QAction] = {}
        for i, (name, title) in enumerate(views):
            action = QAction(window)
            action.setText(_tr(title))
            if i < len(GO_TO_KEYS):
                action.setShortcut(QKeySequence(GO_TO_KEYS[i]))
            action.triggered.connect(lambda _c=False, n=name: self._show_view(n))
            window.addAction(action)
            self.go_menu.addAction(action)
            self.go_actions[name] = action

        help_menu = window.menuBar().addMenu(_tr("&Help"))
        self.help_menu = help_menu
        self.shortcuts_action = QAction(window)
        self.shortcuts_action.setText(_tr("&Keyboard shortcuts"))
        self.shortcuts_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.HelpContents))
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        window.addAction(self.shortcuts_action)
        help_menu.addAction(self.shortcuts_action)
        help_menu.addSeparator()
        self.about_action = QAction(window)
        self.about_action.setText(_tr("&About Cabinet"))
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)

        sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        sidebar.customContextMenuRequested.connect(self._sidebar_menu)

    # -- Help ----------------------------------------------------------------------------
    def _dialog(self, key: str, make: Callable[[], Any]) -> Any:
        dialog = self.dialogs.get(key)
        if dialog is None:
            dialog = make()
            dialog.finished.connect(lambda _r, k=key: self.dialogs.pop(k, None))
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialogs[key] = dialog
        if dialog.isVisible():  # already open: bring it forward
            dialog.raise_()
            dialog.activateWindow()
        dialog.show()
        return dialog

    def show_about(self) -> Any:
        from app.ui.help_dialogs import AboutDialog  # start-up: the dialogs load on first use

        return self._dialog("about", lambda: AboutDialog(self.window))

    def show_shortcuts(self) -> Any:
        from app.ui.help_dialogs import ShortcutsDialog  # start-up: the dialogs load on first use

        return self._dialog("shortcuts", lambda: ShortcutsDialog(self.window.menuBar(), parent=self.window))

    # -- the sidebar's menu --------------------------------------------------------------
    def sidebar_menu(self, name: str) -> QMenu:
        """The right-click menu of the sidebar entry ``name``."""
        from PySide6.QtWidgets import QMenu  # start-up: made when the menu is first asked for

        menu = QMenu(self.sidebar)
        title = self.go_actions[name].text() if name in self.go_actions else name
        menu.addAction(_tr("&Open {0}").format(title), lambda: self._show_view(name))
        for action in self.view_actions.get(name, []):
            entry = menu.addAction(action.text(), lambda a=action: (self._show_view(name), a.trigger()))
            entry.setShortcuts(action.shortcuts())
        menu.addSeparator()
        for action in self.common_actions:
            menu.addAction(action)
        return menu

    def _sidebar_menu(self, pos: QPoint) -> None:
        item = self.sidebar.itemAt(pos)
        name = item.data(0, self._name_role) if item is not None else None
        if name:
            self.sidebar_menu(str(name)).popup(self.sidebar.viewport().mapToGlobal(pos))


def install(window: QMainWindow, views: Sequence[tuple[str, str]], show_view: Callable[[str], None],
            view_menu: QMenu, sidebar: QTreeWidget, name_role: int,
            common_actions: Sequence[QAction] = ()) -> WindowManners:
    return WindowManners(window, views, show_view, view_menu, sidebar, name_role, common_actions)

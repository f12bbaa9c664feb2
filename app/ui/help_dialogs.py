"""Help → About Cabinet and Help → Keyboard shortcuts.

About reads the versions and licences from the installed packages (app/about.py) and the
folders from the one place each is decided (services/config.py). The shortcuts are read from
the window's own menus, so the list is never out of step with the keys that work.
"""

from __future__ import annotations

import html

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QMenuBar,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__
from app.about import bundled_libraries, cabinet_licence
from app.services.config import config_dir, data_dir, log_dir
from app.ui.crash_dialog import open_log_folder
from app.ui.i18n import translator

QT_LICENCE = "LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only"  # Qt's own, as PySide6 ships it


_tr = translator("HelpDialogs")


def _table(headers: list[str], rows: list[tuple[str, ...]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class AboutDialog(QDialog):
    """Version, licence, the libraries and their licences, the data folders, the log folder."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(_tr("About {0}").format(APP_NAME))
        self.resize(640, 520)
        layout = QVBoxLayout(self)
        heading = QLabel(f"<h2>{APP_NAME} {html.escape(__version__)}</h2>")
        heading.setObjectName("aboutHeading")
        layout.addWidget(heading)
        self.licence = cabinet_licence()
        intro = QLabel(_tr(
            "Browse and edit your InstaMapp inventory and Mapiry maps, online or offline.<br>"
            "Licence: {0}. Built with Qt {1} and PySide6 {2} ({3}).").format(
                html.escape(self.licence), qVersion(), PySide6.__version__, QT_LICENCE))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        tabs = QTabWidget()
        self.libraries = [(_tr("Qt"), qVersion(), QT_LICENCE)]
        self.libraries += [(lib.name, lib.version, lib.licence) for lib in bundled_libraries()]
        self.library_table = _table([_tr("Library"), _tr("Version"), _tr("Licence")], self.libraries)
        self.library_table.setObjectName("libraryTable")
        tabs.addTab(self.library_table, _tr("&Libraries"))

        self.folders = [(_tr("Cache and import jobs"), str(data_dir())), (_tr("Settings"), str(config_dir())),
                        (_tr("Log files"), str(log_dir()))]
        folders = QWidget()
        folder_layout = QVBoxLayout(folders)
        for title, path in self.folders:
            label = QLabel(f"<b>{html.escape(title)}</b><br><code>{html.escape(path)}</code>")
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            folder_layout.addWidget(label)
        self.log_link = QLabel(f'<a href="logs">{html.escape(_tr("Open the log folder"))}</a>')
        self.log_link.setObjectName("openLogFolder")
        self.log_link.linkActivated.connect(lambda _link: open_log_folder())
        folder_layout.addWidget(self.log_link)
        folder_layout.addStretch(1)
        tabs.addTab(folders, _tr("&Folders"))
        layout.addWidget(tabs, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def action_keys(action: QAction) -> str:
    """The action's keys as the platform writes them (Ctrl+F, F5, ⌘F)."""
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())


def menu_shortcuts(menubar: QMenuBar) -> list[tuple[str, str, str]]:
    """(menu, action, keys) for every menu action that has a shortcut, in menu order."""
    out: list[tuple[str, str, str]] = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            title = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            if isinstance(sub, QMenu):
                walk(sub, f"{path} → {title}")
            elif not action.isSeparator() and action.shortcuts():
                out.append((path, title.rstrip("…").strip(), action_keys(action)))

    for top in menubar.actions():
        if isinstance(top.menu(), QMenu):
            walk(top.menu(), top.text().replace("&", ""))
    return out


class ShortcutsDialog(QDialog):
    """Every key the menus offer, read from the menus themselves."""

    def __init__(self, menubar: QMenuBar, extra: list[tuple[str, str, str]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(_tr("Keyboard shortcuts"))
        self.resize(560, 560)
        self.rows = menu_shortcuts(menubar) + list(extra or [])
        layout = QVBoxLayout(self)
        self.table = _table([_tr("Menu"), _tr("Command"), _tr("Keys")], self.rows)
        self.table.setObjectName("shortcutsTable")
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)



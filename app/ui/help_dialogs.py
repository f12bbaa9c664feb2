"""Help → About Cabinet (with its licence viewer) and Help → Keyboard shortcuts.

About reads the versions and licences from the installed packages (app/about.py) and the
folders from the one place each is decided (services/config.py); its Licences… button shows
the full texts (app/licenses.py). The shortcuts are read from the window's own menus, so the
list is never out of step with the keys that work.
"""

from __future__ import annotations

import html

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QFontDatabase, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMenuBar,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__
from app.about import bundled_libraries, cabinet_licence
from app.licenses import QT_LICENCE, Notice, cabinet_notice, third_party_notices
from app.services.config import config_dir, data_dir, log_dir
from app.ui.crash_dialog import open_log_folder
from app.ui.i18n import translator

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
        self.licences_button = QPushButton(_tr("Licen&ces…"))
        self.licences_button.setObjectName("showLicences")
        self.licences_button.clicked.connect(self.show_licences)
        buttons.addButton(self.licences_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(buttons)
        self.licence_viewer: LicenceViewer | None = None

    def show_licences(self) -> LicenceViewer:
        """The full licence texts, in a window of their own (one, brought forward when open)."""
        if self.licence_viewer is None:
            self.licence_viewer = LicenceViewer(self)
        if self.licence_viewer.isVisible():  # already open: bring it forward
            self.licence_viewer.raise_()
            self.licence_viewer.activateWindow()
        self.licence_viewer.show()
        return self.licence_viewer


class LicenceViewer(QDialog):
    """Cabinet's licence and every component's, read-only: a list of the components, the full
    text of the one chosen, and a search over all of them (the list keeps those whose name or
    text has the words; the text shows the first match, Enter goes to the next)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("licenceViewer")
        self.setWindowTitle(_tr("Licences"))
        self.resize(820, 600)
        self.notices = [cabinet_notice(), *third_party_notices()]
        self._texts = [self._text(notice) for notice in self.notices]
        self._folded = [text.casefold() for text in self._texts]
        layout = QVBoxLayout(self)
        self.search = QLineEdit()
        self.search.setObjectName("licenceSearch")
        self.search.setPlaceholderText(_tr("Search the licences (Enter: next match)"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self.find_next)
        layout.addWidget(self.search)
        splitter = QSplitter()
        self.components = QListWidget()
        self.components.setObjectName("licenceComponents")
        for row, notice in enumerate(self.notices):
            item = QListWidgetItem(f"{notice.name} {notice.version}".strip())
            item.setToolTip(notice.license)
            item.setData(Qt.ItemDataRole.UserRole, row)
            self.components.addItem(item)
        self.components.currentItemChanged.connect(self._show)
        self.text = QPlainTextEdit()
        self.text.setObjectName("licenceText")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        splitter.addWidget(self.components)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 580])
        layout.addWidget(splitter, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.components.setCurrentRow(0)

    @staticmethod
    def _text(notice: Notice) -> str:
        heading = f"{notice.name} {notice.version}\n{_tr('Licence: {0}').format(notice.license)}\n\n"
        try:
            body = notice.texts() if notice.files else _tr(
                "This package ships no licence file; its licence is {0}.").format(notice.license)
        except OSError as exc:
            body = _tr("The licence file could not be read ({0}).").format(exc.strerror or exc)
        return heading + body

    def shown_names(self) -> list[str]:
        """The names of the components the list shows now."""
        return [self.notices[self.components.item(i).data(Qt.ItemDataRole.UserRole)].name
                for i in range(self.components.count()) if not self.components.item(i).isHidden()]

    def select(self, name: str) -> None:
        """Show the component called ``name`` (case does not matter)."""
        for i in range(self.components.count()):
            item = self.components.item(i)
            if self.notices[item.data(Qt.ItemDataRole.UserRole)].name.casefold() == name.casefold():
                self.components.setCurrentItem(item)
                return

    def _show(self, item: QListWidgetItem | None) -> None:
        self.text.setPlainText(self._texts[item.data(Qt.ItemDataRole.UserRole)] if item is not None else "")
        if self.search.text().strip():
            self.find_next()

    def _filter(self, query: str) -> None:
        words = query.casefold().split()
        first = None
        for i in range(self.components.count()):
            item = self.components.item(i)
            row = item.data(Qt.ItemDataRole.UserRole)
            hidden = not all(word in self._folded[row] for word in words)
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        current = self.components.currentItem()
        if current is None or current.isHidden():
            self.components.setCurrentItem(first)
        elif words:
            self.text.moveCursor(QTextCursor.MoveOperation.Start)
            self.find_next()

    def find_next(self) -> bool:
        """Select the next place the search's first word is in the text shown (from the top
        again after the last); False when it is not in it."""
        words = self.search.text().split()
        if not words:
            return False
        if self.text.find(words[0]):
            return True
        self.text.moveCursor(QTextCursor.MoveOperation.Start)
        return self.text.find(words[0])


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



"""The Edit menu's New… / Edit… / Delete… for a MainWindow, and the keys and clicks on its tables.

``install_edit_actions(window, menu)`` is the whole wiring: it makes the window's
EditController, adds the three actions to ``menu``, and hooks every table page as it is
built (double-click, Return or F2 edits a row, Delete deletes the selected rows). The
actions follow the current view and selection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QMenu

from app.core import edits
from app.ui.editing.host import EditHost
from app.ui.editing.undo import UndoActions
from app.ui.i18n import translator
from app.ui.views import TablePage

if TYPE_CHECKING:  # the controller and its dialogs are imported on first use, not on the way to the first paint
    from app.ui.editing.controller import EditController


_tr = translator("EditActions")


class EditActions(QObject):
    """The actions of one window, kept in step with its current view and selection."""

    def __init__(self, window: EditHost, menu: QMenu | None = None) -> None:
        super().__init__(window)
        self.window = window
        self._controller: EditController | None = None
        self._hooked: set[int] = set()
        self.new_action = self._make(_tr("&New…"), self.new, ["Ctrl+N"])
        self.edit_action = self._make(_tr("&Edit…"), self.edit, ["F2"])
        self.delete_action = self._make(_tr("&Delete…"), self.delete, [QKeySequence.StandardKey.Delete])
        # Delete (and Return) act on the table that has the focus, through eventFilter(); the search
        # box keeps its own Delete key. The menu shows the key.
        self.delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        for action in (self.new_action, self.edit_action):
            window.addAction(action)
        self.menu: QMenu | None = None
        self.undo = UndoActions(self.controller, window)
        self.controller.saved.connect(self._select_saved)
        self.add_to_menu(menu)
        window.viewChanged.connect(self._view_changed)
        self._view_changed(window.current_view_name())

    def add_to_menu(self, menu: QMenu | None) -> None:
        if menu is None or self.menu is not None:
            return
        self.menu = menu
        self.undo.add_to_menu(menu)
        menu.addSeparator()
        for action in (self.new_action, self.edit_action, self.delete_action):
            menu.addAction(action)

    @property
    def controller(self) -> EditController:
        if self._controller is None:
            # start-up: the controller and its dialogs load on first use, not with the Edit menu
            from app.ui.editing.controller import EditController

            self._controller = EditController(self.window)
        return self._controller

    def _make(self, text: str, slot: Any, keys: list[Any]) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) if isinstance(k, str) else QKeySequence(k) for k in keys])
        action.triggered.connect(lambda _c=False: slot())
        return action

    # -- the current view -----------------------------------------------------------------------
    def resource(self) -> str | None:
        page = self.window.current_page()
        return page.resource if isinstance(page, TablePage) else None

    def selected_records(self) -> list[dict[str, Any]]:
        page = self.window.current_page()
        if not isinstance(page, TablePage):
            return []
        rows = page.table.selected_rows()
        if not rows and page.selected_record() is not None:
            return [page.selected_record()]
        return [r for r in (page.model.record(i) for i in rows) if r is not None]

    def update(self) -> None:
        resource = self.resource()
        spec = edits.spec(resource) if resource else None
        count = len(self.selected_records()) if spec else 0
        self.new_action.setEnabled(bool(spec and spec.can_create))
        self.edit_action.setEnabled(bool(spec and spec.can_edit and count == 1))
        self.delete_action.setEnabled(bool(spec and spec.can_delete and count >= 1))
        if spec is not None:
            self.new_action.setText(_tr("&New {0}…").format(_tr(spec.singular)))
            verb = _tr("&Revoke") if spec.delete_verb == "Revoke" else _tr("&Delete")
            self.delete_action.setText(f"{verb}…" if count <= 1 else
                                       _tr("{0} {1} {2}…").format(verb, count, _tr(spec.plural)))
        else:
            self.new_action.setText(_tr("&New…"))
            self.delete_action.setText(_tr("&Delete…"))

    def _view_changed(self, _name: str = "") -> None:
        page = self.window.current_page()
        if isinstance(page, TablePage) and id(page) not in self._hooked:
            self._hook(page)
        self.update()

    def _hook(self, page: Any) -> None:
        self._hooked.add(id(page))
        table = page.table
        table.installEventFilter(self)
        table.doubleClicked.connect(lambda index, p=page: self._double_clicked(p, index))
        table.selectionModel().selectionChanged.connect(lambda *_a: self.update())
        page.menu_hooks.append(self._fill_row_menu)
        for signal in (page.model.modelReset, page.model.rowsRemoved, page.model.rowsInserted,
                       page.model.layoutChanged):
            signal.connect(self.update)

    def _fill_row_menu(self, menu: QMenu) -> None:
        """A row menu gets the edit actions that apply to the selected rows, and Undo / Redo."""
        self.update()
        groups = [(self.edit_action, self.delete_action, self.new_action),
                  (self.undo.undo_action, self.undo.redo_action)]
        for group in groups:
            shown = [a for a in group if a.isEnabled()]
            if shown:
                menu.addSeparator()
                menu.addActions(shown)

    def _select_saved(self, resource: str, record_id: str) -> None:
        """A record just saved (a new one especially) is the selected row of its views."""
        for page in self.window.pages.values():
            if isinstance(page, TablePage) and page.resource == resource and page.loaded and record_id:
                page.select_id(record_id)
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and self.edit_action.isEnabled():
                self.edit()
                return True
            if key == Qt.Key.Key_Delete and self.delete_action.isEnabled():
                self.delete()
                return True
        return super().eventFilter(watched, event)

    def _double_clicked(self, page: Any, index: Any) -> None:
        if edits.can_edit(page.resource):
            self.controller.edit(page.resource, page.model.record(index.row()))

    # -- the actions ----------------------------------------------------------------------------
    def new(self) -> Any:
        resource = self.resource()
        if resource is None:
            self.controller.notify(_tr("Open a table view (Items, Maps, Locations…) to add to it."))
            return None
        return self.controller.create(resource)

    def edit(self) -> Any:
        resource = self.resource()
        if resource is None:
            return None
        records = self.selected_records()
        page = self.window.current_page()
        current = page.selected_record() if page is not None else None
        return self.controller.edit(resource, current or (records[0] if records else None))

    def delete(self) -> Any:
        resource = self.resource()
        if resource is None:
            return None
        return self.controller.delete(resource, self.selected_records())


def install_edit_actions(window: EditHost, menu: QMenu | None = None) -> EditActions:
    """Give ``window`` its New… / Edit… / Delete… (``window.edit_actions``; its ``.controller`` is
    the window's EditController). Installing twice returns the first one."""
    existing = window.edit_actions
    if isinstance(existing, EditActions):
        existing.add_to_menu(menu)
        return existing
    actions = EditActions(window, menu)
    window.edit_actions = actions
    return actions

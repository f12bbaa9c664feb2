"""The Maps view's own actions: Add existing maps… and Remove from Cabinet.

Both are in the File menu, on the Maps view's tool bar, in its table's right-click menu and in
the sidebar's Maps entry. Removing forgets a map here only (no API call): for a map that is
gone from Mapiry, or one the person no longer wants Cabinet to follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from app.core.records import GONE_AT
from app.ui.i18n import translator
from app.ui.views import TablePage

if TYPE_CHECKING:
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QMenu, QWidget

    from app.services.client_base import ServiceClient
    from app.storage import CacheStore
    from app.ui.add_maps import AddMapsDialog


_tr = translator("MapsActions")


class MapsHost(Protocol):
    """What the Maps actions need of the window (the MainWindow is one)."""

    cache: CacheStore
    pages: dict[str, QWidget]
    pageBuilt: SignalInstance

    def client(self, service: str) -> ServiceClient | None: ...

    def current_view_name(self) -> str: ...

    def show_view(self, name: str) -> None: ...

    def show_message(self, text: str, kind: str = "info") -> None: ...

    def reload_views(self) -> None: ...

    def refresh(self) -> None: ...

    def open_settings(self) -> None: ...


class MapsActions(QObject):
    def __init__(self, window: MapsHost, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: AddMapsDialog | None = None
        self.add_action = QAction(window)
        self.add_action.setText(_tr("Add existing &maps…"))
        self.add_action.setToolTip(_tr("Bring maps you already have on Mapiry into Cabinet, by address or id"))
        self.add_action.triggered.connect(lambda _c=False: self.open_add_maps())
        self.remove_action = QAction(window)
        self.remove_action.setText(_tr("Remove map from Cabinet…"))
        self.remove_action.setToolTip(_tr("Forget the selected maps here; nothing is changed on Mapiry"))
        self.remove_action.triggered.connect(lambda _c=False: self.remove_selected())
        menu.addAction(self.add_action)
        menu.addAction(self.remove_action)
        window.pageBuilt.connect(self._page_built)
        menu.aboutToShow.connect(self._update)  # enabled for a selection of maps, read when shown
        self._update()

    # -- the Maps page ---------------------------------------------------------------------
    def _maps_page(self) -> TablePage | None:
        page = self.window.pages.get("maps")
        return page if isinstance(page, TablePage) else None

    def _page_built(self, name: str, page: QWidget) -> None:
        if name != "maps" or not isinstance(page, TablePage):
            return
        page.add_tool_action(self.add_action)
        page.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        page.table.customContextMenuRequested.connect(lambda pos, p=page: self._table_menu(p, pos))

    def _table_menu(self, page: TablePage, pos: QPoint) -> None:
        from PySide6.QtWidgets import QMenu  # start-up: made when the menu is first asked for

        self._update()
        menu = QMenu(page.table)
        menu.addAction(self.add_action)
        menu.addAction(self.remove_action)
        menu.popup(page.table.viewport().mapToGlobal(pos))

    def selected_maps(self) -> list[dict[str, Any]]:
        page = self._maps_page()
        if page is None or self.window.current_view_name() != "maps":
            return []
        return [r for r in (page.model.record(row) for row in page.table.selected_rows()) if r is not None]

    def _update(self) -> None:
        self.remove_action.setEnabled(bool(self.selected_maps()))

    # -- add ---------------------------------------------------------------------------------
    def open_add_maps(self, text: str = "", *, show_maps: bool = True) -> AddMapsDialog:
        """The Add existing maps dialog (one at a time); ``show_maps``: bring the Maps view up too."""
        from app.ui.add_maps import AddMapsDialog  # start-up: the dialog loads on first use

        if show_maps:
            self.window.show_view("maps")
        if self.dialog is None:
            dialog = AddMapsDialog(self.window.cache, lambda: self.window.client("mapiry"), self.window,
                                   open_settings=lambda: self.window.open_settings("mapiry"))
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.mapsAdded.connect(self._maps_added)
            dialog.destroyed.connect(self._dialog_gone)
            self.dialog = dialog
        if text:
            self.dialog.input.setPlainText(text)
        if self.dialog.isVisible():  # already open: bring it forward
            self.dialog.raise_()
            self.dialog.activateWindow()
        self.dialog.show()
        return self.dialog

    def _dialog_gone(self) -> None:
        self.dialog = None

    def _maps_added(self, _ids: list[str]) -> None:
        self.window.reload_views()
        self.window.refresh()  # their locations, categories, tags and layers

    # -- remove ------------------------------------------------------------------------------
    def remove_selected(self, *, confirm: bool = True) -> list[str]:
        """Forget the selected maps and what is cached of them (no API call)."""
        records = self.selected_maps()
        if not records:
            self.window.show_message(_tr("Select the maps to remove in the Maps view first."))
            return []
        if confirm:
            names = ", ".join(f"“{r.get('title') or r['id']}”" for r in records[:5])
            gone = all(r.get(GONE_AT) for r in records)
            text = _tr("Remove {0} from Cabinet? Its cached locations, categories, tags and layers go too.").format(
                names)
            text += " " + (_tr("The map is gone from Mapiry already.") if gone else
                           _tr("Nothing is changed on Mapiry: add it again any time with Add existing maps…."))
            answer = QMessageBox.question(self.window, _tr("Remove from Cabinet"), text,
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                          QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Yes:
                return []
        ids = [str(r["id"]) for r in records]
        for map_id in ids:
            self.window.cache.remove_known_map(map_id)
        self.window.reload_views()
        self.window.show_message(_tr("Removed {0} map(s) from Cabinet.").format(len(ids)))
        self._update()
        return ids

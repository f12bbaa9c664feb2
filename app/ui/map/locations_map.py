"""The map beside the Locations table: Table / Map / Both, the table's search and filters applied
to the map, selection shared both ways (and so with the detail pane), and editing on the map
through the window's EditController and the same write path as the table's edits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QObject,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QSplitter, QToolButton, QWidget

from app import APP_NAME
from app.core import edits
from app.core.errors import PermissionDeniedError
from app.services.probe import KEY_PREFIX_LENGTH
from app.sync import writes
from app.ui import tasks
from app.ui.editing.actions import install_edit_actions
from app.ui.i18n import translator
from app.ui.map.tiles import TileSettings
from app.ui.map.view import MapView
from app.ui.palette import style_tone
from app.ui.views import DETAIL_WIDTH

MODES = ("table", "map", "both")
_tr = translator("LocationsMap")


def read_only_reason() -> str:
    return _tr("This Mapiry key may only read (READ_ONLY): use a READ_WRITE key in Settings (Ctrl+,) "
               "to move, add or delete locations on the map.")


_UNDO_MS = 15_000



class EditorLike(Protocol):
    """What the map needs of the window's EditController (app.ui.editing.controller)."""

    def client(self, service: str) -> Any: ...

    def create(self, resource: str, map_id: str | None = None) -> Any: ...

    def edit(self, resource: str, record: Mapping[str, Any] | None) -> Any: ...

    def delete(self, resource: str, records: Sequence[Mapping[str, Any] | None]) -> Any: ...

    def notify(self, text: str, kind: str = "info") -> None: ...


class UndoBar(QWidget):
    """"Moved “X”. [Undo]" over the map, for a while after a marker was dragged."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("mapUndoBar")
        self.setAutoFillBackground(True)
        style_tone(self, "warning", "#mapUndoBar", extra="border-radius: 4px;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        self.label = QLabel()
        self.button = QPushButton(_tr("Undo"))
        self.button.setObjectName("mapUndo")
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(_UNDO_MS)
        self.timer.timeout.connect(self.hide)
        self.hide()

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.adjustSize()
        parent = self.parentWidget()
        if parent is not None:
            self.move((parent.width() - self.width()) // 2, 10)
        self.show()
        self.raise_()
        self.timer.start()


class LocationsMap(QObject):
    """Attached to the Locations page (``attach``); the map view is made when first shown."""

    def __init__(self, page: Any, editor: Any, reload_views: Any) -> None:
        super().__init__(page)
        self.page = page
        self.cache = page.cache
        self._editor_fn = editor  # () -> EditorLike, made when first needed
        self._reload_views = reload_views
        self.view: MapView | None = None
        self.undo_bar: UndoBar | None = None
        self._syncing = False
        self._last_move: tuple[dict[str, Any], float, float] | None = None
        self._opened_for: object = ()
        self.mode = "table"
        self.task: Any = None
        self.access_task: Any = None
        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(True)
        bar = QWidget()
        bar.setObjectName("mapModes")
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        for mode, text in zip(MODES, (_tr("Table"), _tr("Map"), _tr("Both")), strict=True):
            button = QToolButton()
            button.setText(text)
            button.setCheckable(True)
            button.setObjectName(f"mode-{mode}")
            button.setToolTip(_tr("Show the locations as a table, on a map, or both"))
            self.buttons.addButton(button)
            button.clicked.connect(lambda _c=False, m=mode: self.set_mode(m))
            row.addWidget(button)
        # Narrow windows squeeze the switch rather than widen the page (its own width is a wish).
        bar.setMinimumWidth(1)
        page.add_bar_widget(bar)
        self.inner = QSplitter(Qt.Orientation.Horizontal)
        self.inner.setObjectName("locationsMapSplitter")
        outer = page.splitter
        sizes = outer.sizes()  # the table's and the detail pane's, as laid out or restored
        outer.insertWidget(0, self.inner)
        self.inner.addWidget(page.stack)
        outer.setStretchFactor(0, 1)  # the table and map take what the window gains; the detail pane keeps its width
        outer.setStretchFactor(1, 0)
        outer.setSizes(sizes)
        page.model.modelReset.connect(self._keys_changed)
        page.model.keysLoaded.connect(lambda _n: self._keys_changed())
        page.table.selectionModel().selectionChanged.connect(self._table_selection)
        saved = str(QSettings(APP_NAME, APP_NAME).value("views/locations/mapMode", "table"))
        self.set_mode(saved if saved in MODES else "table", save=False)

    # -- modes -----------------------------------------------------------------------------------
    def set_mode(self, mode: str, *, save: bool = True) -> None:
        self.mode = mode
        for button in self.buttons.buttons():
            button.setChecked(button.objectName() == f"mode-{mode}")
        if mode != "table":
            self._ensure_view()
        if self.view is not None:
            self.view.setVisible(mode != "table")
        self.page.stack.setVisible(mode != "map")
        if save:
            QSettings(APP_NAME, APP_NAME).setValue("views/locations/mapMode", mode)
        if mode != "table":
            self._keys_changed()

    def _ensure_view(self) -> MapView:
        if self.view is None:
            view = MapView()
            view.setMinimumWidth(240)
            self.inner.addWidget(view)
            outer = self.page.splitter
            total = max(sum(outer.sizes()), 900)
            detail = outer.sizes()[1] if len(outer.sizes()) > 1 else DETAIL_WIDTH
            outer.setSizes([total - detail, detail])
            self.inner.setSizes([(total - detail) * 2 // 5, (total - detail) * 3 // 5])
            saved = QSettings(APP_NAME, APP_NAME).value("views/locations/mapSplitter")
            if saved is not None:
                self.inner.restoreState(saved)
            self.inner.splitterMoved.connect(lambda _pos, _index: QSettings(APP_NAME, APP_NAME).setValue(
                "views/locations/mapSplitter", self.inner.saveState()))
            view.selectionChanged.connect(self._map_selection)
            view.statusText.connect(self._status)
            canvas = view.canvas
            canvas.moveRequested.connect(self.move)
            canvas.editRequested.connect(self._edit)
            canvas.addRequested.connect(self.add_at)
            canvas.deleteRequested.connect(self._delete)
            view.pointsChanged.connect(self._points_arrived)
            self.undo_bar = UndoBar(canvas)
            self.undo_bar.button.clicked.connect(self.undo)
            self.view = view
            view.set_tiles(TileSettings.load(QSettings(APP_NAME, APP_NAME)))
            self._update_editable()
            self._check_access()
        return self.view

    # -- data ------------------------------------------------------------------------------------
    def _keys_changed(self) -> None:
        view = self.view
        model = self.page.model
        if view is None or self.mode == "table" or not model.keys_complete:
            return
        view.set_groups(self.cache.all_rows("layers"), self.cache.all_rows("categories"))
        view.load(self.cache, model.keys())
        scope = self._map_filter()
        if scope != self._opened_for:
            self._opened_for = scope
            view.open_at(self._center(scope))

    def _map_filter(self) -> str | None:
        value = self.page.current_filters().get("mapId")
        return str(value) if value else None

    def _center(self, map_id: str | None) -> tuple[float, float, float] | None:
        record = self.cache.get("maps", map_id) if map_id else None
        if record is None:
            return None
        values = (record.get("centerLat"), record.get("centerLng"), record.get("zoom"))
        if any(not isinstance(v, int | float) or isinstance(v, bool) for v in values):
            return None
        return float(values[0]), float(values[1]), float(values[2])

    def _points_arrived(self) -> None:
        self._table_selection()

    # -- selection -------------------------------------------------------------------------------
    def _table_selection(self, *_args: object) -> None:
        if self._syncing or self.view is None:
            return
        keys = self.page.model.keys()
        self.view.select_keys(keys[r] for r in self.page.table.selected_rows() if r < len(keys))

    def _map_selection(self, selected: list[int]) -> None:
        model, table = self.page.model, self.page.table
        position = {k: i for i, k in enumerate(model.keys())}
        rows = sorted(position[k] for k in selected if k in position)
        self._syncing = True
        try:
            selection = QItemSelection()
            last = model.columnCount() - 1
            for row in rows:
                selection.select(model.index(row, 0), model.index(row, last))
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            table.selectionModel().select(selection, flags)
            if rows:
                table.selectionModel().setCurrentIndex(model.index(rows[0], 0),
                                                       QItemSelectionModel.SelectionFlag.NoUpdate)
                table.scrollTo(model.index(rows[0], 0))
            else:
                table.selectionModel().clearCurrentIndex()
        finally:
            self._syncing = False

    def _status(self, text: str) -> None:
        window = self.page.window()
        if window is not None and window is not self.page:
            window.statusBar().showMessage(text, 3000)

    # -- editing ---------------------------------------------------------------------------------
    @property
    def editor(self) -> EditorLike:
        return self._editor_fn()

    def _update_editable(self, reason: str | None = None) -> None:
        if self.view is None:
            return
        canvas = self.view.canvas
        if reason is None and not edits.can_edit("locations"):
            reason = _tr("Locations cannot be changed through the API.")
        if reason is None and self.editor.client("mapiry") is None:
            reason = _tr("Offline: changes need a connection. Connect Mapiry in Settings (Ctrl+,).")
        canvas.editable = reason is None
        canvas.edit_reason = reason or ""
        canvas.setToolTip(reason or "")

    def _check_access(self) -> None:
        """Ask Mapiry what the key may do (its keys list names the key's scope); a READ_ONLY key
        turns editing on the map off before anyone tries."""
        client = self.editor.client("mapiry")
        if client is None:
            return

        async def scope() -> str | None:
            prefix = client.http.key_prefix(KEY_PREFIX_LENGTH)
            keys = await client.list_keys()
            own = [k for k in keys if k.get("prefix") == prefix and not k.get("revokedAt")]
            return str(own[0].get("scope")) if len(own) == 1 else None

        def known(found: str | None) -> None:
            if found == "READ_ONLY":
                self.set_read_only(read_only_reason())

        self.access_task = tasks.run_task(scope(), on_done=known, on_error=lambda _exc: None)

    def set_read_only(self, why: str) -> None:
        """The key may only read (READ_ONLY): moving, adding and deleting on the map are off."""
        self._update_editable(why)

    def _record(self, key: int) -> dict[str, Any] | None:
        rows = self.cache.rows_for_keys("locations", [key])
        return rows[0] if rows else None

    def move(self, key: int, lng: float, lat: float) -> Any:
        """Send one update with the new coordinates; the answer updates the cache; Undo offers the way back."""
        record = self._record(key)
        client = self.editor.client("mapiry")
        if record is None or client is None:
            self._update_editable()
            return None
        old = (float(record.get("lat") or 0.0), float(record.get("lng") or 0.0))
        lat, lng = round(lat, 6), round(lng, 6)

        def done(answer: dict[str, Any]) -> None:
            self._last_move = (answer, *old)
            self._reload_views()
            if self.undo_bar is not None:
                self.undo_bar.show_text(_tr("Moved “{0}”.").format(edits.record_label("locations", answer)))

        self.task = tasks.run_task(writes.save("locations", client, self.cache, {"lat": lat, "lng": lng},
                                               record=record), on_done=done, on_error=self._failed)
        return self.task

    def undo(self) -> Any:
        if self._last_move is None:
            return None
        record, lat, lng = self._last_move
        self._last_move = None
        if self.undo_bar is not None:
            self.undo_bar.hide()
        client = self.editor.client("mapiry")
        if client is None:
            self._update_editable()
            return None
        self.task = tasks.run_task(
            writes.save("locations", client, self.cache, {"lat": lat, "lng": lng}, record=record),
            on_done=lambda answer: (self._reload_views(), self.editor.notify(
                _tr("Moved “{0}” back.").format(edits.record_label("locations", answer)))),
            on_error=self._failed)
        return self.task

    def _failed(self, exc: BaseException) -> None:
        self._reload_views()  # the marker goes back where the cache has it
        if isinstance(exc, PermissionDeniedError):
            self.set_read_only(read_only_reason())
        self.editor.notify(tasks.error_text(exc), "error")

    def _edit(self, key: int) -> Any:
        return self.editor.edit("locations", self._record(key))

    def add_at(self, lng: float, lat: float) -> Any:
        """The new-location form with these coordinates filled in (nothing is sent until OK)."""
        dialog = self.editor.create("locations", self._map_filter())
        if dialog is not None:
            dialog.set_values({"lat": round(lat, 6), "lng": round(lng, 6)})
        return dialog

    def _delete(self, keys: list[int]) -> Any:
        return self.editor.delete("locations", self.cache.rows_for_keys("locations", keys))


def attach(page: Any, window: Any) -> LocationsMap:
    """Give the Locations page its map (``page.map``)."""
    attached = LocationsMap(page, lambda: install_edit_actions(window).controller, window.reload_views)
    page.map = attached
    return attached

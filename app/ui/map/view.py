"""MapView: the map canvas with its toolbar (colour by, fit, zoom, save as image) and the
layer panel (the legend: each layer or category with its colour, a check box to show it)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.core.geo.cluster import Points
from app.services.config import cache_dir
from app.ui import tasks
from app.ui.i18n import translator
from app.ui.map.canvas import MapCanvas, coordinates_text
from app.ui.map.export import save_png, save_svg
from app.ui.map.loader import PointLoader
from app.ui.map.tiles import OnlineTiles, TileSettings
from app.ui.map.tiles_dialog import TilesDialog
from app.ui.palette import style_muted

# (rowid, lat, lng, name, category id, first layer id): a row of Cache.location_points' columns.
PointRow = tuple[int, float, float, str, str, str]
COLUMNS = ("keys", "lats", "lngs", "names", "categories", "layers")
NONE_KEY = ""
_FALLBACK = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46a0a0", "#f032e6", "#9a6324",
             "#800000", "#808000", "#000075", "#a9a9a9")
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1


class PointSource(Protocol):
    """What the map reads: the cache (app.storage.Cache)."""

    def connect(self) -> sqlite3.Connection: ...

    def location_points(self, keys: Sequence[int] | None = None, *,
                        connection: sqlite3.Connection | None = None) -> dict[str, list[Any]]: ...


class Prepared:
    """Points ready to show (built off the GUI thread): the shown ones and every group's count."""

    __slots__ = ("columns", "points", "names", "counts")

    def __init__(self, columns: Mapping[str, Sequence[Any]], points: Points, names: list[str],
                 counts: dict[str, Counter[str]]) -> None:
        self.columns = columns
        self.points = points
        self.names = names
        self.counts = counts


def _prepare(columns: Mapping[str, Sequence[Any]], hidden: Mapping[str, set[str]], mode: str,
             order: Mapping[str, int]) -> Prepared:
    layers, categories = columns["layers"], columns["categories"]
    counts = {"layer": Counter(layers), "category": Counter(categories)}
    hidden_layers, hidden_categories = hidden["layer"], hidden["category"]
    if hidden_layers or hidden_categories:
        shown = [i for i, (la, ca) in enumerate(zip(layers, categories, strict=True))
                 if la not in hidden_layers and ca not in hidden_categories]
        pick: Callable[[str], list[Any]] = lambda name: [columns[name][i] for i in shown]  # noqa: E731
    else:
        pick = lambda name: list(columns[name])  # noqa: E731
    group_of = pick("layers" if mode == "layer" else "categories")
    get = order.get
    points = Points(pick("keys"), pick("lngs"), pick("lats"), [get(g, -1) for g in group_of])
    return Prepared(columns, points, pick("names"), counts)


_tr = translator("MapView")


def _swatch(color: QColor) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(color)
    return QIcon(pixmap)


def _color(text: Any, fallback_index: int) -> QColor:
    color = QColor(str(text)) if text else QColor()
    return color if color.isValid() else QColor(_FALLBACK[fallback_index % len(_FALLBACK)])


class MapView(QWidget):
    """Shows locations on the map; says what the person selects, moves, adds, edits or deletes."""

    selectionChanged = Signal(list)  # rowids
    statusText = Signal(str)
    pointsChanged = Signal()  # new points are shown

    def __init__(self, parent: QWidget | None = None, *, toolbar: bool = True, panel: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("mapView")
        self.canvas = MapCanvas(self)
        self.canvas.selectionChanged.connect(self.selectionChanged)
        self.canvas.cursorMoved.connect(self._cursor)
        self._columns: Mapping[str, Sequence[Any]] = {name: [] for name in COLUMNS}
        self._counts: dict[str, Counter[str]] = {}
        self.loader = PointLoader(self)
        self.loader.loaded.connect(self._loaded)
        self.loading = False
        self.tiles: OnlineTiles | None = None
        self._open_pending = False
        self._open_center: tuple[float, float, float] | None = None
        self._groups_meta: dict[str, dict[str, tuple[str, QColor]]] = {"layer": {}, "category": {}}
        self.hidden: dict[str, set[str]] = {"layer": set(), "category": set()}
        self.mode = "layer"
        self._opened = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.toolbar = QWidget()
        bar = QHBoxLayout(self.toolbar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.setSpacing(4)
        self.color_by = QComboBox()
        self.color_by.setToolTip(_tr("Colour the markers by their first layer or by their category"))
        self.color_by.setObjectName("mapColorBy")
        self.color_by.addItem(_tr("Colour by layer"), "layer")
        self.color_by.addItem(_tr("Colour by category"), "category")
        self.color_by.currentIndexChanged.connect(lambda _i: self.set_mode(self.color_by.currentData()))
        bar.addWidget(self.color_by)
        bar.addSpacing(8)
        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip, slot in (
            ("fit", _tr("Fit"), _tr("Show every location"), self.canvas.fit_all),
            ("fit_selection", _tr("Fit selection"), _tr("Show the selected locations"), self.canvas.fit_selection),
            ("zoom_in", "+", _tr("Zoom in (+)"), lambda: self.canvas.zoom_by(1.0)),
            ("zoom_out", "−", _tr("Zoom out (−)"), lambda: self.canvas.zoom_by(-1.0)),
            ("save", _tr("Save image…"), _tr("Save this view as a PNG or SVG image, with its attribution"),
             lambda: self.save_image()),
            ("tiles", _tr("Tiles…"), _tr("Show online map tiles (off: the offline basemap only)"),
             self.choose_tiles),
        ):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setObjectName(f"map-{key}")
            button.setAutoRaise(True)
            button.clicked.connect(slot)
            self.buttons[key] = button
            bar.addWidget(button)
        bar.addStretch(1)
        self.cursor_label = QLabel()  # the cursor's coordinates, for a view without a status bar
        style_muted(self.cursor_label)
        self.cursor_label.setVisible(False)
        bar.addWidget(self.cursor_label)
        self.toolbar.setVisible(toolbar)
        outer.addWidget(self.toolbar)

        self.layer_list = QListWidget()
        self.layer_list.setObjectName("mapLayers")
        self.layer_list.setIconSize(QSize(14, 14))
        self.layer_list.setUniformItemSizes(True)
        self.layer_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.layer_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.layer_list.itemChanged.connect(self._item_toggled)
        self.panel_title = QLabel()
        self.panel_title.setStyleSheet("font-weight: 600;")
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(4)
        side_layout.addWidget(self.panel_title)
        side_layout.addWidget(self.layer_list, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mapSplitter")
        self.splitter.addWidget(self.canvas)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 200])
        side.setMinimumWidth(120)
        side.setVisible(panel)
        outer.addWidget(self.splitter, 1)

    # -- content -------------------------------------------------------------------------------
    def set_groups(self, layers: Iterable[Mapping[str, Any]], categories: Iterable[Mapping[str, Any]]) -> None:
        """The layers and categories (records from the cache) that colour and name the groups."""
        for mode, records in (("layer", layers), ("category", categories)):
            meta: dict[str, tuple[str, QColor]] = {}
            for i, r in enumerate(records):
                meta[str(r.get("id"))] = (str(r.get("name") or r.get("id")), _color(r.get("color"), i))
            self._groups_meta[mode] = meta

    def load(self, cache: PointSource, keys: Sequence[int] | None) -> None:
        """Read the points of ``keys`` (None: every location) on the worker thread; they show
        when read. A newer load replaces one still running."""
        keys = list(keys) if keys is not None else None
        hidden = {m: set(h) for m, h in self.hidden.items()}
        mode, order = self.mode, self._palette()[0]

        def job() -> Prepared:
            conn = cache.connect()
            try:
                columns = cache.location_points(keys, connection=conn)
            finally:
                conn.close()
            return _prepare(columns, hidden, mode, order)

        self.loading = True
        self.loader.request(job)

    def _loaded(self, _generation: int, result: object) -> None:
        self.loading = False
        if isinstance(result, Prepared):
            self._apply(result)
        elif isinstance(result, BaseException):
            self.statusText.emit(_tr("Could not read the locations from the cache: {0}").format(result))

    def set_locations(self, columns: Mapping[str, Sequence[Any]]) -> None:
        """The locations to show, as Cache.location_points gives them (read on this thread)."""
        self._apply(_prepare(columns, self.hidden, self.mode, self._palette()[0]))

    def set_rows(self, rows: Sequence[PointRow]) -> None:
        columns = {name: [r[i] for r in rows] for i, name in enumerate(COLUMNS)}
        self.set_locations(columns)

    def _apply(self, prepared: Prepared) -> None:
        self._columns = prepared.columns
        self._counts = prepared.counts
        self.canvas.set_points(prepared.points, prepared.names, self._palette()[1])
        self._fill_panel()
        if self._open_pending:
            self._open_pending = False
            self.open_at(self._open_center)
        self.pointsChanged.emit()

    def _rebuild(self) -> None:
        self._apply(_prepare(self._columns, self.hidden, self.mode, self._palette()[0]))

    def _palette(self) -> tuple[dict[str, int], list[QColor]]:
        meta = self._groups_meta[self.mode]
        order = {key: i for i, key in enumerate(meta)}
        return order, [color for _name, color in meta.values()]

    def set_mode(self, mode: str) -> None:
        if mode == self.mode or mode not in self.hidden:
            return
        self.mode = mode
        index = self.color_by.findData(mode)
        if index != self.color_by.currentIndex():
            self.color_by.setCurrentIndex(index)
        self._rebuild()

    def _fill_panel(self) -> None:
        counts = self._counts.get(self.mode, Counter())
        meta = self._groups_meta[self.mode]
        hidden = self.hidden[self.mode]
        self.panel_title.setText(_tr("Layers") if self.mode == "layer" else _tr("Categories"))
        self.layer_list.blockSignals(True)
        self.layer_list.clear()
        entries = [(key, name, color) for key, (name, color) in meta.items() if key in counts]
        if NONE_KEY in counts:
            entries.append((NONE_KEY, _tr("No layer") if self.mode == "layer" else _tr("No category"),
                            QColor("#5b6b7f")))
        for key, name, color in entries:
            item = QListWidgetItem(_swatch(color), f"{name}  ({counts.get(key, 0):,})")
            item.setData(GROUP_ROLE, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if key in hidden else Qt.CheckState.Checked)
            self.layer_list.addItem(item)
        self.layer_list.blockSignals(False)

    def _item_toggled(self, item: QListWidgetItem) -> None:
        self.set_group_visible(str(item.data(GROUP_ROLE)), item.checkState() == Qt.CheckState.Checked)

    def set_group_visible(self, key: str, visible: bool) -> None:
        hidden = self.hidden[self.mode]
        if (key not in hidden) == visible:
            return
        if visible:
            hidden.discard(key)
        else:
            hidden.add(key)
        self._rebuild()

    # -- opening -------------------------------------------------------------------------------
    def open_at(self, center: tuple[float, float, float] | None) -> None:
        """Open at (lat, lng, zoom) when the map has them, otherwise fit its locations (once
        they are read, when a load is running)."""
        if center is None and self.loading:
            self._open_pending, self._open_center = True, None
            return
        if center is not None:
            lat, lng, zoom = center
            self.canvas.set_view(lng, lat, zoom)
        else:
            self.canvas.fit_all()
        self._opened = True

    def _cursor(self, lng: float, lat: float) -> None:
        text = coordinates_text(lng, lat)
        self.cursor_label.setText(text)
        self.statusText.emit(text)

    # -- saving ------------------------------------------------------------------------------------
    def save_image(self, path: str | None = None) -> bool:
        """Save the view as PNG or SVG (by the file's suffix); asks where when no path is given."""
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(self, _tr("Save the map as an image"), "map.png",
                                                        _tr("PNG image (*.png);;SVG drawing (*.svg)"))
            if not path:
                return False
        saved = save_svg(self.canvas, path) if path.lower().endswith(".svg") else save_png(self.canvas, path)
        self.statusText.emit(_tr("Saved the map to {0}.").format(path) if saved
                             else _tr("Could not write {0}: check the folder exists and can be written to.")
                             .format(path))
        return saved

    # -- online tiles --------------------------------------------------------------------------
    def set_tiles(self, tile_settings: TileSettings, cache_folder: Path | None = None) -> None:
        """Use online tiles (or not) as ``tile_settings`` say; tiles are kept under ``cache_folder``
        (default: the cache folder's "tiles")."""
        old = self.tiles
        self.tiles = None
        if tile_settings.enabled:
            folder = cache_folder if cache_folder is not None else cache_dir() / "tiles"
            self.tiles = OnlineTiles(tile_settings.template, tile_settings.attribution, folder, self.canvas.update)
        self.canvas.renderer.tiles = self.tiles
        self.canvas.update()
        if old is not None:
            tasks.run_task(old.aclose())

    def choose_tiles(self) -> TilesDialog:
        settings = QSettings(APP_NAME, APP_NAME)  # organisation and application, as the main window's
        dialog = TilesDialog(TileSettings.load(settings), self)

        def accepted() -> None:
            chosen = dialog.settings()
            chosen.save(settings)
            self.set_tiles(chosen)

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    # -- selection ------------------------------------------------------------------------------
    def select_keys(self, keys: Iterable[int]) -> None:
        """Select from outside (the table): no selectionChanged comes back."""
        self.canvas.select_keys(keys, emit=False)

    def selected_keys(self) -> list[int]:
        return self.canvas.selected_keys()

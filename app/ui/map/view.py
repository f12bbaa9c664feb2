"""MapView: the map canvas with its toolbar (colour by, fit, zoom, save as image) and the
layer panel (the legend: each layer or category with its colour, a check box to show it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.geo.cluster import Points
from app.ui.map.canvas import MapCanvas, coordinates_text

# (rowid, lat, lng, name, category id, first layer id): a row of Cache.location_points' columns.
PointRow = tuple[int, float, float, str, str, str]
NONE_KEY = ""
_FALLBACK = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46a0a0", "#f032e6", "#9a6324",
             "#800000", "#808000", "#000075", "#a9a9a9")
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1


def _tr(text: str) -> str:
    return QCoreApplication.translate("MapView", text)


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

    def __init__(self, parent: QWidget | None = None, *, toolbar: bool = True, panel: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("mapView")
        self.canvas = MapCanvas(self)
        self.canvas.selectionChanged.connect(self.selectionChanged)
        self.canvas.cursorMoved.connect(self._cursor)
        self._rows: list[PointRow] = []
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
        bar.addWidget(QLabel(_tr("Colour by")))
        self.color_by = QComboBox()
        self.color_by.setObjectName("mapColorBy")
        self.color_by.addItem(_tr("Layer"), "layer")
        self.color_by.addItem(_tr("Category"), "category")
        self.color_by.currentIndexChanged.connect(lambda _i: self.set_mode(self.color_by.currentData()))
        bar.addWidget(self.color_by)
        bar.addSpacing(8)
        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip, slot in (
            ("fit", _tr("Fit all"), _tr("Show every location"), self.canvas.fit_all),
            ("fit_selection", _tr("Fit selection"), _tr("Show the selected locations"), self.canvas.fit_selection),
            ("zoom_in", "+", _tr("Zoom in (+)"), lambda: self.canvas.zoom_by(1.0)),
            ("zoom_out", "−", _tr("Zoom out (−)"), lambda: self.canvas.zoom_by(-1.0)),
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
        self.cursor_label = QLabel()
        self.cursor_label.setStyleSheet("color: palette(placeholder-text);")
        self.cursor_label.setMinimumWidth(170)
        bar.addWidget(self.cursor_label)
        self.toolbar.setVisible(toolbar)
        outer.addWidget(self.toolbar)

        self.layer_list = QListWidget()
        self.layer_list.setObjectName("mapLayers")
        self.layer_list.setIconSize(QSize(14, 14))
        self.layer_list.setUniformItemSizes(True)
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
        self.splitter.setSizes([900, 180])
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

    def set_locations(self, columns: Mapping[str, Sequence[Any]]) -> None:
        """The locations to show, as Cache.location_points gives them."""
        self._rows = list(zip(columns["keys"], columns["lats"], columns["lngs"], columns["names"],
                              columns["categories"], columns["layers"], strict=True))
        self._rebuild()

    def set_rows(self, rows: Sequence[PointRow]) -> None:
        self._rows = list(rows)
        self._rebuild()

    def _group_of(self, row: PointRow, mode: str) -> str:
        return row[5] if mode == "layer" else row[4]

    def _rebuild(self) -> None:
        hidden_layers, hidden_categories = self.hidden["layer"], self.hidden["category"]
        shown = [r for r in self._rows if r[5] not in hidden_layers and r[4] not in hidden_categories]
        order, colors = self._palette()
        mode = self.mode
        groups = [order.get(self._group_of(r, mode), -1) for r in shown]
        points = Points([r[0] for r in shown], [r[2] for r in shown], [r[1] for r in shown], groups)
        self.canvas.set_points(points, [r[3] for r in shown], colors)
        self._fill_panel()

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
        order, colors = self._palette()
        pts = self.canvas.points
        by_key = {r[0]: r for r in self._rows}
        self.canvas.set_colors([order.get(self._group_of(by_key[k], mode), -1) for k in pts.keys], colors)
        self._fill_panel()

    def _fill_panel(self) -> None:
        counts: dict[str, int] = {}
        for r in self._rows:
            g = self._group_of(r, self.mode)
            counts[g] = counts.get(g, 0) + 1
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
        """Open at (lat, lng, zoom) when the map has them, otherwise fit its locations."""
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

    # -- selection ------------------------------------------------------------------------------
    def select_keys(self, keys: Iterable[int]) -> None:
        """Select from outside (the table): no selectionChanged comes back."""
        self.canvas.select_keys(keys, emit=False)

    def selected_keys(self) -> list[int]:
        return self.canvas.selected_keys()

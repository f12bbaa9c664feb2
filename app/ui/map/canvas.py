"""The map widget: a QWidget painted by MapRenderer, with panning, zooming, selection, marker
dragging and the context menu. It knows points by index and reports by the caller's keys."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDesktopServices,
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGestureEvent, QMenu, QPinchGesture, QRubberBand, QToolTip, QWidget

from app.core.geo import mercator
from app.core.geo.cluster import Points
from app.core.geo.viewport import Viewport
from app.ui.i18n import translator
from app.ui.map.basemap_layer import BasemapLayer
from app.ui.map.render import MapRenderer

_PAN_STEP = 96
_DRAG_START = 4
_WHEEL_STEP = 0.5  # zoom levels per wheel notch


_tr = translator("MapCanvas")


def coordinates_text(lng: float, lat: float) -> str:
    return f"{lat:.6f}, {lng:.6f}"


def osm_url(lng: float, lat: float, zoom: float) -> str:
    z = max(1, min(19, round(zoom)))
    return f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lng:.6f}#map={z}/{lat:.5f}/{lng:.5f}"


class MapCanvas(QWidget):
    selectionChanged = Signal(list)  # keys
    cursorMoved = Signal(float, float)  # lng, lat
    moveRequested = Signal(int, float, float)  # key, lng, lat
    editRequested = Signal(int)  # key
    addRequested = Signal(float, float)  # lng, lat
    deleteRequested = Signal(list)  # keys
    viewChanged = Signal()

    def __init__(self, parent: QWidget | None = None, basemap: BasemapLayer | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mapCanvas")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.grabGesture(Qt.GestureType.PinchGesture)
        self.basemap = basemap if basemap is not None else BasemapLayer.shared()
        self.basemap.changed.connect(self.update)
        self.renderer = MapRenderer(self.basemap)
        self.view = Viewport(0.5, 0.5, 1.0, self.width(), self.height())
        self.editable = False
        self.edit_reason = ""
        self._press: QPoint | None = None
        self._press_hit: int | None = None  # point index pressed on
        self._press_shift = False  # Shift held at the press: a rubber band
        self._mode = ""  # "pan", "band", "move" while the mouse is down
        self._last: QPointF = QPointF()
        self._band = QRubberBand(QRubberBand.Shape.Rectangle, self)
        self._fitted = False
        self._pending_fit = False
        self._more_tiles = QTimer(self)
        self._more_tiles.setSingleShot(True)
        self._more_tiles.setInterval(0)
        self._more_tiles.timeout.connect(self.update)

    def sizeHint(self) -> QSize:
        return QSize(640, 480)

    # -- content ------------------------------------------------------------------------------
    @property
    def points(self) -> Points:
        return self.renderer.points

    def set_points(self, points: Points, names: Sequence[str], colors: Sequence[QColor]) -> None:
        keep = self.selected_keys()
        self.renderer.set_points(points, names, colors)
        self._select_indices(self._indices(keep), emit=False)
        self.update()

    def set_colors(self, groups: Sequence[int], colors: Sequence[QColor]) -> None:
        self.renderer.set_colors(groups, colors)
        self.update()

    def _indices(self, keys: Iterable[int]) -> set[int]:
        found = (self.points.index_of(k) for k in keys)
        return {i for i in found if i is not None}

    def selected_keys(self) -> list[int]:
        keys = self.points.keys
        return sorted(keys[i] for i in self.renderer.selected)

    def select_keys(self, keys: Iterable[int], *, emit: bool = False) -> None:
        self._select_indices(self._indices(keys), emit=emit)

    def _select_indices(self, indices: set[int], *, emit: bool = True) -> None:
        if indices == self.renderer.selected:
            return
        self.renderer.selected = indices
        self.update()
        if emit:
            self.selectionChanged.emit(self.selected_keys())

    # -- the view ----------------------------------------------------------------------------
    def set_view(self, lng: float, lat: float, zoom: float) -> None:
        self.view.zoom = mercator.clamp_zoom(zoom)
        self.view.set_center(lng, lat)
        self._fitted = True
        self._changed()

    def fit_indices(self, indices: Iterable[int]) -> None:
        pts = self.points
        chosen = list(indices)
        if not chosen:
            return
        xs, ys = pts.xs, pts.ys
        cx, cy, zoom = mercator.fit_unit([xs[i] for i in chosen], [ys[i] for i in chosen],
                                         max(self.view.width, 64), max(self.view.height, 64))
        self.view.zoom = zoom
        self.view.cx, self.view.cy = cx, cy
        self.view.clamp()
        self._fitted = True
        self._changed()

    def fit_all(self) -> None:
        if self.width() < 32 or self.height() < 32:
            self._pending_fit = True  # once the widget has its size
        self.fit_indices(range(len(self.points)))

    def fit_selection(self) -> None:
        self.fit_indices(self.renderer.selected)

    def zoom_by(self, step: float, at: QPointF | None = None) -> None:
        p = at if at is not None else QPointF(self.width() / 2, self.height() / 2)
        self.view.zoom_at(self.view.zoom + step, p.x(), p.y())
        self._changed()

    def pan_by(self, dx: float, dy: float) -> None:
        self.view.pan_pixels(dx, dy)
        self._changed()

    def _changed(self) -> None:
        self.update()
        self.viewChanged.emit()

    def screen_pos(self, key: int) -> QPointF | None:
        """Where the point of ``key`` is drawn (the copy of the world nearest the centre)."""
        index = self.points.index_of(key)
        if index is None:
            return None
        x = self.points.xs[index]
        x += round(self.view.cx - x)
        sx, sy = self.view.to_screen(x, self.points.ys[index])
        return QPointF(sx, sy)

    # -- painting ------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        self.view.width = max(1, self.width())
        self.view.height = max(1, self.height())
        self.view.clamp()
        if self._pending_fit and self.width() >= 32 and self.height() >= 32:
            self._pending_fit = False
            self.fit_all()
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.renderer.draw(painter, self.view)
        painter.end()
        if self.renderer.pending_tiles:
            self._more_tiles.start()

    # -- mouse -----------------------------------------------------------------------------
    def _hit_index(self, pos: QPointF) -> int | None:
        drawn = self.renderer.hit(pos.x(), pos.y())
        if drawn is None or drawn.cluster.count != 1:
            return None
        return drawn.cluster.members[0]

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self._press = event.position().toPoint()
        self._last = event.position()
        self._press_hit = self._hit_index(event.position())
        self._press_shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        self._mode = ""
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        lng, lat = self.view.lnglat_at(pos.x(), pos.y())
        self.cursorMoved.emit(lng, lat)
        if self._press is None:
            return
        if not self._mode:
            if (pos.toPoint() - self._press).manhattanLength() < _DRAG_START:
                return
            if self._press_shift:
                self._mode = "band"
                self._band.setGeometry(QRect(self._press, pos.toPoint()).normalized())
                self._band.show()
            elif self._press_hit is not None and self.editable:
                self._mode = "move"
                self._select_indices({self._press_hit})
            else:
                self._mode = "pan"
                self.setCursor(Qt.CursorShape.ClosedHandCursor)
        if self._mode == "pan":
            delta = pos - self._last
            self._last = pos
            self.pan_by(delta.x(), delta.y())
        elif self._mode == "band":
            self._band.setGeometry(QRect(self._press, pos.toPoint()).normalized())
        elif self._mode == "move" and self._press_hit is not None:
            x, y = self.view.to_world(pos.x(), pos.y())
            self.renderer.moving = (self._press_hit, x, min(max(y, 0.0), 1.0))
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._press is None:
            super().mouseReleaseEvent(event)
            return
        mode, hit = self._mode, self._press_hit
        self._press, self._mode, self._press_hit = None, "", None
        self.unsetCursor()
        pos = event.position()
        additive = bool(event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                             | Qt.KeyboardModifier.ShiftModifier))
        if mode == "band":
            self._band.hide()
            self._band_select(self._band.geometry(), additive)
        elif mode == "move" and hit is not None:
            moving = self.renderer.moving
            self.renderer.moving = None
            self.update()
            if moving is not None:
                lng, lat = mercator.unproject(moving[1], moving[2])
                self.moveRequested.emit(self.points.keys[hit], lng, lat)
        elif not mode:
            self._click(pos, additive)

    def _click(self, pos: QPointF, additive: bool) -> None:
        drawn = self.renderer.hit(pos.x(), pos.y())
        if drawn is None:
            if not additive:
                self._select_indices(set())
            return
        members = set(drawn.cluster.members)
        if drawn.cluster.count > 1 and self.view.zoom < mercator.MAX_ZOOM - 0.01:
            # A cluster opens up: zoom in on it.
            self.view.zoom_at(min(self.view.zoom + 2, mercator.MAX_ZOOM), pos.x(), pos.y())
            self._changed()
            return
        if additive:
            members = self.renderer.selected ^ members
        self._select_indices(members)

    def _band_select(self, rect: QRect, additive: bool) -> None:
        x0, y0 = self.view.to_world(rect.left(), rect.top())
        x1, y1 = self.view.to_world(rect.right(), rect.bottom())
        level = self.renderer.clusterer.level(self.view.zoom)
        pts = self.points
        found = set(level.grid.query(pts.xs, pts.ys, x0, y0, x1, y1))
        self._select_indices((self.renderer.selected | found) if additive else found)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        hit = self._hit_index(event.position())
        if hit is not None:
            self._select_indices({hit})
            if self.editable:
                self.editRequested.emit(self.points.keys[hit])
            else:
                self._say_why(event.position().toPoint())
        else:
            self.zoom_by(1.0, event.position())
        self._press = None

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(steps * _WHEEL_STEP, event.position())
        event.accept()

    # -- gestures and keys -----------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Gesture and isinstance(event, QGestureEvent):
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if isinstance(pinch, QPinchGesture):
                factor = pinch.scaleFactor()
                if factor > 0:
                    self.zoom_by(math.log2(factor), self.mapFromGlobal(pinch.centerPoint().toPoint()).toPointF())
                event.accept()
                return True
        if (event.type() == QEvent.Type.NativeGesture and isinstance(event, QNativeGestureEvent)
                and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture):
            self.zoom_by(math.log2(1.0 + event.value()), event.position())
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        pans = {Qt.Key.Key_Left: (_PAN_STEP, 0), Qt.Key.Key_Right: (-_PAN_STEP, 0),
                Qt.Key.Key_Up: (0, _PAN_STEP), Qt.Key.Key_Down: (0, -_PAN_STEP)}
        if key in pans:
            self.pan_by(*pans[key])
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.0)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_by(-1.0)
        elif key == Qt.Key.Key_Delete and self.renderer.selected:
            if self.editable:
                self.deleteRequested.emit(self.selected_keys())
            else:
                self._say_why(self.rect().center())
        elif key == Qt.Key.Key_Escape:
            if self.renderer.moving is not None:
                self.renderer.moving = None
                self._press, self._mode = None, ""
                self.update()
            else:
                self._select_indices(set())
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _say_why(self, pos: QPoint) -> None:
        """Editing is off: say why where the person is looking."""
        if self.edit_reason:
            QToolTip.showText(self.mapToGlobal(pos), self.edit_reason, self)

    # -- context menu ------------------------------------------------------------------------
    def context_menu(self, pos: QPoint) -> QMenu:
        lng, lat = self.view.lnglat_at(pos.x(), pos.y())
        hit = self._hit_index(QPointF(pos))
        if hit is not None:  # on a marker: its own coordinates
            lng, lat = mercator.unproject(self.points.xs[hit], self.points.ys[hit])
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        copy = menu.addAction(_tr("Copy coordinates"))
        copy.triggered.connect(lambda: self._copy(lng, lat))
        osm = menu.addAction(_tr("Open in OpenStreetMap"))
        osm.triggered.connect(lambda: self._open_osm(lng, lat))
        menu.addSeparator()
        add = menu.addAction(_tr("Add location here…"))
        add.setEnabled(self.editable)
        if not self.editable:
            add.setToolTip(self.edit_reason)
        add.triggered.connect(lambda: self.addRequested.emit(lng, lat))
        return menu

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.context_menu(event.pos()).popup(event.globalPos())

    @staticmethod
    def _copy(lng: float, lat: float) -> None:
        QGuiApplication.clipboard().setText(coordinates_text(lng, lat))

    def _open_osm(self, lng: float, lat: float) -> None:
        QDesktopServices.openUrl(QUrl(osm_url(lng, lat, self.view.zoom)))

"""Drawing one frame of the map onto any QPainter (the widget, a PNG, an SVG): the basemap
tiles, online tiles over them when there are any, clusters and markers, labels, the scale bar
and the attribution. What is drawn where is remembered for hit testing."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen, QPixmap

from app.core.geo.cluster import Cluster, Clusterer, Points
from app.core.geo.labels import LabelPlacer, candidates
from app.core.geo.mercator import TILE_SIZE, scale_bar
from app.core.geo.viewport import Viewport
from app.ui.map.basemap_layer import SEA, BasemapLayer
from app.ui.map.markers import MarkerArt, TileSource

NO_GROUP_COLOR = QColor("#5b6b7f")
_TILE_BUDGET_S = 0.010  # basemap tiles rendered per frame; the rest come with the next frames
_MAX_LABELS = 250
_LABEL_MIN_ZOOM = 3.0
_LABELS_KEPT = 4000  # label pictures kept (a few screens' worth)


class Drawn:
    """A marker or cluster as last drawn: its screen centre and radius."""

    __slots__ = ("x", "y", "r", "cluster")

    def __init__(self, x: float, y: float, r: float, cluster: Cluster) -> None:
        self.x = x
        self.y = y
        self.r = r
        self.cluster = cluster


class MapRenderer:
    """Holds the map's content (points, names, colours, selection) and draws frames of it."""

    def __init__(self, basemap: BasemapLayer) -> None:
        self.basemap = basemap
        self.tiles: TileSource | None = None
        self.points = Points([], [], [], [])
        self.clusterer = Clusterer(self.points)
        self.names: list[str] = []
        self.colors: list[QColor] = []
        self.selected: set[int] = set()
        self.art = MarkerArt()
        self.drawn: list[Drawn] = []
        self.pending_tiles = False
        self.moving: tuple[int, float, float] | None = None  # point index, unit x, unit y
        self._label_font = QFont()
        self._label_font.setPointSizeF(max(self._label_font.pointSizeF() - 0.5, 7.0))
        self._label_metrics = QFontMetrics(self._label_font)
        self._label_cache: dict[int, tuple[QImage | None, float]] = {}
        self.attribution_base = "© Natural Earth"
        self._vector = False  # drawing an SVG: labels as text

    def set_points(self, points: Points, names: Sequence[str], colors: Sequence[QColor]) -> None:
        self.points = points
        self.clusterer = Clusterer(points)
        self.names = list(names)
        self.colors = list(colors)
        self.selected = set()
        self._label_cache.clear()

    def set_colors(self, groups: Sequence[int], colors: Sequence[QColor]) -> None:
        self.points.groups = list(groups)
        self.colors = list(colors)

    def color_of(self, index: int) -> QColor:
        group = self.points.groups[index]
        return self.colors[group] if 0 <= group < len(self.colors) else NO_GROUP_COLOR

    def attribution(self) -> str:
        if self.tiles is not None and self.tiles.attribution():
            return f"{self.tiles.attribution()} · {self.attribution_base}"
        return self.attribution_base

    # -- the frame ---------------------------------------------------------------------------
    def draw(self, painter: QPainter, view: Viewport, *, vector_basemap: bool = False) -> None:
        painter.fillRect(QRectF(0, 0, view.width, view.height), SEA)
        if vector_basemap:
            self._vector_basemap(painter, view)
        else:
            self._tiles(painter, view)
        self._vector = vector_basemap
        self._markers(painter, view)
        self._vector = False
        self._scale_bar(painter, view)
        self._attribution(painter, view)

    def _vector_basemap(self, painter: QPainter, view: Viewport) -> None:
        x0, y0, x1, y1 = view.bounds()
        s = view.scale
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for k in view.wraps():
            dx = (k - view.cx) * s + view.width / 2.0
            dy = -view.cy * s + view.height / 2.0
            self.basemap.draw_world(painter, (x0 - k, y0, x1 - k, y1), s, dx, dy)

    def _tiles(self, painter: QPainter, view: Viewport) -> None:
        level = max(0, min(20, round(view.zoom)))
        n = 2 ** level
        tile_px = TILE_SIZE * 2.0 ** (view.zoom - level)
        x0, y0, x1, y1 = view.bounds()
        tx0, tx1 = math.floor(x0 * n), math.floor(x1 * n)
        ty0, ty1 = max(0, math.floor(y0 * n)), min(n - 1, math.floor(y1 * n))
        s = view.scale
        ox = -view.cx * s + view.width / 2.0
        oy = -view.cy * s + view.height / 2.0
        started = time.perf_counter()
        self.pending_tiles = False
        scaled = abs(tile_px - TILE_SIZE) > 0.01
        if scaled:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        online = self.tiles
        # Centre tiles first, so that a frame out of budget leaves the edges for the next one.
        order = sorted(((tx, ty) for tx in range(tx0, tx1 + 1) for ty in range(ty0, ty1 + 1)),
                       key=lambda t: abs(t[0] - (tx0 + tx1) / 2) + abs(t[1] - (ty0 + ty1) / 2))
        for tx, ty in order:
            wx = tx % n
            left = math.floor(ox + tx * tile_px)
            top = math.floor(oy + ty * tile_px)
            right = math.floor(ox + (tx + 1) * tile_px)
            bottom = math.floor(oy + (ty + 1) * tile_px)
            pixmap: QPixmap | QImage | None = online.tile(level, wx, ty) if online is not None else None
            if pixmap is None:
                if (not self.basemap.has_tile(level, wx, ty)
                        and time.perf_counter() - started > _TILE_BUDGET_S):
                    self.pending_tiles = True
                    continue
                pixmap = self.basemap.tile(level, wx, ty)
            target = QRectF(left, top, right - left, bottom - top)
            if isinstance(pixmap, QImage):
                if scaled:
                    painter.drawImage(target, pixmap)
                else:
                    painter.drawImage(left, top, pixmap)
            elif scaled:
                painter.drawPixmap(target, pixmap, QRectF(0, 0, TILE_SIZE, TILE_SIZE))
            else:
                painter.drawPixmap(left, top, pixmap)

    def _markers(self, painter: QPainter, view: Viewport) -> None:
        self.drawn = []
        if not len(self.points):
            return
        level = self.clusterer.level(view.zoom)
        x0, y0, x1, y1 = view.bounds(24)
        s = view.scale
        ox = view.width / 2.0 - view.cx * s
        oy = view.height / 2.0 - view.cy * s
        w, h = view.width + 24, view.height + 24
        selected = self.selected
        sel_cells = {level.cell_key(self.points.xs[i], self.points.ys[i]) for i in selected} if selected else ()
        moving = self.moving[0] if self.moving is not None else -1
        art = self.art
        anchor = art.marker_anchor
        drawn = self.drawn
        groups, colors = self.points.groups, self.colors
        singles: list[tuple[float, float, int]] = []
        chosen: list[tuple[float, float, int]] = []
        chosen_drawn: list[Drawn] = []
        for cluster, k in level.visible(x0, y0, x1, y1):
            sx = ox + (cluster.x + k) * s
            sy = oy + cluster.y * s
            if sx < -24 or sy < -24 or sx > w or sy > h:
                continue
            members = cluster.members
            if len(members) == 1:
                index = members[0]
                if index in selected:
                    chosen.append((sx, sy, index))
                    chosen_drawn.append(Drawn(sx, sy, art.marker_radius, cluster))
                    continue
                pix = art.marker(self.color_of(index), False)
                painter.drawImage(int(sx - anchor), int(sy - anchor), pix)
                drawn.append(Drawn(sx, sy, art.marker_radius, cluster))
                singles.append((sx, sy, index))
            else:
                hot = cluster.key in sel_cells
                group = cluster.group(groups)
                tint = colors[group] if 0 <= group < len(colors) else None
                pix, radius, half = art.cluster(len(members), hot, tint)
                painter.drawImage(int(sx - half), int(sy - half), pix)
                drawn.append(Drawn(sx, sy, radius, cluster))
        for (sx, sy, index), spot in zip(chosen, chosen_drawn, strict=True):  # the selected on top
            if index == moving:
                continue
            pix = art.marker(self.color_of(index), True)
            painter.drawImage(int(sx - anchor), int(sy - anchor), pix)
            drawn.append(spot)
        if self.moving is not None:
            index, mx, my = self.moving
            sx, sy = view.to_screen(mx, my)
            pix = art.marker(self.color_of(index), True)
            painter.drawImage(int(sx - anchor), int(sy - anchor), pix)
        if (singles or chosen) and (view.zoom >= _LABEL_MIN_ZOOM or len(singles) + len(chosen) < 60):
            self._labels(painter, chosen + singles)

    def _labels(self, painter: QPainter, spots: list[tuple[float, float, int]]) -> None:
        placer = LabelPlacer()
        r = self.art.marker_radius
        for d in self.drawn:
            placer.occupy((d.x - d.r, d.y - d.r, d.x + d.r, d.y + d.r))
        height = self._label_metrics.height()
        placed = 0
        for sx, sy, index in spots:
            if placed >= _MAX_LABELS:
                break
            pixmap, width = self._label(index)
            if pixmap is None:
                continue
            spot = placer.place(candidates(sx, sy, width, height, r + 3))
            if spot is None:
                continue
            placed += 1
            if self._vector:  # an SVG: the name as text
                painter.setFont(self._label_font)
                painter.setPen(QColor("#1f2a36"))
                painter.drawText(QPointF(spot[0], spot[1] + self._label_metrics.ascent()), self.names[index])
            else:
                painter.drawImage(int(spot[0]) - 1, int(spot[1]) - 1, pixmap)

    def _label(self, index: int) -> tuple[QImage | None, float]:
        """A location's name, drawn once with a light halo (one blit a frame after that)."""
        found = self._label_cache.get(index)
        if found is None:
            name = self.names[index] if index < len(self.names) else ""
            name = self._label_metrics.elidedText(name, Qt.TextElideMode.ElideRight, 180)
            if not name:
                found = (None, 0.0)
            else:
                width = float(self._label_metrics.horizontalAdvance(name))
                found = (self._label_picture(name, width), width)
            if len(self._label_cache) > _LABELS_KEPT:
                self._label_cache.clear()
            self._label_cache[index] = found
        return found

    def _label_picture(self, name: str, width: float) -> QImage:
        ratio = self.art.ratio
        height = self._label_metrics.height()
        pixmap = QImage(int((width + 2) * ratio) + 2, int((height + 2) * ratio) + 2,
                        QImage.Format.Format_ARGB32_Premultiplied)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setFont(self._label_font)
        ascent = self._label_metrics.ascent()
        painter.setPen(QColor(255, 255, 255, 230))
        for dx, dy in ((0, 1), (2, 1), (1, 0), (1, 2)):
            painter.drawText(QPointF(dx, dy + ascent), name)
        painter.setPen(QColor("#1f2a36"))
        painter.drawText(QPointF(1, 1 + ascent), name)
        painter.end()
        return pixmap

    def _scale_bar(self, painter: QPainter, view: Viewport) -> None:
        _lng, lat = view.center_lnglat()
        px, text = scale_bar(lat, view.zoom, 120)
        if px <= 0:
            return
        x, y = 12, view.height - 14
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(QRectF(x - 4, y - 18, px + 8, 24), QColor(255, 255, 255, 190))
        pen = QPen(QColor("#33404d"), 2)
        painter.setPen(pen)
        painter.drawLine(x, y, x + px, y)
        painter.drawLine(x, y - 5, x, y)
        painter.drawLine(x + px, y - 5, x + px, y)
        painter.setFont(self._label_font)
        painter.drawText(QRectF(x, y - 18, px, 14), Qt.AlignmentFlag.AlignCenter, text)

    def _attribution(self, painter: QPainter, view: Viewport) -> None:
        text = self.attribution()
        width = self._label_metrics.horizontalAdvance(text) + 10
        height = self._label_metrics.height() + 4
        rect = QRectF(view.width - width, view.height - height, width, height)
        painter.fillRect(rect, QColor(255, 255, 255, 200))
        painter.setPen(QColor("#33404d"))
        painter.setFont(self._label_font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def hit(self, x: float, y: float, slop: float = 3.0) -> Drawn | None:
        """The marker or cluster drawn under (x, y), the topmost first."""
        for d in reversed(self.drawn):
            if (d.x - x) ** 2 + (d.y - y) ** 2 <= (d.r + slop) ** 2:
                return d
        return None

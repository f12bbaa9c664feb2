"""The offline basemap drawn into 256-pixel tiles (kept in a small LRU cache of pixmaps).

The coarse scale (1:110m) loads at once; the finer ones load on a worker thread when the zoom
first needs them, and until then the best loaded scale stands in. Land fills are split into
quadrants (Qt's path intersection) so that a tile at street zoom rasterises only the few
thousand points near it; coastlines and borders are drawn as short polylines culled by box.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

import shiboken6
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF, QTransform

from app.core.geo.basemap import SCALES, Basemap, BasemapError, Ring, decode, scale_for
from app.core.geo.index import BoxIndex
from app.core.geo.mercator import TILE_SIZE
from app.resources import resource_path
from app.ui.map.loader import start_worker

SEA = QColor("#c8dced")
LAND = QColor("#f4f1ea")
COAST = QColor("#9fb5c8")
BORDER = QColor("#c4b8c8")
_PIECE_POINTS = 1200
_MAX_DEPTH = 9
_LINE_CHUNK = 96
_TILES_KEPT = 160
_EDGE = 1e-6  # how near x = 0 or 1 a point lies on the antimeridian cut

Box = tuple[float, float, float, float]


class _Piece:
    __slots__ = ("box", "path", "children")

    def __init__(self, box: Box, path: QPainterPath | None, children: list[_Piece]) -> None:
        self.box = box
        self.path = path
        self.children = children


def _polygon(ring: Ring) -> QPolygonF:
    c = ring.coords
    return QPolygonF([QPointF(c[i], c[i + 1]) for i in range(0, len(c), 2)])


def _split(path: QPainterPath, box: Box, depth: int) -> _Piece:
    if path.elementCount() <= _PIECE_POINTS or depth >= _MAX_DEPTH:
        return _Piece(box, path, [])
    x0, y0, x1, y1 = box
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    children = []
    for q in ((x0, y0, mx, my), (mx, y0, x1, my), (x0, my, mx, y1), (mx, my, x1, y1)):
        clip = QPainterPath()
        clip.addRect(QRectF(q[0], q[1], q[2] - q[0], q[3] - q[1]))
        part = path.intersected(clip)
        if part.isEmpty():
            continue
        part.setFillRule(Qt.FillRule.OddEvenFill)
        r = part.boundingRect()
        children.append(_split(part, (r.left(), r.top(), r.right(), r.bottom()), depth + 1))
    return _Piece(box, None, children)


class Scale:
    """One scale made drawable: land pieces and coast/border chunks, each with its box."""

    def __init__(self, basemap: Basemap) -> None:
        self.pieces: list[_Piece] = []
        for rings in basemap.polygons:
            path = QPainterPath()
            path.setFillRule(Qt.FillRule.OddEvenFill)
            for ring in rings:
                path.addPolygon(_polygon(ring))
            outer = rings[0].box
            self.pieces.append(_split(path, outer, 0))
        self.coast = self._chunks([r for rings in basemap.polygons for r in rings])
        self.borders = self._chunks(basemap.lines)
        # Leaves of the land pieces, and the line chunks, found by box through a grid index.
        leaves: list[_Piece] = []
        stack = list(self.pieces)
        while stack:
            piece = stack.pop()
            if piece.path is not None:
                leaves.append(piece)
            else:
                stack.extend(piece.children)
        self.leaves = leaves
        self._leaf_index = BoxIndex([p.box for p in leaves])
        self._coast_index = BoxIndex([b for b, _ in self.coast])
        self._border_index = BoxIndex([b for b, _ in self.borders])

    @staticmethod
    def _chunks(rings: list[Ring]) -> list[tuple[Box, QPolygonF]]:
        """Short polylines of the rings, without the segments that are not real coast or border:
        the cut along the antimeridian and the jumps across it."""
        out: list[tuple[Box, QPolygonF]] = []

        def emit(run: list[float]) -> None:
            n = len(run) // 2
            for start in range(0, max(n - 1, 1), _LINE_CHUNK):
                part = run[2 * start: 2 * min(n, start + _LINE_CHUNK + 1)]
                if len(part) < 4:
                    continue
                xs, ys = part[0::2], part[1::2]
                poly = QPolygonF([QPointF(part[i], part[i + 1]) for i in range(0, len(part), 2)])
                out.append(((min(xs), min(ys), max(xs), max(ys)), poly))

        for ring in rings:
            c = ring.coords
            run: list[float] = [c[0], c[1]]
            for i in range(2, len(c), 2):
                x0, x1 = c[i - 2], c[i]
                on_cut = abs(x0 - round(x0)) < _EDGE and abs(x1 - round(x1)) < _EDGE
                if on_cut or abs(x1 - x0) > 0.5:
                    emit(run)
                    run = []
                run += (x1, c[i + 1])
            emit(run)
        return out

    def draw(self, painter: QPainter, box: Box) -> None:
        """Draw what touches ``box`` (unit coordinates; the painter maps unit → pixels). Rings
        that run past the antimeridian (x < 0 or > 1) are drawn again one world over."""
        for shift in (0.0, -1.0, 1.0):
            shifted = (box[0] - shift, box[1], box[2] - shift, box[3])
            if shift and shifted[0] >= 0.0 and shifted[2] <= 1.0:
                continue  # nothing runs past the edges there
            painter.save()
            painter.translate(shift, 0.0)
            self._draw(painter, shifted)
            painter.restore()

    def _draw(self, painter: QPainter, box: Box) -> None:
        # Fills without antialiasing: the pieces of one polygon then meet without seams; the
        # antialiased coastline drawn over their edges smooths them.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(LAND)
        for i in self._leaf_index.query(*box):
            painter.drawPath(self.leaves[i].path)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        pen = QPen(BORDER, 1.0)
        pen.setCosmetic(True)
        pen.setDashPattern([3.0, 2.0])
        painter.setPen(pen)
        for i in self._border_index.query(*box):
            painter.drawPolyline(self.borders[i][1])
        coast = QPen(COAST, 0.9)
        coast.setCosmetic(True)
        painter.setPen(coast)
        for i in self._coast_index.query(*box):
            painter.drawPolyline(self.coast[i][1])


def load_scale(name: str) -> Scale:
    return Scale(decode(resource_path("basemap", f"ne-{name}.bin").read_bytes()))


class BasemapLayer(QObject):
    """Tiles of the offline basemap, one for the whole app (``shared()``): every map view draws
    the same tiles. ``changed`` is emitted (queued to the GUI thread) when a finer scale has
    loaded."""

    changed = Signal()
    _shared: BasemapLayer | None = None

    @classmethod
    def shared(cls) -> BasemapLayer:
        if cls._shared is None or not shiboken6.isValid(cls._shared):
            cls._shared = BasemapLayer()
        return cls._shared

    def __init__(self) -> None:
        super().__init__()
        self._scales: dict[str, Scale] = {}
        self._loading: set[str] = set()
        self._lock = threading.Lock()
        self._tiles: OrderedDict[tuple[str, int, int, int], QImage] = OrderedDict()
        self.error: str | None = None
        self._scales[SCALES[0][0]] = load_scale(SCALES[0][0])

    def wait_loaded(self, name: str, timeout: float) -> bool:
        """Load ``name`` now if it is not there yet (benchmarks and tests)."""
        self._ensure(name)
        deadline = threading.Event()
        waited = 0.0
        while name not in self._scales and waited < timeout:
            deadline.wait(0.02)
            waited += 0.02
        return name in self._scales

    def _ensure(self, name: str) -> None:
        with self._lock:
            if name in self._scales or name in self._loading:
                return
            self._loading.add(name)
        start_worker(lambda: self._load(name), f"cabinet-basemap-{name}")

    def _load(self, name: str) -> None:
        try:
            scale = load_scale(name)
        except (OSError, BasemapError) as exc:
            self.error = str(exc)
            return
        with self._lock:
            self._scales[name] = scale
            self._loading.discard(name)
        self.changed.emit()

    def _best(self, zoom: float) -> str:
        wanted = scale_for(zoom)
        names = [n for n, _ in SCALES]
        self._ensure(wanted)
        for name in reversed(names[: names.index(wanted) + 1]):
            if name in self._scales:
                return name
        return names[0]

    def tile(self, level: int, tx: int, ty: int) -> QImage:
        """The tile (level, tx, ty), tx already wrapped into [0, 2^level)."""
        name = self._best(level)
        key = (name, level, tx, ty)
        found = self._tiles.get(key)
        if found is not None:
            self._tiles.move_to_end(key)
            return found
        pixmap = self._render(self._scales[name], level, tx, ty)
        self._tiles[key] = pixmap
        if len(self._tiles) > _TILES_KEPT:
            self._tiles.popitem(last=False)
        return pixmap

    def has_tile(self, level: int, tx: int, ty: int) -> bool:
        return (self._best(level), level, tx, ty) in self._tiles

    @staticmethod
    def _render(scale: Scale, level: int, tx: int, ty: int) -> QImage:
        n = 2 ** level
        size = TILE_SIZE * n
        image = QImage(TILE_SIZE, TILE_SIZE, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(SEA)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setTransform(QTransform(size, 0, 0, size, -tx * TILE_SIZE, -ty * TILE_SIZE))
        pad = 2.0 / size
        scale.draw(painter, (tx / n - pad, ty / n - pad, (tx + 1) / n + pad, (ty + 1) / n + pad))
        painter.end()
        return image

    def draw_world(self, painter: QPainter, box: tuple[float, float, float, float], size: float,
                   dx: float, dy: float) -> None:
        """Vector drawing without tiles (for SVG export): ``box`` in unit coordinates, the
        painter's own transform is multiplied by unit → pixels."""
        scale = self._scales[self._best_loaded_for_size(size)]
        painter.save()
        painter.setTransform(QTransform(size, 0, 0, size, dx, dy), True)
        scale.draw(painter, box)
        painter.restore()

    def _best_loaded_for_size(self, size: float) -> str:
        return self._best(max(0.0, math.log2(size / TILE_SIZE)))

"""Marker and cluster pictures, drawn once per colour/size and reused (a pixmap blit is far
cheaper than an antialiased ellipse and a text per marker), and the online tile seam."""

from __future__ import annotations

import math
from typing import Protocol

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen, QPixmap

CLUSTER_COLOR = QColor("#2f6f9f")
# The map draws on its own colours (land and sea), not the window's palette: a light rim and
# light numbers read on every marker colour there, in a light or a dark theme alike.
RIM = QColor(255, 255, 255)
SELECT_COLOR = QColor("#ff8c1a")


class TileSource(Protocol):
    """Online raster tiles: a cached tile or None (then it asks for it and repaints later)."""

    def tile(self, level: int, x: int, y: int) -> QPixmap | None: ...

    def attribution(self) -> str: ...


def _ratio() -> float:
    screen = QGuiApplication.primaryScreen()
    return screen.devicePixelRatio() if screen is not None else 1.0


class MarkerArt:
    marker_radius = 6.0
    marker_anchor = 9.0  # half the marker picture's logical size

    def __init__(self) -> None:
        self.ratio = self._ratio = _ratio()
        self._markers: dict[tuple[int, bool], QImage] = {}
        self._clusters: dict[tuple[str, bool, int], tuple[QImage, float, float]] = {}
        self._font = QFont()
        self._font.setBold(True)
        self._font.setPointSizeF(max(self._font.pointSizeF() - 1.0, 7.0))

    def _canvas(self, size: float) -> tuple[QImage, QPainter]:
        # QImage, not QPixmap: drawImage of a premultiplied ARGB image is the cheapest blit
        # (twice as fast as drawPixmap on the raster engine).
        pixmap = QImage(math.ceil(size * self._ratio), math.ceil(size * self._ratio),
                        QImage.Format.Format_ARGB32_Premultiplied)
        pixmap.setDevicePixelRatio(self._ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        return pixmap, painter

    def marker(self, color: QColor, selected: bool) -> QImage:
        key = (color.rgba(), selected)
        found = self._markers.get(key)
        if found is None:
            size = 2 * self.marker_anchor
            found, painter = self._canvas(size)
            c = self.marker_anchor
            if selected:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(SELECT_COLOR)
                painter.drawEllipse(QRectF(c - 9, c - 9, 18, 18))
            painter.setPen(QPen(RIM, 1.6))
            painter.setBrush(color)
            r = self.marker_radius
            painter.drawEllipse(QRectF(c - r, c - r, 2 * r, 2 * r))
            painter.end()
            self._markers[key] = found
        return found

    def cluster(self, count: int, selected: bool, tint: QColor | None = None) -> tuple[QImage, float, float]:
        """The picture, the circle's radius and half the picture's size (logical pixels). ``tint``:
        the colour its members share (a neutral blue when they differ)."""
        text = f"{count:,}" if count < 10_000 else f"{count // 1000}k"
        fill = tint if tint is not None else CLUSTER_COLOR
        key = (text, selected, fill.rgba())
        found = self._clusters.get(key)
        if found is None:
            radius = 9.0 + 6.0 * math.log10(max(count, 2))
            size = 2 * radius + 8
            pixmap, painter = self._canvas(size)
            c = size / 2
            halo = QColor(SELECT_COLOR if selected else fill)
            halo.setAlpha(110 if selected else 70)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(halo)
            painter.drawEllipse(QRectF(c - radius - 4, c - radius - 4, 2 * radius + 8, 2 * radius + 8))
            painter.setBrush(fill)
            painter.setPen(QPen(RIM, 1.5))
            painter.drawEllipse(QRectF(c - radius, c - radius, 2 * radius, 2 * radius))
            painter.setFont(self._font)
            painter.setPen(RIM)
            painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, text)
            painter.end()
            found = (pixmap, radius, size / 2)
            self._clusters[key] = found
        return found

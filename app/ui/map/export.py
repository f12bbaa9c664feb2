"""Saving the current map view as an image: PNG (what the screen shows, tiles included) or SVG
(vector: the basemap's land, coasts and borders, the markers and labels), both with the
attribution drawn in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from app.ui.map.canvas import MapCanvas


def save_png(canvas: MapCanvas, path: str | Path) -> bool:
    view = canvas.view
    ratio = canvas.devicePixelRatioF()
    image = QImage(int(view.width * ratio), int(view.height * ratio), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    canvas.renderer.draw(painter, view)
    while canvas.renderer.pending_tiles:  # every tile of the view, not just a frame's budget
        canvas.renderer.draw(painter, view)
    painter.end()
    return image.save(str(path), "PNG")


def save_svg(canvas: MapCanvas, path: str | Path, title: str = "Cabinet map") -> bool:
    view = canvas.view
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(view.width, view.height))
    generator.setViewBox(QRect(0, 0, view.width, view.height))
    generator.setTitle(title)
    generator.setDescription(canvas.renderer.attribution())
    painter = QPainter()
    if not painter.begin(generator):
        return False
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    canvas.renderer.draw(painter, view, vector_basemap=True)
    return painter.end()

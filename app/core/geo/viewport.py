"""What part of the (wrapping) world a view of width × height pixels shows."""

from __future__ import annotations

import math

from app.core.geo.mercator import clamp_zoom, project, unproject, world_size


class Viewport:
    """A centre in unit coordinates (x may be any real number: the world repeats east and west),
    a zoom and a size in pixels. Screen (0, 0) is the top-left corner."""

    __slots__ = ("cx", "cy", "zoom", "width", "height")

    def __init__(self, cx: float = 0.5, cy: float = 0.5, zoom: float = 1.0, width: int = 800,
                 height: int = 600) -> None:
        self.cx = cx
        self.cy = cy
        self.zoom = clamp_zoom(zoom)
        self.width = width
        self.height = height

    def copy(self) -> Viewport:
        return Viewport(self.cx, self.cy, self.zoom, self.width, self.height)

    @property
    def scale(self) -> float:
        """Pixels per unit of world."""
        return world_size(self.zoom)

    def center_lnglat(self) -> tuple[float, float]:
        return unproject(self.cx, self.cy)

    def set_center(self, lng: float, lat: float) -> None:
        self.cx, self.cy = project(lng, lat)
        self.clamp()

    def clamp(self) -> None:
        """Keep the centre's x in [0, 1) and the view from showing past the poles when it can."""
        self.cx %= 1.0
        half = self.height / 2.0 / self.scale
        if half >= 0.5:
            self.cy = 0.5
        else:
            self.cy = min(max(self.cy, half), 1.0 - half)

    def to_screen(self, x: float, y: float) -> tuple[float, float]:
        s = self.scale
        return (x - self.cx) * s + self.width / 2.0, (y - self.cy) * s + self.height / 2.0

    def to_world(self, sx: float, sy: float) -> tuple[float, float]:
        """The unit coordinates under a screen point (x not wrapped)."""
        s = self.scale
        return self.cx + (sx - self.width / 2.0) / s, self.cy + (sy - self.height / 2.0) / s

    def lnglat_at(self, sx: float, sy: float) -> tuple[float, float]:
        x, y = self.to_world(sx, sy)
        return unproject(x, min(max(y, 0.0), 1.0))

    def bounds(self, margin_px: float = 0.0) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the view in unit coordinates; x0/x1 are not wrapped."""
        x0, y0 = self.to_world(-margin_px, -margin_px)
        x1, y1 = self.to_world(self.width + margin_px, self.height + margin_px)
        return x0, y0, x1, y1

    def wraps(self, margin_px: float = 0.0) -> range:
        """The world copies k (x offset k) the view touches."""
        x0, _y0, x1, _y1 = self.bounds(margin_px)
        return range(math.floor(x0), math.floor(x1) + 1)

    def pan_pixels(self, dx: float, dy: float) -> None:
        """Move the content by (dx, dy) pixels (a drag to the right moves the view west)."""
        s = self.scale
        self.cx -= dx / s
        self.cy -= dy / s
        self.clamp()

    def zoom_at(self, new_zoom: float, sx: float, sy: float) -> None:
        """Zoom keeping the world point under screen (sx, sy) where it is."""
        wx, wy = self.to_world(sx, sy)
        self.zoom = clamp_zoom(new_zoom)
        s = self.scale
        self.cx = wx - (sx - self.width / 2.0) / s
        self.cy = wy - (sy - self.height / 2.0) / s
        self.clamp()

"""Label placement: a label is shown only where it fits without covering another label or a
marker; the first placed wins (callers offer the selected and the nearest-to-centre first)."""

from __future__ import annotations

Rect = tuple[float, float, float, float]  # left, top, right, bottom


class LabelPlacer:
    """Occupied rectangles bucketed on a coarse screen grid."""

    __slots__ = ("_bucket", "_cells")

    def __init__(self, bucket: float = 128.0) -> None:
        self._bucket = bucket
        self._cells: dict[tuple[int, int], list[Rect]] = {}

    def _span(self, rect: Rect) -> list[tuple[int, int]]:
        b = self._bucket
        return [(i, j) for i in range(int(rect[0] // b), int(rect[2] // b) + 1)
                for j in range(int(rect[1] // b), int(rect[3] // b) + 1)]

    def occupy(self, rect: Rect) -> None:
        for cell in self._span(rect):
            self._cells.setdefault(cell, []).append(rect)

    def fits(self, rect: Rect) -> bool:
        left, top, right, bottom = rect
        for cell in self._span(rect):
            for o in self._cells.get(cell, ()):
                if left < o[2] and o[0] < right and top < o[3] and o[1] < bottom:
                    return False
        return True

    def place(self, candidates: list[Rect]) -> Rect | None:
        """The first candidate position that fits (then occupied), or None."""
        for rect in candidates:
            if self.fits(rect):
                self.occupy(rect)
                return rect
        return None


def candidates(x: float, y: float, width: float, height: float, gap: float) -> list[Rect]:
    """Where a label may go around a marker at (x, y): right, left, above, below."""
    half = height / 2.0
    return [
        (x + gap, y - half, x + gap + width, y + half),
        (x - gap - width, y - half, x - gap, y + half),
        (x - width / 2.0, y - gap - height, x + width / 2.0, y - gap),
        (x - width / 2.0, y + gap, x + width / 2.0, y + gap + height),
    ]

"""A uniform-grid spatial index over points in unit coordinates (x wraps around the world)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence


class GridIndex:
    """Point indices bucketed by a square cell of ``cell`` units. ``cells`` maps i * n + j (column
    i, row j, n cells across) to the indices in that cell, in input order."""

    __slots__ = ("cell", "n", "cells")

    def __init__(self, xs: Sequence[float], ys: Sequence[float], cell: float) -> None:
        self.cell = cell
        self.n = n = max(1, math.ceil(1.0 / cell))
        inv = 1.0 / cell
        cells: dict[int, list[int]] = {}
        get = cells.get
        for index, (x, y) in enumerate(zip(xs, ys, strict=True)):
            key = int(x * inv) * n + int(y * inv)
            bucket = get(key)
            if bucket is None:
                cells[key] = [index]
            else:
                bucket.append(index)
        self.cells = cells

    def keys_in(self, x0: float, y0: float, x1: float, y1: float) -> Iterator[tuple[int, int]]:
        """(cell key, world copy k) of every non-empty cell the rectangle touches; x0/x1 may lie
        outside [0, 1) (the rectangle then reaches into the copies of the world beside it)."""
        n, inv, cells = self.n, 1.0 / self.cell, self.cells
        j0 = max(0, int(math.floor(y0 * inv)))
        j1 = min(n - 1, int(math.floor(y1 * inv)))
        if j1 < j0:
            return
        i0, i1 = int(math.floor(x0 * inv)), int(math.floor(x1 * inv))
        if (i1 - i0 + 1) * (j1 - j0 + 1) > 4 * len(cells):
            # Sparse: walk the cells instead of the window.
            for key in cells:
                i, j = divmod(key, n)
                if j0 <= j <= j1:
                    for k in range(math.floor((i0 - i) / n) + (1 if (i0 - i) % n else 0), (i1 - i) // n + 1):
                        yield key, k
            return
        for gi in range(i0, i1 + 1):
            k, i = divmod(gi, n)
            base = i * n
            for j in range(j0, j1 + 1):
                key = base + j
                if key in cells:
                    yield key, k

    def query(self, xs: Sequence[float], ys: Sequence[float], x0: float, y0: float, x1: float,
              y1: float) -> list[int]:
        """Indices of the points inside the rectangle (in any copy of the world it touches)."""
        out: list[int] = []
        seen: set[int] = set()
        for key, k in self.keys_in(x0, y0, x1, y1):
            for index in self.cells[key]:
                x = xs[index] + k
                if x0 <= x <= x1 and y0 <= ys[index] <= y1 and index not in seen:
                    seen.add(index)
                    out.append(index)
        return out


class BoxIndex:
    """Items with bounding boxes (unit coordinates) bucketed on an n × n grid: an item sits in
    every cell its box touches; ``query`` returns each item touching a box once."""

    __slots__ = ("n", "cells", "boxes")

    def __init__(self, boxes: Sequence[tuple[float, float, float, float]], n: int = 128) -> None:
        self.n = n
        self.boxes = list(boxes)
        cells: dict[int, list[int]] = {}
        top = n - 1
        for index, (x0, y0, x1, y1) in enumerate(self.boxes):
            i0, i1 = max(0, min(top, int(x0 * n))), max(0, min(top, int(x1 * n)))
            j0, j1 = max(0, min(top, int(y0 * n))), max(0, min(top, int(y1 * n)))
            for i in range(i0, i1 + 1):
                for j in range(j0, j1 + 1):
                    cells.setdefault(i * n + j, []).append(index)
        self.cells = cells

    def query(self, x0: float, y0: float, x1: float, y1: float) -> list[int]:
        n, top, boxes = self.n, self.n - 1, self.boxes
        i0, i1 = max(0, min(top, int(x0 * n))), max(0, min(top, int(x1 * n)))
        j0, j1 = max(0, min(top, int(y0 * n))), max(0, min(top, int(y1 * n)))
        found: set[int] = set()
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                found.update(self.cells.get(i * n + j, ()))
        out = []
        for index in sorted(found):
            b = boxes[index]
            if b[0] <= x1 and x0 <= b[2] and b[1] <= y1 and y0 <= b[3]:
                out.append(index)
        return out

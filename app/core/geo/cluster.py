"""Grid clustering per zoom level: points that fall in one cell of ``CELL_PX`` screen pixels at
an integer zoom become one cluster at their mean position; zooming in splits them."""

from __future__ import annotations

import math
from collections.abc import Sequence

from app.core.geo.index import GridIndex
from app.core.geo.mercator import MAX_ZOOM, project_ys, world_size

CELL_PX = 44.0
_LEVELS_KEPT = 6


class Points:
    """The points a map shows: parallel sequences (keys are the caller's: cache rowids)."""

    __slots__ = ("keys", "xs", "ys", "groups", "_position")

    def __init__(self, keys: Sequence[int], lngs: Sequence[float], lats: Sequence[float],
                 groups: Sequence[int]) -> None:
        self.keys = list(keys)
        self.xs = [((v + 180.0) / 360.0) % 1.0 for v in lngs]
        self.ys = project_ys(lats)
        self.groups = list(groups)
        self._position: dict[int, int] | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def index_of(self, key: int) -> int | None:
        if self._position is None:
            self._position = {k: i for i, k in enumerate(self.keys)}
        return self._position.get(key)


class Cluster:
    __slots__ = ("key", "x", "y", "members", "_group")

    def __init__(self, key: int, x: float, y: float, members: list[int]) -> None:
        self.key = key
        self.x = x
        self.y = y
        self.members = members
        self._group: int | None = None

    def group(self, groups: Sequence[int]) -> int:
        """The group all members share, or -1 when they differ (worked out once)."""
        if self._group is None:
            first = groups[self.members[0]]
            self._group = first if all(groups[m] == first for m in self.members) else -1
        return self._group

    @property
    def count(self) -> int:
        return len(self.members)


class ClusterLevel:
    """The clusters of one integer zoom level: one per grid cell, then a cluster whose centre lies
    within ``MERGE`` of a cell of a bigger neighbour's centre joins it (two points either side of
    a cell boundary are one cluster, not two overlapping ones)."""

    __slots__ = ("level", "grid", "clusters", "owner")

    MERGE = 0.75

    def __init__(self, points: Points, level: int) -> None:
        self.level = level
        self.grid = grid = GridIndex(points.xs, points.ys, CELL_PX / world_size(level))
        xs, ys = points.xs, points.ys
        clusters: dict[int, Cluster] = {}
        for key, members in grid.cells.items():
            if len(members) == 1:
                m = members[0]
                clusters[key] = Cluster(key, xs[m], ys[m], members)
            else:
                clusters[key] = Cluster(key, math.fsum(xs[m] for m in members) / len(members),
                                        math.fsum(ys[m] for m in members) / len(members), members)
        self.owner: dict[int, int] = {}  # an absorbed cell → the cell of the cluster it joined
        self.clusters = clusters
        self._merge()

    def _merge(self) -> None:
        clusters, owner, n = self.clusters, self.owner, self.grid.n
        reach = (self.MERGE * self.grid.cell) ** 2
        for key in sorted(clusters, key=lambda k: -len(clusters[k].members)):
            host = clusters.get(key)
            if host is None:
                continue
            i, j = divmod(key, n)
            for di in (-1, 0, 1):
                ni = i + di
                shift = -1.0 if ni >= n else 1.0 if ni < 0 else 0.0
                ni %= n
                for dj in (-1, 0, 1):
                    nj = j + dj
                    if (di or dj) and 0 <= nj < n:
                        other_key = ni * n + nj
                        other = clusters.get(other_key)
                        if other is None or len(other.members) > len(host.members):
                            continue
                        dx = other.x + shift - host.x
                        dy = other.y - host.y
                        if dx * dx + dy * dy <= reach:
                            a, b = len(host.members), len(other.members)
                            host.x = (host.x * a + (other.x + shift) * b) / (a + b)
                            host.y = (host.y * a + other.y * b) / (a + b)
                            host.members = host.members + other.members
                            host._group = None
                            del clusters[other_key]
                            owner[other_key] = key

    def visible(self, x0: float, y0: float, x1: float, y1: float) -> list[tuple[Cluster, int]]:
        """(cluster, world copy k) of the clusters whose cell touches the rectangle, widened by a
        cell so that a cluster drawn at its mean position near an edge is not lost."""
        c = self.grid.cell
        clusters = self.clusters
        return [(clusters[key], k) for key, k in self.grid.keys_in(x0 - c, y0 - c, x1 + c, y1 + c)
                if key in clusters]

    def cell_key(self, x: float, y: float) -> int:
        """The key of the cluster a point at (x, y) belongs to."""
        inv = 1.0 / self.grid.cell
        key = int(x * inv) * self.grid.n + int(y * inv)
        while key in self.owner:  # absorbed, maybe by one that was absorbed in turn
            key = self.owner[key]
        return key


class Clusterer:
    """The cluster levels of one set of points, computed when first needed (a few kept)."""

    def __init__(self, points: Points) -> None:
        self.points = points
        self._levels: dict[int, ClusterLevel] = {}

    @staticmethod
    def level_for(zoom: float) -> int:
        return int(min(max(math.floor(zoom), 0), MAX_ZOOM))

    def level(self, zoom: float) -> ClusterLevel:
        level = self.level_for(zoom)
        found = self._levels.get(level)
        if found is None:
            found = ClusterLevel(self.points, level)
            if len(self._levels) >= _LEVELS_KEPT:
                self._levels.pop(next(iter(self._levels)))
            self._levels[level] = found
        return found

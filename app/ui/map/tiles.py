"""Online tiles on the map: shown from memory or disk at once, fetched (through ui/tasks.py, on
the qasync loop) only when the view shows them and nothing has them yet."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QPixmap

from app.services.tiles import OSM_ATTRIBUTION, OSM_TEMPLATE, TileCache, TileFetcher, check_template
from app.ui import tasks
from app.ui.i18n import translator

_KEPT = 192
_RETRY_S = 30.0  # after a failed fetch, the same tile is not asked for again before this


_tr = translator("MapTiles")


class TileSettings:
    """The map's online tiles setting (QSettings "map/tiles/…"): off by default."""

    __slots__ = ("enabled", "template", "attribution")

    def __init__(self, enabled: bool = False, template: str = OSM_TEMPLATE, attribution: str = OSM_ATTRIBUTION
                 ) -> None:
        self.enabled = enabled
        self.template = template
        self.attribution = attribution

    @classmethod
    def load(cls, settings: QSettings) -> TileSettings:
        return cls(str(settings.value("map/tiles/enabled", "false")).lower() == "true",
                   str(settings.value("map/tiles/template", OSM_TEMPLATE)),
                   str(settings.value("map/tiles/attribution", OSM_ATTRIBUTION)))

    def save(self, settings: QSettings) -> None:
        check_template(self.template)
        settings.setValue("map/tiles/enabled", "true" if self.enabled else "false")
        settings.setValue("map/tiles/template", self.template)
        settings.setValue("map/tiles/attribution", self.attribution)


class OnlineTiles:
    """A TileSource over one tile server. ``changed`` is called when a fetched tile arrived."""

    def __init__(self, template: str, attribution: str, cache_folder: Path, changed: Callable[[], None]) -> None:
        self.fetcher = TileFetcher(template, TileCache(cache_folder, template))
        self._attribution = attribution
        self._changed = changed
        self._memory: OrderedDict[tuple[int, int, int], QPixmap] = OrderedDict()
        self._pending: set[tuple[int, int, int]] = set()
        self._failed: dict[tuple[int, int, int], float] = {}
        self.last_error = ""

    def attribution(self) -> str:
        return self._attribution

    def tile(self, level: int, x: int, y: int) -> QPixmap | None:
        key = (level, x, y)
        found = self._memory.get(key)
        if found is not None:
            self._memory.move_to_end(key)
            return found
        on_disk = self.fetcher.cache.read(level, x, y)
        if on_disk is not None:
            pixmap = self._remember(key, on_disk[0])
            if on_disk[1].get("fresh_until", 0) < time.time():
                self._request(key)  # stale: shown now, asked for again (revalidated)
            return pixmap
        self._request(key)
        return None

    def _remember(self, key: tuple[int, int, int], data: bytes) -> QPixmap | None:
        pixmap = QPixmap()
        if not pixmap.loadFromData(data):
            return None
        self._memory[key] = pixmap
        if len(self._memory) > _KEPT:
            self._memory.popitem(last=False)
        return pixmap

    def _request(self, key: tuple[int, int, int]) -> None:
        if key in self._pending or self._failed.get(key, 0) > time.monotonic():
            return
        self._pending.add(key)
        tasks.run_task(self.fetcher.fetch(*key), on_done=lambda data, k=key: self._arrived(k, data),
                       on_error=lambda exc, k=key: self._fetch_failed(k, exc))

    def _arrived(self, key: tuple[int, int, int], data: bytes) -> None:
        self._pending.discard(key)
        if self._remember(key, data) is not None:
            self._changed()

    def _fetch_failed(self, key: tuple[int, int, int], exc: BaseException) -> None:
        self._pending.discard(key)
        self._failed[key] = time.monotonic() + _RETRY_S
        self.last_error = tasks.error_text(exc)

    def pending(self) -> int:
        return len(self._pending)

    async def aclose(self) -> None:
        await self.fetcher.aclose()

"""The validation page's map: the file's valid rows over the target map's existing locations,
on the same map widget as the Locations view, before anything is sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import QWidget

from app.core.csvimport import ValidRow
from app.storage import CacheStore
from app.ui.import_wizard.base import tr
from app.ui.map.view import MapView

FILE_GROUP = "file"
EXISTING_GROUP = "existing"


class PreviewMap(MapView):
    """File rows in red (keys -line), existing locations in grey (their cache rowids)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, toolbar=False, panel=True)
        self.setObjectName("importPreviewMap")
        self.set_groups([{"id": FILE_GROUP, "name": tr("Rows of this file"), "color": "#d62728"},
                         {"id": EXISTING_GROUP, "name": tr("Already on the map"), "color": "#8a96a8"}], [])
        self.splitter.setSizes([560, 170])
        self._existing: dict[str, list[Any]] = {"keys": [], "lats": [], "lngs": [], "names": []}

    def set_existing(self, cache: CacheStore, map_id: str | None) -> None:
        """The target map's cached locations (none when no map is chosen yet)."""
        if map_id is None:
            self._existing = {"keys": [], "lats": [], "lngs": [], "names": []}
            return
        keys = cache.query_keys("locations", filters={"scope": map_id})
        self._existing = cache.location_points(keys)

    def show_rows(self, rows: Sequence[ValidRow]) -> None:
        existing = self._existing
        n = len(existing["keys"])
        columns = {
            "keys": [-r.line for r in rows] + list(existing["keys"]),
            "lats": [r.lat for r in rows] + list(existing["lats"]),
            "lngs": [r.lng for r in rows] + list(existing["lngs"]),
            "names": [r.name for r in rows] + list(existing["names"]),
            "categories": [""] * (len(rows) + n),
            "layers": [FILE_GROUP] * len(rows) + [EXISTING_GROUP] * n,
        }
        self.set_locations(columns)
        self.canvas.fit_all()

# ruff: noqa: F811 - pytest fixtures imported from wizard_helpers
"""The import wizard's map: the file's valid rows over the target map's existing locations, and
"Swap them" for a file whose latitude and longitude are swapped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import qasync

from app.storage import Cache
from app.ui.import_wizard.preview_map import EXISTING_GROUP, FILE_GROUP
from tests.gui.wizard_helpers import drive, in_loop, make_wizard, qloop, to_page, wcache  # noqa: F401


def test_swapped_file_shows_on_the_map_after_swap_them(qtbot: Any, qloop: qasync.QEventLoop, wcache: Cache,
                                                       tmp_path: Path) -> None:
    wcache.add_known_map("map_1")
    wcache.replace_all("locations", [{"id": f"loc_{i}", "mapId": "map_1", "name": f"Old {i}", "lat": 36.0 + i,
                                      "lng": 100.0 + i, "layers": []} for i in range(3)], scope="map_1")
    path = tmp_path / "swapped.csv"
    # Latitude and longitude columns the wrong way round: "latitudes" of 100° and more.
    lines = ["name,latitude,longitude"] + [f"Place {i},{100 + i / 10:.4f},{35 + i / 100:.4f}" for i in range(40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wizard, _m = make_wizard(qtbot, qloop, wcache, None, path, map_id="map_1")
    page = to_page(qloop, wizard, "validation")
    drive(qloop, lambda: not page.busy() and wizard.state.check is not None)
    canvas = page.map.canvas
    groups = page.map._columns["layers"]  # noqa: SLF001 - what the map was given
    assert groups.count(FILE_GROUP) == 0 and groups.count(EXISTING_GROUP) == 3
    assert page.swap_button.isVisible() and not page.isComplete()

    in_loop(qloop, page.swap_button.click)
    drive(qloop, lambda: not page.busy() and wizard.state.check is not None)
    assert not page.swap_button.isVisible()
    assert page.isComplete() and wizard.state.check.valid == 40
    groups = page.map._columns["layers"]  # noqa: SLF001
    assert groups.count(FILE_GROUP) == 40 and groups.count(EXISTING_GROUP) == 3
    # The file's first row now sits at latitude 35, longitude 100 — beside the map's own.
    index = canvas.points.index_of(-2)  # key -line: line 2 is the first data row
    lng = canvas.points.xs[index] * 360 - 180
    assert lng == pytest.approx(100.0, abs=1e-6)
    assert len(canvas.points) == 43
    page.map.canvas.repaint()
    assert canvas.renderer.drawn  # fitted: the points are in view
    in_loop(qloop, lambda: wizard.grab().save("/tmp/shot-wizard-map-swapped.png"))

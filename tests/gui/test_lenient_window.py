"""The window over a Mapiry that answers as its document's examples do (the hostile server's
"docs" mode, real HTTP on loopback): locations without ``mapId`` show their map and can be
deleted (answered 204, no body), and a field nobody documented shows under "Other fields"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.sync.engine import SyncEngine
from app.ui.main_window import MainWindow
from tests.gui.looping import drive
from tests.gui.test_editing_support import act, idle
from tests.hostile import UNKNOWN_FIELD, HostileServer

MAP = "cmap0000000000000000000001"
KEY = "mk_live_LENIENTguiKEY0123456789"
MODE = "docs"

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def window(hostile: HostileServer, loop: Any, tmp_path: Path) -> Iterator[tuple[MainWindow, Cache]]:
    cache = Cache(tmp_path / "cache.sqlite3")
    cache.add_known_map(MAP)
    client = MapiryClient(hostile.url(MODE, "mapiry"), KEY, max_retries=0)
    report = loop.run_until_complete(SyncEngine(cache, None, client).sync(["mapiry"]))
    assert report.ok, report.errors
    win = MainWindow(cache, sync_engine=SyncEngine(cache, None, client))
    win.show()
    drive(loop, lambda: getattr(win, "edit_actions", None) is not None)
    try:
        yield win, cache
    finally:
        controller = win.edit_actions.controller
        if controller.confirmation is not None:
            controller.confirmation.close()
        loop.run_until_complete(client.aclose())
        win.close()
        cache.close()


def test_a_location_without_map_id_shows_its_map_its_other_fields_and_can_be_deleted(
        window: tuple[MainWindow, Cache], hostile: HostileServer, loop: Any) -> None:
    win, cache = window
    win.show_view("locations")
    page = win.current_page()
    assert page.model.rowCount() == 2
    column = page.model.column_index("mapId")
    assert page.model.data(page.model.index(0, column)) == f"Map {MAP}"  # the map's title, not empty
    page.table.selectRow(0)
    record = page.detail.record
    assert record["mapId"] == MAP
    others = page.detail.other_fields()
    assert others[UNKNOWN_FIELD[0]] == UNKNOWN_FIELD[1]
    assert page.detail.field_texts()["mapId"] == f"Map {MAP}"
    drive(loop, lambda: page.detail.widget().isVisible())
    win.grab().save(str(Path("/tmp") / "shot-detail-other-fields.png"))

    controller = win.edit_actions.controller
    assert controller.can_delete("locations")
    box = controller.delete("locations", [record])
    assert box is not None
    act(loop, box.confirm_button.click, lambda: controller.task is not None and idle(controller))
    drive(loop, lambda: page.model.rowCount() == 1)
    assert hostile.hits[(MODE, f"/maps/{MAP}/locations/{record['id']}")] == 1
    assert cache.get("locations", record["id"]) is None
    assert cache.count("locations") == 1

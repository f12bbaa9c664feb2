"""Maps without a list endpoint: adding existing maps by address and id, and maps that are gone.

Over real HTTP to a sandbox of the test's own, with the real SyncEngine and cache.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync

from app.core.records import GONE_AT
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.sync import known_maps as K
from app.sync.engine import SyncEngine
from app.sync.writes import save
from app.ui.add_maps import AddMapsDialog
from app.ui.main_window import MainWindow
from tests.gui.looping import drive, in_loop, run, show


@pytest.fixture
def mapiry(fresh_sandbox: Any, qloop: qasync.QEventLoop) -> Iterator[MapiryClient]:
    client = MapiryClient(fresh_sandbox.mapiry_url, fresh_sandbox.info["mapiry"]["keys"]["read_write"])
    yield client
    run(qloop, client.aclose())


@pytest.fixture
def window(qloop: qasync.QEventLoop, empty_cache: Cache, mapiry: MapiryClient) -> Iterator[MainWindow]:
    win = MainWindow(empty_cache, sync_engine=SyncEngine(empty_cache, None, mapiry))
    show(qloop, win)
    yield win
    in_loop(qloop, win.close)


def _add(qloop: qasync.QEventLoop, dialog: AddMapsDialog, text: str) -> list[K.MapCheck]:
    in_loop(qloop, dialog.input.setPlainText, text)
    assert dialog.add_button.isEnabled()
    in_loop(qloop, dialog.add_button.click)
    drive(qloop, lambda: dialog.task is not None and dialog.task.done(), 30)
    return list(dialog.results)


def test_several_maps_by_address_and_id_with_a_bad_one_among_them(
        qloop: qasync.QEventLoop, window: MainWindow, fresh_sandbox: Any, empty_cache: Cache,
        tmp_path: Path) -> None:
    maps = fresh_sandbox.info["mapiry"]["maps"]
    assert len(maps) >= 3
    text = (f"https://mapiry.com/maps/{maps[0]}?view=list\n"
            f"{maps[1]}, clnotamapofanyoneatall000000\n"
            f"   https://mapiry.com/u/demo/bakeries-{maps[2]}   not-a-map!!\n"
            f"{maps[0]}\n")
    dialog = in_loop(qloop, window.maps_actions.open_add_maps)
    assert dialog.isVisible()
    results = _add(qloop, dialog, text)
    outcomes = [(r.ref, r.outcome) for r in results]
    assert outcomes == [
        (f"https://mapiry.com/maps/{maps[0]}?view=list", K.ADDED),
        (maps[1], K.ADDED),
        ("clnotamapofanyoneatall000000", K.NOT_FOUND),
        (f"https://mapiry.com/u/demo/bakeries-{maps[2]}", K.ADDED),
        ("not-a-map!!", K.INVALID),
        (maps[0], K.KNOWN),
    ]
    # One line per entry in the dialog, the titles Mapiry gave, and the bad ones left to correct.
    table = dialog.table
    assert table.rowCount() == 6
    assert table.item(0, 1).text() == "Added" and table.item(0, 2).text() == results[0].title != ""
    assert table.item(2, 1).text() == "Not found" and table.item(4, 1).text() == "Not a map id or address"
    assert table.item(5, 1).text() == "Already known"
    assert "3 added" in dialog.summary.text() and "1 not found" in dialog.summary.text()
    assert dialog.input.toPlainText().split("\n") == ["clnotamapofanyoneatall000000", "not-a-map!!"]

    assert {m["id"] for m in empty_cache.known_maps()} == set(maps[:3])
    # The window syncs what was added: the Maps view lists them, their locations follow.
    drive(qloop, lambda: window._sync_task is not None and window._sync_task.done(), 60)  # noqa: SLF001
    assert window.service_status["mapiry"].state == "synced"
    assert window.page("maps").model.rowCount() == 3 and empty_cache.count("locations", scope=maps[0]) > 0
    titles = {empty_cache.get("maps", m)["title"] for m in maps[:3]}
    page = window.page("maps")
    shown = {page.model.record(r)["title"] for r in range(page.model.rowCount())}
    assert shown == titles

    # Adding the same again: already known, nothing asked of the server twice.
    again = _add(qloop, dialog, maps[1])
    assert [r.outcome for r in again] == [K.KNOWN]
    in_loop(qloop, lambda: dialog.grab().save(str(tmp_path / "add-maps.png")))
    in_loop(qloop, dialog.close)


def test_a_key_without_pro_has_no_access(qloop: qasync.QEventLoop, fresh_sandbox: Any,
                                         empty_cache: Cache) -> None:
    client = MapiryClient(fresh_sandbox.mapiry_url, fresh_sandbox.info["mapiry"]["keys"]["no_pro"])
    try:
        results = run(qloop, K.add_maps(empty_cache, client, fresh_sandbox.info["mapiry"]["maps"][0]))
    finally:
        run(qloop, client.aclose())
    assert [r.outcome for r in results] == [K.NO_ACCESS]
    assert empty_cache.known_maps() == []


def test_maps_created_in_cabinet_are_known(qloop: qasync.QEventLoop, mapiry: MapiryClient,
                                           empty_cache: Cache) -> None:
    made = run(qloop, save("maps", mapiry, empty_cache, {"title": "Made here"}))
    assert [m["id"] for m in empty_cache.known_maps()] == [made["id"]]


def test_a_gone_map_stays_browsable_and_is_removed_locally(
        qloop: qasync.QEventLoop, window: MainWindow, fresh_sandbox: Any, mapiry: MapiryClient,
        empty_cache: Cache, tmp_path: Path) -> None:
    maps = fresh_sandbox.info["mapiry"]["maps"]
    for m in maps:
        empty_cache.add_known_map(m)
    in_loop(qloop, window.refresh)
    drive(qloop, lambda: window.service_status["mapiry"].state == "synced", 60)
    locations = empty_cache.count("locations", scope=maps[0])
    assert locations > 0

    run(qloop, mapiry.delete_map(maps[0]))  # deleted on the website
    in_loop(qloop, window.refresh)
    drive(qloop, lambda: window._sync_task is not None and window._sync_task.done(), 60)  # noqa: SLF001
    assert window.service_status["mapiry"].state == "synced"  # not failing for one gone map
    assert "gone" in window.notice.text().lower()

    record = empty_cache.get("maps", maps[0])
    assert record is not None and record[GONE_AT]
    page = window.page("maps")
    in_loop(qloop, window.show_view, "maps")
    row = next(r for r in range(page.model.rowCount()) if page.model.record(r)["id"] == maps[0])
    status_col = next(i for i, c in enumerate(page.model.columns) if c.key == GONE_AT)
    status = page.model.index(row, status_col).data()
    assert status.startswith("Gone") and "last seen" in status
    # Its cached locations are still there to browse and export.
    assert empty_cache.count("locations", scope=maps[0]) == locations
    in_loop(qloop, window.show_view, "locations")
    export = tmp_path / "locations.csv"
    exported = in_loop(qloop, window.export_view, str(export))
    assert exported == empty_cache.count("locations")
    in_loop(qloop, lambda: window.grab().save(str(tmp_path / "gone.png")))

    # Remove from Cabinet: forgotten here, no API call (the client is closed: any call would fail).
    run(qloop, mapiry.aclose())
    in_loop(qloop, window.show_view, "maps")
    page.table.selectRow(row)
    removed = in_loop(qloop, window.maps_actions.remove_selected, confirm=False)
    assert removed == [maps[0]]
    assert maps[0] not in {m["id"] for m in empty_cache.known_maps()}
    assert empty_cache.get("maps", maps[0]) is None and empty_cache.count("locations", scope=maps[0]) == 0
    drive(qloop, lambda: page.model.rowCount() == len(maps) - 1, 10)

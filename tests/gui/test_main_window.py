"""The main window: navigation, status bar, refresh, offline start, settings, state, drops, export."""

from __future__ import annotations

import asyncio
import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from app.services.ratelimit import RateLimitTracker
from app.storage import Cache
from app.ui.main_window import VIEW_NAMES, MainWindow
from app.ui.views import TablePage
from tests.gui.conftest import ITEMS


@dataclass
class Progress:
    service: str
    resource: str
    done: int
    total: int | None
    state: str = "running"


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    offline: set[str] = field(default_factory=set)
    errors: dict[str, Exception] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)


class FakeClient:
    def __init__(self, service: str) -> None:
        self.service = service
        self.rate_limits = RateLimitTracker()


class FakeEngine:
    """Stands in for SyncEngine: writes what a sync would write, or reports being offline."""

    def __init__(self, cache: Cache, *, offline: set[str] | None = None, new_items: list[dict] | None = None,
                 fail: Exception | None = None) -> None:
        self.cache = cache
        self.clients = {s: FakeClient(s) for s in ("instamapp", "mapiry")}
        self.offline = offline or set()
        self.new_items = new_items or []
        self.fail = fail
        self.calls: list[tuple[str, ...]] = []
        self.probe: Any = None  # called right after a progress report, to see what the window shows
        self.seen: list[Any] = []

    def client(self, service: str) -> FakeClient | None:
        return self.clients.get(service)

    async def sync(self, services=("instamapp", "mapiry"), progress=None) -> Report:
        self.calls.append(tuple(services))
        await asyncio.sleep(0)
        if self.fail is not None:
            raise self.fail
        if progress is not None:
            progress(Progress("instamapp", "items", 1, 2))
            if self.probe is not None:
                self.seen.append(self.probe())
        if "instamapp" not in self.offline and self.new_items:
            rows = self.cache.rows_for_keys("items", self.cache.query_keys("items"))
            self.cache.replace_all("items", rows + self.new_items)
            self.cache.mark_synced("items")
        return Report(counts={"items": 1}, offline=set(self.offline))


def make_window(qtbot, cache: Cache, **kwargs: Any) -> MainWindow:
    window = MainWindow(cache, **kwargs)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def test_sidebar_lists_every_view_and_navigates(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    assert window.current_view_name() == "items"
    labels = []
    for i in range(window.sidebar.topLevelItemCount()):
        top = window.sidebar.topLevelItem(i)
        labels.append(top.text(0))
        labels.extend(top.child(j).text(0) for j in range(top.childCount()))
    assert labels == ["Inventory", "Items", "Collections", "Listings", "Sales", "Maps", "Maps", "Locations",
                      "Categories", "Tags", "Layers", "Imports", "Account", "Mapiry API keys",
                      "Instabot", "Application", "Websites", "Sites", "Templates"]
    seen = []
    window.viewChanged.connect(seen.append)
    for name in VIEW_NAMES:
        window.sidebar.setCurrentItem(window._sidebar_items[name])
        assert window.current_view_name() == name
        assert window.stack.currentWidget() is window.pages[name]
    assert seen == [n for n in VIEW_NAMES if n != "items"]
    keys = window.pages["api_keys"]
    assert isinstance(keys, TablePage) and keys.model.rowCount() == 1
    assert keys.model.data(keys.model.index(0, 0)) == "Laptop"
    collections = window.pages["collections"]
    assert isinstance(collections, TablePage)
    assert sorted(collections.model.data(collections.model.index(r, 0)) for r in range(2)) == [
        "Hot Wheels", "Star Wars"]


def test_offline_start_shows_cached_data_and_its_age(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    page = window.pages["items"]
    assert isinstance(page, TablePage) and page.model.rowCount() == 5
    for service in ("instamapp", "mapiry"):
        text = window.status_text(service)
        assert "Not connected" in text and "Offline" not in text  # no key: nothing has failed
        assert "Last synced 12 min ago" in text
    window.refresh()  # no engine: says so, clears nothing
    assert "Connect your accounts" in window.notice.text()
    assert page.model.rowCount() == 5


def test_refresh_while_offline_keeps_the_cache(qtbot, cache: Cache, loop) -> None:
    engine = FakeEngine(cache, offline={"instamapp", "mapiry"})
    window = make_window(qtbot, cache, sync_engine=engine)
    assert "Cached" in window.status_text("instamapp")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert "Syncing" in window.status_text("instamapp")
    loop.run_until_complete(window._sync_task)
    assert engine.calls == [("instamapp", "mapiry")]
    assert "Offline" in window.status_text("instamapp") and "Offline" in window.status_text("mapiry")
    assert "offline" in window.notice.text()
    assert window.pages["items"].model.rowCount() == 5


def test_refresh_reloads_views_when_the_sync_lands(qtbot, cache: Cache, loop) -> None:
    new = {"id": "itm_99999999999999999999", "name": "Millennium Falcon", "status": "keep",
           "collection_id": "c0000000-0000-4000-8000-000000000001", "currency": "USD",
           "estimated_value": 99.0, "created_at": "2026-03-01T00:00:00Z"}
    engine = FakeEngine(cache, new_items=[new])
    window = make_window(qtbot, cache, sync_engine=engine)
    progress_states: list[str] = []
    window.syncFinished.connect(lambda report: progress_states.append(window.status_text("instamapp")))
    engine.probe = lambda: window.status_text("instamapp")
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert "Syncing" in window.status_text("instamapp")
    loop.run_until_complete(window._sync_task)
    assert engine.seen and "Syncing (items 1/2)" in engine.seen[0]  # progress shown while syncing
    page = window.pages["items"]
    names = [page.model.data(page.model.index(r, 0)) for r in range(page.model.rowCount())]
    assert "Millennium Falcon" in names and len(names) == 6
    assert "Synced" in window.status_text("instamapp")
    assert "Last synced just now" in window.status_text("instamapp")
    assert progress_states and "Synced" in progress_states[0]


def test_a_failed_refresh_is_reported_not_lost(qtbot, cache: Cache, loop) -> None:
    from app.core.errors import CabinetError

    class Boom(CabinetError):
        def user_message(self) -> str:
            return "The cache is locked. Close the other Cabinet window and try again."

    window = make_window(qtbot, cache, sync_engine=FakeEngine(cache, fail=Boom("x")))
    window.refresh()
    with pytest.raises(Boom):
        loop.run_until_complete(window._sync_task)
    loop.run_until_complete(asyncio.sleep(0.01))
    assert "Error" in window.status_text("instamapp")
    assert "The cache is locked" in window.notice.text()
    assert window.pages["items"].model.rowCount() == 5


def test_set_service_state_and_hooks(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    window.set_service_state("mapiry", "syncing", "locations 200/1000")
    assert window.status_text("mapiry").startswith("Mapiry: Syncing (locations 200/1000)")
    window.set_service_state("mapiry", "error", "")
    assert window.status_text("mapiry").startswith("Mapiry: Error")
    cache.replace_all("api_keys", [])
    window.show_view("api_keys")
    assert window.pages["api_keys"].model.rowCount() == 0
    cache.replace_all("api_keys", [{"id": "k2", "name": "CI", "scope": "READ_ONLY", "prefix": "mk_live_x"}])
    window.reload_views()
    assert window.pages["api_keys"].model.rowCount() == 1


def test_empty_cache_shows_an_empty_state(qtbot, empty_cache: Cache) -> None:
    window = make_window(qtbot, empty_cache)
    page = window.pages["items"]
    assert page.stack.currentWidget() is page.empty_state
    assert "Nothing cached yet" in page.empty_state.text() and "F5" in page.empty_state.text()
    assert "Never synced" in window.status_text("instamapp")
    window.show_view("sales")
    assert window.pages["sales"].summary is None
    assert "press F5" in window.pages["sales"].empty_state.text()


def test_demo_banner_and_settings_shortcut(qtbot, cache: Cache, monkeypatch) -> None:
    import app.ui.settings_dialog as sd

    opened: list[Any] = []

    class StubDialog(QDialog):
        def __init__(self, credentials: Any, parent: Any = None, **_options: Any) -> None:
            super().__init__(parent)
            opened.append(credentials)

    monkeypatch.setattr(sd, "SettingsDialog", StubDialog)
    creds = object()
    window = make_window(qtbot, cache, demo=True, credentials=creds)
    assert window.demo_banner.isVisible()
    assert "Demo data" in window.demo_banner.label.text()
    qtbot.mouseClick(window.demo_banner.connect_button, Qt.MouseButton.LeftButton)
    assert opened == [creds]
    window._settings_dialog.reject()
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert len(opened) == 2
    plain = make_window(qtbot, cache)
    assert not plain.demo_banner.isVisible()


def test_missing_settings_dialog_is_reported(qtbot, cache: Cache, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "app.ui.settings_dialog", None)  # import fails
    window = make_window(qtbot, cache)
    window.open_settings()
    assert "settings dialog is not available" in window.notice.text()


def test_geometry_splitters_and_last_view_are_restored(qtbot, cache: Cache) -> None:
    first = make_window(qtbot, cache)
    first.resize(760, 520)
    first.show_view("locations")
    page = first.pages["locations"]
    page.splitter.setSizes([500, 400])
    first.splitter.setSizes([230, 530])
    qtbot.wait(10)
    sizes = page.splitter.sizes()
    first.close()
    second = make_window(qtbot, cache)
    assert second.current_view_name() == "locations"
    assert (second.width(), second.height()) == (760, 520)
    assert second.pages["locations"].splitter.sizes() == sizes
    assert second.splitter.sizes()[0] == first.splitter.sizes()[0]


def _drop(window: MainWindow, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)


def test_dropping_a_csv_emits_its_path_and_a_png_says_why_not(qtbot, cache: Cache, tmp_path) -> None:
    window = make_window(qtbot, cache)
    assert window.acceptDrops()
    got: list[str] = []
    window.csvDropped.connect(got.append)
    csv_path = tmp_path / "places.csv"
    csv_path.write_text("name,lat,lng\nA,1,2\n")
    with qtbot.waitSignal(window.csvDropped, timeout=1000):
        _drop(window, csv_path)
    assert got == [str(csv_path)]
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG")
    _drop(window, png)
    assert got == [str(csv_path)]
    assert "photo.png" in window.notice.text() and "CSV" in window.notice.text()


def test_export_view_writes_all_filtered_rows_as_shown_or_raw(qtbot, cache: Cache, tmp_path, monkeypatch) -> None:
    window = make_window(qtbot, cache)
    page = window.pages["items"]
    qtbot.waitUntil(lambda: page.filter_combos["status"].findData("sell") >= 0)  # filled after first paint
    page.filter_combos["status"].setCurrentIndex(page.filter_combos["status"].findData("sell"))
    page.table.set_column_visible(page.model.column_index("created_at"), False)
    page.table.set_column_visible(page.model.column_index("id"), True)
    target = tmp_path / "out.csv"
    from PySide6.QtWidgets import QFileDialog

    chosen = ["CSV as shown (*.csv)"]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), chosen[0])))
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    # What the view shows: titles, labels not codes, names not ids.
    assert rows[0] == ["Name", "Status", "Condition", "Value", "Collection", "Updated", "ID"]
    updated = {r["id"]: page.model.columns[page.model.column_index("updated_at")].text(r) for r in ITEMS}
    assert sorted(rows[1:]) == [
        ["Boba Fett rocket", "Sell", "Loose mint", "1,200.50 USD", "Star Wars", updated["itm_00000000000000000002"],
         "itm_00000000000000000002"],
        ["Twin Mill redline", "Sell", "Near mint", "45.25 USD", "Hot Wheels", updated["itm_00000000000000000004"],
         "itm_00000000000000000004"],
    ]
    assert "Exported 2 rows" in window.statusBar().currentMessage()

    # For programs: the raw API fields (every described field, hidden or not).
    chosen[0] = "CSV with the raw API fields (*.csv)"
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [c.key for c in page.model.columns]
    body = sorted(rows[1:])
    status, coll = rows[0].index("status"), rows[0].index("collection_id")
    assert [(r[status], r[coll]) for r in body] == [("sell", "c0000000-0000-4000-8000-000000000001"),
                                                  ("sell", "c0000000-0000-4000-8000-000000000002")]


def test_ctrl_c_copies_selected_rows_as_tsv(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    page = window.pages["items"]
    page.table.sortByColumn(page.model.column_index("name"), Qt.SortOrder.AscendingOrder)
    for col in ("created_at", "updated_at", "condition"):
        page.table.set_column_visible(page.model.column_index(col), False)
    page.table.selectRow(0)
    page.table.selectionModel().select(page.model.index(2, 0), page.table.selectionModel().SelectionFlag.Select
                                       | page.table.selectionModel().SelectionFlag.Rows)
    page.table.setFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(page.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == (
        "Name\tStatus\tValue\tCollection\n"
        "Beatnik Bandit\tArchived\t\tHot Wheels\n"
        "Darth Vader 1978\tKeep\t250.00 USD\tStar Wars\n"
    )


def test_ctrl_f_focuses_the_search_box(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    window.activateWindow()
    window.pages["items"].table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is window.pages["items"].search


def test_status_messages_are_labels_not_dialogs(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    window.show_error("boom")
    assert window.notice.isVisible() and window.notice.text() == "boom"
    assert QApplication.activeModalWidget() is None
    assert isinstance(window.notice.label, QLabel)
    assert window.mapToGlobal(QPoint(0, 0)) is not None

"""Demo mode: the in-process sandbox starts after the first paint and fills the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.storage import Cache
from app.ui.controller import AppController
from app.ui.main_window import MainWindow
from app.ui.modes import DEMO_SERVER_FILE
from tests.gui.looping import drive


def test_demo_mode_shows_banner_and_fills_every_view_from_the_sandbox(qtbot, loop, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "demo-cache.sqlite3")
    window = MainWindow(cache, demo=True)
    qtbot.addWidget(window)
    window.show()
    assert window.demo_banner.isVisible()
    assert "demo" in window.windowTitle().lower()
    assert cache.count("items") == 0  # nothing before the services start

    controller = AppController(window, cache, demo=True)
    synced: list[Any] = []
    window.syncFinished.connect(synced.append)
    controller.start()
    try:
        drive(loop, lambda: bool(synced))
        report = synced[0]
        assert not report.offline and not report.errors
        # The demo seed: a few hundred items in several collections, listings, sales, 3 maps.
        assert cache.count("items") >= 200
        assert cache.count("collections") >= 4
        assert cache.count("listings") > 0
        assert cache.sales_summary()["gross"] > 0
        assert len(cache.known_maps()) == 3
        assert {m["source"] for m in cache.known_maps()} == {"demo"}
        assert cache.count("locations") >= 200
        window.show_view("items")
        assert window.current_page().model.rowCount() == cache.count("items")
        assert window.service_status["instamapp"].state == "synced"
        assert window.service_status["mapiry"].state == "synced"
    finally:
        loop.run_until_complete(controller.shutdown())
        cache.close()
    assert controller.sandbox is None


def test_demo_keys_never_reach_settings_or_cache_files(qtbot, loop, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "demo-cache.sqlite3")
    window = MainWindow(cache, demo=True)
    qtbot.addWidget(window)
    controller = AppController(window, cache, demo=True)
    synced: list[Any] = []
    window.syncFinished.connect(synced.append)
    controller.start()
    try:
        drive(loop, lambda: bool(synced))
        keys = [*controller.sandbox.info["instamapp"]["keys"].values(),
                *controller.sandbox.info["mapiry"]["keys"].values()]
        window.save_settings()
    finally:
        loop.run_until_complete(controller.shutdown())
        cache.close()
    # Every file but the demo server's own data (a server holds its keys; it is not Cabinet's).
    blobs = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.name.startswith(DEMO_SERVER_FILE)]
    assert (tmp_path / DEMO_SERVER_FILE).exists()  # kept beside the demo cache, between runs
    for key in keys:
        assert not any(key.encode() in blob for blob in blobs)

"""A cache that cannot be read while the app runs (issue 9, point 6): when the running window
switches to it (demo ↔ real accounts) and when it breaks in use (a read while browsing, a sync's
writes), the Rebuild dialog says which file; "Not now" keeps the app going as it was, "Rebuild"
moves the file aside with a timestamp and syncs afresh. Real damaged SQLite files, real HTTP to
sandboxes of the test's own, the real window and controller."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync

from app.storage import Cache
from app.ui import modes
from app.ui.cache_dialog import RebuildCacheDialog
from app.ui.crash_dialog import CrashReporter
from app.ui.main_window import MainWindow
from tests.gui.looping import drive, in_loop
from tests.gui.running import running_app

SHOTS = Path("/tmp")


@pytest.fixture
def accounts(make_sandbox: Any, data_dir: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A person's own accounts (a sandbox of the test's own) with keys in the environment and one
    map Cabinet knows already (kept in the state file, beside the real cache)."""
    srv = make_sandbox(seed="demo")
    info = srv.info
    monkeypatch.setenv("INSTAMAPP_BASE_URL", srv.instamapp_url)
    monkeypatch.setenv("MAPIRY_BASE_URL", srv.mapiry_url)
    monkeypatch.setenv("INSTAMAPP_API_KEY", info["instamapp"]["keys"]["full"])
    monkeypatch.setenv("MAPIRY_API_KEY", info["mapiry"]["keys"]["read_write"])
    map_id = info["mapiry"]["maps"][0]
    with Cache(modes.cache_path(demo=False)) as cache:
        cache.add_known_map(map_id, "manual")
    yield {"map": map_id, "server": srv}


def garbage(path: Path) -> None:
    """A cache file that is not a database at all (its state file beside it is fine)."""
    for side in path.parent.glob(path.name + "-*"):
        side.unlink()
    path.write_bytes(b"garbage " * 4096)


def damage_in_use(path: Path) -> None:
    """Overwrite every page but the first of a cache that is open, as a failing disk would, and
    make one write through a connection of our own, so every open connection drops the pages
    it remembers and reads the damaged ones (the next read says "malformed")."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size
        with path.open("r+b") as f:  # same size: a shorter file would fault the memory map
            f.seek(4096)
            f.write(b"garbage " * ((size - 4096) // 8))
        conn.execute("CREATE TABLE damage_marker(x)")
        conn.commit()
    finally:
        conn.close()


def _rebuild_dialog(qloop: qasync.QEventLoop, window: MainWindow) -> RebuildCacheDialog:
    drive(qloop, lambda: window.cache_repair.dialog is not None and window.cache_repair.dialog.isVisible(), 30)
    dialog = window.cache_repair.dialog
    assert dialog is not None
    return dialog


def _synced(window: MainWindow) -> bool:
    task = window.sync_task()
    return task is not None and task.done()


def _moved_aside(path: Path) -> list[Path]:
    """The damaged files moved aside (their -wal/-shm files went along: not counted)."""
    return sorted(p for p in path.parent.glob(path.name + ".damaged-*") if not p.name.endswith(("-wal", "-shm")))


def test_a_cache_that_breaks_in_use_offers_rebuild_and_the_app_goes_on(
        qloop: qasync.QEventLoop, accounts: dict[str, Any], no_quit_on_close: None) -> None:
    path = modes.cache_path(demo=False)
    cache = Cache(path)
    with running_app(qloop, cache, demo=False) as (window, controller):
        crashes = CrashReporter(window)  # as launch.py: what a Qt slot raises arrives here
        undo = crashes.install()
        try:
            drive(qloop, lambda: _synced(window), 60)
            items = cache.count("items")
            assert items > 0 and window.service_status["instamapp"].state == "synced"
            in_loop(qloop, window.show_view, "items")

            # Browsing: another view reads the damaged file (in a Qt slot, as a click would).
            damage_in_use(path)
            in_loop(qloop, window.sidebar.setCurrentItem, window._sidebar_items["collections"])  # noqa: SLF001
            dialog = _rebuild_dialog(qloop, window)
            in_loop(qloop, lambda: dialog.grab().save(str(SHOTS / "shot-cache-damaged-in-use.png")))
            assert str(path) in dialog.text() and "malformed" in dialog.text()
            assert dialog.rebuild_button.text() == "Rebuild" and dialog.decline_button.text() == "Not now"
            assert crashes.dialog is None  # not an "unexpected problem": no crash dialog
            in_loop(qloop, dialog.decline_button.click)
            drive(qloop, lambda: window.cache_repair.dialog is None, 10)
            assert window.isVisible() and str(path) in window.notice.text()  # still running, and says why
            assert controller.cache is cache and path.read_bytes()[4096:4104] == b"garbage "  # untouched

            # A sync's writes to it fail the same way: the same dialog; Rebuild this time.
            in_loop(qloop, window.refresh)
            dialog = _rebuild_dialog(qloop, window)
            assert str(path) in dialog.text()
            assert crashes.dialog is None
            in_loop(qloop, dialog.rebuild_button.click)
            drive(qloop, lambda: controller.cache is not cache and window.cache is controller.cache, 30)
            drive(qloop, lambda: _synced(window), 60)
            rebuilt = controller.cache
            assert Path(rebuilt.path) == path and rebuilt.count("items") == items
            assert window.service_status["instamapp"].state == "synced"
            assert [m["id"] for m in rebuilt.known_maps()] == [accounts["map"]]  # kept apart, not lost
            assert rebuilt.count("locations", scope=accounts["map"]) > 0
            aside = _moved_aside(path)
            assert len(aside) == 1 and aside[0].read_bytes()[4096:4104] == b"garbage "
            assert "moved aside" in window.notice.text()
            window.show_view("collections")
            assert window.current_page().model.rowCount() == rebuilt.count("collections") > 0
            in_loop(qloop, lambda: window.grab().save(str(SHOTS / "shot-cache-rebuilt.png")))
            assert crashes.dialog is None
        finally:
            undo()


def test_switching_to_a_cache_that_cannot_be_opened_offers_rebuild(
        qloop: qasync.QEventLoop, accounts: dict[str, Any], no_quit_on_close: None) -> None:
    real = modes.cache_path(demo=False)
    garbage(real)
    demo_cache = Cache(modes.prepare_demo_cache())
    with running_app(qloop, demo_cache, demo=True) as (window, controller):
        drive(qloop, lambda: _synced(window), 60)
        demo_items = demo_cache.count("items")
        assert demo_items > 0

        # "Not now": the window stays on the demo, which goes on working; the file is untouched.
        task = in_loop(qloop, controller.switch, demo=False)
        dialog = _rebuild_dialog(qloop, window)
        in_loop(qloop, lambda: dialog.grab().save(str(SHOTS / "shot-cache-damaged-switch.png")))
        assert str(real) in dialog.text() and "not a database" in dialog.text()
        in_loop(qloop, dialog.decline_button.click)
        drive(qloop, task.done, 10)
        assert task.exception() is None
        assert controller.demo and window.cache is demo_cache and window.windowTitle() == "Demo data"
        assert str(real) in window.notice.text() and "Still showing the demo data" in window.notice.text()
        assert real.read_bytes().startswith(b"garbage") and not _moved_aside(real)
        in_loop(qloop, window.show_view, "items")
        assert window.current_page().model.rowCount() == demo_items
        in_loop(qloop, window.refresh)
        drive(qloop, lambda: _synced(window), 60)
        assert window.service_status["instamapp"].state == "synced"

        # Again, "Rebuild": the damaged file moved aside, the real accounts synced afresh.
        task = in_loop(qloop, controller.switch, demo=False)
        dialog = _rebuild_dialog(qloop, window)
        in_loop(qloop, dialog.rebuild_button.click)
        drive(qloop, task.done, 30)
        assert task.exception() is None
        assert not controller.demo and window.cache is controller.cache and window.windowTitle() == "Cabinet"
        drive(qloop, lambda: _synced(window), 60)
        assert controller.cache.count("items") == demo_items  # both servers have the demo seed
        assert [m["id"] for m in controller.cache.known_maps()] == [accounts["map"]]
        aside = _moved_aside(real)
        assert len(aside) == 1 and aside[0].read_bytes().startswith(b"garbage")

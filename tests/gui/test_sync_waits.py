"""A rate-limit wait during a refresh: a countdown in the status bar that can be cancelled."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.services.instamapp import InstaMappClient
from app.storage import Cache
from app.sync.engine import SyncEngine
from app.ui.main_window import MainWindow
from tests.gui.looping import drive, in_loop, run, show
from tests.hostile import HostileServer

pytestmark = pytest.mark.timeout(90)


def test_a_wait_is_a_countdown_that_can_be_cancelled(qtbot, qloop, cache: Cache, hostile: HostileServer,
                                                     tmp_path: Path) -> None:
    client = InstaMappClient(hostile.url("retry-long", "instamapp"), "imk_live_GUItestKEY0123", max_retries=0)
    engine = SyncEngine(cache, client, None)
    window = MainWindow(cache, sync_engine=engine)
    qtbot.addWidget(window)
    show(qloop, window)
    before = cache.count("items")

    in_loop(qloop, window.refresh)
    status = window.service_status["instamapp"]
    drive(qloop, lambda: status.state == "waiting", timeout=20)
    first = window.status_text("instamapp")
    assert "Waiting" in first and "left, until" in first and status.cancel_button.isVisible()
    assert status.wait_until is not None and 100 < status.wait_until - time.time() <= 120
    window.grab().save(str(tmp_path / "countdown.png"))

    drive(qloop, lambda: window.status_text("instamapp") != first, timeout=5)  # it counts down

    started = time.monotonic()
    in_loop(qloop, status.cancel_button.click)
    drive(qloop, lambda: window._sync_task.done(), timeout=5)  # noqa: SLF001
    assert time.monotonic() - started < 2
    assert window._sync_task.cancelled()  # noqa: SLF001
    assert status.state == "idle" and not status.cancel_button.isVisible()
    assert "cancelled" in window.statusBar().currentMessage()
    assert cache.count("items") == before  # the cache kept what it had
    run(qloop, client.aclose())

"""The status bar's service items: short enough to be read whole at the default size, elided (not cut)
when the window is narrower, everything else (age, budget, what is syncing) in the tooltip."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.storage import Cache
from app.ui.main_window import DEFAULT_SIZE, MainWindow
from app.ui.status import ServiceStatus, age_text, clock_text
from tests.gui.looping import in_loop, show


def _window(qtbot, qloop, cache: Cache, size: tuple[int, int]) -> MainWindow:
    window = MainWindow(cache)
    qtbot.addWidget(window)
    window.resize(*size)
    show(qloop, window)
    return window


def _busy(window: MainWindow) -> None:
    """Every service in a state with a long text: what the lead saw cut off at the default size."""
    now = datetime.now(UTC)
    states = {"instamapp": ("synced", "", now), "mapiry": ("synced", "", now - timedelta(minutes=2)),
              "instabot": ("offline", "not connected", None), "instawp": ("offline", "not connected", None)}
    for service, (state, detail, when) in states.items():
        widget = window.service_status[service]
        widget.set_state(state, detail)
        widget.set_synced_at(when)
        widget.set_budget("983/1000 requests left")


def _inside_the_bar(window: MainWindow, widget: ServiceStatus) -> bool:
    bar = window.statusBar()
    right = widget.mapTo(bar, widget.rect().topRight()).x()
    return widget.isVisible() and right <= bar.width()


def test_every_item_reads_whole_at_the_default_size_and_at_1280x720(qtbot, qloop, cache: Cache,
                                                                        tmp_path: Path) -> None:
    for size in (DEFAULT_SIZE, (1280, 720)):
        window = _window(qtbot, qloop, cache, size)
        in_loop(qloop, _busy, window)
        window.grab().save(str(tmp_path / f"status-{size[0]}.png"))
        for service, widget in window.service_status.items():
            assert widget.label.text() == widget.label.full_text(), (service, widget.label.text())
            assert "…" not in widget.label.text() and _inside_the_bar(window, widget)
        mapiry = window.service_status["mapiry"]
        assert mapiry.short_text() == "Mapiry Synced · 2 min ago"
        assert "983/1000 requests left" not in mapiry.short_text()
        tip = mapiry.toolTip().splitlines()
        assert tip[0] == "Mapiry: Synced" and tip[1].startswith("Last synced 2 min ago (")
        assert tip[2] == "983/1000 requests left"
        assert window.service_status["instabot"].short_text() == "Instabot Offline (not connected)"
        assert "Never synced" in window.status_text("instabot")
        window.close()


def test_a_narrow_window_elides_the_items_instead_of_cutting_them(qtbot, qloop, cache: Cache) -> None:
    window = _window(qtbot, qloop, cache, (640, 480))
    in_loop(qloop, _busy, window)
    widgets = list(window.service_status.values())
    assert any(w.label.text().endswith("…") for w in widgets)
    for widget in widgets:
        shown = widget.label.text()
        assert shown == widget.label.full_text() or (shown.endswith("…") and widget.label.full_text().startswith(
            shown[:-1].rstrip()))
        assert widget.label.fontMetrics().horizontalAdvance(shown) <= widget.label.contentsRect().width()
        assert _inside_the_bar(window, widget)
        assert widget.name.text() in widget.toolTip()  # the tooltip still has it all


def test_a_wait_shows_a_short_countdown(qtbot, qloop, cache: Cache) -> None:
    window = _window(qtbot, qloop, cache, DEFAULT_SIZE)
    widget = window.service_status["instamapp"]
    in_loop(qloop, widget.start_countdown, time.time() + 95)
    assert widget.short_text() in ("InstaMapp Waiting 1:35", "InstaMapp Waiting 1:34")
    assert "left, until" in widget.toolTip() and widget.cancel_button.isVisible()
    assert _inside_the_bar(window, widget) and widget.label.text() == widget.label.full_text()


def test_ages_and_clock() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert age_text(None) == "never synced"
    assert age_text(now - timedelta(seconds=20), now) == "just now"
    assert age_text(now - timedelta(minutes=7), now) == "7 min ago"
    assert age_text(now - timedelta(hours=5), now) == "5 h ago"
    assert age_text(now - timedelta(days=3), now) == "3 days ago"
    assert clock_text(95) == "1:35" and clock_text(3725) == "1:02:05"

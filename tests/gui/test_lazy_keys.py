"""Big tables: the first screenful of keys before the first paint, every key right after; and the
sync progress the status bar shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.storage import Cache
from app.sync.engine import SyncProgress
from app.ui.columns import COLUMNS
from app.ui.main_window import MainWindow
from app.ui.table_model import FIRST_ROWS, CacheTableModel

N = 2_000


def _item(i: int) -> dict:
    return {"id": f"itm_{i:020d}", "name": f"Thing {i:05d}", "status": "keep" if i % 2 else "sell",
            "collection_id": "c", "currency": "USD", "estimated_value": i, "created_at": "2026-01-01T00:00:00Z"}


@pytest.fixture
def big(tmp_path: Path) -> Iterator[Cache]:
    c = Cache(tmp_path / "big.sqlite3")
    c.replace_all("items", [_item(i) for i in range(N)])
    try:
        yield c
    finally:
        c.close()


def test_limit_returns_the_first_keys_of_the_same_order(big: Cache) -> None:
    for query in ({}, {"search": "1"}, {"search": "thing 01"}, {"sort": "name", "descending": True},
                  {"filters": {"status": "keep"}}):
        full = big.query_keys("items", **query)
        assert big.query_keys("items", limit=50, **query) == full[:50]


def test_model_shows_the_first_rows_then_every_row(qtbot, big: Cache) -> None:
    model = CacheTableModel(big, "items", COLUMNS["items"], first_rows=100)
    with qtbot.waitSignal(model.keysLoaded, timeout=5000) as blocker:
        model.requery()
        assert model.rowCount() == 100 and not model.keys_complete  # before the rest arrives
        assert model.data(model.index(0, 0)) == "Thing 00000"
    assert blocker.args == [N]
    assert model.keys_complete and model.rowCount() == N
    assert model.data(model.index(N - 1, 0)) == f"Thing {N - 1:05d}"


def test_a_newer_query_wins_over_a_slow_one(qtbot, big: Cache) -> None:
    model = CacheTableModel(big, "items", COLUMNS["items"], first_rows=10)
    model.set_query(search="thing")
    model.set_query(search="thing 019")  # the first query's keys must not land on this one
    qtbot.waitUntil(lambda: model.keys_complete, timeout=5000)
    qtbot.wait(50)
    assert model.rowCount() == 100
    assert all(t.startswith("Thing 019") for t in (model.data(model.index(r, 0)) for r in range(100)))


def test_small_results_are_complete_at_once_and_export_reads_every_key(big: Cache) -> None:
    model = CacheTableModel(big, "items", COLUMNS["items"], first_rows=100)
    model.set_query(search="thing 01999")
    assert model.keys_complete and model.rowCount() == 1
    model.set_query(search="")
    assert not model.keys_complete
    assert len(list(model.iter_records())) == N  # does not wait for the worker: reads the rest itself
    assert model.keys_complete and model.rowCount() == N


def test_items_view_counts_every_row_after_the_first_paint(qtbot, big: Cache) -> None:
    assert N > FIRST_ROWS
    window = MainWindow(big)
    qtbot.addWidget(window)
    window.show()
    page = window.pages["items"]
    qtbot.waitUntil(lambda: page.model.keys_complete, timeout=5000)
    assert page.model.rowCount() == N
    assert page.count_label.text() == f"{N:,} rows"
    page.search.setText("thing 019")
    qtbot.waitUntil(lambda: page.count_label.text() == f"100 of {N:,} rows", timeout=5000)
    page.search.setText("1")
    qtbot.waitUntil(lambda: page.model.keys_complete and page.model.rowCount() > FIRST_ROWS, timeout=5000)
    expected = len(big.query_keys("items", search="1"))
    assert page.model.rowCount() == expected
    assert page.count_label.text() == f"{expected:,} of {N:,} rows"


def test_only_syncing_progress_shows_syncing(qtbot, big: Cache) -> None:
    window = MainWindow(big)
    qtbot.addWidget(window)
    window._on_progress(SyncProgress("instamapp", "items", 100, 1000, "syncing"))  # noqa: SLF001
    assert "Syncing (items 100/1000)" in window.status_text("instamapp")
    window._on_progress(SyncProgress("instamapp", "items", 1000, 1000, "done"))  # noqa: SLF001
    assert "Syncing" in window.status_text("instamapp")  # one resource done; the service goes on
    window._on_progress(SyncProgress("instamapp", "listings", 0, None, "offline"))  # noqa: SLF001
    assert "Offline" in window.status_text("instamapp") and "Syncing" not in window.status_text("instamapp")
    window._on_progress(SyncProgress("mapiry", "maps", 0, None, "error", "m1"))  # noqa: SLF001
    assert "Error (maps)" in window.status_text("mapiry")

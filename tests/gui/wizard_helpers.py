"""Shared helpers of the import wizard, Imports view and drop tests (files, a sandbox, a wizard)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync

from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.ui.import_manager import ImportManager
from app.ui.import_wizard import ImportWizard
from tests.data import CSV_DIR
from tests.gui.looping import drive, in_loop, qloop, run, show  # noqa: F401 - re-exported for the tests

DATA = CSV_DIR
SCALE = 1800.0  # the bulk bucket's hour lasts two seconds



@pytest.fixture
def wcache(tmp_path: Path) -> Iterator[Cache]:
    c = Cache(tmp_path / "wizard-cache.sqlite3")
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def scaled_sandbox(make_sandbox: Any) -> Any:
    """A sandbox of its own whose hour lasts two seconds, with one bulk request per window."""
    return make_sandbox(time_scale=SCALE, bulk=1)


@pytest.fixture
def client(scaled_sandbox: Any, qloop: qasync.QEventLoop) -> Iterator[MapiryClient]:  # noqa: F811
    c = MapiryClient(scaled_sandbox.mapiry_url, scaled_sandbox.info["mapiry"]["keys"]["read_write"])
    try:
        yield c
    finally:
        run(qloop, c.aclose())


def make_wizard(qtbot: Any, loop: qasync.QEventLoop, cache: Cache, client: Any, path: Path | None,
                manager: ImportManager | None = None, **kw: Any) -> tuple[ImportWizard, ImportManager]:
    """An ImportWizard made and shown inside the loop (it starts reading ``path`` at once)."""

    def make() -> tuple[ImportWizard, ImportManager]:
        provider = client if client is not None else (lambda: None)
        m = manager or ImportManager(cache, provider)
        return ImportWizard(cache, provider, m, path=str(path) if path else None, **kw), m

    wizard, manager = in_loop(loop, make)
    qtbot.addWidget(wizard)
    show(loop, wizard)
    return wizard, manager


def shot(widget: Any, name: str) -> None:
    widget.grab().save(f"/tmp/shot-wizard-{name}.png")


def table_rows(table: Any) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def headers(table: Any) -> list[str]:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def to_page(loop: qasync.QEventLoop, wizard: ImportWizard, name: str) -> Any:
    """Press Next until the wizard shows page ``name`` (waiting for each page to be complete)."""
    while wizard.current_page_name() != name:
        page = wizard.currentPage()
        drive(loop, page.isComplete)
        in_loop(loop, wizard.next)
    return wizard.currentPage()


async def location_count(client: MapiryClient, map_id: str) -> int:
    return len([loc async for loc in client.iter_locations(map_id)])

"""Shared helpers of the import wizard, Imports view and drop tests (a qasync loop, drive())."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.ui.eventloop import new_event_loop
from app.ui.import_manager import ImportManager
from app.ui.import_wizard import ImportWizard

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "csv"
SCALE = 1800.0  # the bulk bucket's hour lasts two seconds


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop over the test's QApplication; no task may be left running after the test."""
    loop = new_event_loop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        leftover = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in leftover:
            task.cancel()
        if leftover:
            loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))
        loop.close()  # also shuts the loop's executor threads down
        asyncio.set_event_loop(None)
        assert not leftover, "tasks were left running"


def drive(loop: qasync.QEventLoop, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Run the qasync loop (and with it Qt's) until ``condition()`` holds."""

    async def until() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    loop.run_until_complete(asyncio.wait_for(until(), timeout))


@pytest.fixture
def wcache(tmp_path: Path) -> Iterator[Cache]:
    c = Cache(tmp_path / "wizard-cache.sqlite3")
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def scaled_sandbox() -> Iterator[Any]:
    """A sandbox of its own whose hour lasts two seconds, with one bulk request per window."""
    from app.sandbox.server import SandboxServer

    srv = SandboxServer(seed="demo", time_scale=SCALE)
    srv.start()
    srv.set_limits(bulk=1)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def client(scaled_sandbox: Any, qloop: qasync.QEventLoop) -> Iterator[MapiryClient]:
    c = MapiryClient(scaled_sandbox.mapiry_url, scaled_sandbox.info["mapiry"]["keys"]["read_write"])
    try:
        yield c
    finally:
        qloop.run_until_complete(c.aclose())


def make_wizard(qtbot: Any, cache: Cache, client: Any, path: Path | None, manager: ImportManager | None = None,
                **kw: Any) -> tuple[ImportWizard, ImportManager]:
    manager = manager or ImportManager(cache, client)
    wizard = ImportWizard(cache, client, manager, path=str(path) if path else None, **kw)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
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
        wizard.next()
    return wizard.currentPage()


async def location_count(client: MapiryClient, map_id: str) -> int:
    return len([loc async for loc in client.iter_locations(map_id)])

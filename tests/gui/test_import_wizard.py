"""The CSV import wizard, page by page, on the shared test files and a real sandbox."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from app.importer import jobs as J
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.ui import tasks
from app.ui.import_manager import ImportManager
from app.ui.import_wizard import ImportWizard

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "csv"
SHOTS = Path("/tmp")


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        leftover = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in leftover:
            task.cancel()
        if leftover:
            loop.run_until_complete(asyncio.gather(*leftover, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(None)
        assert not leftover, "tasks were left running"


def drive(loop: qasync.QEventLoop, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Run the qasync loop (and with it Qt's) until ``condition()`` holds."""

    async def until() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    loop.run_until_complete(asyncio.wait_for(until(), timeout))


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    c = Cache(tmp_path / "cache.sqlite3")
    try:
        yield c
    finally:
        c.close()


def make_wizard(qtbot: Any, cache: Cache, client: Any, path: Path | None, **kw: Any) -> tuple[ImportWizard, ImportManager]:
    manager = ImportManager(cache, client)
    wizard = ImportWizard(cache, client, manager, path=str(path) if path else None, **kw)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard, manager


def shot(widget: Any, name: str) -> None:
    widget.grab().save(str(SHOTS / f"shot-wizard-{name}.png"))


def table_rows(table: Any) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def headers(table: Any) -> list[str]:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def loaded(wizard: ImportWizard) -> Callable[[], bool]:
    return lambda: wizard.file_page.isComplete()


# ---------------------------------------------------------------- file page


def test_file_page_detects_semicolon_decimal_comma_bom_and_options_update_the_preview(
        qtbot: Any, qloop: qasync.QEventLoop, cache: Cache) -> None:
    wizard, _m = make_wizard(qtbot, cache, None, DATA / "cities_semicolon_decimal_comma_bom.csv")
    page = wizard.file_page
    drive(qloop, loaded(wizard))
    shot(wizard, "file")
    assert page.encoding_combo.currentData() == "utf-8-sig"
    assert page.delimiter_combo.currentData() == ";"
    assert page.decimal_comma_box.isChecked() and page.header_box.isChecked()
    assert "(detected)" in page.encoding_combo.currentText()
    assert headers(page.preview) == ["Nom", "Latitude", "Longitude", "Pays"]  # no BOM in the first title
    rows = table_rows(page.preview)
    assert len(rows) == 20 and rows[0][0] == "Shahrak-e Qods" and rows[0][1] == "35,75936"
    assert page.preview.verticalHeaderItem(0).text() == "2"
    assert "2,000 records" in page.detected_label.text()
    # The delimiter changed to comma: the records no longer split on semicolons.
    page.delimiter_combo.setCurrentIndex(page.delimiter_combo.findData(","))
    page.delimiter_combo.activated.emit(page.delimiter_combo.currentIndex())
    drive(qloop, lambda: not page.busy() and wizard.state.parsed is not None
          and wizard.state.parsed.delimiter == ",")
    assert page.delimiter_combo.currentData() == ","
    assert table_rows(page.preview)[0][0] != "Shahrak-e Qods"
    assert "Nom;Latitude" in "".join(headers(page.preview))
    # The header row switched off: the titles become the first record (line 1).
    page.delimiter_combo.setCurrentIndex(page.delimiter_combo.findData(";"))
    page.delimiter_combo.activated.emit(page.delimiter_combo.currentIndex())
    drive(qloop, lambda: not page.busy() and wizard.state.parsed.delimiter == ";")
    page.header_box.setChecked(False)
    drive(qloop, lambda: not page.busy() and not wizard.state.parsed.has_header)
    assert table_rows(page.preview)[0][:2] == ["Nom", "Latitude"]
    assert page.preview.verticalHeaderItem(0).text() == "1"
    assert headers(page.preview)[0] == "column 1"

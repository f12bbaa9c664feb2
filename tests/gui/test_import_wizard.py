# ruff: noqa: F811 - pytest fixtures imported from wizard_helpers
"""The CSV import wizard, page by page, on the test files in tests/data/csv and a real sandbox."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from app.importer import jobs as J
from app.services.mapiry import MapiryClient
from app.storage import Cache
from tests.gui.wizard_helpers import (  # noqa: F401 - fixtures
    DATA,
    client,
    drive,
    headers,
    in_loop,
    location_count,
    make_wizard,
    qloop,
    run,
    scaled_sandbox,
    shot,
    table_rows,
    to_page,
    wcache,
)


def choose(combo: QComboBox, data: str) -> None:
    """Pick the entry with ``data`` as a person would (the page listens to ``activated``)."""
    combo.setCurrentIndex(combo.findData(data))
    combo.activated.emit(combo.currentIndex())


def test_file_page_detects_semicolon_decimal_comma_bom_and_options_update_the_preview(
        qtbot: Any, qloop: qasync.QEventLoop, wcache: Cache) -> None:
    wizard, _m = make_wizard(qtbot, qloop, wcache, None, DATA / "cities_semicolon_decimal_comma_bom.csv")
    page = wizard.file_page
    drive(qloop, page.isComplete)
    in_loop(qloop, shot, wizard, "file")
    assert page.encoding_combo.currentData() == "utf-8-sig"
    assert page.delimiter_combo.currentData() == ";"
    assert page.decimal_comma_box.isChecked() and page.header_box.isChecked()
    assert "(detected)" in page.encoding_combo.currentText()
    assert headers(page.preview) == ["Nom", "Latitude", "Longitude", "Pays"]  # no BOM in the first title
    rows = table_rows(page.preview)
    assert len(rows) == 20 and rows[0][0] == "Shahrak-e Qods" and rows[0][1] == "35,75936"
    assert page.preview.verticalHeaderItem(0).text() == "2"
    assert "2,000 records" in page.detected_label.text()
    # The delimiter forced to comma: the records no longer split on semicolons.
    in_loop(qloop, choose, page.delimiter_combo, ",")
    drive(qloop, lambda: not page.busy() and wizard.state.parsed is not None
          and wizard.state.parsed.delimiter == ",")
    assert page.delimiter_combo.currentData() == ","
    assert table_rows(page.preview)[0][0] != "Shahrak-e Qods"
    assert "Nom;Latitude" in "".join(headers(page.preview))
    # Back to semicolons, then the header row switched off: the titles become line 1's record.
    in_loop(qloop, choose, page.delimiter_combo, ";")
    drive(qloop, lambda: not page.busy() and wizard.state.parsed.delimiter == ";")
    in_loop(qloop, page.header_box.setChecked, False)
    drive(qloop, lambda: not page.busy() and not wizard.state.parsed.has_header)
    assert table_rows(page.preview)[0][:2] == ["Nom", "Latitude"]
    assert page.preview.verticalHeaderItem(0).text() == "1"
    assert headers(page.preview)[0] == "column 1"
    # A wrong encoding forced: the preview shows the names as Latin-1 reads them.
    assert table_rows(page.preview)[4][0] == "Nūrābād"
    in_loop(qloop, choose, page.encoding_combo, "latin-1")
    drive(qloop, lambda: not page.busy() and wizard.state.parsed.encoding != "utf-8-sig")
    assert table_rows(page.preview)[4][0] == "Nūrābād".encode().decode("latin-1")
    # One that cannot read the bytes at all: the error says so, Next is off.
    in_loop(qloop, choose, page.encoding_combo, "cp1252")
    drive(qloop, lambda: not page.busy() and page.error_label.isVisible())
    assert "cp1252" in page.error_label.text()


def test_mapping_page_guesses_lng_first_tsv_and_an_override_changes_the_preview(
        qtbot: Any, qloop: qasync.QEventLoop, wcache: Cache) -> None:
    wizard, _m = make_wizard(qtbot, qloop, wcache, None, DATA / "cities_lng_first.tsv")
    page = to_page(qloop, wizard, "mapping")
    in_loop(qloop, shot, wizard, "mapping")
    assert page.combos["name"].currentText() == "title"
    assert page.combos["lat"].currentText() == "lat"
    assert page.combos["lng"].currentText() == "lng"
    assert page.combos["wkt"].currentData() is None
    assert headers(page.preview)[:3] == ["Name", "Latitude", "Longitude"]
    first = table_rows(page.preview)[0]
    assert first[:3] == ["Balmazújváros", "47.6167", "21.35"]
    assert page.preview.verticalHeaderItem(0).text() == "2" and page.isComplete()
    # Latitude moved to the lng column: longitude loses it, the mapping is incomplete.
    in_loop(qloop, page.set_column, "lat", "lng")
    assert page.combos["lng"].currentData() is None
    assert not page.isComplete() and page.problem_label.isVisible()
    in_loop(qloop, page.set_column, "lng", "lat")
    assert page.isComplete() and not page.problem_label.isVisible()
    assert table_rows(page.preview)[0][:3] == ["Balmazújváros", "21.35", "47.6167"]
    # Unmapping the description drops its column from the preview.
    assert "Description" in headers(page.preview)
    in_loop(qloop, page.set_column, "description", None)
    assert "Description" not in headers(page.preview)


def test_validation_page_lists_the_messy_files_bad_lines_and_exports_them(
        qtbot: Any, qloop: qasync.QEventLoop, wcache: Cache, tmp_path: Path) -> None:
    wizard, _m = make_wizard(qtbot, qloop, wcache, None, DATA / "cities_messy.csv")
    page = to_page(qloop, wizard, "validation")
    drive(qloop, page.isComplete)
    in_loop(qloop, shot, wizard, "validation")
    rows = table_rows(page.bad_table)
    assert [int(r[0]) for r in rows] == [9, 22, 34, 48, 62, 77, 95]
    reasons = dict((int(r[0]), r[1]) for r in rows)
    assert "out of range" in reasons[9] and reasons[34] == "name is empty" and "missing" in reasons[77]
    assert "113" in page.summary_label.text() and "120" in page.summary_label.text()
    assert "7" in page.summary_label.text()
    assert not page.swap_label.isVisible()
    assert page.export_button.isEnabled()
    out = tmp_path / "rejected.csv"
    assert page.export_rejected(str(out)) == 7
    with out.open(newline="", encoding="utf-8") as fh:
        written = list(csv.reader(fh))
    assert written[0][-2:] == ["line", "reason"]
    assert [int(r[-2]) for r in written[1:]] == [9, 22, 34, 48, 62, 77, 95]
    assert written[3][-1] == "name is empty"


def test_validation_page_shows_the_swapped_coordinates_warning(
        qtbot: Any, qloop: qasync.QEventLoop, wcache: Cache, tmp_path: Path) -> None:
    path = tmp_path / "swapped.csv"
    lines = ["name,latitude,longitude"] + [f"Place {i},{100 + i / 10:.4f},{35 + i / 100:.4f}" for i in range(40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wizard, _m = make_wizard(qtbot, qloop, wcache, None, path)
    page = to_page(qloop, wizard, "validation")
    drive(qloop, lambda: not page.busy() and wizard.state.check is not None)
    in_loop(qloop, shot, wizard, "validation-swapped")
    assert page.swap_label.isVisible() and "swapped" in page.swap_label.text()
    assert not page.isComplete()  # nothing valid to import


def test_target_import_and_summary_pages_against_the_sandbox(
        qtbot: Any, qloop: qasync.QEventLoop, wcache: Cache, scaled_sandbox: Any, client: MapiryClient,
        tmp_path: Path) -> None:
    seeded = scaled_sandbox.info["mapiry"]["maps"]
    for map_id in seeded:
        wcache.add_known_map(map_id)
    wizard, manager = make_wizard(qtbot, qloop, wcache, lambda: client, DATA / "cities_messy.csv")
    target = to_page(qloop, wizard, "target")
    assert [target.map_combo.itemData(i) for i in range(target.map_combo.count())] == seeded
    drive(qloop, target.isComplete)  # the first known map is read
    # A new map, created in the sandbox and remembered in the cache.
    in_loop(qloop, target.new_radio.setChecked, True)
    assert not target.isComplete()
    in_loop(qloop, qtbot.keyClicks, target.title_edit, "Imported cities")
    assert target.create_button.isEnabled()
    in_loop(qloop, qtbot.mouseClick, target.create_button, Qt.MouseButton.LeftButton)
    drive(qloop, lambda: target.isComplete() and wizard.state.map_id not in seeded)
    map_id = wizard.state.map_id
    assert target.map_combo.currentText() == "Imported cities"
    assert {"id": map_id, "source": "created"}.items() <= next(
        m for m in wcache.known_maps() if m["id"] == map_id).items()
    assert not target.skip_box.isVisible()  # nothing on the new map yet
    assert "113 rows" in target.status_label.text()
    in_loop(qloop, shot, wizard, "target")

    in_loop(qloop, wizard.next)  # Import: 113 rows in 2 batches, one bulk request per two-second window
    page = wizard.import_page
    assert wizard.current_page_name() == "import"
    drive(qloop, lambda: page.progress is not None and page.progress.state == J.WAITING)
    assert page.countdown_label.text().startswith("Next batch in 0:0")
    assert "bulk requests an hour" in page.countdown_label.text()
    assert page.batches_label.text() == "1 of 2"
    in_loop(qloop, shot, wizard, "import")
    in_loop(qloop, qtbot.mouseClick, page.pause_button, Qt.MouseButton.LeftButton)
    drive(qloop, lambda: page.progress.state == J.PAUSED)
    assert page.resume_button.isEnabled() and not page.pause_button.isEnabled()
    assert "Paused" in page.state_label.text()
    run(qloop, asyncio.sleep(2.2))  # the window passes while paused
    assert page.progress.state == J.PAUSED and page.progress.batches_sent == 1
    in_loop(qloop, qtbot.mouseClick, page.resume_button, Qt.MouseButton.LeftButton)
    drive(qloop, lambda: wizard.current_page_name() == "summary")

    summary = wizard.summary_page
    in_loop(qloop, shot, wizard, "summary")
    assert summary.created_label.text() == "113"
    assert summary.skipped_label.text() == "0"
    assert summary.rejected_label.text() == "7"
    out = tmp_path / "rejected-after.csv"
    assert summary.export_rejected(str(out)) == 7
    with out.open(newline="", encoding="utf-8") as fh:
        assert [int(r[-2]) for r in list(csv.reader(fh))[1:]] == [9, 22, 34, 48, 62, 77, 95]
    assert run(qloop, location_count(client, map_id)) == 113
    assert manager.job(wizard.state.job_id).state == J.DONE

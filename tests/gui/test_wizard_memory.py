# ruff: noqa: F811 - pytest fixtures imported from wizard_helpers
"""The wizard streams the file as ``cabinet import`` does: its memory does not follow the file's rows.

200,000 rows (~14 MB) go from the file page to a queued job. The wizard used to hold them all
(records, checked rows, the plan's rows, the job's rows: 521 MB of peak RSS for the whole process
at this size); streamed, the peak growth stays under a small bound (measured: 35 MB).
The 1,000,000-row figure is a benchmark's (``python -m tests.benchmarks memory``).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import qasync

from app.importer import jobs as J
from app.importer.wizard_state import SHOWN_INVALID
from app.services.mapiry import MapiryClient
from app.storage import Cache
from tests.benchmarks.bench_import_dryrun import make_csv
from tests.gui.wizard_helpers import (  # noqa: F401 - fixtures
    client,
    drive,
    in_loop,
    make_wizard,
    qloop,
    run,
    scaled_sandbox,
    shot,
    wcache,
)
from tests.memory import PeakRss

ROWS = 200_000
GROWTH_MB = 80  # streamed: the first rows, the map's plan, a chunk of the file at a time
STEP_S = 240.0  # each pass over the file, on a loaded machine

pytestmark = pytest.mark.timeout(900)


def test_a_large_file_goes_through_the_wizard_into_a_job_without_holding_its_rows(
        qtbot: Any, qloop: qasync.QEventLoop, wcache: Cache, client: MapiryClient, tmp_path: Path) -> None:
    path = make_csv(tmp_path / "large.csv", rows=ROWS)
    created = run(qloop, client.create_map("Wizard memory"))
    wcache.add_known_map(str(created["id"]))
    with PeakRss() as rss:
        wizard, manager = make_wizard(qtbot, qloop, wcache, lambda: client, path, map_id=str(created["id"]))
        for name in ("file", "mapping", "validation", "target"):
            assert wizard.current_page_name() == name
            drive(qloop, wizard.currentPage().isComplete, STEP_S)
            if name == "file":
                assert f"{ROWS:,} records" in wizard.file_page.detected_label.text()
            if name == "validation":
                in_loop(qloop, shot, wizard, "validation-large")
            in_loop(qloop, wizard.next)
        drive(qloop, lambda: wizard.state.job_id is not None or wizard.import_page.error_label.isVisible(), STEP_S)
        job_id = wizard.state.job_id
        assert job_id is not None, wizard.import_page.error_label.text()
        in_loop(qloop, manager.cancel, job_id)
        drive(qloop, lambda: not manager.is_running(job_id), STEP_S)  # its runner let go of the client
    check = wizard.state.check
    assert check is not None and check.rows == ROWS == check.valid
    assert len(check.sample) < ROWS  # the map draws the first rows only
    assert "first 5,000 of the 200,000 rows" in wizard.validation_page.sample_label.text()
    info = manager.job(job_id)
    assert info is not None and info.total_rows == ROWS and info.state == J.CANCELLED
    print(f"wizard, {ROWS:,} rows: peak RSS growth {rss.growth_mb:.0f} MB")
    assert rss.growth_mb < GROWTH_MB, f"peak RSS grew by {rss.growth_mb:.0f} MB for {ROWS:,} rows"


def test_the_check_page_lists_a_bounded_number_of_bad_rows_and_exports_them_all(
        qtbot: Any, qloop: qasync.QEventLoop, wcache: Cache, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    lines = ["name,latitude,longitude"] + [f"Place {i},{'' if i % 2 else 45.0},10.0" for i in range(3000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wizard, _m = make_wizard(qtbot, qloop, wcache, None, path)
    for _name in ("file", "mapping"):
        drive(qloop, wizard.currentPage().isComplete)
        in_loop(qloop, wizard.next)
    page = wizard.validation_page
    drive(qloop, page.isComplete)
    assert page.bad_table.rowCount() == SHOWN_INVALID
    assert page.more_label.isVisible() and "500 more rows with problems" in page.more_label.text()
    assert not page.sample_label.isVisible()  # every valid row is on the map
    assert page.export_rejected(str(tmp_path / "rejected.csv")) == 1500
    with (tmp_path / "rejected.csv").open(newline="", encoding="utf-8") as fh:
        assert len(list(csv.reader(fh))) == 1 + 1500

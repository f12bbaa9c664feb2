# ruff: noqa: F811 - pytest fixtures imported from wizard_helpers
"""Closing the wizard mid-import leaves the job running; the Imports view follows it to the end."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import qasync
from PySide6.QtCore import Qt

from app.importer import jobs as J
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.ui.import_manager import ImportManager, ImportStatusLabel
from app.ui.imports_view import ImportsView
from app.ui.status import clock_text
from tests.gui.wizard_helpers import (  # noqa: F401 - fixtures
    DATA,
    client,
    drive,
    in_loop,
    location_count,
    make_wizard,
    qloop,
    run,
    scaled_sandbox,
    show,
    to_page,
    wcache,
)


def test_clock_text() -> None:
    assert clock_text(161) == "2:41"
    assert clock_text(0.2) == "0:01"
    assert clock_text(3725) == "1:02:05"
    assert clock_text(-5) == "0:00"


def test_closing_the_wizard_leaves_the_import_running_to_the_end(
        qtbot: Any, qloop: qasync.QEventLoop, wcache: Cache, scaled_sandbox: Any, client: MapiryClient) -> None:
    map_id = run(qloop, client.create_map("Closed wizard"))["id"]
    wcache.add_known_map(map_id, "created")
    manager = ImportManager(wcache, lambda: client)
    wizard, _m = make_wizard(qtbot, qloop, wcache, lambda: client, DATA / "cities_lng_first.tsv", manager,
                             map_id=map_id)
    target = to_page(qloop, wizard, "target")
    drive(qloop, target.isComplete)
    assert target.map_combo.currentData() == map_id
    in_loop(qloop, wizard.next)
    drive(qloop, lambda: wizard.state.job_id is not None and manager.is_running(wizard.state.job_id))
    job_id = wizard.state.job_id
    drive(qloop, lambda: manager.last.get(job_id) is not None and manager.last[job_id].state == J.WAITING)
    in_loop(qloop, wizard.close)  # the import goes on
    assert manager.is_running(job_id)

    def make_view() -> tuple[ImportsView, ImportStatusLabel]:
        view = ImportsView(wcache, manager)
        view.resize(900, 300)
        status = ImportStatusLabel(manager)
        status.refresh()
        return view, status

    view, status = in_loop(qloop, make_view)
    qtbot.addWidget(view)
    qtbot.addWidget(status)
    show(qloop, view)
    assert view.job_ids() == [job_id]
    assert "Waiting" in view.state_text(job_id) and "next batch in" in view.state_text(job_id)
    assert "next batch in" in status.text() and status.isVisible()
    # One clock ticks every countdown on the screen: the view's and the status bar's move together.
    assert manager._ticker.isActive()  # noqa: SLF001 - ticking while a job waits

    def countdowns() -> tuple[str, str]:
        return (view.state_text(job_id).split("next batch in ")[-1],
                status.text().split("next batch in ")[-1].split(" ")[0])

    now = [time.time()]
    manager.clock = lambda: now[0]
    in_loop(qloop, manager.tick.emit)
    first = countdowns()
    now[0] -= 125  # two minutes and five seconds earlier: every countdown shows that much more
    in_loop(qloop, manager.tick.emit)
    second = countdowns()
    assert first[0] == first[1] and second[0] == second[1] and first != second, (first, second)
    manager.clock = time.time
    in_loop(qloop, lambda: view.grab().save("/tmp/shot-imports-view.png"))
    # Pause and resume from the Imports view.
    in_loop(qloop, view.select_job, job_id)
    assert view.pause_button.isEnabled()
    in_loop(qloop, qtbot.mouseClick, view.pause_button, Qt.MouseButton.LeftButton)
    drive(qloop, lambda: manager.job(job_id).state == J.PAUSED)
    assert view.state_text(job_id) == "Paused" and view.resume_button.isEnabled()
    in_loop(qloop, qtbot.mouseClick, view.resume_button, Qt.MouseButton.LeftButton)
    drive(qloop, lambda: not manager.is_running(job_id), timeout=40)
    assert manager.job(job_id).state == J.DONE
    assert view.state_text(job_id) == "Done"
    row = view.table.item(0, 4).text()
    assert row == "300/300"
    assert not status.isVisible()
    assert run(qloop, location_count(client, map_id)) == 300

    # The same file into the same map again: the target page offers to skip the 300 rows.
    again, _m = make_wizard(qtbot, qloop, wcache, lambda: client, DATA / "cities_lng_first.tsv", manager,
                            map_id=map_id)
    target = to_page(qloop, again, "target")
    drive(qloop, target.isComplete)
    assert target.skip_box.isVisible() and "300" in target.skip_box.text()
    in_loop(qloop, again.close)
    run(qloop, asyncio.sleep(0))


def test_cancel_from_the_view_and_resume_unfinished(qtbot: Any, qloop: qasync.QEventLoop, wcache: Cache,
                                                   scaled_sandbox: Any, client: MapiryClient) -> None:
    map_id = run(qloop, client.create_map("Cancelled"))["id"]
    wcache.add_known_map(map_id, "created")
    manager = ImportManager(wcache, lambda: client)
    wizard, _m = make_wizard(qtbot, qloop, wcache, lambda: client, DATA / "cities_lng_first.tsv", manager,
                             map_id=map_id)
    target = to_page(qloop, wizard, "target")
    drive(qloop, target.isComplete)
    in_loop(qloop, wizard.next)
    drive(qloop, lambda: wizard.state.job_id is not None and manager.last.get(wizard.state.job_id) is not None
          and manager.last[wizard.state.job_id].state == J.WAITING)
    job_id = wizard.state.job_id
    view = in_loop(qloop, ImportsView, wcache, manager)
    qtbot.addWidget(view)
    in_loop(qloop, view.select_job, job_id)
    in_loop(qloop, qtbot.mouseClick, view.cancel_button, Qt.MouseButton.LeftButton)
    drive(qloop, lambda: not manager.is_running(job_id))
    assert manager.job(job_id).state == J.CANCELLED and view.state_text(job_id) == "Cancelled"
    assert not view.cancel_button.isEnabled()
    assert wizard.import_page.isComplete()
    in_loop(qloop, wizard.next)
    assert wizard.summary_page.created_label.text() == "100"
    # A job interrupted by a close goes on when the manager is told to resume unfinished jobs.
    manager.store.set_job_state(job_id, J.RUNNING)  # as a crash would leave it
    fresh = ImportManager(wcache, lambda: client)
    assert in_loop(qloop, fresh.resume_unfinished) == [job_id]
    drive(qloop, lambda: not fresh.is_running(job_id), timeout=40)
    assert fresh.job(job_id).state == J.DONE
    assert run(qloop, location_count(client, map_id)) == 300

"""The app starting while `cabinet import` runs the job leaves the job alone (issue 9, point 1)."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import qasync

from app.importer import jobs as J
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.ui import tasks
from app.ui.import_manager import ImportManager
from app.ui.imports_view import ImportsView
from tests.contract.cli_import import ROOT, VALID_ROWS, ImportCase, location_count, reaped
from tests.gui.looping import drive, in_loop, qloop, run, show  # noqa: F401 - fixture


def test_the_app_resumes_only_jobs_nobody_runs(qtbot: Any, qloop: qasync.QEventLoop,  # noqa: F811
                                               paced_import: ImportCase) -> None:
    srv, map_id = paced_import.srv, paced_import.map_id
    proc = subprocess.Popen(paced_import.command(), cwd=ROOT, env=paced_import.env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    cache = Cache(paced_import.data_dir / "cache.sqlite3")
    client = MapiryClient(srv.mapiry_url, srv.info["mapiry"]["keys"]["read_write"])
    manager = ImportManager(cache, lambda: client)
    errors: list[str] = []
    tasks.reporter().error.connect(errors.append)
    try:
        deadline = time.monotonic() + 20
        while location_count(srv, map_id) < 100:
            assert time.monotonic() < deadline and proc.poll() is None, "the command line import did not start"
            time.sleep(0.05)
        job_id = manager.jobs()[0].id
        assert in_loop(qloop, manager.resume_unfinished) == []  # the app at start: not this one
        holder = manager.held_elsewhere(job_id)
        assert holder is not None and holder.owner.pid == proc.pid
        view = in_loop(qloop, ImportsView, cache, manager)
        qtbot.addWidget(view)
        view.resize(1000, 260)
        show(qloop, view)
        in_loop(qloop, view.select_job, job_id)
        assert f"run by process {proc.pid} on this computer since" in view.state_text(job_id)
        assert not view.resume_button.isEnabled() and not view.cancel_button.isEnabled()
        view.grab().save("/tmp/shot-imports-held.png")
        in_loop(qloop, manager.start, job_id)  # pressed Resume anyway (say, before the view knew)
        drive(qloop, lambda: bool(errors) and not manager.is_running(job_id))
        assert f"is being run by process {proc.pid}" in errors[0]
        assert manager.job(job_id).state != J.FAILED  # the other runner's job is not marked failed
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
        assert manager.job(job_id).state == J.DONE
        assert in_loop(qloop, manager.resume_unfinished) == []
    finally:
        tasks.reporter().error.disconnect(errors.append)
        with reaped(proc):
            pass
        run(qloop, manager.shutdown())
        run(qloop, client.aclose())
        cache.close()
    assert len(paced_import.names) == VALID_ROWS
    paced_import.check_map()

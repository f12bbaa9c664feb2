"""What happens when the app starts: interrupted imports go on, `cabinet FILE.csv` opens the wizard."""

from __future__ import annotations

from pathlib import Path

from app.importer import jobs as J
from app.importer.jobs import JobStore
from app.importer.runner import create_import_job, plan_import
from app.importer.taxonomy import SourceRow
from app.sandbox.server import SandboxServer
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.ui.controller import AppController
from app.ui.main_window import MainWindow
from tests.data import CSV_DIR
from tests.gui.looping import drive

DATA = CSV_DIR


async def _queue_job(cache: Cache, map_id: str, n: int) -> str:
    """A job created by an earlier run of the app that was closed before it sent anything."""
    with SandboxServer(seed="demo") as other:
        async with MapiryClient(other.mapiry_url, other.info["mapiry"]["keys"]["read_write"]) as client:
            rows = [SourceRow(line=i + 2, name=f"Resumed stall {i}", lat=52.5 + i / 1000, lng=13.4)
                    for i in range(n)]
            plan = await plan_import(client, map_id, rows)
            return await create_import_job(JobStore(cache.state), client, plan)


def test_an_interrupted_import_goes_on_when_the_app_starts(qtbot, loop, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "demo-cache.sqlite3")
    with SandboxServer(seed="demo") as probe:  # the demo seed's map ids are the same on every run
        map_id = probe.info["mapiry"]["maps"][0]
    job_id = loop.run_until_complete(_queue_job(cache, map_id, 150))
    assert JobStore(cache.state).get_job(job_id).state == J.QUEUED

    window = MainWindow(cache, demo=True)
    qtbot.addWidget(window)
    controller = AppController(window, cache, demo=True)
    controller.start()
    try:
        drive(loop, lambda: JobStore(cache.state).get_job(job_id).state == J.DONE)
        sandbox = controller.sandbox

        async def names() -> list[str]:
            async with MapiryClient(sandbox.mapiry_url, sandbox.info["mapiry"]["keys"]["read_only"]) as c:
                return [loc["name"] async for loc in c.iter_locations(map_id)]

        created = [n for n in loop.run_until_complete(names()) if n.startswith("Resumed stall")]
        assert sorted(created) == sorted(f"Resumed stall {i}" for i in range(150))
    finally:
        loop.run_until_complete(controller.shutdown())
        cache.close()


def test_opening_a_csv_file_with_cabinet_opens_the_wizard_on_it(qtbot, loop, tmp_path: Path) -> None:
    cache = Cache(tmp_path / "demo-cache.sqlite3")
    window = MainWindow(cache, demo=True)
    qtbot.addWidget(window)
    path = str(DATA / "cities_wkt.csv")
    controller = AppController(window, cache, demo=True, open_file=path)
    controller.start()
    try:
        drive(loop, lambda: window._import_wizard is not None)
        wizard = window._import_wizard
        assert wizard.state.path == path
        assert window.current_view_name() == "locations"
        wizard.close()
    finally:
        loop.run_until_complete(controller.shutdown())
        cache.close()

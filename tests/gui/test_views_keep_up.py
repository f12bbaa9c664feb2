# ruff: noqa: F811 - pytest fixtures imported from test_editing_support
"""Views keep up with what the person does, against a real sandbox: after an edit, a create, a
delete, an import batch landing, a map added or removed and a finished sync, every view of that
resource updates in place (no model reset), keeps the selected row selected and in view, and
selects a newly created row."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.importer.runner import create_import_job, plan_import
from app.importer.taxonomy import SourceRow
from app.ui.views import TablePage
from tests.gui.looping import drive, in_loop
from tests.gui.test_editing_support import Env, close_env, env, make_env  # noqa: F401


@pytest.fixture
def paced_env(make_sandbox: Any, loop: Any, tmp_path: Path, qtbot: Any) -> Iterator[Env]:
    """One bulk request per "hour" of two seconds: an import's batches land one by one."""
    e = make_env(make_sandbox(time_scale=1800.0, bulk=1), loop, tmp_path, qtbot)
    try:
        yield e
    finally:
        close_env(e)


class Watch:
    """A page's selection and model resets, watched across a change."""

    def __init__(self, env: Env, view: str, row: int | None = 2) -> None:
        env.window.show_view(view)
        self.page: TablePage = env.window.current_page()
        self.resets = 0
        self.page.model.modelReset.connect(self._reset)
        self.selected: str | None = None
        if row is not None:
            in_loop(env.loop, self.page.table.selectRow, row)
            self.selected = self.page.selected_record()["id"]

    def _reset(self) -> None:
        self.resets += 1

    def ids(self) -> list[str]:
        return [str(r["id"]) for r in self.page.model.iter_records()]

    def current_id(self) -> str | None:
        record = self.page.selected_record()
        return str(record["id"]) if record else None

    def assert_kept(self, expected: str | None = None) -> None:
        """The selected row (or ``expected``) is selected, current and in view; no reset happened."""
        want = expected or self.selected
        page = self.page
        assert self.resets == 0, "the model was reset"
        assert self.current_id() == want
        rows = page.table.selected_rows()
        assert len(rows) == 1 and page.model.record(rows[0])["id"] == want
        rect = page.table.visualRect(page.table.currentIndex())
        assert page.table.viewport().rect().intersects(rect), "the selected row is out of view"
        assert page.detail.record is not None and page.detail.record["id"] == want


def test_an_edit_updates_the_row_in_place_and_keeps_it_selected(env: Env) -> None:
    watch = Watch(env, "items", row=3)
    item = watch.page.selected_record()
    dialog = env.ctl.edit("items", item)
    dialog.widget("name").setText("Renamed in place")
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    watch.assert_kept()
    assert watch.page.selected_record()["name"] == "Renamed in place"
    row = watch.page.table.selected_rows()[0]
    assert watch.page.model.index(row, 0).data() == "Renamed in place"
    assert env.actions.edit_action.isEnabled()  # (items cannot be deleted through the API)
    assert watch.page.detail.record["name"] == "Renamed in place"


def test_a_created_row_is_selected_and_a_delete_keeps_the_selection(env: Env) -> None:
    map_id = max(env.srv.info["mapiry"]["maps"], key=lambda m: env.cache.count("locations", scope=m))
    watch = Watch(env, "locations", row=1)
    before = watch.page.model.rowCount()
    dialog = env.ctl.create("locations", map_id)
    dialog.widget("name").setText("Brand new place")
    dialog.widget("lat").setText("38.7223")
    dialog.widget("lng").setText("-9.1393")
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    created = next(r for r in env.cache.all_rows("locations", scope=map_id) if r["name"] == "Brand new place")
    watch.assert_kept(created["id"])
    assert watch.page.model.rowCount() == before + 1
    assert env.actions.edit_action.isEnabled()

    # Deleting another row leaves the new one selected.
    other = next(r for r in env.cache.all_rows("locations", scope=map_id) if r["id"] != created["id"])
    env.confirm(env.ctl.delete("locations", [other]))
    assert other["id"] not in watch.ids()
    watch.assert_kept(created["id"])
    assert watch.page.model.rowCount() == before
    assert watch.page.count_label.text() == f"{before:,} rows"

    # Deleting the selected row moves the current row to its neighbour, as a file manager does.
    neighbour_row = watch.page.table.selected_rows()[0] - 1
    neighbour = watch.page.model.record(neighbour_row)["id"]
    env.confirm(env.ctl.delete("locations", [created]))
    assert created["id"] not in watch.ids()
    assert watch.current_id() == neighbour and env.actions.edit_action.isEnabled()
    assert watch.resets == 0


def test_an_import_batch_shows_in_the_locations_view_as_it_lands(paced_env: Env) -> None:
    env = paced_env
    map_id = env.srv.info["mapiry"]["maps"][0]
    watch = Watch(env, "locations", row=0)
    before = watch.page.model.rowCount()
    manager = env.window.import_manager()
    rows = [SourceRow(line=i + 2, name=f"Imported spot {i}", lat=35 + i / 1000, lng=139 + i / 1000)
            for i in range(250)]
    plan = env.run(plan_import(env.mapiry, map_id, rows))
    job_id = env.run(create_import_job(manager.store, env.mapiry, plan))
    in_loop(env.loop, manager.start, job_id, env.mapiry)
    # The first batch shows before the job is done.
    drive(env.loop, lambda: watch.page.model.rowCount() > before, timeout=30)
    assert manager.is_running(job_id)
    drive(env.loop, lambda: not manager.is_running(job_id), timeout=60)
    drive(env.loop, lambda: watch.page.model.rowCount() == before + 250, timeout=10)
    assert watch.page.count_label.text() == f"{before + 250:,} rows"
    watch.assert_kept()


def test_a_map_added_and_removed_shows_in_every_view(env: Env) -> None:
    maps = Watch(env, "maps", row=0)
    locations = Watch(env, "locations", row=0)
    env.window.show_view("maps")
    dialog = env.actions.new()
    dialog.widget("title").setText("A map of its own")
    env.ok(dialog)
    assert not dialog.isVisible(), dialog.message.text()
    new = next(m for m in env.cache.all_rows("maps") if m["title"] == "A map of its own")
    maps.assert_kept(new["id"])
    combo = locations.page.filter_combos["mapId"]
    assert combo.findData(new["id"]) > 0  # the Locations view's map filter offers it at once
    locations.assert_kept()

    env.confirm(env.ctl.delete("maps", [new]))
    assert new["id"] not in maps.ids() and combo.findData(new["id"]) < 0
    assert maps.resets == 0 and locations.resets == 0


def test_a_finished_sync_updates_rows_in_place(env: Env) -> None:
    watch = Watch(env, "items", row=2)
    item = watch.page.selected_record()
    env.run(env.instamapp.update_item(item["id"], name="Renamed on the website"))
    other = env.cache.all_rows("items")[-1]
    env.run(env.instamapp.update_item(other["id"], notes="changed elsewhere"))
    reports: list[Any] = []
    env.window.syncFinished.connect(reports.append)
    in_loop(env.loop, env.window.refresh)
    drive(env.loop, lambda: bool(reports), timeout=60)
    watch.assert_kept()
    assert watch.page.selected_record()["name"] == "Renamed on the website"
    assert watch.page.detail.record["name"] == "Renamed on the website"

"""Shared set-up of the editing tests (no tests here): a demo sandbox, real clients, a synced
cache and a real MainWindow with its EditController, all on the qasync loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from app.services.instamapp import InstaMappClient
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.sync.engine import SyncEngine
from app.ui.main_window import MainWindow
from tests.gui.looping import drive


def act(loop: Any, do: Callable[[], Any], until: Callable[[], bool], timeout: float = 20.0) -> None:
    """Do a Qt interaction inside a coroutine on the loop (it may start async work), then wait."""
    async def go() -> None:
        do()
        while not until():
            await asyncio.sleep(0.02)

    loop.run_until_complete(asyncio.wait_for(go(), timeout))


def idle(ctl: Any) -> bool:
    return ctl.task is None or ctl.task.done()


@dataclass
class Env:
    srv: Any
    cache: Cache
    instamapp: InstaMappClient | None
    mapiry: MapiryClient | None
    window: MainWindow
    loop: Any
    sent: list[tuple[str, str, Any]] = field(default_factory=list)

    @property
    def actions(self) -> Any:
        return self.window.edit_actions  # installed by MainWindow right after its first paint

    @property
    def ctl(self) -> Any:
        return self.actions.controller

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def ok(self, dialog: Any) -> None:
        """Press OK and wait until the request (if any) is answered and handled."""
        ctl = self.ctl
        act(self.loop, dialog.ok_button.click, lambda: not dialog.busy and idle(ctl))
        self.loop.run_until_complete(asyncio.sleep(0.05))

    def confirm(self, box: Any) -> None:
        ctl = self.ctl
        before = ctl.task
        act(self.loop, box.confirm_button.click, lambda: ctl.task is not before and ctl.task.done())
        self.loop.run_until_complete(asyncio.sleep(0.05))

    def spy(self, client: Any) -> None:
        """Record every request a client sends (method, path, JSON body)."""
        original = client.http.request_answer  # what ServiceHttp.request goes through too

        async def request_answer(method: str, path: str, **kwargs: Any) -> Any:
            self.sent.append((method, path, kwargs.get("json")))
            return await original(method, path, **kwargs)

        client.http.request_answer = request_answer

    def view_ids(self, name: str) -> set[str]:
        self.window.show_view(name)
        page = self.window.current_page()
        return {str(r["id"]) for r in page.model.iter_records()}


def make_env(srv: Any, loop: Any, tmp_path: Path, qtbot: Any, *, mapiry_key: str = "read_write",
             instamapp_key: str = "full", connected: bool = True) -> Env:
    info = srv.info
    cache = Cache(tmp_path / "cache.sqlite3")
    for map_id in info["mapiry"]["maps"]:
        cache.add_known_map(map_id, "demo")
    im = InstaMappClient(srv.instamapp_url, info["instamapp"]["keys"][instamapp_key]) if connected else None
    mp = MapiryClient(srv.mapiry_url, info["mapiry"]["keys"][mapiry_key]) if connected else None
    # The cache is filled with a full-scope reader, whatever key the window then writes with.
    reader_im = InstaMappClient(srv.instamapp_url, info["instamapp"]["keys"]["full"])
    reader_mp = MapiryClient(srv.mapiry_url, info["mapiry"]["keys"]["read_write"])
    report = loop.run_until_complete(SyncEngine(cache, reader_im, reader_mp).sync())
    assert report.ok, report.errors
    loop.run_until_complete(reader_im.aclose())
    loop.run_until_complete(reader_mp.aclose())
    window = MainWindow(cache, sync_engine=SyncEngine(cache, im, mp) if connected else None)
    window.show()  # closed by close_env (not qtbot, which deletes it before the fixtures end)
    drive(loop, lambda: getattr(window, "edit_actions", None) is not None)
    return Env(srv, cache, im, mp, window, loop)


def close_env(env: Env) -> None:
    for dialog in (env.ctl.dialog, env.ctl.secret_dialog, env.ctl.confirmation):
        if dialog is not None:
            dialog.close()
    for client in (env.instamapp, env.mapiry):
        if client is not None:
            env.loop.run_until_complete(client.aclose())
    env.window.close()
    env.cache.close()


@pytest.fixture
def env(fresh_sandbox: Any, loop: Any, tmp_path: Path, qtbot: Any) -> Iterator[Env]:
    e = make_env(fresh_sandbox, loop, tmp_path, qtbot)
    try:
        yield e
    finally:
        close_env(e)

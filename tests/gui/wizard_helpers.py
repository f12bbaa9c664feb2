"""Shared helpers of the import wizard, Imports view and drop tests (a qasync loop, run(), drive()).

Every Qt interaction and every coroutine runs *inside* the qasync loop, as in the app (where
launch.py runs everything under ``loop.run_until_complete(main())``). Two traps on the way:

- ``qasync.QEventLoop.run_until_complete`` processes Qt's events once more after the loop has
  stopped. A task step that falls there runs with no running asyncio loop: httpx/httpcore
  (anyio, sniffio) then fail mid-request ("no running event loop", NoEventLoopError) and the
  request body is cut off (the sandbox logs ClientDisconnect). ``run()`` below runs the loop
  with ``run_forever()`` and stops it from inside, so no event is handled outside it.
- Qt work done from the test body (show, next(), clicks, close) is not itself a problem, but
  anything that makes Qt process events there (``qtbot.waitExposed``, ``processEvents``) is.
  ``in_loop()`` runs such work as a step of the loop, and ``show()`` waits for exposure by
  driving the loop.

The ``qloop`` fixture fails a test in which any task step of its loop ran outside the running
loop, so a regression of either trap shows up as a clear error rather than as a hang.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
import shiboken6
from PySide6.QtWidgets import QApplication, QWidget

from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.ui.eventloop import new_event_loop
from app.ui.import_manager import ImportManager
from app.ui.import_wizard import ImportWizard

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "csv"
SCALE = 1800.0  # the bulk bucket's hour lasts two seconds

T = TypeVar("T")


def run(loop: qasync.QEventLoop, aw: Awaitable[T]) -> T:
    """Run ``aw`` on the qasync loop until it finishes and return its result.

    Use this, never ``loop.run_until_complete``: see the module's docstring.
    """
    future = asyncio.ensure_future(aw, loop=loop)

    def stop(_future: asyncio.Future[Any]) -> None:
        loop.stop()

    future.add_done_callback(stop)
    try:
        loop.run_forever()
    finally:
        future.remove_done_callback(stop)
    if not future.done():
        future.cancel()
        raise RuntimeError("the loop stopped before the awaitable finished")
    return future.result()


def in_loop(loop: qasync.QEventLoop, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call ``func`` (Qt work: next(), close(), a click) as a step of the running loop."""

    async def step() -> T:
        return func(*args, **kwargs)

    return run(loop, step())


def drive(loop: qasync.QEventLoop, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Run the qasync loop (and with it Qt's) until ``condition()`` holds."""

    async def until() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    run(loop, asyncio.wait_for(until(), timeout))


def show(loop: qasync.QEventLoop, widget: QWidget, timeout: float = 5.0) -> None:
    """Show a top-level widget and run the loop until its window is exposed."""
    in_loop(loop, widget.show)
    drive(loop, lambda: widget.windowHandle() is not None and widget.windowHandle().isExposed(), timeout)


def _steps_outside(loop: qasync.QEventLoop) -> tuple[list[str], Callable[[], None]]:
    """Record the task steps of ``loop`` that run while no asyncio loop is running."""
    handle_run = asyncio.events.Handle._run
    outside: list[str] = []

    def checked_run(handle: asyncio.Handle) -> None:
        if (getattr(handle, "_loop", None) is loop and asyncio.events._get_running_loop() is None
                and isinstance(getattr(handle._callback, "__self__", None), asyncio.Task)):
            outside.append(repr(handle._callback.__self__))
        handle_run(handle)

    asyncio.events.Handle._run = checked_run  # type: ignore[method-assign]

    def restore() -> None:
        asyncio.events.Handle._run = handle_run  # type: ignore[method-assign]

    return outside, restore


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop over the test's QApplication.

    Afterwards: no task may be left running and no task step may have run outside the loop;
    deferred deletes are processed, and garbage is collected, while the loop and QApplication
    are still alive (not in the interpreter's final collection).
    """
    loop = new_event_loop(qapp)
    asyncio.set_event_loop(loop)
    outside, restore = _steps_outside(loop)
    try:
        yield loop
    finally:
        leftover = [t for t in asyncio.all_tasks(loop) if not t.done()]
        try:
            for task in leftover:
                task.cancel()
            if leftover:
                run(loop, asyncio.gather(*leftover, return_exceptions=True))
            run(loop, asyncio.sleep(0.01))  # deferred deletes (pytest-qt's deleteLater) inside the loop
        finally:
            loop.close()  # also shuts the loop's executor threads down
            asyncio.set_event_loop(None)
            restore()
            # qasync's close() leaves the Qt timers of pending call_later() handles registered
            # (a cancelled hour-long wait_for, say). Destroy their owner here, on the GUI thread:
            # if a garbage collection that starts in a worker thread freed it, the timers could
            # not be unregistered and the next timer event would crash the run.
            if shiboken6.isValid(loop._timer):
                shiboken6.delete(loop._timer)
            gc.collect()
        problems = [f"task steps ran outside the running loop: {outside}"] if outside else []
        problems += [f"tasks were left running: {leftover}"] if leftover else []
        assert not problems, "; ".join(problems)


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
        run(qloop, c.aclose())


def make_wizard(qtbot: Any, loop: qasync.QEventLoop, cache: Cache, client: Any, path: Path | None,
                manager: ImportManager | None = None, **kw: Any) -> tuple[ImportWizard, ImportManager]:
    """An ImportWizard made and shown inside the loop (it starts reading ``path`` at once)."""

    def make() -> tuple[ImportWizard, ImportManager]:
        m = manager or ImportManager(cache, client)
        return ImportWizard(cache, client, m, path=str(path) if path else None, **kw), m

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

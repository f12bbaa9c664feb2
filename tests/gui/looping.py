"""Running the qasync loop in GUI tests, as the app runs it.

Every Qt interaction that may start async work, and every coroutine, runs *inside* the
qasync loop, as in the app (launch.py runs everything under the loop). Anything that makes Qt
process events outside it (``qtbot.waitExposed``, ``processEvents``) can run asyncio task
steps with no running loop, and httpx (anyio) then fails mid-request. ``in_loop()`` runs such
work as a step of the loop and ``show()`` waits for exposure by driving the loop. The loops
come from app.ui.eventloop.new_event_loop(), whose run_until_complete makes no Qt pass after
the loop has stopped (qasync's does).

The ``qloop`` fixture also fails a test in which any task step of its loop ran outside the
running loop, or which left tasks running.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtWidgets import QApplication, QWidget

from app.ui.eventloop import new_event_loop

T = TypeVar("T")


def run(loop: qasync.QEventLoop, aw: Awaitable[T]) -> T:
    """Run ``aw`` on the qasync loop until it finishes and return its result."""
    return loop.run_until_complete(aw)


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
            gc.collect()
        problems = [f"task steps ran outside the running loop: {outside}"] if outside else []
        problems += [f"tasks were left running: {leftover}"] if leftover else []
        assert not problems, "; ".join(problems)


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop over the test's QApplication, closed (with its timers) after the test."""
    ev = new_event_loop(qapp)
    asyncio.set_event_loop(ev)
    try:
        yield ev
    finally:
        ev.close()
        asyncio.set_event_loop(None)
        gc.collect()

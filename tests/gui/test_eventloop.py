"""The app's event loop: no reference leaks through Qt slots, worker threads off Qt."""

from __future__ import annotations

import asyncio
import sys
import threading

from app.ui.eventloop import new_event_loop


def test_a_long_session_does_not_leak_references_to_none(qapp) -> None:
    # PySide6 6.12.0 lost a reference to None per slot call; qasync runs each callback through
    # one, so a long session aborted with "deallocating None". 2,000 loop turns must not lose any.
    loop = new_event_loop(qapp)
    asyncio.set_event_loop(loop)
    try:
        async def spin(n: int) -> None:
            for _ in range(n):
                await asyncio.sleep(0)
            await asyncio.to_thread(lambda: None)

        loop.run_until_complete(spin(50))  # warm up caches
        before = sys.getrefcount(None)
        loop.run_until_complete(spin(2000))
        lost = before - sys.getrefcount(None)
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert lost < 100, f"{lost} references to None lost over 2,000 loop turns"


def test_worker_jobs_run_on_plain_threads_and_stop_with_the_loop(qapp) -> None:
    loop = new_event_loop(qapp)
    asyncio.set_event_loop(loop)
    try:
        name = loop.run_until_complete(asyncio.to_thread(lambda: threading.current_thread().name))
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert name.startswith("cabinet-worker")
    assert not [t for t in threading.enumerate() if t.name.startswith("cabinet-worker") and t.is_alive()]


def test_closing_the_loop_deletes_its_timers_on_the_gui_thread(qapp) -> None:
    import shiboken6

    loop = new_event_loop(qapp)
    asyncio.set_event_loop(loop)
    loop.call_later(3600, lambda: None)  # a pending timer, like an import waiting an hour
    loop.run_until_complete(asyncio.sleep(0))
    timer = loop._timer
    loop.close()
    asyncio.set_event_loop(None)
    assert not shiboken6.isValid(timer)

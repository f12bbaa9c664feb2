"""The app's one way to make its asyncio loop over Qt's (qasync).

Three departures from qasync 0.28's defaults, each for a crash or a hang seen in Cabinet:

- `asyncio.to_thread` work (SQLite writes, CSV parsing, the keyring) runs on a plain
  ThreadPoolExecutor rather than qasync's QThreads; none of it touches Qt, and the pool
  shuts down cleanly with the loop.
- `run_until_complete` does not process one more round of Qt events after the loop has
  stopped. qasync's does, and asyncio callbacks that run in that round find no running
  loop: httpx (through anyio) then fails mid-request and the request body is cut off.
- `close` deletes the loop's timer object on the GUI thread. qasync leaves it, with its
  pending timers, to the garbage collector, which may run on a worker thread; Qt then
  destroys timers from the wrong thread and crashes at the next timer event.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import qasync
import shiboken6
from PySide6.QtCore import QCoreApplication


class CabinetEventLoop(qasync.QEventLoop):
    def run_until_complete(self, future: Any) -> Any:
        if self.is_running():
            raise RuntimeError("Event loop already running")
        task = asyncio.ensure_future(future, loop=self)

        def stop(_done: Any) -> None:
            self.stop()

        task.add_done_callback(stop)
        try:
            self.run_forever()
        finally:
            task.remove_done_callback(stop)
        if not task.done():
            raise RuntimeError("Event loop stopped before Future completed.")
        return task.result()

    def close(self) -> None:
        was_closed = self.is_closed()
        super().close()
        timer = getattr(self, "_timer", None)
        if not was_closed and timer is not None and shiboken6.isValid(timer):
            shiboken6.delete(timer)


def new_event_loop(app: QCoreApplication) -> qasync.QEventLoop:
    loop = CabinetEventLoop(app)
    loop.set_default_executor(ThreadPoolExecutor(max_workers=4, thread_name_prefix="cabinet-worker"))
    return loop

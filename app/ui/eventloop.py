"""The app's one way to make its asyncio loop over Qt's (qasync).

qasync's default executor runs `asyncio.to_thread` work on QThreads of its own; Cabinet's
worker jobs (SQLite writes, CSV parsing, the keyring) never touch Qt, so they run on a plain
ThreadPoolExecutor instead, which shuts down cleanly with the loop.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import qasync
from PySide6.QtCore import QCoreApplication


def new_event_loop(app: QCoreApplication) -> qasync.QEventLoop:
    loop = qasync.QEventLoop(app)
    loop.set_default_executor(ThreadPoolExecutor(max_workers=4, thread_name_prefix="cabinet-worker"))
    return loop

"""The app as launch.py runs it, for tests that need the window with its services: the window
shown, its AppController started on the test's qasync loop; shut down and closed afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import qasync

from app.storage import Cache
from app.ui.controller import AppController
from app.ui.main_window import MainWindow
from tests.gui.looping import in_loop, run, show


@contextlib.contextmanager
def running_app(qloop: qasync.QEventLoop, cache: Cache, *, demo: bool) -> Iterator[tuple[MainWindow, AppController]]:
    """The window on ``cache`` and its controller, started; afterwards the services stop, the
    window closes and both the first cache and the one shown last are closed."""
    window = MainWindow(cache, demo=demo)
    show(qloop, window)
    controller = AppController(window, cache, demo=demo)
    try:
        in_loop(qloop, controller.start)
        yield window, controller
    finally:
        run(qloop, controller.shutdown())
        in_loop(qloop, window.close)
        controller.cache.close()
        cache.close()

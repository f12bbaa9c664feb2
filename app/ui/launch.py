"""Start the desktop app: QApplication, the main window and its first paint, then the loop and the services.

The window is shown and painted on whatever the cache holds before anything else is even
imported: asyncio, qasync, the controller, httpx, the keyring and the sandbox all come after
the first frame (see AppController), so the app opens fast and works offline.

CABINET_EXIT_AFTER_FIRST_PAINT=1 (benchmarks and smoke tests): right after the main window's
first paint, print one line ``FIRST_PAINT <epoch seconds> view=<name> rows=<n> total=<n> demo=<0|1>``
to stdout (no keys, no paths), close the window and return, without starting the services.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import textwrap
from typing import TYPE_CHECKING, Any

from app import version
from app.ui.platform_check import check_platform

if TYPE_CHECKING:
    from app.storage import Cache
    from app.ui.main_window import MainWindow

EXIT_AFTER_FIRST_PAINT = "CABINET_EXIT_AFTER_FIRST_PAINT"
# How long the start waits for the first frame before it goes on without it (a window that is
# never exposed, e.g. restored minimised, must not hold the services back).
FIRST_PAINT_TIMEOUT_MS = 500


def _show_and_paint(window) -> float | None:  # noqa: ANN001 - Qt is imported inside run_gui
    """Show the window and run Qt's loop until its first frame is painted (or the timeout).

    User input that arrives meanwhile waits for the main loop. Returns when (``time.time()``)
    the first frame was done, or None when the window did not paint in time."""
    # start-up: the window paints before this loads (tests/benchmarks/bench_ui_startup.py)
    import time

    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

    wait = QEventLoop()
    painted: list[float] = []

    def frame_done() -> None:
        painted.append(time.time())
        wait.quit()

    class _FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if obj is window and event.type() == QEvent.Type.Paint:
                window.removeEventFilter(self)
                # The window paints first, then its children, then the frame is flushed: the
                # zero timer fires once that whole first frame is done.
                QTimer.singleShot(0, frame_done)
            return False

    hook = _FirstPaint()
    timeout = QTimer()
    timeout.setSingleShot(True)
    timeout.timeout.connect(wait.quit)
    window.installEventFilter(hook)
    window.show()
    timeout.start(FIRST_PAINT_TIMEOUT_MS)
    wait.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    timeout.stop()
    window.removeEventFilter(hook)
    return painted[0] if painted else None


def _first_paint_report(window: MainWindow, when: float) -> None:
    """The CABINET_EXIT_AFTER_FIRST_PAINT line: when the first frame was done and what it showed."""
    # start-up: loaded with the window already
    from app.ui.views import TablePage

    page = window.current_page()
    rows = page.model.rowCount() if isinstance(page, TablePage) else 0
    total = page.total if isinstance(page, TablePage) else rows
    view = "welcome" if window.showing_welcome() else window.current_view_name()
    print(f"FIRST_PAINT {when:.6f} view={view} rows={rows} total={total} "
          f"demo={int(window.demo)}", flush=True)


def run_gui(args: argparse.Namespace) -> int:
    problem = check_platform()
    if problem is not None:  # no display, or a system library Qt needs is missing: say so, no Qt abort
        print(textwrap.fill(problem, 100, break_on_hyphens=False), file=sys.stderr, flush=True)
        return 1
    # No cyclic garbage collection until the first frame: the imports and the window allocate
    # a few hundred thousand objects that all live on, and a collection pass every 700 of them
    # only walks them again. Collection resumes right after the first paint.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        opened = _open_window(args)
    finally:
        if gc_was_enabled:
            gc.enable()
    if opened is None:
        return 2  # the cache could not be read and the person chose Quit
    window, cache, demo, painted = opened
    return _run(args, window, cache, demo, painted)


def _open_window(args: argparse.Namespace) -> tuple[Any, Any, bool, float | None] | None:
    """The cache, QApplication and the main window, shown and painted once (None when the cache
    cannot be read and the person would rather quit than rebuild it)."""
    # The Qt-free part first: once PySide6 is loaded it reads the source of every module
    # imported after it (for its __feature__ switches), which the cache and its sqlite3 and
    # json need not pay.
    # start-up: the window paints before this loads (tests/benchmarks/bench_ui_startup.py)
    from app import APP_ID, APP_NAME
    from app.storage import Cache, DatabaseDamagedError
    from app.ui import modes

    demo_asked = bool(args.demo)

    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from app.ui.context import AppContext
    from app.ui.main_window import MainWindow
    from app.ui.window_modes import DEMO_CHOSEN

    # Qt 6 rounds high-DPI scale factors with PassThrough by default: nothing to set for that.
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName(APP_ID)  # the desktop entry (and its icon) the window belongs to
    chosen = QSettings(APP_NAME, APP_NAME).value(DEMO_CHOSEN, False) in (True, "true")
    mode = modes.start_mode(demo_asked=demo_asked, demo_chosen_before=chosen)
    demo = mode == modes.DEMO
    cache_path = modes.prepare_demo_cache() if demo else modes.cache_path(demo=False)
    try:
        cache = Cache(cache_path)
    except DatabaseDamagedError as exc:
        from app.ui.cache_dialog import rebuild_or_quit

        rebuilt = rebuild_or_quit(exc, cache_path)
        if rebuilt is None:
            return None
        cache = rebuilt
    window = MainWindow(cache, context=AppContext(cache, demo=demo))
    if mode == modes.WELCOME:  # no keys, never chose the demo: the welcome page, in the window
        window.show_welcome()
    return window, cache, demo, _show_and_paint(window)


def _set_window_icon(app: Any) -> None:
    """The app's window icon and version, set right after the first paint: the window manager
    draws the icon, not the window, and loading it (QIcon, an SVG) or the version (package
    metadata) is work the first frame does not need."""
    # start-up: the window paints before this loads (tests/benchmarks/bench_ui_startup.py)
    from PySide6.QtGui import QIcon

    from app.resources import resource_path

    app.setApplicationVersion(version())
    app.setWindowIcon(QIcon(str(resource_path("icons", "cabinet.svg"))))


def _run(args: argparse.Namespace, window: MainWindow, cache: Cache, demo: bool, painted: float | None) -> int:
    """After the first paint: the event loop and the services, until the window closes."""
    # start-up: the window paints before this loads (tests/benchmarks/bench_ui_startup.py)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    _set_window_icon(app)
    if os.environ.get(EXIT_AFTER_FIRST_PAINT) == "1":
        if painted is not None:
            _first_paint_report(window, painted)
        else:
            print("the main window was not painted", file=sys.stderr, flush=True)
        window.close()
        cache.close()
        return 0 if painted is not None else 3

    # Everything below starts after the first frame.
    import asyncio

    from app.services import diagnostics
    from app.ui.controller import AppController
    from app.ui.crash_dialog import CrashReporter
    from app.ui.eventloop import new_event_loop

    diagnostics.setup_logging(verbose=args.verbose)
    diagnostics.enable_faulthandler()
    crashes = CrashReporter(window)
    crashes.install()
    loop = new_event_loop(app)
    loop.set_exception_handler(crashes.loop_exception_handler)
    asyncio.set_event_loop(loop)
    controller = AppController(window, cache, demo=demo, open_file=getattr(args, "file", None),
                               context=window.context)
    closed = asyncio.Event()
    # Closing the window ends the app through the loop, so the services shut down in order
    # (Qt's own quit-on-last-window would stop the loop under the running coroutine).
    app.setQuitOnLastWindowClosed(False)
    app.lastWindowClosed.connect(closed.set)
    app.aboutToQuit.connect(closed.set)

    async def main() -> None:
        controller.start()
        await closed.wait()
        await controller.shutdown()

    with loop:
        loop.run_until_complete(main())
    controller.cache.close()  # the cache shown last (the demo and the real accounts may have switched)
    cache.close()
    return 0

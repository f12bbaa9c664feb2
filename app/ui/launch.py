"""Start the desktop app: QApplication, the qasync loop, the main window, then the services.

The window is shown on whatever the cache holds before anything touches the network, the
keyring or the sandbox: those start right after the first paint (see AppController), so the
app opens fast and works offline.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys


def _has_configured_keys() -> bool:
    """Cheap start-up check (no keyring call): env keys, or keys saved earlier in Settings."""
    if os.environ.get("INSTAMAPP_API_KEY") or os.environ.get("MAPIRY_API_KEY"):
        return True
    from app.services import config

    return config.has_saved_keys()


def run_gui(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    from app import APP_NAME, __version__
    from app.resources import resource_path
    from app.services.config import data_dir
    from app.storage import Cache
    from app.ui.controller import AppController
    from app.ui.eventloop import new_event_loop
    from app.ui.main_window import MainWindow

    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("cabinet")
    app.setWindowIcon(QIcon(str(resource_path("icons", "cabinet.svg"))))

    demo = bool(getattr(args, "demo", False)) or not _has_configured_keys()
    cache = Cache(data_dir() / ("demo-cache.sqlite3" if demo else "cache.sqlite3"))
    window = MainWindow(cache, demo=demo)
    window.show()

    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    controller = AppController(window, cache, demo=demo, open_file=getattr(args, "file", None))
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)

    async def main() -> None:
        controller.start()
        await closed.wait()
        await controller.shutdown()

    with loop:
        loop.run_until_complete(main())
    cache.close()
    return 0

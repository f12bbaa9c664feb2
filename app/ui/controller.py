"""The app's services behind the main window: connections, clients, the sync engine, demo mode.

Everything here starts after the first paint, so the window never waits on the keyring, the
network or the sandbox. In demo mode the sandbox runs in-process on a free loopback port with
the demo seed, and its keys never leave this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QProcess, Signal
from PySide6.QtWidgets import QDialog, QMessageBox

from app.core.registry import APP_SERVICES as SERVICES
from app.ui import tasks

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("AppController", text)


class AppController(QObject):
    """Owns the clients, the SyncEngine and (in demo mode) the sandbox for a MainWindow."""

    ready = Signal()  # the services are set up (or known to be missing)

    def __init__(self, window: Any, cache: Any, *, demo: bool, open_file: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.cache = cache
        self.demo = demo
        self.open_file = open_file
        self.sandbox: Any = None
        self.clients: dict[str, Any] = {}
        self.credentials: Any = None
        self.engine: Any = None
        self._start_task: asyncio.Task[Any] | None = None
        window.settingsClosed.connect(self._settings_closed)

    # -- start ---------------------------------------------------------------------------------
    def start(self) -> asyncio.Task[Any]:
        self._start_task = tasks.run_task(self._start(), progress_label=_tr("Connecting"))
        return self._start_task

    async def _start(self) -> None:
        from app.services.credentials import CredentialStore

        self.credentials = CredentialStore()
        if self.demo:
            await self._start_demo()
        else:
            await self._connect()
        self._attach_engine()
        if "mapiry" in self.clients:
            # Imports a close or a crash interrupted go on from their first unconfirmed batch.
            started = self.window.import_manager().resume_unfinished()
            if started:
                self.window.statusBar().showMessage(
                    _tr("Resumed {0} interrupted import(s)").format(len(started)), 8000)
        if self.open_file:
            self.window.open_import_wizard(self.open_file)
        self.ready.emit()
        if self.engine is not None and self.engine.clients:
            self.window.refresh()

    async def _start_demo(self) -> None:
        from app.sandbox.server import SandboxServer
        from app.services.config import Connection

        self.sandbox = SandboxServer(seed="demo")
        await asyncio.to_thread(self.sandbox.start)
        info = self.sandbox.info
        for map_id in info["mapiry"].get("maps", []):
            await asyncio.to_thread(self.cache.add_known_map, map_id, "demo")
        conns = {s: Connection(s, info[s]["base_url"], info[s]["key"], "demo") for s in SERVICES if s in info}
        self._make_clients(conns)

    async def _connect(self) -> None:
        from app.services.connect import load_connection

        conns = {}
        for service in SERVICES:
            conns[service] = await asyncio.to_thread(load_connection, service, self.credentials)
        self._make_clients(conns)

    def _make_clients(self, conns: dict[str, Any]) -> None:
        from app.services.connect import make_client

        for service, conn in conns.items():
            if conn.api_key:
                try:
                    self.clients[service] = make_client(conn, on_wait=self._on_wait(service))
                except Exception as exc:  # an insecure or malformed base URL: say so, go on offline
                    self.window.show_error(tasks.error_text(exc))

    def _on_wait(self, service: str) -> Any:
        def report(seconds: float, reason: str) -> None:
            self.window.statusBar().showMessage(
                _tr("{0}: waiting {1:.0f} s ({2})").format(service, seconds, reason), int(seconds * 1000) + 1000)
        return report

    def _attach_engine(self) -> None:
        from app.sync.engine import SyncEngine

        self.engine = SyncEngine(self.cache, self.clients.get("instamapp"), self.clients.get("mapiry"))
        self.window.set_sync_engine(self.engine, self.credentials)

    # -- settings ------------------------------------------------------------------------------
    def _settings_closed(self, result: int) -> None:
        if result != int(QDialog.DialogCode.Accepted):
            return
        tasks.run_task(self._reconnect(), progress_label=_tr("Connecting"))

    async def _reconnect(self) -> None:
        from app.services.connect import load_connection

        conns = {s: await asyncio.to_thread(load_connection, s, self.credentials) for s in SERVICES}
        if self.demo:
            if any(c.api_key for c in conns.values()):
                self._offer_restart()
            return
        await self._close_clients()
        self._make_clients(conns)
        self._attach_engine()
        if self.engine.clients:
            self.window.refresh()

    def _offer_restart(self) -> None:
        answer = QMessageBox.question(
            self.window, _tr("Switch to your accounts"),
            _tr("Your keys are saved. Cabinet is showing demo data; restart now to open your own "
                "inventory and maps?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
        if answer == QMessageBox.StandardButton.Yes:
            args = [a for a in sys.argv[1:] if a != "--demo"]
            QProcess.startDetached(sys.executable, ["-m", "app", *args])
            self.window.close()

    # -- shutdown ------------------------------------------------------------------------------
    async def _close_clients(self) -> None:
        for client in list(self.clients.values()):
            with contextlib.suppress(Exception):
                await client.aclose()
        self.clients.clear()

    async def shutdown(self) -> None:
        if self._start_task is not None and not self._start_task.done():
            self._start_task.cancel()
            with contextlib.suppress(BaseException):
                await self._start_task
        manager = getattr(self.window, "_import_manager", None)  # only if one was ever made
        if manager is not None:
            with contextlib.suppress(Exception):
                await manager.shutdown()
        for task in tasks.running_tasks():
            task.cancel()
        await self._close_clients()
        if self.sandbox is not None:
            await asyncio.to_thread(self.sandbox.stop)
            self.sandbox = None

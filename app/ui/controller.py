"""The app's services behind the main window: connections, clients, the sync engine, demo mode.

Everything here starts after the first paint, so the window never waits on the keyring, the
network or the sandbox. In demo mode the sandbox runs in-process on a free loopback port with
the demo seed, and its keys never leave this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog

from app.core.registry import APP_SERVICES as SERVICES
from app.services.config import Connection
from app.services.connect import load_connection, make_client
from app.services.credentials import CredentialStore
from app.storage import Cache, DatabaseDamagedError, rebuild_cache
from app.sync.engine import SyncEngine
from app.ui import modes, tasks
from app.ui.i18n import translator

if TYPE_CHECKING:
    from app.sandbox.server import SandboxServer
    from app.services.client_base import ServiceClient
    from app.storage import CacheStore
    from app.ui.context import AppContext
    from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)


_tr = translator("AppController")


class AppController(QObject):
    """Owns the application context of a MainWindow: it makes the clients, the SyncEngine and the
    credentials (and in demo mode the sandbox), puts them in the context the window was given,
    and closes them at the end."""

    ready = Signal()  # the services are set up (or known to be missing)
    switched = Signal(bool)  # the window now shows the demo (True) or the real accounts (False)

    def __init__(self, window: MainWindow, cache: CacheStore, *, demo: bool, open_file: str | None = None,
                 context: AppContext | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.window = window
        self.context = context if context is not None else window.context
        self.context.demo = demo
        self.cache = cache
        self.demo = demo
        self.open_file = open_file
        self.sandbox: SandboxServer | None = None
        self.clients: dict[str, ServiceClient] = {}
        self._start_task: asyncio.Task[Any] | None = None
        self._switch_task: asyncio.Task[Any] | None = None
        window.settingsClosed.connect(self._settings_closed)
        window.demoRequested.connect(lambda: self.switch(demo=True))
        window.cache_repair.rebuildRequested.connect(self.rebuild_cache)

    # -- start ---------------------------------------------------------------------------------
    def start(self) -> asyncio.Task[Any]:
        self._start_task = tasks.run_task(self._start(), progress_label=_tr("Connecting"))
        return self._start_task

    async def _start(self) -> None:
        self.context.credentials = CredentialStore()
        await self._set_up_services()
        if self.open_file:
            self.window.open_import_wizard(self.open_file)
        self.ready.emit()
        self._first_sync()

    def _resume_imports(self) -> None:
        if self.context.import_client() is not None:
            # Imports a close or a crash interrupted go on from their first unconfirmed batch.
            started = self.window.import_manager().resume_unfinished()
            if started:
                self.window.statusBar().showMessage(
                    _tr("Resumed {0} interrupted import(s)").format(len(started)), 8000)

    async def _start_demo(self) -> None:
        # start-up: the sandbox (starlette, uvicorn) loads only in demo mode
        from app.sandbox.server import SandboxServer

        # The demo server's data is kept beside the demo cache (see modes.py): they live and die together.
        self.sandbox = SandboxServer(seed="demo", db_path=modes.demo_server_path(self.cache.path))
        await asyncio.to_thread(self.sandbox.start)
        info = self.sandbox.info
        for map_id in info["mapiry"].get("maps", []):
            await asyncio.to_thread(self.cache.add_known_map, map_id, "demo")
        conns = {s: Connection(s, info[s]["base_url"], info[s]["key"], "demo", secrets=info[s].get("secrets"))
                 for s in SERVICES if s in info}
        self._make_clients(conns)

    async def _connect(self) -> None:
        conns = {}
        for service in SERVICES:
            conns[service] = await asyncio.to_thread(load_connection, service, self.context.credentials)
        self._make_clients(conns)

    def _make_clients(self, conns: dict[str, Connection]) -> None:
        for service, conn in conns.items():
            if conn.api_key:
                try:
                    self.clients[service] = make_client(conn, on_wait=self._on_wait(service))
                except Exception as exc:  # an insecure or malformed base URL: say so, go on offline
                    self.window.show_error(tasks.error_text(exc))

    def _on_wait(self, service: str) -> Callable[[float, str], None]:
        def report(seconds: float, reason: str) -> None:
            self.window.statusBar().showMessage(
                _tr("{0}: waiting {1:.0f} s ({2})").format(service, seconds, reason), int(seconds * 1000) + 1000)
        return report

    def _attach_engine(self) -> None:
        self.window.set_sync_engine(SyncEngine(self.cache, *self.clients.values()), self.context.credentials)

    # -- settings ------------------------------------------------------------------------------
    def _settings_closed(self, result: int) -> None:
        if result != int(QDialog.DialogCode.Accepted):
            return
        tasks.run_task(self._reconnect(), progress_label=_tr("Connecting"))

    async def _reconnect(self) -> None:
        conns = {s: await asyncio.to_thread(load_connection, s, self.context.credentials) for s in SERVICES}
        if self.demo:
            if any(c.api_key for c in conns.values()):
                await self._switch(demo=False)  # keys saved (or kept for this session): your accounts now
            return
        await self._close_clients()
        self._make_clients(conns)
        self._attach_engine()
        self._resume_imports()
        self._connected()

    def _connected(self) -> None:
        """The real accounts are connected (at the start, a switch or after Settings): sync, and
        bring the Mapiry maps in when Cabinet knows none yet (Mapiry cannot list them)."""
        if not self.clients:
            return
        self.window.hide_welcome()
        self.window.refresh()
        if self.context.import_client() is not None and not self.cache.known_maps():
            self.window.maps_actions.open_add_maps(show_maps=False)

    # -- demo and real in one running app ------------------------------------------------------
    def switch(self, *, demo: bool) -> asyncio.Task[Any]:
        """Show the demo (True) or the real accounts (False) in the running window."""
        self._switch_task = tasks.run_task(self._switch(demo), progress_label=_tr("Switching"))
        return self._switch_task

    async def _switch(self, demo: bool) -> None:
        if demo == self.demo and not self.window.showing_welcome():
            return
        path = modes.prepare_demo_cache() if demo else modes.cache_path(demo=False)
        try:
            cache = Cache(path)
        except DatabaseDamagedError as exc:  # the window stays as it is unless the person rebuilds it
            if not await self.window.cache_repair.ask(exc):
                self.window.show_error(_tr("Still showing {0}: the offline cache '{1}' cannot be read. "
                                           "Rebuild it when you switch again, or with 'cabinet cache rebuild'.")
                                       .format(_tr("the demo data") if self.demo else _tr("your accounts"), path))
                return
            cache = rebuild_cache(path)[0]
        await self._stop_services()
        old = self.cache
        self.cache = cache
        self.demo = demo
        self.window.switch_data(self.cache, demo=demo)
        old.close()
        await self._start_services()
        self.switched.emit(demo)

    async def _start_services(self) -> None:
        """The clients (and in demo mode the demo server) for the cache shown, then a first sync."""
        await self._set_up_services()
        self._first_sync()

    async def _set_up_services(self) -> None:
        """The clients (in demo mode the demo server first), the sync engine, interrupted imports."""
        if self.demo:
            await self._start_demo()
        else:
            await self._connect()
        self._attach_engine()
        self._resume_imports()

    def _first_sync(self) -> None:
        if not self.demo:
            self._connected()
        elif self.context.engine is not None and self.context.engine.clients:
            self.window.refresh()

    # -- a cache that broke while in use -------------------------------------------------------
    def rebuild_cache(self) -> asyncio.Task[Any]:
        """The Rebuild dialog's answer: the damaged cache moved aside, a new one filled afresh."""
        self._switch_task = tasks.run_task(self._rebuild(), progress_label=_tr("Rebuilding the cache"))
        return self._switch_task

    async def _rebuild(self) -> None:
        await self._stop_services()
        old = self.cache
        try:
            self.cache, moved = rebuild_cache(old.path)  # what `cabinet cache rebuild` does
        except Exception:
            await self._start_services()  # the damaged cache stays shown, with its services
            raise
        self.window.switch_data(self.cache, demo=self.demo)
        old.close()
        await self._start_services()
        if moved is not None:
            self.window.show_message(_tr("The damaged cache was moved aside to '{0}'; a new one is being "
                                         "filled from the services.").format(moved))

    async def _stop_services(self) -> None:
        """Stop what works on the current cache: a sync, the imports (they go on at the next start
        of this mode), the clients and the demo server."""
        sync = self.window.sync_task()
        if sync is not None and not sync.done():
            sync.cancel()
            with contextlib.suppress(BaseException):
                await sync
        manager = self.context.import_manager
        if manager is not None:
            await manager.shutdown()
        await self._close_clients()
        if self.sandbox is not None:
            await asyncio.to_thread(self.sandbox.stop)
            self.sandbox = None

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
        if self._switch_task is not None and not self._switch_task.done():
            self._switch_task.cancel()
            with contextlib.suppress(BaseException):
                await self._switch_task
        manager = self.context.import_manager  # only if one was ever made
        if manager is not None:
            with contextlib.suppress(Exception):
                await manager.shutdown()
        for task in tasks.running_tasks():
            task.cancel()
        await self._close_clients()
        if self.sandbox is not None:
            await asyncio.to_thread(self.sandbox.stop)
            self.sandbox = None

"""SandboxServer: the four APIs on one loopback port, run by uvicorn in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from app.sandbox import instabot, instamapp, instawp, mapiry, seed, seed_websites
from app.sandbox.asgi import SandboxApp, quiet_drop_logging
from app.sandbox.routing import ApiError
from app.sandbox.state import SandboxState
from app.sandbox.store import Store
from app.sandbox.util import json_response, loads_strict

FAULT_NAMES = ("latency_ms", "error_rate", "drop_after_commit", "hang_after_commit")
LIMIT_NAMES = ("general", "maps", "bulk", "instamapp_per_window", "item_limit", "instawp_per_window",
               "instawp_create_seconds")


class SandboxServer:
    """A faithful local stand-in for InstaMapp and Mapiry (see docs/api-contract.md, last section)."""

    def __init__(self, seed: str = "demo", time_scale: float = 1.0, port: int = 0,
                 db_path: str | os.PathLike[str] | None = None, host: str = "127.0.0.1") -> None:
        if seed not in ("demo", "empty"):
            raise ValueError("seed must be 'demo' or 'empty'")
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.seed = seed
        self.time_scale = float(time_scale)
        self.host = host
        self.port = port
        self._tmpdir: str | None = None
        self.db_path = Path(db_path) if db_path else None
        self.state: SandboxState | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._app: Any = None
        self._error: BaseException | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, timeout: float = 15.0) -> SandboxServer:
        if self._thread is not None:
            raise RuntimeError("the sandbox is already running")
        if self.db_path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="cabinet-sandbox-")
            self.db_path = Path(self._tmpdir) / "sandbox.sqlite3"
        store = Store(self.db_path)
        seed.initialise_cached(store, self.seed)
        self.state = SandboxState(store, self.time_scale)
        self._app = SandboxApp(self.state, self._admin)

        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
        except OSError:  # the port is taken, or the address is not this computer's
            sock.close()
            store.close()
            self.state = None
            if self._tmpdir:
                shutil.rmtree(self._tmpdir, ignore_errors=True)
                self._tmpdir = None
                self.db_path = None
            raise
        self.port = sock.getsockname()[1]
        quiet_drop_logging()
        config = uvicorn.Config(self._app, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=2, timeout_keep_alive=5)
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._server.serve(sockets=[sock]))
            except BaseException as exc:  # noqa: BLE001 - reported to start()
                self._error = exc
            finally:
                loop.close()
                sock.close()

        self._thread = threading.Thread(target=run, name="cabinet-sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise RuntimeError(f"the sandbox failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("the sandbox did not start in time")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._thread is None:
            return
        if self._loop is not None and self._app is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._release_hung)
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        self._thread = None
        if self.state is not None:
            self.state.store.close()
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    def _release_hung(self) -> None:
        if self._app.stop_event is None:
            self._app.stop_event = asyncio.Event()
        self._app.stop_event.set()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses and keys -----------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def instamapp_url(self) -> str:
        return self.base_url + instamapp.PREFIX

    @property
    def mapiry_url(self) -> str:
        return self.base_url + mapiry.PREFIX

    @property
    def instabot_url(self) -> str:
        return self.base_url + instabot.PREFIX

    @property
    def instawp_url(self) -> str:
        return self.base_url + instawp.PREFIX

    @property
    def info(self) -> dict[str, Any]:
        assert self.state is not None, "start() the sandbox first"
        im_keys, mp_keys = seed.provisioned_keys(self.state.store)
        ib_keys, wp_keys = seed_websites.provisioned(self.state.store)
        return {
            # "key": the key with every right, the one the app's demo mode uses
            "instamapp": {"base_url": self.instamapp_url, "keys": im_keys, "key": im_keys["full"]},
            "mapiry": {"base_url": self.mapiry_url, "keys": mp_keys, "key": mp_keys["read_write"],
                       "maps": seed.map_ids(self.state.store)},
            # Instabot's demo signs in as the demo user ("secrets": the adapter's further keys)
            "instabot": {"base_url": self.instabot_url, "keys": ib_keys, "key": ib_keys["api_key"],
                         "secrets": {"session_key": ib_keys["user_session"]}},
            "instawp": {"base_url": self.instawp_url, "keys": wp_keys, "key": wp_keys["token"]},
            "tiles": {"template": f"{self.base_url}/tiles/{{z}}/{{x}}/{{y}}.png"},
            "time_scale": self.time_scale,
            "seed": self.seed,
        }

    # -- controls ---------------------------------------------------------------------------
    def set_faults(self, latency_ms: float = 0, error_rate: float = 0.0,
                   drop_after_commit: int = 0, hang_after_commit: int = 0) -> None:
        """Set every fault at once (as docs/api-contract.md shows): set_faults() clears them all."""
        assert self.state is not None
        self.state.set_faults(latency_ms=latency_ms, error_rate=error_rate,
                              drop_after_commit=drop_after_commit, hang_after_commit=hang_after_commit)

    def set_limits(self, general: int = 1000, maps: int = 50, bulk: int = 20,
                   instamapp_per_window: int = 600, item_limit: int = 5000, instawp_per_window: int = 120,
                   instawp_create_seconds: int = 3) -> None:
        """Set every limit at once (as docs/api-contract.md shows): set_limits() restores the defaults."""
        assert self.state is not None
        self.state.set_limits(general=general, maps=maps, bulk=bulk,
                              instamapp_per_window=instamapp_per_window, item_limit=item_limit,
                              instawp_per_window=instawp_per_window, instawp_create_seconds=instawp_create_seconds)

    def force_instabot(self, *codes: str) -> None:
        """Answer the next Instabot requests with these status codes of the document's table, in order."""
        assert self.state is not None
        self.state.instabot_forced.push(list(codes))

    def seed_items(self, n: int) -> int:
        assert self.state is not None
        return seed.add_items(self.state.store, int(n))

    # -- /_sandbox admin routes -------------------------------------------------------------
    async def _admin(self, request: Any) -> Any:
        assert self.state is not None
        path = request.url.path.rstrip("/")
        if path == "/_sandbox/info" and request.method == "GET":
            return json_response({**self.info, "faults": self.state.faults.as_dict(), "limits": self.state.limits})
        if request.method != "POST" or path not in ("/_sandbox/faults", "/_sandbox/limits", "/_sandbox/seed-items",
                                                    "/_sandbox/instabot-status"):
            raise ApiError(404, "not_found", "Unknown sandbox admin route.")
        try:
            body = loads_strict(await request.body())
        except ValueError as exc:
            raise ApiError(400, "invalid_request", str(exc)) from exc
        if not isinstance(body, dict):
            raise ApiError(400, "invalid_request", "The body must be a JSON object.")
        try:
            if path == "/_sandbox/faults":
                self.set_faults(**{k: body[k] for k in FAULT_NAMES if k in body})
                return json_response({"faults": self.state.faults.as_dict()})
            if path == "/_sandbox/limits":
                self.set_limits(**{k: body[k] for k in LIMIT_NAMES if k in body})
                return json_response({"limits": self.state.limits})
            if path == "/_sandbox/instabot-status":
                codes = body.get("codes")
                if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                    raise ApiError(400, "invalid_request", "`codes` must be a list of Instabot status codes.")
                self.force_instabot(*codes)
                return json_response({"forced": codes})
            count = body.get("count")
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ApiError(400, "invalid_request", "`count` must be an integer >= 0.")
            return json_response({"created": self.seed_items(count)})
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "invalid_request", str(exc)) from exc

"""The sandbox's outer ASGI app: dispatch by prefix, X-Request-Id, fault injection, admin routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request

from app.sandbox import instabot, instamapp, instawp, mapiry, tiles
from app.sandbox.guard import TooLarge, admin_allowed, read_body, refuse, replay
from app.sandbox.routing import PROBLEM_TEXT, ApiApp, ApiError, Problem
from app.sandbox.state import SandboxState
from app.sandbox.util import json_response, request_id

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HANG_SECONDS = 3600.0
log = logging.getLogger("cabinet.sandbox")


class DroppedConnection(Exception):
    """Raised after a committed write to make the server abort the connection mid-response."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def quiet_drop_logging() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


class SandboxApp:
    """Every request: its X-Request-Id, the body cap (413 in the envelope of the service the path
    belongs to), then the admin routes (loopback only), the tiles, or one service's API."""

    def __init__(self, state: SandboxState, admin: Callable[[Request], Awaitable[Any]]) -> None:
        self.state = state
        self.admin = admin
        self.apis: list[ApiApp] = [instamapp.InstaMappApi(state), mapiry.MapiryApi(state),
                                   instabot.InstabotApi(state), instawp.InstaWPApi(state)]
        self.stop_event: asyncio.Event | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        rid = request_id().encode()

        async def send_with_id(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", rid)]}
            await send(message)

        path: str = scope["path"]
        api = next((a for a in self.apis if path == a.prefix or path.startswith(a.prefix + "/")), None)
        try:
            body = await read_body(scope, receive)
        except TooLarge:
            if api is not None:
                response = api.problem(Problem.TOO_LARGE, Request(scope))
            else:
                response = json_response({"error": {"message": PROBLEM_TEXT[Problem.TOO_LARGE]}}, 413)
            await refuse(response, receive, send_with_id)
            return
        receive = replay(body, receive)
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            await self._admin(scope, receive, send_with_id)
            return
        if path.startswith(tiles.PREFIX + "/"):
            await (await tiles.serve(Request(scope, receive)))(scope, receive, send_with_id)
            return
        if api is not None:
            await self._with_faults(api, scope, receive, send_with_id)
            return
        prefixes = ", ".join(a.prefix for a in self.apis)
        await json_response({"error": {"message": f"Not found. The APIs live under {prefixes}."}},
                            404)(scope, receive, send_with_id)

    async def _wait_stop(self, seconds: float) -> None:
        if self.stop_event is None:
            self.stop_event = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.stop_event.wait(), timeout=seconds)

    async def _with_faults(self, api: ApiApp, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.state.faults
        if faults.latency_ms > 0:
            await self._wait_stop(faults.latency_ms / 1000.0)
        if faults.should_fail():
            await api.problem(Problem.UNAVAILABLE, Request(scope, receive))(scope, receive, send)
            return
        method = scope["method"]
        started: dict[str, Any] = {}

        async def guarded_send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                if method in WRITE_METHODS and status < 400:
                    if faults.take("drop_after_commit"):
                        started["drop"] = True
                    elif faults.take("hang_after_commit"):
                        started["hang"] = True
                if started.get("hang"):
                    await self._wait_stop(HANG_SECONDS)
                    started["drop"] = True  # released (stop or timeout): end as an incomplete answer
                await send(message)
                return
            if message["type"] == "http.response.body" and started.get("drop"):
                body = message.get("body", b"")
                # Send part of the body, then abort: the write is committed, the client gets no answer.
                await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
                raise DroppedConnection("connection dropped after commit")
            await send(message)

        await api(scope, receive, guarded_send)

    async def _admin(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not admin_allowed(scope):
            # as if they were not there: a page that rebinds its name to 127.0.0.1 learns nothing
            await json_response({"error": {"message": "Not found. The sandbox admin routes answer only on "
                                                      "loopback, to a loopback Host (localhost, 127.0.0.1, [::1])."}},
                                404)(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.admin(request)
        except ApiError as err:
            response = json_response({"error": {"message": err.message}}, err.status)
        except Exception:
            log.exception("sandbox: %s %s failed", scope["method"], scope["path"])
            response = json_response({"error": {"message": PROBLEM_TEXT[Problem.SERVER_ERROR]}}, 500)
        await response(scope, receive, send)

"""A tiny router shared by both APIs: routes with path parameters, lazily parsed bodies, errors."""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from app.sandbox.guard import MAX_REQUEST_BYTES, MIB
from app.sandbox.util import BadJson, loads_strict

log = logging.getLogger("cabinet.sandbox")


class ApiError(Exception):
    """An error answer. `code` is InstaMapp's `type` or Mapiry's `code`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers or {}


@dataclass
class Call:
    """What a handler sees: path parameters, query, the raw body and who is calling."""

    method: str
    params: dict[str, str]
    query: QueryParams
    raw_body: bytes
    principal: Any
    bad_body: Callable[[str], ApiError]
    extra: dict[str, Any] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return loads_strict(self.raw_body)
        except BadJson as exc:
            raise self.bad_body(str(exc)) from exc

    def json_object(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise self.bad_body("The body must be a JSON object.")
        return body


Handler = Callable[[Call], tuple[int, Any]]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    meta: Mapping[str, Any]


def compile_path(template: str) -> re.Pattern[str]:
    """'/maps/{mapId}/locations' -> a regex with named groups; a parameter is one path segment."""
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return re.compile("^" + regex + "/?$")


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, **meta: Any) -> None:
        self.routes.append(Route(method, compile_path(template), handler, meta))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method != method:
                continue
            m = route.pattern.match(path)
            if m:
                return route, m.groupdict()
        return None


class Problem(enum.Enum):
    """A failure of the server itself (not of the call's rules), answered in the service's envelope."""

    TOO_LARGE = "too_large"  # the request body passed the size limit (413)
    SERVER_ERROR = "server_error"  # a handler failed (500)
    UNAVAILABLE = "unavailable"  # an injected fault (503, or the service's own status for it)


# What the services that have no words of their own for a problem say (English).
PROBLEM_TEXT = {
    Problem.TOO_LARGE: f"The request body is larger than {MAX_REQUEST_BYTES // MIB} MB; nothing was done. "
                       "Send fewer or shorter records per request.",
    Problem.SERVER_ERROR: "The server failed to handle the request; nothing is known to have changed. "
                          "Try again, and report it with the request id if it keeps failing.",
    Problem.UNAVAILABLE: "The service is temporarily unavailable. Try again.",
}


class ApiApp:
    """An ASGI app for one API mounted under ``prefix``: it hands each request to ``handle``.

    Whatever a handler raises unexpectedly is logged and answered as the service's 500, in its
    error envelope: a client never gets a plain-text page from the sandbox.
    """

    prefix = ""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        path = scope["path"][len(self.prefix):] or "/"
        try:
            response = await self.handle(request, path)
        except Exception:
            log.exception("sandbox: %s %s%s failed", scope["method"], self.prefix, path)
            response = self.problem(Problem.SERVER_ERROR, request)
        await response(scope, receive, send)

    async def handle(self, request: Request, path: str) -> Response:
        raise NotImplementedError

    def problem(self, problem: Problem, request: Request) -> Response:
        """The service's answer to ``problem``: its status, its envelope, its code and message."""
        raise NotImplementedError

"""A tiny router shared by both APIs: routes with path parameters, lazily parsed bodies, errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams
from starlette.requests import Request

from app.sandbox.util import BadJson, loads_strict


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


class ApiApp:
    """An ASGI app for one API mounted under ``prefix``: it hands each request to ``handle``."""

    prefix = ""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        request = Request(scope, receive)
        response = await self.handle(request, scope["path"][len(self.prefix):] or "/")
        await response(scope, receive, send)

    async def handle(self, request: Any, path: str) -> Any:
        raise NotImplementedError

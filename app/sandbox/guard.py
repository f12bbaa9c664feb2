"""What the sandbox checks before any service sees a request: its size and, for /_sandbox/, who asks.

* The request body is capped at ``MAX_REQUEST_BYTES``: a Content-Length over it is refused
  before a byte is read, and a body without one (chunked) is read only until it passes the
  cap, so no request ever holds more than the cap in memory. The cap is derived from the
  largest valid request any service takes: a full Mapiry bulk of locations whose every text
  field has its longest length, each UTF-16 unit written as a JSON escape (``\\u00e9``).
* The admin routes (/_sandbox/…) hand out keys, so they answer only to a loopback client that
  also names a loopback host (localhost, 127.0.0.0/8, [::1], any port) in its Host header: a
  web page that rebinds its own name to 127.0.0.1 still sends its own name, and is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.responses import Response

from app.core.registry import BULK_LIMIT, MULTILINE, RESOURCES, TEXT
from app.services.guards import is_loopback_host

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

JSON_BYTES_PER_UNIT = 6  # the most one UTF-16 code unit takes in a JSON text: "\u00e9"
ENTRY_ALLOWANCE = 4096  # per location: its keys, coordinates, category id and a hundred-odd tag ids
HEADROOM = 2  # the cap is this many times the largest valid request
MIB = 1024 * 1024
LINGER_SECONDS = 1.0  # after a 413: how long the rest of the body is read (and dropped) before closing


def _largest_entry(resource: str) -> int:
    """The most bytes one valid record of ``resource`` takes as JSON, its text fields at their longest."""
    texts = [f.high for f in RESOURCES[resource].fields.values() if f.kind in (TEXT, MULTILINE) and f.high]
    return int(sum(texts)) * JSON_BYTES_PER_UNIT + ENTRY_ALLOWANCE


LARGEST_VALID_REQUEST = BULK_LIMIT * _largest_entry("locations")
# bytes of one request body: twice the largest valid one, rounded up to whole MiB (4 MiB today)
MAX_REQUEST_BYTES = -(-HEADROOM * LARGEST_VALID_REQUEST // MIB) * MIB


class TooLarge(Exception):
    """The request body passed ``MAX_REQUEST_BYTES``; nothing more of it is read."""


def announced_length(scope: MutableMapping[str, Any]) -> int | None:
    """The request's Content-Length, or None when it sends none (or an unreadable one)."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.strip()
            return int(text) if text.isdigit() and len(text) <= 20 else None
    return None


async def read_body(scope: MutableMapping[str, Any], receive: Receive, limit: int = MAX_REQUEST_BYTES) -> bytes:
    """The whole request body, or ``TooLarge`` as soon as it passes ``limit`` (never buffered past it)."""
    announced = announced_length(scope)
    if announced is not None and announced > limit:
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client left: what came is all there is
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            chunks.clear()
            raise TooLarge
        if chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def refuse(response: Response, receive: Receive, send: Send) -> None:
    """Answer ``response`` (the 413) to a request whose body is still coming, then close.

    Closing at once with the body unread makes the kernel reset the connection, which can take
    the answer with it; so the answer goes out first, the rest of the body is read and dropped
    for at most LINGER_SECONDS (a client that sends its whole body before it reads, as most do,
    then reads the 413 either when it is done or when the close stops its sending), and only then
    does the connection close. Nothing read here is kept.
    """
    response.headers["Connection"] = "close"
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body, "more_body": True})
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(LINGER_SECONDS):
            while True:
                message = await receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    break
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once (already read), then what the connection says."""
    given = False

    async def again() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


_HOST = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.\-]+))(?::[0-9]{1,5})?$")


def loopback_host_header(value: str | None) -> bool:
    """True when a Host header names this computer: localhost, 127.x.y.z or [::1], with any port."""
    found = _HOST.match((value or "").strip())
    if found is None:
        return False
    return is_loopback_host(found["v6"] or found["name"])


def admin_allowed(scope: MutableMapping[str, Any]) -> bool:
    """The /_sandbox/ routes: a loopback client naming a loopback host."""
    client = scope.get("client")
    if not client or not is_loopback_host(str(client[0])):
        return False
    hosts = [value.decode("latin-1") for name, value in scope.get("headers", []) if name.lower() == b"host"]
    return len(hosts) == 1 and loopback_host_header(hosts[0])

"""What the one HTTP path checks and bounds: addresses, keys, deadlines, answer sizes, request ids.

Every client inherits these through ``ServiceHttp`` (app/services/http.py); they live here so
that each limit is written once.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

import httpx

from app.core.errors import ApiKeyFormatError, CabinetError, InsecureUrlError
from app.services.diagnostics import redact

DEADLINE = 60.0  # seconds: one exchange (connect, send, headers, whole body) ends by then
CONNECT_TIMEOUT = 10.0  # within the deadline
MAX_BODY = 64 * 1024 * 1024  # bytes of one answer (after content decoding)
REQUEST_ID_MAX = 64  # characters of a request id shown (a UUID is 36)
_VISIBLE_ASCII = re.compile(r"^[\x21-\x7e]+$")  # no spaces, no controls


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """The normalised base URL, or InsecureUrlError (a ValueError) if it may not carry a key."""
    text = (url or "").strip()
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InsecureUrlError(text, "it is not a valid address") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InsecureUrlError(text, "it must start with https://")
    if parsed.userinfo:
        raise InsecureUrlError(parsed.copy_with(username=None, password=None).__str__(),
                               "it must not contain a user name or password")
    if parsed.scheme == "http" and not is_loopback_host(parsed.host):
        raise InsecureUrlError(text)
    return str(parsed.copy_with(query=None, fragment=None)).rstrip("/")


def check_key(service: str, api_key: str | None) -> str | None:
    if api_key is None:
        return None
    key = api_key.strip()
    if not key:
        return None
    if not _VISIBLE_ASCII.match(key):
        raise ApiKeyFormatError(service)
    return key


async def read_capped(response: httpx.Response, max_body: int, too_large: CabinetError) -> bytes:
    """The whole (decoded) body, read as a stream; ``too_large`` is raised past ``max_body`` bytes."""
    announced = response.headers.get("content-length", "")
    if announced.strip().isdigit() and int(announced) > max_body:
        raise too_large
    chunks: list[bytes] = []  # joined once at the end: a growing buffer would copy itself
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > max_body:
                raise too_large
    except BaseException:
        # A traceback (kept in a report, or in a cycle until the collector runs) keeps this
        # frame alive: let the bytes go now, whatever ended the read (the cap, a cancel).
        chunks.clear()
        raise
    return b"".join(chunks)


def clean_request_id(value: str | None, secrets: Sequence[str] = ()) -> str | None:
    """A request id fit to show, or None: short, printable, and holding nothing like a key.

    A request id is data from the server, not trusted text: a server that echoes the key in
    X-Request-Id must not get it printed.
    """
    text = (value or "").strip()
    if not text or len(text) > REQUEST_ID_MAX or not _VISIBLE_ASCII.match(text):
        return None
    if any(key in text for key in secrets if key) or redact(text) != text:
        return None
    return text


__all__ = [
    "CONNECT_TIMEOUT",
    "DEADLINE",
    "MAX_BODY",
    "REQUEST_ID_MAX",
    "check_base_url",
    "check_key",
    "clean_request_id",
    "is_loopback_host",
    "read_capped",
]

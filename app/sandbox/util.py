"""Small helpers shared by the sandbox: ids, timestamps, strict JSON, responses."""

from __future__ import annotations

import itertools
import json
import math
import re
import secrets
import string
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits


def random_token(length: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def item_id() -> str:
    return "itm_" + random_token(20)


_counter = itertools.count(int.from_bytes(secrets.token_bytes(2), "big"))


def to_base36(n: int, width: int) -> str:
    digits = string.digits + string.ascii_lowercase
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out.rjust(width, "0")[-width:]


def cuid(ts: float | None = None, rand: Callable[[int], str] | None = None, counter: int | None = None) -> str:
    """cuid-like: c + 8 base36 ms timestamp + 4 counter + 12 random = 25 chars, sortable by creation."""
    ms = int((time.time() if ts is None else ts) * 1000)
    tail = rand(12) if rand else random_token(12, LOWER_ALNUM)
    return "c" + to_base36(ms, 8) + to_base36((next(_counter) if counter is None else counter) % 36**4, 4) + tail


def request_id() -> str:
    return "req_" + secrets.token_hex(12)


def iso_seconds(ts: float | None = None) -> str:
    """InstaMapp style: 2026-03-01T00:00:00Z."""
    dt = datetime.fromtimestamp(time.time() if ts is None else ts, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis(ts: float | None = None) -> str:
    """Mapiry style: 2026-03-01T00:00:00.000Z."""
    dt = datetime.fromtimestamp(time.time() if ts is None else ts, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> float | None:
    """Parse an ISO 8601 timestamp into epoch seconds; None when it is not one."""
    text = value.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


class BadJson(ValueError):
    """The request body is not acceptable JSON."""


def _reject_constant(name: str) -> Any:
    raise BadJson(f"{name} is not valid JSON")


def loads_strict(body: bytes) -> Any:
    """json.loads that refuses NaN/Infinity, invalid UTF-8, lone surrogates (``"\\ud800"``, which no
    UTF-8 store can keep) and nesting too deep to read (Python's json accepts the first three)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadJson("The body is not UTF-8.") from exc
    if not text.strip():
        raise BadJson("The body is empty; a JSON object was expected.")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except BadJson:
        raise
    except RecursionError:
        raise BadJson("The body is nested too deeply.") from None
    except ValueError as exc:
        raise BadJson(f"The body is not valid JSON: {exc}") from exc
    if "\\u" in text:  # only an escape can make a lone surrogate
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise BadJson("The body holds an unpaired UTF-16 surrogate (\\ud800-\\udfff).") from None
        except RecursionError:
            raise BadJson("The body is nested too deeply.") from None
    return value


def is_number(value: Any) -> bool:
    """A JSON number: int or float, not bool, finite (an integer too large for a double is not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def storable(value: int | float) -> int | float:
    """A JSON number as SQLite can keep it: an integer past 64 bits becomes a double."""
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return float(value)
    return value


QUERY_INT_MAX = 2**31 - 1  # the largest page number or size a service takes (a 32-bit integer)
_QUERY_INT = re.compile(r"[0-9]{1,10}")


def query_int(raw: str) -> int | None:
    """A query parameter's whole number (ASCII digits, at most QUERY_INT_MAX), or None."""
    if not _QUERY_INT.fullmatch(raw):
        return None
    number = int(raw)
    return number if number <= QUERY_INT_MAX else None


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    return Response(content, status_code=status, headers=headers, media_type="application/json")

"""Rate-limit state per client, filled from the services' response headers.

InstaMapp sends the IETF draft headers ``RateLimit-Limit/-Remaining/-Reset`` where Reset is
the number of seconds until the window resets; Mapiry sends ``X-RateLimit-*`` where Reset
is a Unix epoch (maybe fractional). Both end up as a :class:`RateLimit` with an absolute
``reset_at`` in epoch seconds. State lives on the tracker object, never in module globals.
"""

from __future__ import annotations

import email.utils
import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

# An X-RateLimit-Reset below this is taken as "seconds from now", not an epoch (2001-09-09).
_EPOCH_THRESHOLD = 1_000_000_000


@dataclass(frozen=True)
class RateLimit:
    limit: int | None
    remaining: int | None
    reset_at: float | None  # epoch seconds


def _float(value: str | None) -> float | None:
    """A header's non-negative finite number, or None."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    return number


def _int(value: str | None) -> int | None:
    number = _float(value)
    return None if number is None else int(number)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def parse_ietf_headers(headers: Mapping[str, str], now: float | None = None) -> RateLimit | None:
    """``RateLimit-Limit/-Remaining/-Reset`` (Reset = delta seconds) → RateLimit, or None if absent."""
    headers = _lower(headers)
    limit = _int(headers.get("ratelimit-limit"))
    remaining = _int(headers.get("ratelimit-remaining"))
    delta = _float(headers.get("ratelimit-reset"))
    if limit is None and remaining is None and delta is None:
        return None
    now = time.time() if now is None else now
    return RateLimit(limit, remaining, None if delta is None else now + delta)


def parse_x_headers(headers: Mapping[str, str], now: float | None = None) -> RateLimit | None:
    """``X-RateLimit-Limit/-Remaining/-Reset`` (Reset = epoch seconds) → RateLimit, or None."""
    headers = _lower(headers)
    limit = _int(headers.get("x-ratelimit-limit"))
    remaining = _int(headers.get("x-ratelimit-remaining"))
    reset = _float(headers.get("x-ratelimit-reset"))
    if limit is None and remaining is None and reset is None:
        return None
    if reset is not None and reset < _EPOCH_THRESHOLD:
        # Some servers send a delta here despite the name; accept it rather than a 1970 date.
        reset = (time.time() if now is None else now) + reset
    return RateLimit(limit, remaining, reset)


def parse_rate_limit_headers(headers: Mapping[str, str], now: float | None = None) -> RateLimit | None:
    """Whichever style the response uses (X-RateLimit-* wins when both are present)."""
    return parse_x_headers(headers, now) or parse_ietf_headers(headers, now)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds to wait: delta seconds or an HTTP date. None if absent/garbled."""
    if value is None:
        return None
    value = value.strip()
    seconds = _float(value)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class RateLimitTracker:
    """The last known rate-limit state per bucket of one client. Thread-safe reads."""

    def __init__(self) -> None:
        self._state: dict[str, RateLimit] = {}
        self._lock = threading.Lock()

    def update(self, bucket: str, state: RateLimit) -> None:
        with self._lock:
            self._state[bucket] = state

    def block(self, bucket: str, seconds: float, now: float | None = None) -> None:
        """Record a 429: nothing left in ``bucket`` for ``seconds``."""
        now = time.time() if now is None else now
        with self._lock:
            old = self._state.get(bucket)
            self._state[bucket] = RateLimit(old.limit if old else None, 0, now + max(0.0, seconds))

    def get(self, bucket: str) -> RateLimit | None:
        with self._lock:
            return self._state.get(bucket)

    def snapshot(self) -> dict[str, RateLimit]:
        with self._lock:
            return dict(self._state)

    def wait_time(self, bucket: str, now: float | None = None) -> float:
        """Seconds to wait before a request to ``bucket`` may go; 0 when it may go now."""
        state = self.get(bucket)
        if state is None or state.remaining is None or state.remaining > 0 or state.reset_at is None:
            return 0.0
        now = time.time() if now is None else now
        return max(0.0, state.reset_at - now)

    def __repr__(self) -> str:
        return f"RateLimitTracker({self.snapshot()!r})"

"""Pacing of bulk requests to the server's rate-limit bucket.

The server says how many requests are left in the current window (``X-RateLimit-Remaining``)
and when it resets (``X-RateLimit-Reset``, Unix epoch seconds); on 429 it says how long to wait
(``Retry-After``). The pacer turns those into "how long until the next request may go", so a
job sends as soon as the bucket allows and never asks for a 429 it could have foreseen,
however long the wait (Mapiry's bulk bucket is 20 requests an hour).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.services.ratelimit import RateLimitTracker

# Sent a little after the announced reset, so clocks that disagree by a few ms do not cost a 429.
RESET_MARGIN = 0.05
# When the bucket is empty and the server gave no reset time, wait this long and ask again.
FALLBACK_WAIT = 60.0


class LimitLike(Protocol):
    limit: int | None
    remaining: int | None
    reset_at: float | None


@dataclass
class BucketView:
    """What the pacer needs from app.services.ratelimit.RateLimit."""

    limit: int | None
    remaining: int | None
    reset_at: float | None


def delay_for(limit: LimitLike | None, now: float, *, margin: float = RESET_MARGIN) -> float:
    """Seconds to wait before the next request of this bucket; 0 when it may go now."""
    if limit is None or limit.remaining is None or limit.remaining > 0:
        return 0.0
    if limit.reset_at is None:
        return FALLBACK_WAIT
    if limit.reset_at <= now:
        return 0.0  # the window the headers describe is over
    return limit.reset_at - now + margin


class Pacer:
    """Decides when the next request of one bucket may go.

    ``limits`` is the client's RateLimitTracker (anything with ``get(bucket)``); the pacer also
    remembers a 429's Retry-After, which may say more than the headers did.
    """

    def __init__(
        self,
        limits: RateLimitTracker | None,
        bucket: str = "bulk",
        *,
        clock: Callable[[], float] = time.time,
        margin: float = RESET_MARGIN,
    ) -> None:
        self.limits = limits
        self.bucket = bucket
        self.clock = clock
        self.margin = margin
        self._not_before = 0.0

    def current(self) -> LimitLike | None:
        return self.limits.get(self.bucket) if self.limits is not None else None

    def delay(self, now: float | None = None) -> float:
        now = self.clock() if now is None else now
        return max(delay_for(self.current(), now, margin=self.margin), self._not_before - now, 0.0)

    def next_allowed_at(self, now: float | None = None) -> float:
        now = self.clock() if now is None else now
        return now + self.delay(now)

    def not_before(self, when: float) -> None:
        """Send nothing before ``when`` (epoch s), e.g. a wait recorded by a process that ended."""
        self._not_before = max(self._not_before, when)

    def on_rate_limited(self, retry_after: float | None, now: float | None = None) -> float:
        """Record a 429; returns the seconds to wait before trying again."""
        now = self.clock() if now is None else now
        from_headers = delay_for(self.current(), now, margin=self.margin)
        wait = retry_after if retry_after is not None and retry_after > 0 else 0.0
        wait = max(wait, from_headers)
        if wait <= 0:
            wait = 1.0  # a 429 with nothing to go by: the contract says Retry-After ≥ 1
        self._not_before = now + wait
        return wait

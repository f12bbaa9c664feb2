"""Fixed-window rate-limit buckets with a time scale (3600 s at time_scale=3600 lasts 1 s)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class Window:
    start: float
    used: int


@dataclass(frozen=True)
class BucketState:
    name: str
    limit: int
    remaining: int
    reset_at: float  # epoch seconds when the current window ends

    def seconds_to_reset(self, now: float) -> float:
        return max(0.0, self.reset_at - now)


class RateLimiter:
    """Buckets keyed by (bucket name, owner). Each bucket has a limit and a base window length."""

    def __init__(self, time_scale: float = 1.0, clock: Callable[[], float] = time.time) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.time_scale = time_scale
        self._clock = clock
        self._limits: dict[str, tuple[int, float]] = {}
        self._windows: dict[tuple[str, str], Window] = {}
        self._lock = threading.Lock()

    def configure(self, bucket: str, limit: int, window_seconds: float) -> None:
        with self._lock:
            self._limits[bucket] = (int(limit), float(window_seconds))

    def set_limit(self, bucket: str, limit: int) -> None:
        with self._lock:
            _, window = self._limits[bucket]
            self._limits[bucket] = (int(limit), window)

    def window_length(self, bucket: str) -> float:
        return self._limits[bucket][1] / self.time_scale

    def _current(self, bucket: str, owner: str, now: float) -> Window:
        length = self.window_length(bucket)
        win = self._windows.get((bucket, owner))
        if win is None or now >= win.start + length:
            win = Window(start=now, used=0)
            self._windows[(bucket, owner)] = win
        return win

    def _state(self, bucket: str, owner: str, now: float) -> BucketState:
        limit, _ = self._limits[bucket]
        win = self._current(bucket, owner, now)
        return BucketState(bucket, limit, max(0, limit - win.used), win.start + self.window_length(bucket))

    def peek(self, bucket: str, owner: str) -> BucketState:
        with self._lock:
            return self._state(bucket, owner, self._clock())

    def take(self, buckets: Sequence[str], owner: str) -> tuple[bool, list[BucketState], float]:
        """Consume one request from every bucket, or none if any is exhausted.

        Returns (allowed, states after the attempt in the order given, retry_after seconds).
        """
        with self._lock:
            now = self._clock()
            states = [self._state(b, owner, now) for b in buckets]
            blocked = [s for s in states if s.remaining <= 0]
            if blocked:
                wait = max(s.seconds_to_reset(now) for s in blocked)
                return False, states, wait
            for b in buckets:
                self._windows[(b, owner)].used += 1
            return True, [self._state(b, owner, now) for b in buckets], 0.0

    def now(self) -> float:
        return self._clock()


def retry_after_header(seconds: float) -> str:
    """Retry-After: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))

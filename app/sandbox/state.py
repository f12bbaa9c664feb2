"""The shared state of a running sandbox: store, limiter, fault settings and plan limits."""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field

from app.core import instabot
from app.sandbox.ratelimit import RateLimiter
from app.sandbox.store import Store

HOUR = 3600.0
INSTAMAPP_WINDOW = 60.0
INSTAWP_WINDOW = 60.0
NOT_BUCKETS = ("item_limit", "instawp_create_seconds")

DEFAULT_LIMITS = {
    "general": 1000,
    "maps": 50,
    "bulk": 20,
    "instamapp_per_window": 600,
    "item_limit": 5000,
    "instawp_per_window": 120,
    "instawp_create_seconds": 3,
}


@dataclass
class Faults:
    latency_ms: float = 0.0
    error_rate: float = 0.0
    drop_after_commit: int = 0
    hang_after_commit: int = 0
    rng: random.Random = field(default_factory=random.Random)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "latency_ms": self.latency_ms,
            "error_rate": self.error_rate,
            "drop_after_commit": self.drop_after_commit,
            "hang_after_commit": self.hang_after_commit,
        }

    def should_fail(self) -> bool:
        with self.lock:
            return self.error_rate > 0 and self.rng.random() < self.error_rate

    def take(self, name: str) -> bool:
        """Consume one pending drop/hang; True when this write must be dropped/hung."""
        with self.lock:
            left = getattr(self, name)
            if left > 0:
                setattr(self, name, left - 1)
                return True
            return False


class ForcedAnswers:
    """Instabot status codes the next requests answer with (a sandbox control, not part of the API)."""

    def __init__(self) -> None:
        self.codes: deque[str] = deque()
        self.lock = threading.Lock()

    def push(self, codes: list[str]) -> None:
        unknown = [c for c in codes if c not in instabot.ERROR_CODES]
        if unknown:
            raise ValueError(f"not an Instabot error status code: {', '.join(map(str, unknown))}")
        with self.lock:
            self.codes.extend(codes)

    def pop(self) -> str | None:
        with self.lock:
            return self.codes.popleft() if self.codes else None


class SandboxState:
    def __init__(self, store: Store, time_scale: float = 1.0) -> None:
        self.store = store
        self.time_scale = time_scale
        self.faults = Faults()
        self.limits = dict(DEFAULT_LIMITS)
        self.limiter = RateLimiter(time_scale)
        self.limiter.configure("general", self.limits["general"], HOUR)
        self.limiter.configure("maps", self.limits["maps"], HOUR)
        self.limiter.configure("bulk", self.limits["bulk"], HOUR)
        self.limiter.configure("instamapp", self.limits["instamapp_per_window"], INSTAMAPP_WINDOW)
        self.limiter.configure("instawp", self.limits["instawp_per_window"], INSTAWP_WINDOW)
        self.instabot_forced = ForcedAnswers()
        self.stopping = threading.Event()

    def set_limits(self, **limits: int) -> None:
        for name, value in limits.items():
            if name not in self.limits:
                raise ValueError(f"unknown limit {name!r}")
            if value is None:
                continue
            value = int(value)
            if value < 0:
                raise ValueError(f"{name} must be >= 0")
            self.limits[name] = value
            bucket = name.removesuffix("_per_window")
            if name not in NOT_BUCKETS:
                self.limiter.set_limit(bucket, value)

    def set_faults(self, **faults: float | int) -> None:
        with self.faults.lock:
            for name, value in faults.items():
                if name not in ("latency_ms", "error_rate", "drop_after_commit", "hang_after_commit"):
                    raise ValueError(f"unknown fault {name!r}")
                if value is None:
                    continue
                if name == "error_rate" and not 0.0 <= float(value) <= 1.0:
                    raise ValueError("error_rate must be within 0..1")
                if float(value) < 0:
                    raise ValueError(f"{name} must be >= 0")
                cast = float if name in ("latency_ms", "error_rate") else int
                setattr(self.faults, name, cast(value))

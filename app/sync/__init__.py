"""Cache filling and refresh (no Qt). ``SyncEngine`` is imported lazily to keep the CLI light."""

from __future__ import annotations

from typing import Any

__all__ = ["SyncEngine", "SyncProgress", "SyncReport"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from app.sync import engine

        return getattr(engine, name)
    raise AttributeError(name)

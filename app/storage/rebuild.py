"""Rebuilding the offline cache: the one way both `cabinet cache rebuild` and the app's Rebuild
button do it. The cache only holds copies of what the services have; the state database beside
it (known maps, import jobs) is not touched, so nothing is lost."""

from __future__ import annotations

from pathlib import Path

from app.storage.cache import Cache
from app.storage.files import move_aside


def rebuild_cache(path: Path | str) -> tuple[Cache, Path | None]:
    """Move the cache file at ``path`` (or whatever is in its place, with its -wal/-shm files)
    aside with a timestamp and open a new, empty cache there, for a sync to fill. Returns the
    new cache and where the old file went (None when there was none)."""
    moved = move_aside(path)
    return Cache(path), moved

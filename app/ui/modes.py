"""Which data the window shows: the person's own accounts, the demo, or (first start) neither.

Qt-free, so the start can decide before Qt loads. The demo and the real accounts never share a
file: ``cache.sqlite3`` for the real accounts, ``demo-cache.sqlite3`` for the demo, and the
demo server's own data in ``demo-server.sqlite3`` beside them. The demo server and its cache
live and die together: the server's data is kept between runs, and when it is missing (the
first demo, or someone deleted it) the demo cache, and what goes with it, is reset before it is
opened, so the demo never shows a map its server does not have.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.services import config

CACHE_FILE = "cache.sqlite3"
DEMO_CACHE_FILE = "demo-cache.sqlite3"
DEMO_SERVER_FILE = "demo-server.sqlite3"
# What belongs to the demo cache: the file, its SQLite journals and the state file beside it.
_DEMO_CACHE_FAMILY = ("demo-cache.sqlite3", "demo-state.sqlite3")
_SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")

REAL, DEMO, WELCOME = "real", "demo", "welcome"


def cache_path(demo: bool) -> Path:
    return config.data_dir() / (DEMO_CACHE_FILE if demo else CACHE_FILE)


def demo_server_path(demo_cache: Path) -> Path:
    """The demo server's data file: beside the demo cache it goes with."""
    return Path(demo_cache).with_name(DEMO_SERVER_FILE)


def has_configured_keys() -> bool:
    """Cheap start-up check (no keyring call): env keys, or keys saved earlier in Settings."""
    if any(os.environ.get(name) for name in config.KEY_ENV.values()):
        return True
    return config.has_saved_keys()


def start_mode(*, demo_asked: bool, demo_chosen_before: bool) -> str:
    """What the window opens on: the demo when asked for (``--demo``), the real accounts when
    keys are set, the demo when it was chosen at an earlier start, else the welcome page."""
    if demo_asked:
        return DEMO
    if has_configured_keys():
        return REAL
    return DEMO if demo_chosen_before else WELCOME


def prepare_demo_cache() -> Path:
    """The demo cache's path, after resetting it when the demo server's data is not there."""
    path = cache_path(demo=True)
    if not demo_server_path(path).exists():
        for name in _DEMO_CACHE_FAMILY:
            for suffix in _SQLITE_SUFFIXES:
                (path.parent / f"{name}{suffix}").unlink(missing_ok=True)
    return path

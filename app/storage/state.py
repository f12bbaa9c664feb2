"""The state database: what Cabinet cannot fetch again, kept apart from the disposable cache.

``state.sqlite3`` (beside ``cache.sqlite3`` in the data folder) holds the list of known maps
and every component registered with ``database="state"`` (import jobs, their leases). The
cache can be deleted or rebuilt at any time; this file cannot, so it is written with
``synchronous=FULL`` and never moved aside by ``cabinet cache rebuild``.

A cache written by an older Cabinet kept these tables itself: the first time a state file is
made beside such a cache, their rows are copied over once (``adopt_legacy``).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from app.storage.errors import StorageError, database_error
from app.storage.files import SqliteFile, reading, write_transaction
from app.storage.schema import STATE_DB, migrate, register_component

KNOWN_MAP_SOURCES = ("created", "manual", "demo")
CACHE_FILE = "cache.sqlite3"  # the cache's name in the data folder; the state file sits beside it
_LEGACY_KNOWN_MAPS = "known_maps"

register_component("state", [
    "CREATE TABLE known_maps (map_id TEXT PRIMARY KEY, source TEXT NOT NULL DEFAULT 'manual',"
    " added_at TEXT NOT NULL);"
    "CREATE TABLE adopted (name TEXT PRIMARY KEY, adopted_at TEXT NOT NULL)",
], database=STATE_DB)


def state_path_for(cache_path: Path | str) -> Path:
    """The state file that goes with a cache file: ``cache.sqlite3`` → ``state.sqlite3``,
    ``demo-cache.sqlite3`` → ``demo-state.sqlite3``, ``x.sqlite3`` → ``x-state.sqlite3``."""
    path = Path(cache_path)
    stem = path.stem
    name = stem.replace("cache", "state") if "cache" in stem else f"{stem}-state"
    return path.with_name(name + (path.suffix or ".sqlite3"))


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class StateDB(SqliteFile):
    """The state file. ``connect()`` hands out connections (one per thread); the known-maps
    methods use one kept per thread."""

    DISPOSABLE = False  # what a cache rebuild must not lose

    def __init__(self, path: Path | str, *, legacy: Path | str | None = None) -> None:
        super().__init__(path)
        self.legacy = Path(legacy) if legacy is not None else None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = self._conn()
            if self.migratable:
                migrate(conn, database=STATE_DB)
            else:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # readable at all?
        except sqlite3.Error as exc:
            self.close()
            raise database_error(exc, self.path, disposable=False) from None
        except StorageError:  # connect() says which file already
            self.close()
            raise
        self.adopt_legacy(_LEGACY_KNOWN_MAPS, [_LEGACY_KNOWN_MAPS])

    @classmethod
    def beside(cls, cache_path: Path | str) -> StateDB:
        """The state database that goes with the cache at ``cache_path`` (adopting its old rows)."""
        return cls(state_path_for(cache_path), legacy=cache_path)

    def __repr__(self) -> str:
        return f"StateDB({str(self.path)!r})"

    # Durable: a commit is on disk when it returns.
    PRAGMAS = ("PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON")

    def transaction(self, conn: sqlite3.Connection | None = None) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction (nothing written on an exception; SQLite errors as StorageError)."""
        return write_transaction(conn if conn is not None else self._conn(), self.path, disposable=False)

    # -- the one-time move from an old cache -----------------------------------------------
    def adopt_legacy(self, name: str, tables: Sequence[str], conn: sqlite3.Connection | None = None) -> int:
        """Copy ``tables``' rows from the legacy cache once (recorded under ``name``); returns the
        number of rows copied. A legacy cache that is missing, damaged or lacks the tables is
        simply skipped: there is nothing to keep from it."""
        conn = conn if conn is not None else self._conn()
        if not self.migratable or conn.execute("SELECT 1 FROM adopted WHERE name = ?", (name,)).fetchone():
            return 0
        copied = 0
        legacy = self.legacy
        with self.transaction(conn):
            if legacy is not None and legacy.is_file():
                with contextlib.suppress(sqlite3.Error):
                    copied = self._copy_from(conn, legacy, tables)
            conn.execute("INSERT OR IGNORE INTO adopted(name, adopted_at) VALUES (?, ?)", (name, _now_iso()))
        return copied

    @staticmethod
    def _copy_from(conn: sqlite3.Connection, legacy: Path, tables: Sequence[str]) -> int:
        source = sqlite3.connect(f"{legacy.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
        copied = 0
        try:
            for table in tables:
                theirs = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
                ours = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
                columns = [c for c in ours if c in theirs]
                if not columns:
                    continue
                names = ", ".join(columns)
                marks = ", ".join("?" * len(columns))
                cur = source.execute(f"SELECT {names} FROM {table}")
                while rows := cur.fetchmany(1000):
                    conn.executemany(f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})", rows)
                    copied += len(rows)
        finally:
            source.close()
        return copied

    # -- known maps ---------------------------------------------------------------------------
    @reading
    def known_maps(self) -> list[dict]:
        """The maps Cabinet knows about: id, source and added_at, oldest first."""
        cur = self._conn().execute("SELECT map_id, source, added_at FROM known_maps ORDER BY added_at, map_id")
        return [{"id": r[0], "source": r[1], "added_at": r[2]} for r in cur]

    def add_known_map(self, map_id: str, source: str = "manual") -> None:
        self.check_writable()
        if source not in KNOWN_MAP_SOURCES:
            raise ValueError(f"unknown map source {source!r}; one of {', '.join(KNOWN_MAP_SOURCES)}")
        map_id = str(map_id).strip()
        if not map_id:
            raise ValueError("a map id cannot be empty")
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO known_maps(map_id, source, added_at) VALUES (?, ?, ?) "
                "ON CONFLICT(map_id) DO UPDATE SET source = excluded.source",
                (map_id, source, _now_iso()),
            )

    def remove_known_map(self, map_id: str) -> None:
        self.check_writable()
        with self.transaction() as conn:
            conn.execute("DELETE FROM known_maps WHERE map_id = ?", (map_id,))

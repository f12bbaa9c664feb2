"""One SQLite file used from several threads: a connection per thread, closed together."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path


class SqliteFile:
    """Hands out one connection per thread (``_conn()``), all closed by ``close()``.
    Subclasses say how a connection is opened (``connect()``)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)

    @property
    def closed(self) -> bool:
        """True once close() was called (deferred work checks this before reading)."""
        return self._closed

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError(f"'{self.path.name}' is closed")
        conn: sqlite3.Connection | None = self._local.__dict__.get("conn")
        if conn is None:
            conn = self.connect()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            conns, self._connections = self._connections, []
            self._closed = True
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()

"""One SQLite file used from several threads: a connection per thread, closed together."""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from app.storage.errors import ReadOnlyDatabaseError, database_error


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection, path: Path | str, *,
                      disposable: bool = True) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT; on any exception nothing is written. A SQLite failure comes
    out as a StorageError that names the file (a full disk says so: SQLite has already undone
    the transaction then, and a second ROLLBACK would only hide why)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        raise database_error(exc, path, disposable=disposable) from None


SIDE_FILES = ("-wal", "-shm", "-journal")

_File = TypeVar("_File", bound="SqliteFile")
_Args = ParamSpec("_Args")
_Result = TypeVar("_Result")


def reading(method: Callable[Concatenate[_File, _Args], _Result]) -> Callable[Concatenate[_File, _Args], _Result]:
    """A method that reads its file: a SQLite failure comes out as the StorageError that names
    the file and says what to do (a damaged file as DatabaseDamagedError), as a write's does."""

    @functools.wraps(method)
    def read(self: _File, /, *args: _Args.args, **kwargs: _Args.kwargs) -> _Result:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise database_error(exc, self.path, disposable=self.DISPOSABLE) from None

    return read


def move_aside(path: Path | str, now: float | None = None) -> Path | None:
    """Move a (damaged) database file — or whatever is in its place, a folder too — aside with
    a timestamp, its -wal/-shm files along; returns where it went (None when nothing was there)."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    os.replace(path, target)
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def _folder_read_only(path: Path) -> bool:
    """True when the file (or the folder it would be made in) cannot be written."""
    folder = path.parent
    if not folder.is_dir():
        return False  # made when the file is opened; a problem then is reported then
    return not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))


class SqliteFile:
    """Hands out one connection per thread (``_conn()``), all closed by ``close()``.

    A file in a read-only folder opens read-only (``read_only``): reading works, a write raises
    ReadOnlyDatabaseError, which says why. When such a file does not exist yet, an empty
    database in memory stands in for it (``ephemeral``). Subclasses add their ``PRAGMAS``."""

    PRAGMAS: tuple[str, ...] = ()
    DISPOSABLE = True  # a damaged file may be moved aside and filled afresh (the cache, not the state)

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._closed = False
        self.read_only = _folder_read_only(self.path)
        self.ephemeral = self.read_only and not self.path.exists()
        self._memory = f"file:cabinet-{id(self):x}-{self.path.name}?mode=memory&cache=shared"

    @reading
    def connect(self) -> sqlite3.Connection:
        """A new connection (use one per thread; close it when done)."""
        if self.ephemeral:
            conn = sqlite3.connect(self._memory, uri=True, timeout=30.0, isolation_level=None,
                                   check_same_thread=False)
        elif self.read_only:
            # immutable: no -wal/-shm file can be made beside it, and nobody writes it meanwhile
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                   timeout=30.0, isolation_level=None, check_same_thread=False)
        else:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
        for pragma in self.PRAGMAS:
            conn.execute(pragma)
        return conn

    @property
    def migratable(self) -> bool:
        """Whether the schema may be brought up to date (a read-only file is read as it is)."""
        return not self.read_only or self.ephemeral

    def check_writable(self) -> None:
        """Raise ReadOnlyDatabaseError (which says why and what to do) when nothing can be saved."""
        if self.read_only:
            raise ReadOnlyDatabaseError(self.path)

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

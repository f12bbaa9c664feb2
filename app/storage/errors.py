"""What can go wrong with Cabinet's database files, in words a person can act on.

``database_error(exc, path)`` turns a ``sqlite3`` error into one of these: a damaged file
(which one, and ``cabinet cache rebuild``), a read-only file or folder, a full disk.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.core.errors import CabinetError

REBUILD_COMMAND = "cabinet cache rebuild"


class StorageError(CabinetError):
    """A database file cannot be used as asked."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        super().__init__(message)


class DatabaseDamagedError(StorageError):
    """The file is not a database Cabinet can read (truncated, garbage, a folder in its place)."""

    def __init__(self, path: Path | str, reason: str, *, disposable: bool = True) -> None:
        self.reason = reason
        self.disposable = disposable
        what = "The offline cache" if disposable else "Cabinet's state database"
        advice = (
            f"Rebuild it with '{REBUILD_COMMAND}' (or the Rebuild button in the app): the damaged "
            "file is moved aside and the cache is filled afresh from the services; import jobs and "
            "the list of known maps are kept apart and are not lost."
            if disposable else
            "Move the file aside (import jobs and the list of known maps in it are lost) and start "
            "Cabinet again, or restore it from a backup."
        )
        super().__init__(path, f"{what} {str(path)!r} cannot be read ({reason}). {advice}")


class ReadOnlyDatabaseError(StorageError):
    """The file or its folder may not be written: reading works, writing does not."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path,
            f"Cabinet's data folder '{Path(path).parent}' is read-only: browsing and export work, "
            "but nothing can be saved (no sync, no edits, no imports). Make the folder writable, or "
            "point CABINET_DATA_DIR at a writable folder.",
        )


class DiskFullError(StorageError):
    """The disk (or the database's size limit) is full; the change was rolled back."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(
            path,
            f"The disk is full: '{path}' could not be written, and nothing was half-written "
            "(the change was undone). Free some space and try again.",
        )


def database_error(exc: sqlite3.Error, path: Path | str, *, disposable: bool = True) -> StorageError:
    """The StorageError that says what ``exc`` means for the file at ``path``."""
    code = exc.sqlite_errorcode  # the SQLite result code (None for errors Python raises itself)
    primary = code & 0xFF if code is not None else None
    text = str(exc)
    if primary == sqlite3.SQLITE_FULL or "database or disk is full" in text:
        return DiskFullError(path)
    if primary == sqlite3.SQLITE_READONLY or "readonly database" in text:
        return ReadOnlyDatabaseError(path)
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or "malformed" in text \
            or "not a database" in text:
        return DatabaseDamagedError(path, text, disposable=disposable)
    if primary == sqlite3.SQLITE_CANTOPEN or "unable to open" in text:
        reason = "a folder is in its place" if Path(path).is_dir() else text
        return DatabaseDamagedError(path, reason, disposable=disposable)
    if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StorageError(path, f"'{path}' is busy: another Cabinet is writing to it. Try again in a moment.")
    return StorageError(path, f"'{path}' could not be used: {text}")

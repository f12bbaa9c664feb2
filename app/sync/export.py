"""Write cached records as CSV (columns = the API's field names; cells formula-safe) or JSON."""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from app.core.csvsafe import neutralise, neutralise_row


def columns_of(rows: Iterable[dict[str, Any]]) -> list[str]:
    """Every field that occurs, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def cell(value: Any) -> str:
    """A CSV cell: lists/objects and booleans as JSON, None as empty, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, bool | list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def write_export(fh: TextIO, rows: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        json.dump(rows, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
        return
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}")
    cols = columns_of(rows)
    writer = csv.writer(fh, lineterminator="\n")
    if cols:
        writer.writerow(neutralise_row(cols))
    for row in rows:
        writer.writerow([neutralise(cell(row.get(c))) for c in cols])


class ExportError(OSError):
    """The export file cannot be written; ``str()`` says why and what to do."""


def _why(path: str, exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return f"the disk is full: '{path}' could not be written (nothing was left half-written). Free some space."
    if exc.errno == errno.EROFS:
        return f"'{path}' is on a read-only disk. Choose another place with -o."
    if isinstance(exc, PermissionError):
        return f"you may not write '{path}'. Choose another place with -o."
    if isinstance(exc, IsADirectoryError):
        return f"'{path}' is a folder. Give a file name with -o, e.g. -o {Path(path) / 'export.csv'}."
    if isinstance(exc, FileNotFoundError):
        return f"the folder of '{path}' does not exist. Create it, or choose another place with -o."
    return f"'{path}' could not be written: {exc.strerror or exc}."


def write_export_file(path: str, rows: list[dict[str, Any]], fmt: str) -> None:
    """Write the export to ``path``: a regular file is written beside it first and then moved
    into place, so a failure (a full disk) leaves nothing half-written; a device or a pipe is
    written directly. Raises ExportError."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise ExportError(_why(path, exc)) from None
    try:
        if mode is not None and stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", path)
        if mode is not None and not stat.S_ISREG(mode):
            with open(path, "w", encoding="utf-8", newline="") as fh:
                write_export(fh, rows, fmt)
            return
        target = Path(path)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                write_export(fh, rows, fmt)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except OSError as exc:
        raise ExportError(_why(path, exc)) from None

"""A listing's rows on disk while it is read: memory does not grow with the number of pages.

A sync reads a paginated listing page by page and replaces the cached set in one transaction
at the end (a failed listing leaves the previous contents). Between the two, the rows wait
here, one JSON line each, in an unnamed temporary file beside the cache (the same disk the
cache is written to, never a RAM-backed /tmp): the file is gone as soon as it is closed, and
with the process if it dies.
"""

from __future__ import annotations

import errno
import json
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from app.storage.errors import DiskFullError, StorageError


class RowSpool:
    """Rows appended with ``put`` (any thread, one at a time), read back in order by iterating."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        try:
            self._file: IO[bytes] = tempfile.TemporaryFile(dir=self.folder, prefix="cabinet-listing-")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise _spool_error(exc, self.folder) from None
        self.count = 0

    def put(self, rows: Sequence[dict[str, Any]]) -> None:
        lines = b"".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
                         for row in rows)
        try:
            self._file.write(lines)
        except OSError as exc:
            raise _spool_error(exc, self.folder) from None
        self.count += len(rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The rows put so far, in order (read from the start, a line at a time)."""
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield json.loads(line)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RowSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _spool_error(exc: OSError, folder: Path) -> StorageError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFullError(folder / "cabinet-listing (temporary)")
    return StorageError(folder, f"Cabinet could not keep a listing in '{folder}' while reading it: "
                                f"{exc.strerror or exc}. Check that the folder is writable and has room.")

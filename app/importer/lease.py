"""One runner per import job: a lease in the state database, taken before any batch is sent.

The lease names its holder (host, process id, the process's start) and lives until
``expires_at``; the runner renews it (``heartbeat``) every few seconds while it works, and
gives it up when it stops. Another process — the command line, the app, on this machine or
another one sharing the data folder — finds the lease and leaves the job alone, saying who
holds it and since when. A lease whose holder died is taken over: at once when the holder
was a process on this machine that no longer runs, else once it has expired (a crashed
process on another machine stops renewing it).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import CabinetError

LEASE_TTL = 30.0  # seconds a lease lives without a heartbeat
HEARTBEAT = LEASE_TTL / 6  # how often a runner renews its lease

MIGRATION = """
CREATE TABLE IF NOT EXISTS import_leases (
    job_id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    start TEXT NOT NULL DEFAULT '',
    acquired_at REAL NOT NULL,
    heartbeat_at REAL NOT NULL,
    expires_at REAL NOT NULL
)
"""


def _process_start(pid: int) -> str:
    """An opaque mark of when process ``pid`` started ('' where the system does not say), so a
    process id used again by another program is not taken for the holder."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""  # field 22 of the whole line: starttime


def _process_state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[0] if fields else ""


@dataclass(frozen=True)
class Owner:
    """Who runs a job: a runner (``runner``, a token of its own) in a process on a host. Two
    runners of one process are two owners: one of them is refused."""

    host: str
    pid: int
    start: str
    runner: str = ""

    @property
    def key(self) -> str:
        return f"{self.host}:{self.pid}:{self.start}:{self.runner}"

    @classmethod
    def this_process(cls) -> Owner:
        """A new owner in this process (each runner makes its own)."""
        pid = os.getpid()
        return cls(socket.gethostname(), pid, _process_start(pid), uuid.uuid4().hex[:12])

    def is_gone(self) -> bool:
        """True when this owner is a process of this machine that no longer runs."""
        if self.host != socket.gethostname() or self.pid <= 0:
            return False
        if self.pid == os.getpid():
            return self.start != _process_start(self.pid)
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass  # another user's process: it runs
        if _process_state(self.pid) in ("Z", "X"):
            return True  # killed, not yet reaped by its parent
        return bool(self.start) and _process_start(self.pid) != self.start

    def describe(self) -> str:
        here = self.host == socket.gethostname()
        return f"process {self.pid} on {'this computer' if here else self.host}"


@dataclass(frozen=True)
class Holder:
    """The lease another runner holds on a job."""

    job_id: str
    owner: Owner
    acquired_at: float
    heartbeat_at: float
    expires_at: float

    def describe(self, now: float | None = None) -> str:
        now = time.time() if now is None else now
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.acquired_at))
        heard = max(0.0, now - self.heartbeat_at)
        return (f"import job {self.job_id} is being run by {self.owner.describe()} since {since} "
                f"(last heard from {heard:.0f} s ago)")


class JobHeldError(CabinetError):
    """Another runner holds the job's lease: nothing was sent."""

    def __init__(self, holder: Holder) -> None:
        self.holder = holder
        super().__init__(
            f"{holder.describe()}. Nothing was sent. Wait for it to finish (or pass --wait), or "
            f"stop that process; if it has died, the job can be taken over after "
            f"{time.strftime('%H:%M:%S', time.localtime(holder.expires_at))}."
        )


class LeaseLostError(CabinetError):
    """This runner's lease was taken over (it went unrenewed past its expiry)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(
            f"Import job {job_id} was taken over by another runner after this one went quiet for "
            f"over {LEASE_TTL:.0f} s; this one stopped before sending anything more."
        )


_COLUMNS = "job_id, host, pid, start, acquired_at, heartbeat_at, expires_at"
_READ = f"SELECT {_COLUMNS}, owner FROM import_leases WHERE job_id = ?"


def current_holder(conn: sqlite3.Connection, job_id: str, now: float | None = None) -> Holder | None:
    """The live lease on the job, if any (an expired one, or one of a dead process, is none)."""
    now = time.time() if now is None else now
    row = conn.execute(_READ, (job_id,)).fetchone()
    if row is None:
        return None
    job, host, pid, start, acquired, heartbeat, expires, key = tuple(row)
    owner = Owner(host, int(pid), start, str(key).rsplit(":", 1)[-1] if str(key).count(":") >= 3 else "")
    holder = Holder(job, owner, acquired, heartbeat, expires)
    if holder.expires_at <= now or holder.owner.is_gone():
        return None
    return holder


def acquire(conn: sqlite3.Connection, job_id: str, owner: Owner, *, ttl: float = LEASE_TTL,
            now: float | None = None) -> Holder | None:
    """Take the job's lease for ``owner``: None when it is ours now, else the live holder.
    Call inside a write transaction (BEGIN IMMEDIATE), so that two runners cannot both take it."""
    now = time.time() if now is None else now
    holder = current_holder(conn, job_id, now)
    if holder is not None and holder.owner != owner:
        return holder
    acquired = holder.acquired_at if holder is not None else now
    conn.execute(
        f"INSERT OR REPLACE INTO import_leases(owner, {_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
        (owner.key, job_id, owner.host, owner.pid, owner.start, acquired, now, now + ttl),
    )
    return None


def renew(conn: sqlite3.Connection, job_id: str, owner: Owner, *, ttl: float = LEASE_TTL,
          now: float | None = None) -> bool:
    """Extend our lease; False when it is no longer ours (taken over after it expired)."""
    now = time.time() if now is None else now
    cur = conn.execute("UPDATE import_leases SET heartbeat_at = ?, expires_at = ? WHERE job_id = ? AND owner = ?",
                       (now, now + ttl, job_id, owner.key))
    return cur.rowcount == 1


def release(conn: sqlite3.Connection, job_id: str, owner: Owner) -> None:
    conn.execute("DELETE FROM import_leases WHERE job_id = ? AND owner = ?", (job_id, owner.key))

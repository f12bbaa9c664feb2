"""Import jobs in the state database: the job, its batches, its rows and their states.

Jobs live in ``state.sqlite3`` (storage/state.py), apart from the disposable cache, so a
cache rebuild loses none of them; jobs an older Cabinet kept in the cache are adopted once.

A job holds everything needed to finish it without the source file: the parsed valid rows
(their bulk payloads and fingerprints), the rows rejected before sending, the mapping and
parse options, the target map. Rows are grouped in batches of at most 100; a batch's state
moves ``pending → sending → created → done`` (``done`` once its layer memberships are set),
or to ``unknown`` when a request went out and no answer came back (reconciled before
anything is sent again), or ``rejected`` when the server refused it.

Every state change is its own committed transaction with ``synchronous=FULL``, so what the
runner wrote before a crash is on disk after it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from app.core.registry import BULK_LIMIT
from app.importer import lease
from app.importer.lease import Holder, Owner
from app.services.config import data_dir
from app.storage.files import write_transaction
from app.storage.schema import STATE_DB, migrate_component, register_component
from app.storage.state import CACHE_FILE, StateDB

BATCH_SIZE = BULK_LIMIT
_WRITE_CHUNK = 1000  # rows written per statement while a job is stored

# Job states.
QUEUED, RUNNING, PAUSED, WAITING, CANCELLED, FAILED, DONE = (
    "queued", "running", "paused", "waiting", "cancelled", "failed", "done",
)
JOB_STATES = (QUEUED, RUNNING, PAUSED, WAITING, CANCELLED, FAILED, DONE)
FINISHED_STATES = (CANCELLED, DONE)
UNFINISHED_STATES = (QUEUED, RUNNING, PAUSED, WAITING, FAILED)

# Batch states.
B_PENDING, B_SENDING, B_UNKNOWN, B_CREATED, B_DONE, B_REJECTED = (
    "pending", "sending", "unknown", "created", "done", "rejected",
)

_COUNT_CREATED = ("UPDATE import_jobs SET rows_created = (SELECT COUNT(*) FROM import_rows r"
                  " WHERE r.job_id = import_jobs.id AND r.location_id IS NOT NULL)")

MIGRATIONS = [
    """
    CREATE TABLE IF NOT EXISTS import_jobs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        map_id TEXT NOT NULL,
        file_path TEXT NOT NULL DEFAULT '',
        file_fingerprint TEXT NOT NULL DEFAULT '',
        mapping TEXT NOT NULL DEFAULT '{}',
        options TEXT NOT NULL DEFAULT '{}',
        state TEXT NOT NULL DEFAULT 'queued',
        wait_until REAL,
        error TEXT,
        total_rows INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        finished_at REAL
    );
    CREATE TABLE IF NOT EXISTS import_batches (
        job_id TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        sent_at REAL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (job_id, seq)
    );
    CREATE TABLE IF NOT EXISTS import_rows (
        job_id TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        line INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        payload TEXT NOT NULL,
        layer_ids TEXT NOT NULL DEFAULT '[]',
        location_id TEXT,
        layers_done INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (job_id, seq, idx)
    );
    CREATE TABLE IF NOT EXISTS import_rejected (
        job_id TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
        line INTEGER NOT NULL,
        error TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT 'client',
        row TEXT
    );
    CREATE INDEX IF NOT EXISTS import_rejected_job ON import_rejected(job_id);
    CREATE TABLE IF NOT EXISTS import_baseline (
        job_id TEXT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
        location_id TEXT NOT NULL,
        PRIMARY KEY (job_id, location_id)
    )
    """,
    # v2: one runner per job (its lease), when a batch's request can no longer land, and a count
    # of created rows kept with the job (a million-row job is not counted per event).
    lease.MIGRATION + """;
    ALTER TABLE import_batches ADD COLUMN land_by REAL;
    ALTER TABLE import_jobs ADD COLUMN rows_created INTEGER NOT NULL DEFAULT 0;
    """ + _COUNT_CREATED,
]

register_component("importer", MIGRATIONS, database=STATE_DB)

# Adopted from a cache written by an older Cabinet, parents before children.
_TABLES = ("import_jobs", "import_batches", "import_rows", "import_rejected", "import_baseline")


@dataclass
class JobRow:
    """One valid row to import: its bulk payload (API field names) and where it came from."""

    line: int
    fingerprint: str
    payload: dict[str, Any]
    layer_ids: list[str] = field(default_factory=list)


@dataclass
class RowState:
    seq: int
    idx: int
    line: int
    fingerprint: str
    payload: dict[str, Any]
    layer_ids: list[str]
    location_id: str | None
    layers_done: bool


@dataclass
class BatchInfo:
    seq: int
    state: str
    attempts: int
    error: str | None
    rows: int


@dataclass
class JobInfo:
    id: str
    name: str
    map_id: str
    file_path: str
    file_fingerprint: str
    mapping: dict[str, Any]
    options: dict[str, Any]
    state: str
    wait_until: float | None
    error: str | None
    total_rows: int
    skipped: int
    created_at: float
    updated_at: float
    finished_at: float | None
    batches_total: int = 0
    batches_confirmed: int = 0
    rows_created: int = 0
    rejected: int = 0

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "map": self.map_id, "file": self.file_path,
            "state": self.state, "wait_until": self.wait_until, "error": self.error,
            "rows": self.total_rows, "created": self.rows_created, "skipped": self.skipped,
            "rejected": self.rejected, "batches": self.batches_total,
            "batches_confirmed": self.batches_confirmed,
            "created_at": self.created_at, "updated_at": self.updated_at,
        }


StoreTarget = StateDB | sqlite3.Connection | str | Path


def _connect(target: StoreTarget) -> sqlite3.Connection:
    if isinstance(target, sqlite3.Connection):
        return target
    if isinstance(target, StateDB):
        return target.connect()
    return sqlite3.connect(str(target), timeout=30.0)


class JobStore:
    """Reads and writes import jobs. One store per thread (it holds one sqlite3 connection).

    ``target``: the state database (the app and the command line), or a file or connection
    of its own (tests, benchmarks)."""

    def __init__(self, target: StoreTarget) -> None:
        self.conn = _connect(target)
        self.path = Path(self.conn.execute("PRAGMA database_list").fetchone()[2] or ":memory:")
        self.conn.row_factory = sqlite3.Row
        self.conn.isolation_level = None  # explicit transactions (see _tx)
        # Durability over speed: a commit is on disk when it returns.
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        if isinstance(target, StateDB) and not target.migratable:
            # A read-only data folder: the jobs are read as they are (none when it has no table).
            if self.conn.execute("SELECT 1 FROM sqlite_master WHERE name='import_jobs'").fetchone():
                return
            self.conn.close()
            self.conn = sqlite3.connect(":memory:", isolation_level=None)
            self.conn.row_factory = sqlite3.Row
        migrate_component(self.conn, "importer", MIGRATIONS)
        if isinstance(target, StateDB) and target.adopt_legacy("importer", _TABLES, conn=self.conn):
            with self._tx():  # an older cache kept no count of created rows: count them once
                self.conn.execute(_COUNT_CREATED)

    def close(self) -> None:
        self.conn.close()

    def reopen(self) -> JobStore:
        """Another store on the same file, for another thread (one store per thread)."""
        return JobStore(str(self.path))

    def _tx(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One transaction, committed (and synced) on exit, nothing written on an exception;
        SQLite's errors come out as StorageError (a full disk says so)."""
        return write_transaction(self.conn, self.path, disposable=False)

    # ---- creation -------------------------------------------------------------------------
    def create_job(
        self,
        *,
        map_id: str,
        rows: Iterable[JobRow],
        rejected: Iterable[dict[str, Any]] = (),
        file_path: str = "",
        file_fingerprint: str = "",
        mapping: dict[str, Any] | None = None,
        options: dict[str, Any] | None = None,
        skipped: int | Callable[[], int] = 0,
        baseline_ids: Iterable[str] = (),
        name: str = "",
        batch_size: int = BATCH_SIZE,
    ) -> str:
        """Store a new job (state ``queued``) with its rows split into batches, in one
        transaction; returns its id. ``rows`` may be a stream (written a chunk at a time, never
        held); ``skipped`` may be a count known only once the stream is read."""
        if not 1 <= batch_size <= BATCH_SIZE:
            raise ValueError(f"batch size must be 1..{BATCH_SIZE}")
        job_id = "job_" + uuid.uuid4().hex[:12]
        now = time.time()
        with self._tx():
            self.conn.execute(
                "INSERT INTO import_jobs(id, name, map_id, file_path, file_fingerprint, mapping, options,"
                " state, total_rows, skipped, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (job_id, name or Path(file_path).name, map_id, file_path, file_fingerprint,
                 json.dumps(mapping or {}), json.dumps(options or {}), QUEUED, 0, 0, now, now),
            )
            total = 0
            for part in _chunked(rows, _WRITE_CHUNK):
                self.conn.executemany(
                    "INSERT INTO import_rows(job_id, seq, idx, line, fingerprint, payload, layer_ids)"
                    " VALUES (?,?,?,?,?,?,?)",
                    [(job_id, i // batch_size, i % batch_size, r.line, r.fingerprint,
                      json.dumps(r.payload, ensure_ascii=False), json.dumps(list(r.layer_ids)))
                     for i, r in enumerate(part, start=total)],
                )
                total += len(part)
            nbatches = (total + batch_size - 1) // batch_size
            self.conn.executemany(
                "INSERT INTO import_batches(job_id, seq, state, updated_at) VALUES (?,?,?,?)",
                ((job_id, seq, B_PENDING, now) for seq in range(nbatches)),
            )
            self.conn.executemany(
                "INSERT INTO import_rejected(job_id, line, error, source, row) VALUES (?,?,?,?,?)",
                ((job_id, int(r.get("line", 0)), str(r.get("error", "")), r.get("source", "client"),
                  json.dumps(r["row"], ensure_ascii=False) if r.get("row") is not None else None)
                 for r in rejected),
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO import_baseline(job_id, location_id) VALUES (?,?)",
                ((job_id, lid) for lid in baseline_ids),
            )
            self.conn.execute(
                "UPDATE import_jobs SET total_rows=?, skipped=? WHERE id=?",
                (total, skipped() if callable(skipped) else skipped, job_id),
            )
        return job_id

    # ---- jobs -----------------------------------------------------------------------------
    def _job_from_row(self, r: sqlite3.Row) -> JobInfo:
        info = JobInfo(
            id=r["id"], name=r["name"], map_id=r["map_id"], file_path=r["file_path"],
            file_fingerprint=r["file_fingerprint"], mapping=json.loads(r["mapping"]),
            options=json.loads(r["options"]), state=r["state"], wait_until=r["wait_until"],
            error=r["error"], total_rows=r["total_rows"], skipped=r["skipped"],
            created_at=r["created_at"], updated_at=r["updated_at"], finished_at=r["finished_at"],
        )
        c = self.conn.execute(
            "SELECT COUNT(*), SUM(state IN ('created','done','rejected')) FROM import_batches WHERE job_id=?",
            (info.id,),
        ).fetchone()
        info.batches_total, info.batches_confirmed = int(c[0] or 0), int(c[1] or 0)
        info.rows_created = int(r["rows_created"])
        info.rejected = int(self.conn.execute(
            "SELECT COUNT(*) FROM import_rejected WHERE job_id=?", (info.id,)
        ).fetchone()[0])
        return info

    def get_job(self, job_id: str) -> JobInfo | None:
        r = self.conn.execute("SELECT * FROM import_jobs WHERE id=?", (job_id,)).fetchone()
        return self._job_from_row(r) if r else None

    def list_jobs(self, states: Sequence[str] | None = None) -> list[JobInfo]:
        """Jobs newest first, optionally only those in the given states."""
        sql = "SELECT * FROM import_jobs"
        params: list[Any] = []
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
            params.extend(states)
        sql += " ORDER BY created_at DESC, rowid DESC"
        return [self._job_from_row(r) for r in self.conn.execute(sql, params).fetchall()]

    def set_job_state(
        self, job_id: str, state: str, *, error: str | None = None, wait_until: float | None = None
    ) -> None:
        if state not in JOB_STATES:
            raise ValueError(f"unknown job state {state!r}")
        now = time.time()
        with self._tx():
            self.conn.execute(
                "UPDATE import_jobs SET state=?, error=?, wait_until=?, updated_at=?,"
                " finished_at=CASE WHEN ? IN ('done','cancelled') THEN ? ELSE finished_at END WHERE id=?",
                (state, error, wait_until, now, state, now, job_id),
            )

    def delete_job(self, job_id: str) -> None:
        with self._tx():
            for table in ("import_rows", "import_batches", "import_rejected", "import_baseline", "import_leases"):
                self.conn.execute(f"DELETE FROM {table} WHERE job_id=?", (job_id,))
            self.conn.execute("DELETE FROM import_jobs WHERE id=?", (job_id,))

    # ---- batches and rows -----------------------------------------------------------------
    def batches(self, job_id: str) -> list[BatchInfo]:
        rows = self.conn.execute(
            "SELECT b.seq, b.state, b.attempts, b.error, (SELECT COUNT(*) FROM import_rows r"
            " WHERE r.job_id=b.job_id AND r.seq=b.seq) AS n FROM import_batches b WHERE b.job_id=?"
            " ORDER BY b.seq", (job_id,),
        ).fetchall()
        return [BatchInfo(r["seq"], r["state"], r["attempts"], r["error"], r["n"]) for r in rows]

    def land_by(self, job_id: str, seqs: Sequence[int]) -> float:
        """When the last request of these batches can no longer land (0 when none went out)."""
        if not seqs:
            return 0.0
        marks = ",".join("?" * len(seqs))
        r = self.conn.execute(
            f"SELECT max(coalesce(land_by, sent_at)) FROM import_batches WHERE job_id=? AND seq IN ({marks})",
            (job_id, *seqs),
        ).fetchone()
        return float(r[0] or 0.0)

    # ---- the runner's lease -----------------------------------------------------------------
    def acquire_lease(self, job_id: str, owner: Owner, *, ttl: float = lease.LEASE_TTL) -> Holder | None:
        """Take the job for ``owner``: None when it is ours, else who holds it."""
        with self._tx():
            return lease.acquire(self.conn, job_id, owner, ttl=ttl)

    def renew_lease(self, job_id: str, owner: Owner, *, ttl: float = lease.LEASE_TTL) -> bool:
        return lease.renew(self.conn, job_id, owner, ttl=ttl)

    def release_lease(self, job_id: str, owner: Owner) -> None:
        lease.release(self.conn, job_id, owner)

    def lease_holder(self, job_id: str) -> Holder | None:
        """Who runs the job now (None when nobody does)."""
        return lease.current_holder(self.conn, job_id)

    def batch_state(self, job_id: str, seq: int) -> str | None:
        r = self.conn.execute(
            "SELECT state FROM import_batches WHERE job_id=? AND seq=?", (job_id, seq)
        ).fetchone()
        return r[0] if r else None

    def batch_rows(self, job_id: str, seq: int) -> list[RowState]:
        return self._rows("WHERE job_id=? AND seq=? ORDER BY idx", (job_id, seq))

    def all_rows(self, job_id: str) -> list[RowState]:
        return self._rows("WHERE job_id=? ORDER BY seq, idx", (job_id,))

    def _rows(self, where: str, params: tuple[Any, ...]) -> list[RowState]:
        return [
            RowState(r["seq"], r["idx"], r["line"], r["fingerprint"], json.loads(r["payload"]),
                     json.loads(r["layer_ids"]), r["location_id"], bool(r["layers_done"]))
            for r in self.conn.execute(
                "SELECT seq, idx, line, fingerprint, payload, layer_ids, location_id, layers_done"
                f" FROM import_rows {where}", params,
            ).fetchall()
        ]

    def set_batch_state(self, job_id: str, seq: int, state: str, *, error: str | None = None,
                        sending: bool = False, deadline: float = 0.0) -> None:
        """``sending``: the request goes out now; it can land until ``deadline`` seconds later."""
        now = time.time()
        with self._tx():
            if sending:
                self.conn.execute(
                    "UPDATE import_batches SET state=?, error=?, attempts=attempts+1, sent_at=?, land_by=?,"
                    " updated_at=? WHERE job_id=? AND seq=?", (state, error, now, now + deadline, now, job_id, seq),
                )
            else:
                self.conn.execute(
                    "UPDATE import_batches SET state=?, error=?, updated_at=? WHERE job_id=? AND seq=?",
                    (state, error, now, job_id, seq),
                )

    def record_created(self, job_id: str, seq: int, ids_by_idx: dict[int, str], *,
                       state: str | None = B_CREATED) -> None:
        """Record the location ids of rows of a batch (and, with ``state``, the batch's state)."""
        now = time.time()
        with self._tx():
            cur = self.conn.executemany(
                "UPDATE import_rows SET location_id=? WHERE job_id=? AND seq=? AND idx=? AND location_id IS NULL",
                [(lid, job_id, seq, idx) for idx, lid in ids_by_idx.items()],
            )
            if cur.rowcount > 0:
                self.conn.execute("UPDATE import_jobs SET rows_created = rows_created + ? WHERE id=?",
                                  (cur.rowcount, job_id))
            if state is not None:
                self.conn.execute(
                    "UPDATE import_batches SET state=?, error=NULL, updated_at=? WHERE job_id=? AND seq=?",
                    (state, now, job_id, seq),
                )

    def mark_layers_done(self, job_id: str, seq: int, idx: int) -> None:
        with self._tx():
            self.conn.execute(
                "UPDATE import_rows SET layers_done=1 WHERE job_id=? AND seq=? AND idx=?", (job_id, seq, idx)
            )

    def reject_rows(self, job_id: str, seq: int, rejected: dict[int, str]) -> None:
        """Take rows out of a batch (the server refused them) and list them as rejected."""
        with self._tx():
            for idx, error in rejected.items():
                r = self.conn.execute(
                    "SELECT line, payload FROM import_rows WHERE job_id=? AND seq=? AND idx=?",
                    (job_id, seq, idx),
                ).fetchone()
                if r is None:
                    continue
                self.conn.execute(
                    "INSERT INTO import_rejected(job_id, line, error, source, row) VALUES (?,?,?,?,?)",
                    (job_id, r["line"], error, "server", r["payload"]),
                )
                self.conn.execute(
                    "DELETE FROM import_rows WHERE job_id=? AND seq=? AND idx=?", (job_id, seq, idx)
                )

    def rejected(self, job_id: str) -> list[dict[str, Any]]:
        return [
            {"line": r["line"], "error": r["error"], "source": r["source"],
             **({"row": json.loads(r["row"])} if r["row"] else {})}
            for r in self.conn.execute(
                "SELECT line, error, source, row FROM import_rejected WHERE job_id=? ORDER BY line, rowid",
                (job_id,),
            ).fetchall()
        ]

    def created_ids(self, job_id: str) -> set[str]:
        return {
            r[0] for r in self.conn.execute(
                "SELECT location_id FROM import_rows WHERE job_id=? AND location_id IS NOT NULL", (job_id,)
            ).fetchall()
        }

    def baseline_ids(self, job_id: str) -> set[str]:
        return {
            r[0] for r in self.conn.execute(
                "SELECT location_id FROM import_baseline WHERE job_id=?", (job_id,)
            ).fetchall()
        }


def _chunked(rows: Iterable[JobRow], size: int) -> Iterator[list[JobRow]]:
    it = iter(rows)
    while part := list(islice(it, size)):
        yield part


def open_store(state: StateDB | None = None) -> JobStore:
    """A JobStore on the state database (``data_dir()/state.sqlite3`` by default)."""
    return JobStore(state if state is not None else StateDB.beside(data_dir() / CACHE_FILE))

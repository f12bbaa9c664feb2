"""The import job runner: sends a job's batches, paced, resumable, cancellable.

Public API (used by the GUI wizard and by ``cabinet import``)::

    plan = await plan_import(client, map_id, rows)          # existing rows, taxonomy matches
    plan.existing_count; plan.taxonomy.missing_categories    # ... ask the person
    job_id = await create_import_job(store, client, plan, skip_existing=True,
                                     create_missing_taxonomy=True, rejected=[...], ...)
    runner = JobRunner(store, client, job_id, progress=callback)   # callback(JobProgress)
    summary = await runner.run()        # runner.pause() / .resume() / .cancel() meanwhile
    resumable_jobs(cache)               # jobs to continue at start

Rules: one runner per job — ``run()`` takes the job's lease (importer/lease.py) before
anything is sent and raises JobHeldError when another process holds it. Before a batch goes
out it is committed as "sending", with the time by which its request can no longer land
(now + the client's total request deadline); after the answer, "created" with the location
ids. A batch found "sending" or "unknown" is reconciled against the map's locations before
anything else is sent — only once its request can no longer land, so a request still in
flight (held by a slow proxy when the sender died) is never sent again. Pacing follows the
bulk bucket's headers and 429s.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import (
    CabinetError,
    OutcomeUnknownError,
    RateLimitedError,
    RequestValidationError,
    ResponseFormatError,
    ServerError,
)
from app.importer import jobs as J
from app.importer.jobs import JobInfo, JobStore, StoreTarget
from app.importer.lease import HEARTBEAT, LEASE_TTL, JobHeldError, LeaseLostError, Owner
from app.importer.pacing import Pacer
from app.importer.ports import ImportClient
from app.importer.reconcile import Existing, find_existing, index_map, match_batch
from app.importer.taxonomy import SourceRow, TaxonomyPlan, build_job_rows, create_missing, plan_taxonomy


@dataclass
class JobProgress:
    """One progress event: what the GUI's progress bar, countdown and status bar show."""

    job_id: str
    state: str
    batches_sent: int  # confirmed: created, done or rejected
    batches_total: int
    rows_created: int
    rows_total: int
    rejected: int
    wait_until: float | None = None  # epoch seconds of the next allowed batch while waiting
    message: str = ""

    @property
    def wait_seconds(self) -> float:
        return max(0.0, self.wait_until - time.time()) if self.wait_until else 0.0


@dataclass
class JobSummary:
    job_id: str
    state: str
    created: int
    skipped: int
    rejected: list[dict[str, Any]]
    batches: int
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "job": self.job_id, "state": self.state, "created": self.created, "skipped": self.skipped,
            "rejected": [{"line": r["line"], "error": r["error"]} for r in self.rejected],
            "batches": self.batches,
        }
        if self.error:
            out["error"] = self.error
        return out


def summarize(store: JobStore, job_id: str) -> JobSummary:
    info = store.get_job(job_id)
    if info is None:
        raise KeyError(job_id)
    return JobSummary(job_id, info.state, info.rows_created, info.skipped, store.rejected(job_id),
                      info.batches_total, info.error)


def resumable_jobs(cache: JobStore | StoreTarget) -> list[JobInfo]:
    """Jobs that are not done nor cancelled, newest first (``running``/``waiting`` ones were
    interrupted by a close or a crash and should go on; ``paused`` and ``failed`` wait for the person).
    """
    store = cache if isinstance(cache, JobStore) else JobStore(cache)
    return store.list_jobs(J.UNFINISHED_STATES)


# ---- planning and creation --------------------------------------------------------------
@dataclass
class ImportPlan:
    map_id: str
    rows: list[SourceRow]
    existing: Existing
    baseline_ids: list[str]
    taxonomy: TaxonomyPlan
    fingerprints: list[str] = field(default_factory=list)

    @property
    def existing_count(self) -> int:
        """How many rows are already on the map (what "skip existing" would skip)."""
        return self.existing.count


async def plan_import(client: ImportClient, map_id: str, rows: Sequence[SourceRow]) -> ImportPlan:
    """Read the map once: which rows it already has, and which categories/tags/layers are missing."""
    fps = [r.fingerprint for r in rows]
    index = await index_map(client, map_id, only=set(fps))
    baseline = [i for ids in index.ids.values() for i in ids]
    existing = find_existing(fps, index)
    taxonomy = await plan_taxonomy(client, map_id, rows)
    return ImportPlan(map_id, list(rows), existing, baseline, taxonomy, fps)


async def create_import_job(
    store: JobStore,
    client: ImportClient,
    plan: ImportPlan,
    *,
    skip_existing: bool = False,
    create_missing_taxonomy: bool = False,
    rejected: Sequence[dict[str, Any]] = (),
    file_path: str = "",
    file_fingerprint: str = "",
    mapping: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    name: str = "",
    batch_size: int = J.BATCH_SIZE,
) -> str:
    """Create the missing taxonomy if asked, then store the job (state ``queued``); returns its id."""
    if create_missing_taxonomy and plan.taxonomy.has_missing:
        await create_missing(client, plan.map_id, plan.taxonomy)
    skip = set(plan.existing.skip) if skip_existing else set()
    rows = [r for i, r in enumerate(plan.rows) if i not in skip]
    job_rows = build_job_rows(rows, plan.taxonomy)
    opts = dict(options or {})
    opts["taxonomy"] = plan.taxonomy.summary()
    return store.create_job(
        map_id=plan.map_id, rows=job_rows, rejected=rejected, file_path=file_path,
        file_fingerprint=file_fingerprint, mapping=mapping, options=opts, skipped=len(skip),
        baseline_ids=plan.baseline_ids, name=name, batch_size=batch_size,
    )


# ---- the runner -------------------------------------------------------------------------
# What a job waiting for an earlier request says (the CLI and the app show it with the countdown).
LANDING_WAIT = "a batch sent earlier may still arrive; the map is checked once it no longer can"
_UNKNOWN_ERRORS = (OutcomeUnknownError, ServerError, ResponseFormatError)


class JobRunner:
    """Runs one job to its end (done), or until paused-and-cancelled, cancelled, or failed."""

    def __init__(
        self,
        store: JobStore,
        client: ImportClient,
        job_id: str,
        *,
        progress: Callable[[JobProgress], None] | None = None,
        clock: Callable[[], float] = time.time,
        owner: Owner | None = None,
        deadline: float | None = None,
        landed: Callable[[str, list[dict[str, Any]]], None] | None = None,
    ) -> None:
        """``deadline``: the client's total request deadline (seconds), by default its own
        (``client.request_deadline``): a request sent is answered, failed or dead by then.
        ``landed(map_id, locations)``: the locations as the service answered, after each batch is
        created and after each location's layers are set (the app puts them in its cache)."""
        self.landed = landed
        self.store = store
        self.client = client
        self.job_id = job_id
        self.progress = progress
        self.clock = clock
        self.owner = owner if owner is not None else Owner.this_process()
        self.deadline = float(deadline if deadline is not None else client.request_deadline)
        self._lost = False
        limits = client.rate_limits
        self.bulk_pacer = Pacer(limits, "bulk", clock=clock)
        self.general_pacer = Pacer(limits, "general", clock=clock)
        self._paused = False
        self._cancelled = False
        self._wake = asyncio.Event()
        self._state = J.QUEUED
        self._wait_until: float | None = None
        self.requests_sent = 0  # bulk requests that went out (benchmarks, tests)
        self.send_times: list[float] = []

    # -- controls (call from the same event loop) --
    def pause(self) -> None:
        self._paused = True
        self._wake.set()

    def resume(self) -> None:
        self._paused = False
        self._wake.set()

    def cancel(self) -> None:
        """Stop after the request in flight (if any) is answered; the job ends ``cancelled``."""
        self._cancelled = True
        self._wake.set()

    @property
    def state(self) -> str:
        return self._state

    # -- bookkeeping --
    def _set_state(self, state: str, *, error: str | None = None, wait_until: float | None = None,
                   message: str = "") -> None:
        if self._lost:  # another runner has the job now: its state is theirs to write
            raise LeaseLostError(self.job_id)
        self._state = state
        self._wait_until = wait_until
        self.store.set_job_state(self.job_id, state, error=error, wait_until=wait_until)
        self._emit(message or (error or ""))

    def _emit(self, message: str = "") -> None:
        if self.progress is None:
            return
        info = self.store.get_job(self.job_id)
        if info is None:
            return
        event = JobProgress(self.job_id, self._state, info.batches_confirmed, info.batches_total,
                            info.rows_created, info.total_rows, info.rejected, self._wait_until, message)
        with contextlib.suppress(Exception):  # a broken progress callback must not break the job
            self.progress(event)

    async def _sleep(self, seconds: float) -> None:
        """Sleep up to ``seconds``; returns early on pause, resume or cancel."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))

    async def _checkpoint(self) -> bool:
        """Before each request: hold while paused; False once cancelled."""
        if self._lost:
            raise LeaseLostError(self.job_id)
        if self._paused and not self._cancelled:
            self._set_state(J.PAUSED)
            while self._paused and not self._cancelled:
                await self._sleep(3600.0)
            if not self._cancelled:
                self._set_state(J.RUNNING)
        return not self._cancelled

    async def _wait_for(self, pacer: Pacer) -> bool:
        """Wait until the pacer's bucket allows a request (state ``waiting`` meanwhile)."""
        while True:
            if not await self._checkpoint():
                return False
            delay = pacer.delay()
            if delay <= 0:
                if self._state != J.RUNNING:
                    self._set_state(J.RUNNING)
                return True
            until = self.clock() + delay
            if self._state != J.WAITING or self._wait_until != until:
                self._set_state(J.WAITING, wait_until=until,
                                message=f"the {pacer.bucket} rate limit")
            await self._sleep(delay)

    # -- the job --
    async def run(self) -> JobSummary:
        """Run the job to its end. Raises JobHeldError (nothing sent, nothing written) when
        another runner holds it, and LeaseLostError when another took it over meanwhile."""
        info = self.store.get_job(self.job_id)
        if info is None:
            raise KeyError(f"no import job {self.job_id}")
        if info.state in J.FINISHED_STATES:
            return summarize(self.store, self.job_id)
        holder = self.store.acquire_lease(self.job_id, self.owner)
        if holder is not None:
            raise JobHeldError(holder)
        heartbeat = asyncio.ensure_future(self._heartbeat(asyncio.current_task()))
        try:
            return await self._run(info)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await heartbeat
            with contextlib.suppress(Exception):
                self.store.release_lease(self.job_id, self.owner)

    async def _heartbeat(self, task: asyncio.Task[Any] | None) -> None:
        """Renew the lease while the job runs. When another runner took it over, or it could not
        be renewed for so long that it may have expired (a locked or broken database), the run
        stops before sending anything more."""
        renewed = time.monotonic()
        while True:
            await asyncio.sleep(HEARTBEAT)
            try:
                still_ours = self.store.renew_lease(self.job_id, self.owner)
            except Exception:  # noqa: BLE001 - tried again next beat; too long without one ends the run
                still_ours = time.monotonic() - renewed < LEASE_TTL - 2 * HEARTBEAT
            else:
                renewed = time.monotonic() if still_ours else renewed
            if not still_ours:
                self._lost = True
                self._wake.set()
                if task is not None:
                    task.cancel()
                return

    async def _run(self, info: JobInfo) -> JobSummary:
        self.map_id = info.map_id
        if info.state == J.WAITING and info.wait_until and info.wait_until > self.clock():
            # A wait recorded before a close or crash: this process has not seen the headers yet.
            self.bulk_pacer.not_before(info.wait_until)
        try:
            self._set_state(J.RUNNING)
            unsure = [b.seq for b in self.store.batches(self.job_id) if b.state in (J.B_SENDING, J.B_UNKNOWN)]
            if unsure:
                await self._reconcile(unsure)
            completed = True
            for batch in self.store.batches(self.job_id):
                if batch.state in (J.B_DONE, J.B_REJECTED):
                    continue
                if not await self._run_batch(batch.seq):
                    completed = False
                    break
            if completed and not self._cancelled:
                self._set_state(J.DONE)
            else:
                self._set_state(J.CANCELLED)
        except asyncio.CancelledError:
            if self._lost:
                raise LeaseLostError(self.job_id) from None
            # The task was cancelled (the app is closing): the job goes on at the next start,
            # unless the person had paused it, in which case it stays paused.
            state = J.PAUSED if self._paused else J.QUEUED
            with contextlib.suppress(Exception):
                self.store.set_job_state(self.job_id, state)
                self._state = state
            raise
        except LeaseLostError:
            raise
        except CabinetError as exc:
            self._set_state(J.FAILED, error=exc.user_message())
        return summarize(self.store, self.job_id)

    async def _run_batch(self, seq: int) -> bool:
        while True:
            batch_state = self.store.batch_state(self.job_id, seq)
            if batch_state in (J.B_CREATED, J.B_DONE, J.B_REJECTED):
                break
            todo = [r for r in self.store.batch_rows(self.job_id, seq) if r.location_id is None]
            if not todo:
                self.store.set_batch_state(self.job_id, seq, J.B_CREATED)
                break
            if not await self._wait_for(self.bulk_pacer):
                return False
            self.store.set_batch_state(self.job_id, seq, J.B_SENDING, sending=True, deadline=self.deadline)
            self.requests_sent += 1
            self.send_times.append(self.clock())
            try:
                created = await self.client.bulk_create_locations(self.map_id, [r.payload for r in todo])
            except RateLimitedError as exc:  # a 429 consumes nothing: nothing was created
                self.store.set_batch_state(self.job_id, seq, J.B_PENDING)
                self.bulk_pacer.on_rate_limited(exc.retry_after)
                continue
            except _UNKNOWN_ERRORS as exc:
                self.store.set_batch_state(self.job_id, seq, J.B_UNKNOWN, error=str(exc))
                self._emit("the answer to a batch was lost; checking the map")
                await self._reconcile([seq])
                continue
            except RequestValidationError as exc:
                self._reject(seq, todo, exc)
                continue
            except CabinetError:
                # Answered (auth, scope, not found) or never arrived (offline): nothing created.
                self.store.set_batch_state(self.job_id, seq, J.B_PENDING)
                raise
            if not isinstance(created, list) or len(created) != len(todo):
                self.store.set_batch_state(self.job_id, seq, J.B_UNKNOWN, error="unexpected answer")
                await self._reconcile([seq])
                continue
            has_layers = any(r.layer_ids for r in todo)
            self.store.record_created(
                self.job_id, seq, {r.idx: loc["id"] for r, loc in zip(todo, created, strict=True)},
                state=J.B_CREATED if has_layers else J.B_DONE,
            )
            if self.landed is not None:
                self.landed(self.map_id, [loc for loc in created if isinstance(loc, dict)])
            self._emit()
            if not has_layers:
                return True
        return await self._memberships(seq)

    def _reject(self, seq: int, todo: list[J.RowState], exc: RequestValidationError) -> None:
        """The server refused the batch: take out the rows it named, or all rows if it named none."""
        by_pos: dict[int, list[str]] = {}
        for d in exc.details:
            if isinstance(d, dict) and isinstance(d.get("index"), int) and 0 <= d["index"] < len(todo):
                text = f"{d.get('field', '')}: {d.get('message', '')}".strip(": ")
                by_pos.setdefault(d["index"], []).append(text or exc.message)
        if by_pos:
            bad = {todo[p].idx: "; ".join(msgs) for p, msgs in by_pos.items()}
            self.store.reject_rows(self.job_id, seq, bad)
            self.store.set_batch_state(self.job_id, seq, J.B_PENDING)
        else:
            self.store.reject_rows(self.job_id, seq, {r.idx: exc.message or str(exc) for r in todo})
            self.store.set_batch_state(self.job_id, seq, J.B_REJECTED, error=str(exc))
        self._emit("the server refused rows of a batch")

    async def _await_landing(self, seqs: list[int]) -> None:
        """Wait until the requests of these batches can no longer land (shown as a wait)."""
        land_by = self.store.land_by(self.job_id, seqs)
        while not self._lost:
            delay = land_by - self.clock()
            if delay <= 0:
                break
            self._set_state(J.WAITING, wait_until=land_by,
                            message=LANDING_WAIT)
            await self._sleep(delay)
            if self._cancelled:
                break  # the check is still owed: the batch stays unconfirmed until the next run
        if self._lost:
            raise LeaseLostError(self.job_id)

    async def _reconcile(self, seqs: list[int]) -> None:
        """Match the unconfirmed rows of these batches against the map's locations (once their
        requests can no longer land)."""
        await self._await_landing(seqs)
        if self._cancelled:
            return
        if self._state != J.RUNNING:
            self._set_state(J.RUNNING)
        pending = {seq: [r for r in self.store.batch_rows(self.job_id, seq) if r.location_id is None]
                   for seq in seqs}
        fps = {r.fingerprint for rows in pending.values() for r in rows}
        exclude = self.store.created_ids(self.job_id) | self.store.baseline_ids(self.job_id)
        index = await index_map(self.client, self.map_id, only=fps, exclude_ids=exclude)
        for seq, rows in pending.items():
            found, missing = match_batch([(r.idx, r.fingerprint) for r in rows], index)
            if missing:
                # None (or some) arrived: record those, send the others again.
                self.store.record_created(self.job_id, seq, found, state=J.B_PENDING)
            else:
                has_layers = any(r.layer_ids for r in rows)
                self.store.record_created(self.job_id, seq, found,
                                          state=J.B_CREATED if has_layers else J.B_DONE)
        self._emit("reconciled")

    async def _memberships(self, seq: int) -> bool:
        """Set the layer memberships of the batch's created locations (general bucket)."""
        for r in self.store.batch_rows(self.job_id, seq):
            if not r.location_id or not r.layer_ids or r.layers_done:
                continue
            while True:
                if not await self._wait_for(self.general_pacer):
                    return False
                try:
                    located = await self.client.set_location_layers(self.map_id, r.location_id, r.layer_ids)
                except RateLimitedError as exc:
                    self.general_pacer.on_rate_limited(exc.retry_after)
                    continue
                if self.landed is not None and isinstance(located, dict):
                    self.landed(self.map_id, [located])
                break
            self.store.mark_layers_done(self.job_id, seq, r.idx)
        if self.store.batch_state(self.job_id, seq) == J.B_CREATED:
            self.store.set_batch_state(self.job_id, seq, J.B_DONE)
        return True

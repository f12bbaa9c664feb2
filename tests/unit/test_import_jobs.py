"""Import jobs without a server: the job store, the pacer, the runner against an in-memory fake."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest

from app.core.errors import OutcomeUnknownError, RateLimitedError, RequestValidationError
from app.importer import jobs as J
from app.importer.jobs import JobRow, JobStore
from app.importer.pacing import Pacer, delay_for
from app.importer.reconcile import MapIndex, find_existing, match_batch, row_fingerprint
from app.importer.runner import JobRunner, create_import_job, plan_import, resumable_jobs
from app.importer.taxonomy import SourceRow
from app.services.ratelimit import RateLimit, RateLimitTracker


class FakeMapiry:
    """Just enough of MapiryClient: one map, a bulk bucket of ``bulk`` requests per ``window`` s."""

    def __init__(self, *, bulk: int = 1000, window: float = 0.2) -> None:
        self.locations: list[dict[str, Any]] = []
        self.categories: list[dict[str, Any]] = []
        self.tags: list[dict[str, Any]] = []
        self.layers: list[dict[str, Any]] = []
        self.memberships: dict[str, list[str]] = {}
        self.rate_limits = RateLimitTracker()
        self.request_deadline = 0.0  # in process: a request that failed can no longer land
        self.bulk, self.window = bulk, window
        self.window_start = time.time()
        self.used = 0
        self.requests = 0
        self.too_many = 0
        self.drop_after_commit = 0
        self.reject_index: int | None = None
        self.fail_before = 0
        self._ids = itertools.count(1)

    def _id(self) -> str:
        return f"c{next(self._ids):024d}"

    def _bucket(self) -> None:
        now = time.time()
        if now >= self.window_start + self.window:
            self.window_start, self.used = now, 0
        reset = self.window_start + self.window
        if self.used >= self.bulk:
            self.too_many += 1
            self.rate_limits.update("bulk", RateLimit(self.bulk, 0, reset))
            raise RateLimitedError("mapiry", 429, "RATE_LIMIT_EXCEEDED", "slow down")
        self.used += 1
        self.rate_limits.update("bulk", RateLimit(self.bulk, self.bulk - self.used, reset))

    async def bulk_create_locations(self, map_id: str, locations: list[dict]) -> list[dict]:
        await asyncio.sleep(0)
        self.requests += 1
        if self.fail_before:
            self.fail_before -= 1
            raise OutcomeUnknownError("no answer")
        self._bucket()
        if self.reject_index is not None and self.reject_index < len(locations):
            raise RequestValidationError("mapiry", 400, "VALIDATION_ERROR", "bad", None,
                                         [{"index": self.reject_index, "field": "name", "message": "bad name"}])
        created = []
        for loc in locations:
            item = {"id": self._id(), "mapId": map_id, **loc, "layers": []}
            self.locations.append(item)
            created.append(item)
        if self.drop_after_commit:
            self.drop_after_commit -= 1
            raise OutcomeUnknownError("the answer was lost")
        return created

    async def iter_locations(self, map_id: str, page_size: int = 100):
        for loc in list(self.locations):
            yield loc

    def _kind(self, resource: str) -> list[dict[str, Any]]:
        return {"categories": self.categories, "tags": self.tags, "layers": self.layers}[resource]

    async def read_all(self, resource: str, scope: str) -> list[dict]:
        return list(self._kind(resource))

    async def create_in_map(self, resource: str, map_id: str, body: dict[str, Any]) -> dict:
        self._kind(resource).append({"id": self._id(), "name": body["name"]})
        return self._kind(resource)[-1]

    async def set_location_layers(self, map_id: str, loc_id: str, layer_ids: list[str]) -> dict:
        self.memberships[loc_id] = list(layer_ids)
        return {"id": loc_id}


def rows(n: int, start: int = 0, **extra: Any) -> list[SourceRow]:
    return [SourceRow(line=i + 2, name=f"Place {i}", lat=10 + i / 1000, lng=20 - i / 1000, **extra)
            for i in range(start, start + n)]


@pytest.fixture
def store(tmp_path) -> JobStore:
    s = JobStore(tmp_path / "cache.sqlite3")
    yield s
    s.close()


def names(client: FakeMapiry) -> list[str]:
    return sorted(loc["name"] for loc in client.locations)


# ---- store ----------------------------------------------------------------------------
def test_store_round_trip(store: JobStore, tmp_path) -> None:
    job_rows = [JobRow(line=i + 2, fingerprint=f"fp{i}", payload={"name": f"n{i}", "lat": 1.0, "lng": 2.0})
                for i in range(250)]
    job_id = store.create_job(map_id="m1", rows=job_rows, rejected=[{"line": 9, "error": "no name"}],
                              file_path="/x/places.csv", file_fingerprint="abc", mapping={"name": "Name"})
    info = store.get_job(job_id)
    assert info is not None and info.state == J.QUEUED
    assert (info.total_rows, info.batches_total, info.rejected, info.name) == (250, 3, 1, "places.csv")
    assert [b.rows for b in store.batches(job_id)] == [100, 100, 50]
    assert store.batch_rows(job_id, 2)[0].payload == {"name": "n200", "lat": 1.0, "lng": 2.0}
    store.set_batch_state(job_id, 0, J.B_SENDING, sending=True)
    store.record_created(job_id, 0, {i: f"loc{i}" for i in range(100)}, state=J.B_DONE)
    store.set_job_state(job_id, J.WAITING, wait_until=123.0)
    # A second connection (another process after a crash) sees all of it.
    other = JobStore(tmp_path / "cache.sqlite3")
    info2 = other.get_job(job_id)
    assert info2 is not None
    assert (info2.state, info2.wait_until, info2.rows_created, info2.batches_confirmed) == (J.WAITING, 123.0, 100, 1)
    assert [b.state for b in other.batches(job_id)] == [J.B_DONE, J.B_PENDING, J.B_PENDING]
    assert other.batches(job_id)[0].attempts == 1
    assert [j.id for j in resumable_jobs(other)] == [job_id]
    other.set_job_state(job_id, J.DONE)
    assert resumable_jobs(store) == []
    other.close()


def test_store_rejects_bad_batch_size(store: JobStore) -> None:
    with pytest.raises(ValueError):
        store.create_job(map_id="m", rows=[], batch_size=101)


# ---- pacing ---------------------------------------------------------------------------
def test_delay_for() -> None:
    assert delay_for(None, 100.0) == 0
    assert delay_for(RateLimit(20, 3, 200.0), 100.0) == 0
    assert delay_for(RateLimit(20, 0, 200.0), 100.0) == pytest.approx(100.05)
    assert delay_for(RateLimit(20, 0, 90.0), 100.0) == 0  # that window is over
    assert delay_for(RateLimit(20, 0, None), 100.0) > 0


def test_pacer_retry_after_and_headers() -> None:
    tracker = RateLimitTracker()
    now = [1000.0]
    pacer = Pacer(tracker, "bulk", clock=lambda: now[0])
    assert pacer.delay() == 0
    tracker.update("bulk", RateLimit(20, 0, 1030.0))
    assert pacer.delay() == pytest.approx(30.05)
    assert pacer.on_rate_limited(3600.0) == 3600.0  # Retry-After longer than the headers say
    now[0] = 1100.0
    assert pacer.delay() == pytest.approx(3500.0)
    now[0] = 5000.0
    assert pacer.delay() == 0


# ---- reconcile helpers ----------------------------------------------------------------
def test_fingerprint_normalises() -> None:
    assert row_fingerprint("  Café  Tokyo ", 1.0000001, -0.0) == row_fingerprint("café tokyo", 1.0, 0.0)
    assert row_fingerprint("a", 1.0, 2.0) != row_fingerprint("a", 1.00001, 2.0)


def test_find_existing_is_a_multiset_match() -> None:
    index = MapIndex()
    index.add("a", "L1")
    index.add("b", "L2")
    found = find_existing(["a", "a", "b", "c"], index)
    assert (found.skip, found.matched_ids) == ([0, 2], ["L1", "L2"])
    assert match_batch([(0, "a"), (1, "a")], index) == ({0: "L1"}, [1])


# ---- runner ---------------------------------------------------------------------------
async def make_job(store: JobStore, client: FakeMapiry, src: list[SourceRow], **kw: Any) -> str:
    plan = await plan_import(client, "m1", src)
    return await create_import_job(store, client, plan, **kw)


@pytest.mark.asyncio
async def test_runner_imports_all_rows_in_batches(store: JobStore) -> None:
    client = FakeMapiry()
    job_id = await make_job(store, client, rows(250))
    events = []
    summary = await JobRunner(store, client, job_id, progress=events.append).run()
    assert (summary.state, summary.created, summary.batches) == (J.DONE, 250, 3)
    assert client.requests == 3 and len(client.locations) == 250
    assert events[-1].state == J.DONE and events[-1].batches_sent == 3 and events[-1].rows_created == 250
    assert all(b.state == J.B_DONE for b in store.batches(job_id))


@pytest.mark.asyncio
async def test_runner_waits_for_reset_instead_of_429(store: JobStore) -> None:
    client = FakeMapiry(bulk=2, window=0.3)
    job_id = await make_job(store, client, rows(500))
    waits = []
    summary = await JobRunner(store, client, job_id,
                              progress=lambda e: waits.append(e) if e.state == J.WAITING else None).run()
    assert summary.created == 500 and len(client.locations) == 500
    assert client.too_many == 0 and client.requests == 5
    assert waits and all(e.wait_until is not None for e in waits)


@pytest.mark.asyncio
async def test_runner_recovers_from_429(store: JobStore) -> None:
    client = FakeMapiry(bulk=1, window=1.0)
    job_id = await make_job(store, client, rows(150))
    client.window_start, client.used = time.time(), 1  # someone else spent this window: a 429 first
    summary = await JobRunner(store, client, job_id).run()
    assert summary.created == 150 and client.too_many >= 1 and len(client.locations) == 150


@pytest.mark.asyncio
async def test_lost_answer_is_reconciled_without_duplicates(store: JobStore) -> None:
    client = FakeMapiry()
    client.drop_after_commit = 1
    job_id = await make_job(store, client, rows(250))
    summary = await JobRunner(store, client, job_id).run()
    assert summary.created == 250 and names(client) == sorted(r.name for r in rows(250))
    assert client.requests == 3  # the lost batch was found on the map, not sent again


@pytest.mark.asyncio
async def test_unanswered_request_that_created_nothing_is_resent(store: JobStore) -> None:
    client = FakeMapiry()
    client.fail_before = 1
    job_id = await make_job(store, client, rows(120))
    summary = await JobRunner(store, client, job_id).run()
    assert summary.created == 120 and len(client.locations) == 120 and client.requests == 3


@pytest.mark.asyncio
async def test_resume_after_crash_while_sending(store: JobStore) -> None:
    client = FakeMapiry()
    job_id = await make_job(store, client, rows(300))
    # Simulate a crash: batch 0 done, batch 1 went out (and was created), no answer recorded.
    first = store.batch_rows(job_id, 0)
    made = await client.bulk_create_locations("m1", [r.payload for r in first])
    store.record_created(job_id, 0, {r.idx: m["id"] for r, m in zip(first, made, strict=True)}, state=J.B_DONE)
    store.set_batch_state(job_id, 1, J.B_SENDING, sending=True)
    await client.bulk_create_locations("m1", [r.payload for r in store.batch_rows(job_id, 1)])
    store.set_job_state(job_id, J.RUNNING)
    assert [j.id for j in resumable_jobs(store)] == [job_id]
    summary = await JobRunner(store, client, job_id).run()
    assert summary.state == J.DONE and summary.created == 300
    assert names(client) == sorted(r.name for r in rows(300))
    assert client.requests == 3


@pytest.mark.asyncio
async def test_skip_existing_and_duplicates_in_the_map(store: JobStore) -> None:
    client = FakeMapiry()
    await JobRunner(store, client, await make_job(store, client, rows(30))).run()
    plan = await plan_import(client, "m1", rows(50))
    assert plan.existing_count == 30
    job_id = await create_import_job(store, client, plan, skip_existing=True)
    summary = await JobRunner(store, client, job_id).run()
    assert (summary.created, summary.skipped) == (20, 30)
    assert names(client) == sorted(r.name for r in rows(50))


@pytest.mark.asyncio
async def test_allow_duplicates_reconciles_against_the_baseline(store: JobStore) -> None:
    client = FakeMapiry()
    await JobRunner(store, client, await make_job(store, client, rows(10))).run()
    client.drop_after_commit = 1
    job_id = await make_job(store, client, rows(10))  # same rows again, not skipped
    summary = await JobRunner(store, client, job_id).run()
    # The lost batch is recognised as created (not confused with the earlier copies).
    assert summary.created == 10 and len(client.locations) == 20 and client.requests == 2


@pytest.mark.asyncio
async def test_server_rejected_row_is_listed_and_the_rest_imported(store: JobStore) -> None:
    client = FakeMapiry()
    client.reject_index = 3
    job_id = await make_job(store, client, rows(5))
    runner = JobRunner(store, client, job_id)
    client_reject = client.reject_index

    async def clear_after_first() -> None:
        while client.requests < 1:
            await asyncio.sleep(0)
        client.reject_index = None

    await asyncio.gather(runner.run(), clear_after_first())
    summary = runner.store.rejected(job_id)
    assert [r["line"] for r in summary] == [client_reject + 2]
    assert "bad name" in summary[0]["error"]
    assert len(client.locations) == 4


@pytest.mark.asyncio
async def test_taxonomy_created_and_resolved(store: JobStore) -> None:
    client = FakeMapiry()
    client.categories.append({"id": "cat1", "name": "Cafés"})
    src = [SourceRow(2, "A", 1.0, 2.0, category=" cafés ", tags=["Wifi", "wifi"], layers=["Day 1"]),
           SourceRow(3, "B", 1.5, 2.5, category="Bars", tags=[], layers=[])]
    plan = await plan_import(client, "m1", src)
    assert plan.taxonomy.missing_categories == ["Bars"]
    assert plan.taxonomy.missing_tags == ["Wifi"] and plan.taxonomy.missing_layers == ["Day 1"]
    job_id = await create_import_job(store, client, plan, create_missing_taxonomy=True)
    await JobRunner(store, client, job_id).run()
    by_name = {loc["name"]: loc for loc in client.locations}
    bars = next(c["id"] for c in client.categories if c["name"] == "Bars")
    assert by_name["A"]["categoryId"] == "cat1" and by_name["B"]["categoryId"] == bars
    assert by_name["A"]["tagIds"] == [client.tags[0]["id"]] and "tagIds" not in by_name["B"]
    assert client.memberships == {by_name["A"]["id"]: [client.layers[0]["id"]]}


@pytest.mark.asyncio
async def test_pause_resume_and_cancel(store: JobStore) -> None:
    client = FakeMapiry(bulk=1, window=0.15)
    job_id = await make_job(store, client, rows(500))
    states: list[str] = []
    runner = JobRunner(store, client, job_id, progress=lambda e: states.append(e.state))
    task = asyncio.create_task(runner.run())
    while client.requests < 1:
        await asyncio.sleep(0.01)
    runner.pause()
    await asyncio.sleep(0.4)
    sent = client.requests
    assert runner.state == J.PAUSED and sent <= 2
    await asyncio.sleep(0.3)
    assert client.requests == sent  # nothing goes out while paused
    runner.resume()
    while client.requests < sent + 1:
        await asyncio.sleep(0.01)
    runner.cancel()
    summary = await asyncio.wait_for(task, 5)
    assert summary.state == J.CANCELLED and J.PAUSED in states and J.WAITING in states
    assert summary.created == len(client.locations) < 500
    assert store.get_job(job_id).state == J.CANCELLED  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_task_cancellation_leaves_a_resumable_job(store: JobStore) -> None:
    client = FakeMapiry(bulk=1, window=0.2)
    job_id = await make_job(store, client, rows(300))
    task = asyncio.create_task(JobRunner(store, client, job_id).run())
    while client.requests < 1:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [j.id for j in resumable_jobs(store)] == [job_id]
    summary = await JobRunner(store, client, job_id).run()
    assert summary.state == J.DONE and names(client) == sorted(r.name for r in rows(300))


@pytest.mark.asyncio
async def test_closing_the_app_queues_the_job_but_keeps_a_persons_pause(store: JobStore) -> None:
    client = FakeMapiry(bulk=1, window=0.2)
    running_id = await make_job(store, client, rows(300))
    task = asyncio.create_task(JobRunner(store, client, running_id).run())
    while client.requests < 1:
        await asyncio.sleep(0.01)
    task.cancel()  # what ImportManager.shutdown() does when the app closes
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.get_job(running_id).state == J.QUEUED  # type: ignore[union-attr]

    paused_id = await make_job(store, client, rows(300, start=1000))
    runner = JobRunner(store, client, paused_id)
    task = asyncio.create_task(runner.run())
    while client.requests < 2:
        await asyncio.sleep(0.01)
    runner.pause()
    while runner.state != J.PAUSED:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.get_job(paused_id).state == J.PAUSED  # type: ignore[union-attr]
    # The app's start-up resume (ImportManager.resume_unfinished) picks queued jobs, not paused ones.
    assert [j.id for j in store.list_jobs((J.QUEUED, J.RUNNING, J.WAITING))] == [running_id]

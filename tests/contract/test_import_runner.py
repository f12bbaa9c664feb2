"""Import jobs against the sandbox over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.importer import jobs as J
from app.importer.jobs import JobStore
from app.importer.runner import JobRunner, create_import_job, plan_import
from app.importer.taxonomy import SourceRow
from app.services.mapiry import MapiryClient

TIME_SCALE = 3600.0  # an hour's window lasts one second


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts the answers by (method, path kind, status) on the way back."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.bulk_times: list[float] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        kind = "bulk" if request.url.path.endswith("/bulk") else request.method
        self.statuses[(kind, response.status_code)] += 1
        if kind == "bulk" and response.status_code < 300:
            self.bulk_times.append(time.time())
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def scaled_sandbox(make_sandbox: Any) -> Any:
    return make_sandbox(time_scale=TIME_SCALE)


@pytest.fixture
def store(tmp_path) -> Iterator[JobStore]:
    s = JobStore(tmp_path / "cache.sqlite3")
    yield s
    s.close()


def client_for(srv: Any, transport: httpx.AsyncBaseTransport | None = None) -> MapiryClient:
    kwargs: dict[str, Any] = {"transport": transport} if transport is not None else {}
    return MapiryClient(srv.mapiry_url, srv.info["mapiry"]["keys"]["read_write"], **kwargs)


def rows(n: int, start: int = 0, **extra: Any) -> list[SourceRow]:
    return [SourceRow(line=i + 2, name=f"Spot {i}", lat=35 + i / 10000, lng=139 + i / 10000, **extra)
            for i in range(start, start + n)]


async def new_map(client: MapiryClient) -> str:
    return (await client.create_map("Import test"))["id"]


async def map_names(client: MapiryClient, map_id: str) -> list[str]:
    return sorted([loc["name"] async for loc in client.iter_locations(map_id)])


async def run_job(store: JobStore, client: MapiryClient, map_id: str, src: list[SourceRow],
                  **kw: Any) -> tuple[str, Any]:
    plan = await plan_import(client, map_id, src)
    job_id = await create_import_job(store, client, plan, **kw)
    return job_id, await JobRunner(store, client, job_id).run()


@pytest.mark.asyncio
async def test_250_rows_make_exactly_250_locations_in_3_batches(fresh_sandbox: Any, store: JobStore) -> None:
    fresh_sandbox.set_limits(bulk=100)
    counting = CountingTransport()
    async with client_for(fresh_sandbox, counting) as client:
        map_id = await new_map(client)
        job_id, summary = await run_job(store, client, map_id, rows(250))
        assert (summary.state, summary.created, summary.batches) == (J.DONE, 250, 3)
        assert counting.statuses[("bulk", 201)] == 3
        assert await map_names(client, map_id) == sorted(r.name for r in rows(250))
        assert {b.state for b in store.batches(job_id)} == {J.B_DONE}


@pytest.mark.asyncio
async def test_pacing_waits_for_the_reset_instead_of_429(scaled_sandbox: Any, store: JobStore) -> None:
    scaled_sandbox.set_limits(bulk=2)
    counting = CountingTransport()
    async with client_for(scaled_sandbox, counting) as client:
        map_id = await new_map(client)
        waits: list[float] = []
        plan = await plan_import(client, map_id, rows(650))
        job_id = await create_import_job(store, client, plan)
        started = time.time()
        summary = await JobRunner(
            store, client, job_id,
            progress=lambda p: waits.append(p.wait_until) if p.state == J.WAITING and p.wait_until else None,
        ).run()
        elapsed = time.time() - started
        assert summary.created == 650 and summary.state == J.DONE
        assert counting.statuses[("bulk", 429)] == 0
        assert counting.statuses[("bulk", 201)] == 7
        assert len(waits) >= 3 and elapsed >= 2.5  # 7 batches, 2 per one-second window
        assert len(await map_names(client, map_id)) == 650


@pytest.mark.asyncio
async def test_pause_resume_cancel_and_resume_after_cancel_of_task(scaled_sandbox: Any, store: JobStore) -> None:
    scaled_sandbox.set_limits(bulk=1)
    counting = CountingTransport()
    async with client_for(scaled_sandbox, counting) as client:
        map_id = await new_map(client)
        plan = await plan_import(client, map_id, rows(600))
        job_id = await create_import_job(store, client, plan)
        states: list[str] = []
        runner = JobRunner(store, client, job_id, progress=lambda p: states.append(p.state))
        task = asyncio.create_task(runner.run())
        while len(counting.bulk_times) < 1:
            await asyncio.sleep(0.02)
        runner.pause()
        await asyncio.sleep(1.6)  # a whole window passes: nothing goes out while paused
        sent = len(counting.bulk_times)
        assert runner.state == J.PAUSED and sent == 1
        runner.resume()
        while len(counting.bulk_times) < 2:
            await asyncio.sleep(0.02)
        runner.cancel()
        summary = await asyncio.wait_for(task, 10)
        assert summary.state == J.CANCELLED and J.PAUSED in states
        assert summary.created == 200 == len(await map_names(client, map_id))
        assert counting.statuses[("bulk", 429)] == 0


@pytest.mark.asyncio
async def test_skip_existing(fresh_sandbox: Any, store: JobStore) -> None:
    fresh_sandbox.set_limits(bulk=100)
    async with client_for(fresh_sandbox) as client:
        map_id = await new_map(client)
        await run_job(store, client, map_id, rows(120))
        plan = await plan_import(client, map_id, rows(180))
        assert plan.existing_count == 120
        job_id = await create_import_job(store, client, plan, skip_existing=True)
        summary = await JobRunner(store, client, job_id).run()
        assert (summary.created, summary.skipped, summary.batches) == (60, 120, 1)
        assert await map_names(client, map_id) == sorted(r.name for r in rows(180))


@pytest.mark.asyncio
async def test_taxonomy_is_matched_created_and_used(fresh_sandbox: Any, store: JobStore) -> None:
    fresh_sandbox.set_limits(bulk=100)
    async with client_for(fresh_sandbox) as client:
        map_id = await new_map(client)
        cafe = await client.create_category(map_id, "Cafés")
        src = [
            SourceRow(2, "A", 35.0, 139.0, category=" cafés", tags=["Wifi", "quiet"], layers=["Day 1"]),
            SourceRow(3, "B", 35.1, 139.1, category="Bars", tags=["wifi"]),
            SourceRow(4, "C", 35.2, 139.2),
        ]
        plan = await plan_import(client, map_id, src)
        assert plan.taxonomy.missing_categories == ["Bars"]
        assert sorted(plan.taxonomy.missing_tags) == ["Wifi", "quiet"]
        assert plan.taxonomy.missing_layers == ["Day 1"]
        job_id = await create_import_job(store, client, plan, create_missing_taxonomy=True)
        summary = await JobRunner(store, client, job_id).run()
        assert summary.state == J.DONE and summary.created == 3
        cats = {c["name"]: c["id"] for c in await client.list_categories(map_id)}
        tags = {t["name"]: t["id"] for t in await client.list_tags(map_id)}
        layers = {x["name"]: x["id"] for x in await client.list_layers(map_id)}
        assert set(cats) == {"Cafés", "Bars"} and cats["Cafés"] == cafe["id"]
        assert set(tags) == {"Wifi", "quiet"} and set(layers) == {"Day 1"}
        locs = {loc["name"]: loc async for loc in client.iter_locations(map_id)}
        assert locs["A"]["categoryId"] == cafe["id"] and locs["B"]["categoryId"] == cats["Bars"]
        assert sorted(locs["A"]["tagIds"]) == sorted([tags["Wifi"], tags["quiet"]])
        assert locs["B"]["tagIds"] == [tags["Wifi"]] and locs["C"]["categoryId"] is None
        assert [x["id"] for x in locs["A"]["layers"]] == [layers["Day 1"]] and locs["B"]["layers"] == []


@pytest.mark.asyncio
async def test_lost_answer_after_commit_is_reconciled(fresh_sandbox: Any, store: JobStore) -> None:
    fresh_sandbox.set_limits(bulk=100)
    counting = CountingTransport()
    async with client_for(fresh_sandbox, counting) as client:
        map_id = await new_map(client)
        fresh_sandbox.set_faults(drop_after_commit=1)
        job_id, summary = await run_job(store, client, map_id, rows(250))
        assert (summary.state, summary.created) == (J.DONE, 250)
        names = await map_names(client, map_id)
        assert names == sorted(r.name for r in rows(250))  # no duplicate, none lost
        assert counting.statuses[("bulk", 201)] == 3  # the lost batch was found, not sent again
        assert store.batches(job_id)[0].attempts == 1


@pytest.mark.asyncio
async def test_interrupted_while_sending_is_reconciled_at_resume(fresh_sandbox: Any, store: JobStore) -> None:
    fresh_sandbox.set_limits(bulk=100)
    async with client_for(fresh_sandbox) as client:
        map_id = await new_map(client)
        plan = await plan_import(client, map_id, rows(150))
        job_id = await create_import_job(store, client, plan)
        # A crash right after batch 1 went out: it is "sending" in the store and on the map.
        first = store.batch_rows(job_id, 0)
        store.set_batch_state(job_id, 0, J.B_SENDING, sending=True)
        await client.bulk_create_locations(map_id, [r.payload for r in first])
        store.set_job_state(job_id, J.RUNNING)
        summary = await JobRunner(store, client, job_id).run()
        assert (summary.state, summary.created) == (J.DONE, 150)
        assert await map_names(client, map_id) == sorted(r.name for r in rows(150))

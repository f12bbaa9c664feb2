"""Benchmark: 10,000 locations created by the import job runner against the same 100 bulk
requests sent back to back by a bare httpx script, with the bulk bucket not limiting.

Same run, same sandbox (in this process), each against a fresh empty map; best of 2 each.
The runner's time is JobRunner.run() (every batch committed as "sending" then "done", fsynced);
storing the job (10,000 rows into the cache, like the bare script's payloads built beforehand)
is reported apart as job_creation_s. Target: ratio <= 1.2.
Run with `python -m tests.benchmarks` or `python -m tests.benchmarks.bench_import_throughput`.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.benchmarks.report import figure

ROWS = 10_000
BATCH = 100
TARGET = 1.2
REPEATS = 2
DEADLINE_S = 600.0  # one job run; past it the benchmark fails instead of hanging


def _rows() -> list[Any]:
    from app.importer.taxonomy import SourceRow

    return [SourceRow(line=i + 2, name=f"Bench place {i}", lat=-40 + (i % 8000) / 100,
                      lng=-170 + i / 30, description=f"row {i}") for i in range(ROWS)]


def _new_map(client: httpx.Client) -> str:
    r = client.post("maps", json={"title": "bench"})
    r.raise_for_status()
    return r.json()["data"]["id"]


def bare(client: httpx.Client, payloads: list[dict[str, Any]]) -> float:
    map_id = _new_map(client)
    started = time.perf_counter()
    for i in range(0, len(payloads), BATCH):
        r = client.post(f"maps/{map_id}/locations/bulk", json={"locations": payloads[i:i + BATCH]})
        r.raise_for_status()
    return time.perf_counter() - started


async def job(srv: Any, key: str, setup: httpx.Client, db: Path) -> tuple[float, float]:
    from app.importer.jobs import JobStore
    from app.importer.runner import JobRunner, create_import_job, plan_import
    from app.services.mapiry import MapiryClient

    map_id = _new_map(setup)
    rows = _rows()
    store = JobStore(db)
    async with MapiryClient(srv.mapiry_url, key) as client:
        plan = await plan_import(client, map_id, rows)  # reads the (empty) map: not timed
        created = time.perf_counter()
        job_id = await create_import_job(store, client, plan)
        started = time.perf_counter()
        summary = await JobRunner(store, client, job_id).run()
        elapsed = time.perf_counter() - started
    store.close()
    if summary.created != ROWS or summary.state != "done":
        raise RuntimeError(f"the job did not finish: {summary}")
    return elapsed, started - created


def main() -> dict[str, Any]:
    from app.importer.taxonomy import build_job_rows
    from app.sandbox.server import SandboxServer

    payloads = [r.payload for r in build_job_rows(_rows(), None)]
    srv = SandboxServer(seed="demo")
    srv.start()
    try:
        srv.set_limits(bulk=100_000, general=100_000)
        key = srv.info["mapiry"]["keys"]["read_write"]
        headers = {"Authorization": f"Bearer {key}"}
        bare_times: list[float] = []
        job_times: list[float] = []
        create_times: list[float] = []
        with tempfile.TemporaryDirectory() as tmp, \
                httpx.Client(base_url=srv.mapiry_url.rstrip("/") + "/", headers=headers, timeout=60) as c:
            for n in range(REPEATS):
                bare_times.append(bare(c, payloads))
                run_s, create_s = asyncio.run(asyncio.wait_for(job(srv, key, c, Path(tmp) / f"cache{n}.sqlite3"),
                                                               DEADLINE_S))
                job_times.append(run_s)
                create_times.append(create_s)
    finally:
        srv.stop()
    ratio = min(job_times) / min(bare_times)
    result = {
        "benchmark": "import_throughput", "rows": ROWS, "requests": ROWS // BATCH,
        "bare_s": round(min(bare_times), 3), "runner_s": round(min(job_times), 3),
        "job_creation_s": round(min(create_times), 3), "ratio": round(ratio, 3), "target": TARGET, "ok": ratio <= TARGET,
    }
    result["figures"] = [figure("import_throughput_ratio", result["ratio"], "x", f"<= {TARGET}", result["ok"])]
    print(f"import throughput: runner {result['runner_s']} s vs bare httpx {result['bare_s']} s "
          f"for {ROWS} locations -> ratio {result['ratio']} (target <= {TARGET}) "
          f"{'OK' if result['ok'] else 'FAIL'}")
    return result


if __name__ == "__main__":
    main()

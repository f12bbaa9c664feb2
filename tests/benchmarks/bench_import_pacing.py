"""Benchmark: how much of a rate-limited bulk bucket an import job uses.

The sandbox runs with a time scale so an hour's window lasts WINDOW s, with N bulk requests
per window. A job with enough batches for several windows runs; every bulk answer's
X-RateLimit-Reset names its window. Utilisation = requests sent / requests allowed over the
windows the job spanned (from its first request to its last). Target: >= 95 %, no idle window,
no 429. Run with `python -m tests.benchmarks` or `python -m tests.benchmarks.bench_import_pacing`.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.benchmarks.report import figure

N = 5
WINDOW = 1.0
WINDOWS = 6
TARGET = 0.95
DEADLINE_S = 600.0  # the whole run; a stuck pacer fails the benchmark instead of hanging it


class _Recorder(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sent: list[tuple[float, str]] = []  # (time, X-RateLimit-Reset) of each created batch
        self.too_many = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith("/bulk"):
            if response.status_code == 429:
                self.too_many += 1
            elif response.status_code < 300:
                self.sent.append((time.time(), response.headers.get("x-ratelimit-reset", "")))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def _run(srv: Any, db: Path) -> _Recorder:
    from app.importer.jobs import JobStore
    from app.importer.runner import JobRunner, create_import_job, plan_import
    from app.importer.taxonomy import SourceRow
    from app.services.mapiry import MapiryClient

    rec = _Recorder()
    rows = [SourceRow(line=i + 2, name=f"Paced {i}", lat=10 + i / 10000, lng=20 + i / 10000)
            for i in range(N * WINDOWS * 100)]
    store = JobStore(db)
    async with MapiryClient(srv.mapiry_url, srv.info["mapiry"]["keys"]["read_write"], transport=rec) as client:
        map_id = (await client.create_map("pacing bench"))["id"]
        plan = await plan_import(client, map_id, rows)
        job_id = await create_import_job(store, client, plan)
        summary = await JobRunner(store, client, job_id).run()
    store.close()
    if summary.state != "done" or summary.created != len(rows):
        raise RuntimeError(f"the job did not finish: {summary}")
    return rec


def main() -> dict[str, Any]:
    from app.sandbox.server import SandboxServer

    srv = SandboxServer(seed="demo", time_scale=3600.0 / WINDOW)
    srv.start()
    try:
        srv.set_limits(bulk=N, general=100_000)
        with tempfile.TemporaryDirectory() as tmp:
            rec = _run_sync(srv, Path(tmp) / "cache.sqlite3")
    finally:
        srv.stop()
    per_window = Counter(reset for _, reset in rec.sent)
    first, last = rec.sent[0][0], rec.sent[-1][0]
    spanned = math.floor((last - first) / WINDOW) + 1  # windows the job's requests spread over
    allowed = spanned * N
    utilisation = len(rec.sent) / allowed
    idle = spanned - len(per_window)
    result = {
        "benchmark": "import_pacing", "bucket": N, "window_s": WINDOW, "requests": len(rec.sent),
        "windows": spanned, "per_window": sorted(per_window.values(), reverse=True),
        "allowed": allowed, "utilisation": round(utilisation, 3), "idle_windows": max(0, idle),
        "429s": rec.too_many, "target": TARGET, "ok": utilisation >= TARGET and idle <= 0,
    }
    result["figures"] = [figure("import_pacing_utilisation", utilisation, "fraction", f">= {TARGET}",
                                utilisation >= TARGET),
                         figure("import_pacing_idle_windows", max(0, idle), "windows", "0", idle <= 0)]
    print(f"import pacing: {len(rec.sent)} bulk requests over {spanned} windows of {N} "
          f"-> utilisation {utilisation:.1%} (target >= {TARGET:.0%}), idle windows {result['idle_windows']}, "
          f"429s {rec.too_many} {'OK' if result['ok'] else 'FAIL'}")
    return result


def _run_sync(srv: Any, db: Path) -> _Recorder:
    return asyncio.run(asyncio.wait_for(_run(srv, db), DEADLINE_S))


if __name__ == "__main__":
    main()

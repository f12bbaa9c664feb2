"""Benchmark: a full sync of 10,000 InstaMapp items into a fresh cache vs a plain sequential httpx
loop over the same pages (per_page=100). Target: ratio <= 1.0.

The sandbox runs in its own process (`python -m app sandbox --seed empty`) so that it does not
share this process's GIL; both sides run in the same run against the same server, alternating,
best of REPEATS each. The sync's time includes writing every row (one transaction) and commit.
Run with `python -m tests.benchmarks.bench_sync`.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.benchmarks.report import figure

ITEMS = 10_000
PER_PAGE = 100
TARGET = 1.0
REPEATS = 3
MAX_PAGES = ITEMS // PER_PAGE * 2  # a listing longer than this is broken: stop, do not spin
DEADLINE_S = 600.0  # one sync or one plain loop; past it the benchmark fails instead of hanging
ROOT = Path(__file__).resolve().parents[2]


def start_sandbox(items: int = ITEMS) -> tuple[subprocess.Popen[str], str, str]:
    """`cabinet sandbox` in a process of its own (no shared GIL), seeded with ``items`` items and
    InstaMapp's per-key limit lifted: (process, InstaMapp base URL, a full-scope key)."""
    proc = subprocess.Popen([sys.executable, "-m", "app", "sandbox", "--seed", "empty"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise RuntimeError("the sandbox did not start")
    info = json.loads(line)
    base, key = info["instamapp"]["base_url"], info["instamapp"]["keys"]["full"]
    with httpx.Client(base_url=base.split("/instamapp/")[0], timeout=120) as admin:
        admin.post("/_sandbox/limits", json={"instamapp_per_window": 1_000_000}).raise_for_status()
        admin.post("/_sandbox/seed-items", json={"count": items}).raise_for_status()
    return proc, base, key


def plain_loop(base_url: str, key: str) -> tuple[float, int]:
    """What a person would write: one client, page after page until has_more is false."""
    t0 = time.perf_counter()
    n = 0
    with httpx.Client(base_url=base_url + "/", headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
        page = 1
        deadline = t0 + 300.0
        while time.perf_counter() < deadline:
            body = c.get("items", params={"page": page, "per_page": PER_PAGE}).json()
            n += len(body["data"])
            if not body["pagination"]["has_more"]:
                break
            page += 1
            if page > MAX_PAGES or time.perf_counter() - t0 > DEADLINE_S:
                raise RuntimeError(f"the listing did not end within {MAX_PAGES} pages / {DEADLINE_S:.0f} s")
    return time.perf_counter() - t0, n


def engine_sync(base_url: str, key: str, folder: Path, run: int) -> tuple[float, int]:
    from app.services.instamapp import InstaMappClient
    from app.storage import Cache
    from app.sync.engine import SyncEngine

    cache = Cache(folder / f"cache-{run}.sqlite3")  # fresh, opened outside the timing

    async def go() -> int:
        async with InstaMappClient(base_url, key) as client:
            return await SyncEngine(cache, client, None, per_page=PER_PAGE).sync_resource("items")

    try:
        t0 = time.perf_counter()
        n = asyncio.run(asyncio.wait_for(go(), DEADLINE_S))
        elapsed = time.perf_counter() - t0
        assert cache.count("items") == n
    finally:
        cache.close()
    return elapsed, n


def main() -> dict[str, Any]:
    proc, base, key = start_sandbox()
    try:
        plain_loop(base, key)  # warm both sides up once
        plain_times: list[float] = []
        sync_times: list[float] = []
        with tempfile.TemporaryDirectory(prefix="cabinet-bench-sync-") as tmp:
            for run in range(REPEATS):
                t, n_plain = plain_loop(base, key)
                plain_times.append(t)
                t, n_sync = engine_sync(base, key, Path(tmp), run)
                sync_times.append(t)
        assert n_plain == n_sync == ITEMS, (n_plain, n_sync)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    plain_s, sync_s = min(plain_times), min(sync_times)
    ratio = sync_s / plain_s
    print(f"sync {ITEMS:,} items: {sync_s:.2f} s vs plain sequential httpx {plain_s:.2f} s "
          f"-> ratio {ratio:.2f} (target <= {TARGET})  [runs: sync "
          + ", ".join(f"{t:.2f}" for t in sync_times) + "; plain " + ", ".join(f"{t:.2f}" for t in plain_times)
          + f"; cpus {os.cpu_count()}]")
    return {"name": "sync_10k_items", "items": ITEMS, "sync_s": round(sync_s, 3), "plain_s": round(plain_s, 3),
            "ratio": round(ratio, 3), "target": TARGET, "ok": ratio <= TARGET,
            "figures": [figure("sync_ratio", ratio, "x", f"<= {TARGET}", ratio <= TARGET)]}


if __name__ == "__main__":
    result = main()
    sys.exit(0 if result["ok"] else 1)

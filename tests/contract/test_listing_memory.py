"""A long listing is put aside on disk page by page: memory does not grow with its pages, and a
listing that fails half-way leaves the cache as it was (tests/hostile.py, mode ``pages-fat``)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from app.core import errors as E
from app.services.pages import Page, PageGuard
from app.storage import Cache
from app.sync.engine import SyncEngine
from tests.benchmarks.bench_import_memory import ROOT
from tests.contract.test_hostile_network import IM_KEY, im
from tests.hostile import FAT_BYTES, FAT_PAGES, HostileServer

pytestmark = pytest.mark.timeout(180)
PER_PAGE = 20
LISTING_MB = FAT_PAGES * PER_PAGE * FAT_BYTES / 1048576  # what holding the listing would take, at least
DEADLINE_S = 150.0  # one sync process
OLD = [{"id": f"old_{i}", "object": "item", "name": f"Old {i}"} for i in range(50)]


@pytest.fixture
def cache(tmp_path) -> Cache:
    c = Cache(tmp_path / "cache.sqlite3")
    yield c
    c.close()


def _sync_in_a_process(url: str, cache_path: Path) -> float:
    """Peak RSS (MB) of a process of its own that syncs InstaMapp items from ``url`` into the cache,
    sampled every 5 ms (nothing this test process holds counts; a forked child's ru_maxrss would
    count this process's size)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, url, str(cache_path), IM_KEY], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched = psutil.Process(proc.pid)
    peak = 0
    deadline = time.monotonic() + DEADLINE_S
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
                peak = max(peak, watched.memory_info().rss)
            time.sleep(0.005)
    finally:
        if proc.poll() is None:
            proc.kill()
        _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err.decode(errors="replace")[-500:]
    return peak / 1048576


_CHILD = f"""
import asyncio, sys
from app.services.instamapp import InstaMappClient
from app.storage import Cache
from app.sync.engine import SyncEngine

async def main(url, path, key):
    cache = Cache(path)
    async with InstaMappClient(url, key, max_retries=1, backoff_base=0.01) as client:
        print(await SyncEngine(cache, client, None, per_page={PER_PAGE}).sync_resource("items"))
    cache.close()

asyncio.run(main(*sys.argv[1:4]))
"""


def test_a_long_listing_is_written_whole_without_holding_its_pages(hostile: HostileServer, tmp_path: Path) -> None:
    short = _sync_in_a_process(hostile.url("normal", "instamapp"), tmp_path / "short.sqlite3")
    cache_path = tmp_path / "long.sqlite3"
    with Cache(cache_path) as cache:
        cache.replace_all("items", OLD)
    long = _sync_in_a_process(hostile.url("pages-fat", "instamapp"), cache_path)
    with Cache(cache_path) as cache:
        assert cache.count("items") == FAT_PAGES * PER_PAGE
        assert cache.get("items", "old_0") is None  # replaced: the listing is the new cached set
        assert len(cache.get("items", f"fat_{FAT_PAGES}_0")["description"]) == FAT_BYTES
    # Measured: 56 MB over the two-item listing's process (the pages in flight, one write chunk,
    # SQLite's page cache), against 165 MB when the pages were held until the write.
    assert long - short < LISTING_MB * 0.7, f"{long:.0f} MB against {short:.0f} MB for {LISTING_MB:.0f} MB"


@pytest.mark.asyncio
async def test_a_listing_that_fails_half_way_leaves_the_old_rows(hostile: HostileServer, cache: Cache) -> None:
    cache.replace_all("items", OLD)
    async with im(hostile, "pages-fat") as client:
        engine = SyncEngine(cache, client, None, per_page=PER_PAGE, max_pages=40)
        report = await engine.sync(("instamapp",))
    error = report.errors["instamapp:items"]
    assert isinstance(error, E.ListingError) and "more than 40 pages" in error.user_message()
    assert sorted(r["id"] for r in cache.all_rows("items")) == sorted(r["id"] for r in OLD)
    assert not list(cache.path.parent.glob("cabinet-listing-*"))  # nothing left beside the cache


@pytest.mark.asyncio
async def test_a_listing_past_the_item_cap_stops_with_a_clear_error(hostile: HostileServer, cache: Cache) -> None:
    cache.replace_all("items", OLD)
    async with im(hostile, "pages-fat") as client:
        engine = SyncEngine(cache, client, None, per_page=PER_PAGE, max_items=10 * PER_PAGE)
        with pytest.raises(E.ListingError) as info:
            await engine.sync_resource("items")
    assert f"more than {10 * PER_PAGE} items" in info.value.user_message()
    assert "were kept" in info.value.user_message()
    assert cache.count("items") == len(OLD)


def test_the_page_guard_counts_items_without_ids_towards_the_cap() -> None:
    guard = PageGuard("instamapp", "items", max_items=3)
    assert len(guard.accept(Page(items=[{"name": "a"}, {"name": "b"}], has_more=True))) == 2
    with pytest.raises(E.ListingError, match="more than 3 items"):
        guard.accept(Page(items=[{"name": "c"}, {"name": "d"}], page=2, has_more=True))

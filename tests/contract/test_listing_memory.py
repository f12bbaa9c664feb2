"""A long listing is put aside on disk page by page: memory does not grow with its pages, and a
listing that fails half-way leaves the cache as it was (tests/hostile.py, mode ``pages-fat``)."""

from __future__ import annotations

import pytest

from app.core import errors as E
from app.services.pages import Page, PageGuard
from app.storage import Cache
from app.sync.engine import SyncEngine
from tests.contract.test_hostile_network import PeakRss, im
from tests.hostile import FAT_BYTES, FAT_PAGES, HostileServer

pytestmark = pytest.mark.timeout(180)
PER_PAGE = 20
LISTING_MB = FAT_PAGES * PER_PAGE * FAT_BYTES / 1048576  # what holding the listing would take, at least
OLD = [{"id": f"old_{i}", "object": "item", "name": f"Old {i}"} for i in range(50)]


@pytest.fixture
def cache(tmp_path) -> Cache:
    c = Cache(tmp_path / "cache.sqlite3")
    yield c
    c.close()


@pytest.mark.asyncio
async def test_a_long_listing_is_written_whole_without_holding_its_pages(hostile: HostileServer,
                                                                        cache: Cache) -> None:
    cache.replace_all("items", OLD)
    async with im(hostile, "pages-fat") as client:
        engine = SyncEngine(cache, client, None, per_page=PER_PAGE)
        with PeakRss() as rss:
            n = await engine.sync_resource("items")
    assert n == FAT_PAGES * PER_PAGE == cache.count("items")
    assert cache.get("items", "old_0") is None  # replaced: the listing is the new cached set
    assert len(cache.get("items", f"fat_{FAT_PAGES}_0")["description"]) == FAT_BYTES
    # Measured: 58 MB here (the pages in flight, one write chunk, SQLite's page cache), against
    # 167 MB when the pages were held until the write.
    assert rss.growth_mb < LISTING_MB * 0.7, f"peak RSS grew by {rss.growth_mb:.0f} MB for {LISTING_MB:.0f} MB"


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

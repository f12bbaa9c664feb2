"""The shared HTTP layer and the sync engine against a hostile server: every exchange ends.

Each test is bounded in time (pytest-timeout and asserted durations) and, where memory is the
point, in memory (peak RSS sampled with psutil while the test runs).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from app.core import errors as E
from app.services.http import MAX_BODY, ServiceHttp
from app.services.instamapp import InstaMappClient
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.sync.engine import SyncEngine
from tests.hostile import HostileServer
from tests.memory import PeakRss

IM_KEY = "imk_live_HOSTILEtestKEY0123456789"
MP_KEY = "mk_live_HOSTILEtestKEY0123456789"

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def cache(tmp_path) -> Iterator[Cache]:
    c = Cache(tmp_path / "cache.sqlite3")
    try:
        yield c
    finally:
        c.close()


def im(server: HostileServer, mode: str, **kw: Any) -> InstaMappClient:
    return InstaMappClient(server.url(mode, "instamapp"), IM_KEY, max_retries=1, backoff_base=0.01, **kw)


def mp(server: HostileServer, mode: str, **kw: Any) -> MapiryClient:
    return MapiryClient(server.url(mode, "mapiry"), MP_KEY, max_retries=1, backoff_base=0.01, **kw)


# -- the total deadline ---------------------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["slowloris", "slowheaders"])
async def test_a_drip_fed_answer_ends_at_the_deadline(hostile: HostileServer, mode: str) -> None:
    async with im(hostile, mode, deadline=1.5) as client:
        start = time.monotonic()
        with pytest.raises(E.DeadlineExceededError) as info:
            await client.list_items()
        took = time.monotonic() - start
    assert 1.4 < took < 5.0  # the deadline, not httpx's per-read timeout, ended it; not retried
    assert hostile.hits[(mode, "/items")] == 1
    assert "too slowly" in info.value.user_message() and "1.5 s" in info.value.user_message()


@pytest.mark.asyncio
async def test_a_post_past_the_deadline_is_outcome_unknown_not_resent(hostile: HostileServer) -> None:
    async with mp(hostile, "slowheaders", deadline=1.0) as client:
        with pytest.raises(E.OutcomeUnknownError):
            await client.create_map("x")
    assert hostile.hits[("slowheaders", "/maps")] == 1


def test_the_default_deadline_is_sixty_seconds() -> None:
    http = ServiceHttp("mapiry", "https://mapiry.com/api/v1", MP_KEY)
    assert http.deadline == 60.0 and http.max_body == 64 * 1024 * 1024 == MAX_BODY
    timeout = http._client.timeout  # noqa: SLF001 - the per-operation timeouts lie within it
    assert max(timeout.connect or 0, timeout.read or 0, timeout.write or 0, timeout.pool or 0) <= 60.0


# -- the body cap -----------------------------------------------------------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["endless", "huge", "huge-announced"])
async def test_a_body_past_the_cap_is_an_error_read_no_further(hostile: HostileServer, mode: str) -> None:
    async with im(hostile, mode, max_body=1 << 20) as client:
        start = time.monotonic()
        with pytest.raises(E.ResponseTooLargeError) as info:
            await client.list_items()
    assert time.monotonic() - start < 10
    assert "larger than 1 MB" in info.value.user_message()
    assert hostile.hits[(mode, "/items")] == 1  # a too-large answer is not asked for again


@pytest.mark.asyncio
async def test_four_huge_pages_at_once_stay_within_the_default_cap(hostile: HostileServer, cache: Cache) -> None:
    """The issue's 4 × 1.5 GB pages took 8.7 GB; with the 64 MB cap four pages in flight stay small."""
    async with im(hostile, "huge") as client:
        engine = SyncEngine(cache, client, None, pages_ahead=4)
        with PeakRss() as rss:
            start = time.monotonic()
            report = await engine.sync(("instamapp",))
            took = time.monotonic() - start
    assert isinstance(report.errors["instamapp:items"], E.ResponseTooLargeError)
    assert took < 60
    assert rss.growth_mb < 4 * 64 * 2 + 100, f"peak RSS grew by {rss.growth_mb:.0f} MB"


# -- listings that do not end ----------------------------------------------------------------------
@pytest.mark.asyncio
async def test_never_ending_pages_stop_at_the_page_limit(hostile: HostileServer, cache: Cache) -> None:
    async with im(hostile, "pages-never") as client:
        engine = SyncEngine(cache, client, None, per_page=5, max_pages=40)
        report = await engine.sync(("instamapp",))
    error = report.errors["instamapp:items"]
    assert isinstance(error, E.ListingError) and "more than 40 pages" in error.user_message()
    assert cache.count("items") == 0  # nothing half-written
    # the other resources of the service were synced all the same
    assert report.counts["collections"] == 2 and report.counts["listings"] == 2
    assert report.counts["sales_summary"] == 1
    assert hostile.hits[("pages-never", "/items")] <= 40 + engine.pages_ahead


@pytest.mark.asyncio
async def test_a_page_of_ids_already_received_stops_the_listing(hostile: HostileServer, cache: Cache) -> None:
    async with im(hostile, "pages-repeat") as client:
        report = await SyncEngine(cache, client, None, per_page=5).sync(("instamapp",))
    error = report.errors["instamapp:items"]
    assert isinstance(error, E.ListingError) and "repeats only items already received" in error.user_message()
    assert hostile.hits[("pages-repeat", "/items")] < 10


@pytest.mark.asyncio
async def test_pages_past_the_announced_total_stop_the_listing(hostile: HostileServer) -> None:
    async with mp(hostile, "pages-overrun") as client:
        got: list[str] = []
        with pytest.raises(E.ListingError) as info:
            async for loc in client.iter_locations("m1", page_size=5):
                got.append(loc["id"])
    assert "page 4 came after the 3 pages it announced" in info.value.user_message()
    assert len(got) == 15


@pytest.mark.asyncio
async def test_ids_repeated_across_pages_are_counted_once(hostile: HostileServer, cache: Cache) -> None:
    async with im(hostile, "dup-ids") as client:
        report = await SyncEngine(cache, client, None, per_page=2).sync(("instamapp",))
    assert report.counts["items"] == cache.count("items") == 3
    assert "instamapp:items" not in report.errors


# -- rate limits: announced, bounded, never slept in the transport ----------------------------------
@pytest.mark.asyncio
@pytest.mark.parametrize(("mode", "until"), [("retry-seconds", None), ("retry-date", "2099-01-01 00:00:00 UTC")])
async def test_a_wait_longer_than_the_maximum_is_not_started(hostile: HostileServer, cache: Cache,
                                                             mode: str, until: str | None) -> None:
    seen: list[Any] = []
    async with im(hostile, mode) as client:
        engine = SyncEngine(cache, client, None, max_wait=300)
        start = time.monotonic()
        report = await engine.sync(("instamapp",), progress=seen.append)
    assert time.monotonic() - start < 5
    limited = report.rate_limited
    assert isinstance(limited, E.WaitTooLongError) and limited.seconds > 300
    text = limited.user_message()
    assert "asks Cabinet to wait" in text and "longer than the 5 minutes" in text
    if until:
        assert until in text
    assert [p.state for p in seen if p.state in ("waiting", "rate_limited")] == ["rate_limited"]
    assert hostile.hits[(mode, "/items")] <= engine.pages_ahead  # nothing asked after the answer


@pytest.mark.asyncio
async def test_a_short_wait_is_announced_with_its_end_then_slept(hostile: HostileServer, cache: Cache) -> None:
    seen: list[Any] = []
    async with mp(hostile, "retry-short") as client:
        cache.add_known_map("m1")
        start = time.monotonic()
        report = await SyncEngine(cache, None, client, max_wait=5).sync(("mapiry",), progress=seen.append)
        took = time.monotonic() - start
    assert report.ok, report.errors
    assert report.counts["locations"] == 2 and report.counts["maps"] == 1
    waits = [p for p in seen if p.state == "waiting"]
    assert waits and all(p.until is not None for p in waits)
    announced = waits[0].until - time.time()
    assert -took < announced <= 1.0
    assert took >= 0.9  # it was slept, after it was announced


# -- request ids are data --------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_key_echoed_in_the_request_id_is_never_shown(hostile: HostileServer) -> None:
    async with mp(hostile, "echo-key") as client:
        with pytest.raises(E.NotFoundError) as info:
            await client.get_map("m1")
    err = info.value
    assert err.request_id is None
    for text in (str(err), repr(err), err.user_message()):
        assert MP_KEY not in text and "HOSTILEtestKEY" not in text


def test_request_ids_are_shown_only_short_printable_and_key_free() -> None:
    from app.services.http import clean_request_id

    assert clean_request_id(" req_0123abcd ") == "req_0123abcd"
    assert clean_request_id("550e8400-e29b-41d4-a716-446655440000") == "550e8400-e29b-41d4-a716-446655440000"
    assert clean_request_id("x" * 65) is None
    assert clean_request_id("req\x1b[31mred") is None and clean_request_id("two words") is None
    assert clean_request_id("req-mk_live_abcdef1234") is None
    assert clean_request_id("id-SECRETVALUE", "SECRETVALUE") is None
    assert clean_request_id("Bearer abc") is None and clean_request_id(None) is None


# -- each resource on its own ------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_404_on_the_keys_keeps_nothing_else_of_mapiry_from_syncing(hostile: HostileServer,
                                                                             cache: Cache) -> None:
    cache.add_known_map("m1")
    cache.add_known_map("m2")
    async with mp(hostile, "keys-404") as client:
        report = await SyncEngine(cache, None, client).sync(("mapiry",))
    assert isinstance(report.errors["mapiry:api_keys"], E.NotFoundError)
    assert report.counts["maps"] == 2 and report.counts["locations"] == 4 == cache.count("locations")
    results = report.resource_results(("mapiry",))
    assert "error" in results["api_keys"] and "count" not in results["api_keys"]
    assert results["locations"] == {"count": 4} and results["maps"] == {"count": 2}


@pytest.mark.asyncio
async def test_a_403_on_one_listing_keeps_the_other_resources(hostile: HostileServer, cache: Cache) -> None:
    async with im(hostile, "listing-403") as client:
        report = await SyncEngine(cache, client, None).sync(("instamapp",))
    assert isinstance(report.errors["instamapp:listings"], E.PermissionDeniedError)
    assert report.counts == {"items": 2, "collections": 2, "sales_summary": 1}


@pytest.mark.asyncio
async def test_a_map_gone_keeps_the_other_maps(hostile: HostileServer, cache: Cache) -> None:
    for map_id in ("m1", "gone1", "m2"):
        cache.add_known_map(map_id)
    async with mp(hostile, "map-gone") as client:
        report = await SyncEngine(cache, None, client).sync(("mapiry",))
    assert report.gone == ["gone1"] and report.ok  # marked gone, not an error of the service
    assert report.counts["maps"] == 2 and report.counts["locations"] == 4
    assert {r["mapId"] for r in cache.all_rows("locations")} == {"m1", "m2"}
    assert report.resource_results(("mapiry",))["maps"] == {"count": 2, "gone": ["gone1"]}


def test_the_page_guard_stops_at_ten_thousand_pages_when_none_is_announced() -> None:
    from app.services.pages import MAX_PAGES, Page, PageGuard

    guard = PageGuard("instamapp", "items")
    assert MAX_PAGES == 10_000
    for n in range(MAX_PAGES):
        guard.accept(Page(items=[{"id": n}], page=n + 1, has_more=True))
    with pytest.raises(E.ListingError) as info:
        guard.accept(Page(items=[{"id": "new"}], page=MAX_PAGES + 1, has_more=True))
    assert "more than 10,000 pages" in info.value.user_message()


@pytest.mark.asyncio
async def test_the_fixture_serves_a_normal_sync(hostile: HostileServer, cache: Cache) -> None:
    """The baseline the other tests depart from: the same server, well-behaved, syncs cleanly."""
    cache.add_known_map("m1")
    async with im(hostile, "normal") as a, mp(hostile, "normal") as b:
        report = await SyncEngine(cache, a, b).sync()
    assert report.ok, report.errors
    assert report.counts["items"] == 2 and report.counts["locations"] == 2 and report.counts["api_keys"] == 1

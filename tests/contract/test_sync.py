"""SyncEngine against the sandbox: every page of every resource, atomicity, offline, errors."""

from __future__ import annotations

import asyncio
import socket

import pytest

from app.core.errors import AuthenticationError, ProRequiredError
from app.core.records import GONE_AT, LAST_SEEN_AT
from app.services.instamapp import InstaMappClient
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.sync.engine import SyncEngine, SyncProgress


@pytest.fixture
def cache(tmp_path):
    c = Cache(tmp_path / "cache.sqlite3")
    yield c
    c.close()


def _clients(srv, *, im_key: str = "full", mp_key: str = "read_write", **kw):
    info = srv.info
    return (InstaMappClient(srv.instamapp_url, info["instamapp"]["keys"][im_key], **kw),
            MapiryClient(srv.mapiry_url, info["mapiry"]["keys"][mp_key], **kw))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when we leave: connections are refused


async def _expected(srv) -> dict[str, object]:
    """What the sandbox holds, read independently with the plain iterators."""
    im, mp = _clients(srv)
    async with im, mp:
        items = [x async for x in im.iter_items()]
        maps = srv.info["mapiry"]["maps"]
        locs = {m: [x async for x in mp.iter_locations(m)] for m in maps}
        return {"items": items, "collections": [x async for x in im.iter_collections()],
                "listings": [x async for x in im.iter_listings()], "locs": locs,
                "summary": await im.get_sales_summary(),
                "layers": {m: await mp.list_layers(m) for m in maps}}


@pytest.mark.asyncio
async def test_full_sync_fills_every_resource(sandbox, cache):
    expected = await _expected(sandbox)
    maps = sandbox.info["mapiry"]["maps"]
    for m in maps:
        cache.add_known_map(m, "demo")
    seen: list[SyncProgress] = []
    im, mp = _clients(sandbox)
    async with im, mp:
        engine = SyncEngine(cache, im, mp, per_page=25)  # several pages even for the demo seed
        report = await engine.sync(progress=seen.append)
    assert report.offline == set() and report.errors == {}
    assert len(expected["items"]) > 100
    assert report.counts["items"] == cache.count("items") == len(expected["items"])
    assert [r["id"] for r in cache.all_rows("items")] == [r["id"] for r in expected["items"]]
    assert cache.count("collections") == len(expected["collections"])
    assert cache.count("listings") == len(expected["listings"])
    assert cache.sales_summary()["gross"] == expected["summary"]["gross"]
    assert cache.count("maps") == report.counts["maps"] == len(maps)
    assert cache.count("api_keys") >= 1
    for m in maps:
        assert [r["id"] for r in cache.all_rows("locations", scope=m)] == [r["id"] for r in expected["locs"][m]]
        assert cache.count("layers", scope=m) == len(expected["layers"][m])
        assert cache.last_synced("locations", m) is not None
    # layer memberships made it into the filterable table
    with_layers = [loc for m in maps for loc in expected["locs"][m] if loc["layers"]]
    assert with_layers
    layer_id = with_layers[0]["layers"][0]["id"]
    expected_ids = {loc["id"] for m in maps for loc in expected["locs"][m]
                    if any(layer["id"] == layer_id for layer in loc["layers"])}
    got = cache.rows_for_keys("locations", cache.query_keys("locations", filters={"layer_id": layer_id}))
    assert {r["id"] for r in got} == expected_ids
    assert cache.last_synced("items") is not None
    states = {(p.resource, p.state) for p in seen}
    assert ("items", "syncing") in states and ("items", "done") in states and ("locations", "done") in states
    items_progress = [p.done for p in seen if p.resource == "items" and p.state == "syncing"]
    assert items_progress == sorted(items_progress) and items_progress[-1] == len(expected["items"])


@pytest.mark.asyncio
async def test_offline_is_reported_not_raised_and_cache_kept(cache):
    cache.replace_all("items", [{"id": "itm_kept", "name": "Kept"}])
    port = _closed_port()
    im = InstaMappClient(f"http://127.0.0.1:{port}/instamapp/api/public/v1", "imk_live_x", max_retries=0)
    mp = MapiryClient(f"http://127.0.0.1:{port}/mapiry/api/v1", "mk_live_x", max_retries=0)
    async with im, mp:
        report = await SyncEngine(cache, im, mp).sync()
    assert report.offline == {"instamapp", "mapiry"}
    assert report.errors == {}
    assert cache.get("items", "itm_kept") is not None


@pytest.mark.asyncio
async def test_unresolvable_host_is_offline(cache):
    im = InstaMappClient("https://cabinet-test.invalid/api/public/v1", "imk_live_x", max_retries=0)
    async with im:
        report = await SyncEngine(cache, im, None).sync(("instamapp",))
    assert report.offline == {"instamapp"}


@pytest.mark.asyncio
async def test_errors_are_reported_per_service(sandbox, cache):
    info = sandbox.info
    im = InstaMappClient(sandbox.instamapp_url, "imk_live_" + "0" * 32, max_retries=0)
    mp = MapiryClient(sandbox.mapiry_url, info["mapiry"]["keys"]["read_only"])
    cache.add_known_map(info["mapiry"]["maps"][0])
    async with im, mp:
        report = await SyncEngine(cache, im, mp).sync()
    assert isinstance(report.errors["instamapp"], AuthenticationError)
    assert "mapiry" not in report.errors and not report.offline
    assert report.counts["locations"] == cache.count("locations") > 0


@pytest.mark.asyncio
async def test_a_key_without_pro_stops_mapiry_with_one_clear_error(sandbox, cache):
    _, mp = _clients(sandbox, mp_key="no_pro")
    for m in sandbox.info["mapiry"]["maps"]:
        cache.add_known_map(m)
    async with mp:
        report = await SyncEngine(cache, None, mp).sync(("mapiry",))
    assert isinstance(report.errors["mapiry"], ProRequiredError)
    assert not report.offline and cache.count("maps") == 0


@pytest.mark.asyncio
async def test_a_key_without_a_scope_still_syncs_the_rest(sandbox, cache):
    im, _ = _clients(sandbox, im_key="items_read")
    async with im:
        report = await SyncEngine(cache, im, None).sync(("instamapp",))
    assert report.counts["items"] == cache.count("items") > 0
    assert "instamapp" in report.errors  # listings / sales summary need other scopes


@pytest.mark.asyncio
async def test_a_failure_midway_leaves_the_previous_table(fresh_sandbox, cache):
    im, _ = _clients(fresh_sandbox, max_retries=0)
    async with im:
        engine = SyncEngine(cache, im, None, per_page=20)
        assert await engine.sync_resource("items") > 100
        before = [r["id"] for r in cache.all_rows("items")]
        fresh_sandbox.seed_items(50)
        calls = 0
        real = im.list_items

        async def flaky(page: int = 1, per_page: int = 20, status: str | None = None):
            nonlocal calls
            calls += 1
            if page == 5:
                raise ConnectionResetError("cut")
            return await real(page=page, per_page=per_page, status=status)

        im.list_items = flaky  # type: ignore[method-assign]
        with pytest.raises(ConnectionResetError):
            await engine.sync_resource("items")
        assert calls >= 5
        assert [r["id"] for r in cache.all_rows("items")] == before
        im.list_items = real  # type: ignore[method-assign]
        assert await engine.sync_resource("items") == len(before) + 50


@pytest.mark.asyncio
async def test_cancelling_a_sync_rolls_back(fresh_sandbox, cache):
    fresh_sandbox.seed_items(500)
    fresh_sandbox.set_faults(latency_ms=30)
    im, _ = _clients(fresh_sandbox)
    async with im:
        task = asyncio.ensure_future(SyncEngine(cache, im, None, per_page=20).sync_resource("items"))
        await asyncio.sleep(0.25)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    await asyncio.sleep(0.2)
    assert cache.count("items") == 0


@pytest.mark.asyncio
async def test_a_deleted_map_is_marked_gone_and_the_rest_syncs(fresh_sandbox, cache):
    maps = fresh_sandbox.info["mapiry"]["maps"]
    _, mp = _clients(fresh_sandbox)
    async with mp:
        for m in maps:
            cache.add_known_map(m)
        first = await SyncEngine(cache, None, mp).sync(("mapiry",))
        cached_locations = cache.count("locations", scope=maps[0])
        assert first.ok and not first.gone and cached_locations > 0
        await mp.delete_map(maps[0])
        report = await SyncEngine(cache, None, mp).sync(("mapiry",))
    assert report.ok, report.errors  # a gone map is no error of the service
    assert report.gone == [maps[0]]
    assert report.counts["maps"] == len(maps) - 1
    gone = cache.get("maps", maps[0])
    assert gone is not None and gone[GONE_AT] and gone[LAST_SEEN_AT]
    assert gone["title"]  # the record as last seen, with the mark
    assert cache.count("locations", scope=maps[0]) == cached_locations  # still browsable
    assert cache.count("locations", scope=maps[1]) > 0
    assert {m["id"] for m in cache.known_maps()} == set(maps)


@pytest.mark.asyncio
async def test_pages_ahead_stop_at_the_end(fresh_sandbox, cache):
    fresh_sandbox.seed_items(1000)
    im, _ = _clients(fresh_sandbox)
    async with im:
        total = len([x async for x in im.iter_items()])
        for ahead in (1, 4, 7):
            n = await SyncEngine(cache, im, None, pages_ahead=ahead, per_page=100).sync_resource("items")
            assert n == total == cache.count("items")


@pytest.mark.asyncio
async def test_a_cache_that_cannot_be_written_is_an_error_not_a_crash(sandbox, cache, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cache, "replace_all", broken)
    im, _ = _clients(sandbox)
    async with im:
        report = await SyncEngine(cache, im, None).sync(("instamapp",))
    assert "disk full" in report.errors["instamapp"].user_message()
    assert cache.count("items") == 0

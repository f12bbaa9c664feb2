"""InstaMappClient against the sandbox over real HTTP on loopback: every method, every error row."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from app.core import errors as E
from app.core.registry.instamapp import ITEM_STATUSES
from app.services.instamapp import InstaMappClient
from app.services.pages import Page


def im(srv: Any, key: str | None = "full", **kw: Any) -> InstaMappClient:
    keys = srv.info["instamapp"]["keys"]
    kw.setdefault("backoff_base", 0.01)
    return InstaMappClient(srv.instamapp_url, keys.get(key, key) if key else None, **kw)


async def first_collection(c: InstaMappClient) -> str:
    page = await c.list_collections()
    assert page.items
    return page.items[0]["id"]


# -- reading ---------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_list_items_first_page(sandbox) -> None:
    async with im(sandbox) as c:
        page = await c.list_items()
        rl = c.rate_limits.get("default")
    assert isinstance(page, Page)
    assert (page.page, page.per_page) == (1, 20)
    assert len(page.items) == 20 and page.has_more
    assert all(i["object"] == "item" and i["id"].startswith("itm_") for i in page.items)
    keys = [(i["created_at"], i["id"]) for i in page.items]
    assert keys == sorted(keys, reverse=True)  # newest first
    assert rl is not None and rl.limit and rl.remaining is not None and rl.reset_at


@pytest.mark.asyncio
async def test_list_items_status_filter_and_iterate(sandbox) -> None:
    async with im(sandbox) as c:
        sell = await c.list_items(status="sell", per_page=100)
        assert all(i["status"] == "sell" for i in sell.items)
        every = [i async for i in c.iter_items(per_page=100)]
        page2 = await c.list_items(page=2, per_page=7)
    ids = [i["id"] for i in every]
    assert len(ids) == len(set(ids)) and len(ids) > 100
    assert {i["status"] for i in every} <= set(ITEM_STATUSES)
    assert [i["id"] for i in page2.items] == ids[7:14]


@pytest.mark.asyncio
async def test_iter_items_with_status(sandbox) -> None:
    async with im(sandbox) as c:
        trade = [i async for i in c.iter_items(status="trade", per_page=5)]
        every = [i async for i in c.iter_items()]
    assert trade and all(i["status"] == "trade" for i in trade)
    assert len(trade) == sum(1 for i in every if i["status"] == "trade")


@pytest.mark.asyncio
async def test_get_item(sandbox) -> None:
    async with im(sandbox) as c:
        listed = (await c.list_items(per_page=1)).items[0]
        got = await c.get_item(listed["id"])
    assert got == listed


@pytest.mark.asyncio
async def test_collections(sandbox) -> None:
    async with im(sandbox) as c:
        page = await c.list_collections(per_page=2)
        every = [x async for x in c.iter_collections(per_page=2)]
        items = [i async for i in c.iter_items()]
    assert page.items == every[:2]
    assert len(every) >= 2 and all(x["object"] == "collection" for x in every)
    counts = {x["id"]: x["item_count"] for x in every}
    for cid, n in counts.items():
        assert n == sum(1 for i in items if i["collection_id"] == cid)


@pytest.mark.asyncio
async def test_listings(sandbox) -> None:
    async with im(sandbox) as c:
        page = await c.list_listings()
        every = [x async for x in c.iter_listings(per_page=50)]
        items = {i["id"]: i async for i in c.iter_items()}
    assert page.items == every[: len(page.items)]
    assert every
    on_market = {i for i, it in items.items() if it["status"] in ("sell", "trade")}
    assert {x["item_id"] for x in every} == on_market
    for x in every:
        assert x["object"] == "listing" and x["type"] in ("sale", "trade")
        assert x["id"] == "lst_" + x["item_id"].removeprefix("itm_")
        if x["type"] == "trade":
            assert x["price"] is None


@pytest.mark.asyncio
async def test_sales_summary(sandbox) -> None:
    async with im(sandbox) as c:
        s = await c.get_sales_summary()
    assert s["object"] == "sales_summary"
    for k in ("gross", "fees", "net_payout", "refunds", "disputes"):
        assert isinstance(s[k], int | float)
    assert isinstance(s["orders"], int) and s["currency"]


# -- writing -----------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_create_and_update_item(fresh_sandbox) -> None:
    async with im(fresh_sandbox) as c:
        cid = await first_collection(c)
        made = await c.create_item(cid, "Custom Otto", status="keep", condition="loose_mint",
                                   estimated_value=24.99, notes="from the test")
        assert made["object"] == "item" and made["name"] == "Custom Otto"
        assert (made["collection_id"], made["condition"], made["estimated_value"]) == (cid, "loose_mint", 24.99)
        assert await c.get_item(made["id"]) == made
        newest = (await c.list_items(per_page=1)).items[0]
        assert newest["id"] == made["id"]
        changed = await c.update_item(made["id"], status="sell", estimated_value=30)
        assert changed["status"] == "sell" and changed["estimated_value"] == 30
        for k in ("name", "notes", "condition", "collection_id", "created_at"):
            assert changed[k] == made[k]
        listings = [x async for x in c.iter_listings()]
        assert any(x["item_id"] == made["id"] and x["type"] == "sale" for x in listings)
        cleared = await c.update_item(made["id"], condition=None)
        assert cleared["condition"] is None and cleared["status"] == "sell"


@pytest.mark.asyncio
async def test_dropped_connection_after_committed_create_is_outcome_unknown(fresh_sandbox) -> None:
    async with im(fresh_sandbox) as c:
        cid = await first_collection(c)
        before = (await c.list_items(per_page=1)).items[0]["id"]
        fresh_sandbox.set_faults(drop_after_commit=1)
        with pytest.raises(E.OutcomeUnknownError) as info:
            await c.create_item(cid, "Maybe made")
        fresh_sandbox.set_faults(drop_after_commit=0)
        newest = (await c.list_items(per_page=1)).items[0]
    assert "not resent" in info.value.user_message()
    assert newest["id"] != before and newest["name"] == "Maybe made"  # made exactly once
    async with im(fresh_sandbox) as c:
        made = [i async for i in c.iter_items() if i["name"] == "Maybe made"]
    assert len(made) == 1


@pytest.mark.asyncio
async def test_server_errors_retried_for_get_then_raised(fresh_sandbox) -> None:
    fresh_sandbox.set_faults(error_rate=1.0)
    waits: list[float] = []
    async with im(fresh_sandbox, max_retries=2, on_wait=lambda s, r: waits.append(s)) as c:
        with pytest.raises(E.ServerError) as info:
            await c.list_items()
    assert info.value.status == 503 and len(waits) == 2
    assert info.value.request_id and info.value.request_id.startswith("req_")


# -- the error table -------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{"per_page": 101}, {"per_page": 0}, {"page": 0}, {"status": "lost"}])
@pytest.mark.asyncio
async def test_400_invalid_request_on_list(sandbox, kwargs) -> None:
    async with im(sandbox) as c:
        with pytest.raises(E.RequestValidationError) as info:
            await c.list_items(**kwargs)
    err = info.value
    assert (err.status, err.code) == (400, "invalid_request")
    assert err.request_id and err.request_id.startswith("req_")
    assert f"Request id: {err.request_id}" in err.user_message()


@pytest.mark.asyncio
async def test_400_invalid_request_on_write(fresh_sandbox) -> None:
    async with im(fresh_sandbox) as c:
        cid = await first_collection(c)
        item = (await c.list_items(per_page=1)).items[0]
        for call in (c.create_item(cid, "   "), c.create_item(cid, "x", status="lost"),
                     c.update_item(item["id"], id="itm_other"), c.update_item(item["id"], colour="red"),
                     c.create_item(cid, "x", estimated_value=-1)):
            with pytest.raises(E.RequestValidationError) as info:
                await call
            assert info.value.code == "invalid_request"
        assert await c.get_item(item["id"]) == item


@pytest.mark.parametrize("key", [None, "imk_live_notarealkey000000000000"])
@pytest.mark.asyncio
async def test_401_missing_or_invalid_key(sandbox, key) -> None:
    async with InstaMappClient(sandbox.instamapp_url, key) as c:
        with pytest.raises(E.AuthenticationError) as info:
            await c.list_items()
    assert info.value.status == 401
    assert "Settings (Ctrl+,)" in info.value.user_message()
    if key:
        assert key not in str(info.value) and key not in info.value.user_message()


@pytest.mark.asyncio
async def test_403_missing_scope_is_not_limit_reached(sandbox) -> None:
    async with im(sandbox, "items_read") as c:
        assert (await c.list_items(per_page=1)).items
        cid = "00000000-0000-0000-0000-000000000000"
        for call in (c.create_item(cid, "x"), c.list_collections(), c.list_listings(), c.get_sales_summary()):
            with pytest.raises(E.PermissionDeniedError) as info:
                await call
            assert info.value.status == 403
            assert not isinstance(info.value, E.LimitReachedError)
            assert "scope" in info.value.user_message()


@pytest.mark.asyncio
async def test_403_limit_reached(fresh_sandbox) -> None:
    async with im(fresh_sandbox) as c:
        cid = await first_collection(c)
        count = len([i async for i in c.iter_items()])
        fresh_sandbox.set_limits(item_limit=count)
        with pytest.raises(E.LimitReachedError) as info:
            await c.create_item(cid, "One too many")
    assert (info.value.status, info.value.code) == (403, "limit_reached")
    assert not isinstance(info.value, E.PermissionDeniedError)
    assert "item limit" in info.value.user_message()


@pytest.mark.asyncio
async def test_404_not_found(sandbox) -> None:
    async with im(sandbox) as c:
        for call in (c.get_item("itm_00000000000000000000"), c.update_item("itm_00000000000000000000", notes="x")):
            with pytest.raises(E.NotFoundError) as info:
                await call
            assert (info.value.status, info.value.code) == (404, "not_found")


@pytest.mark.asyncio
async def test_429_rate_limited(fresh_sandbox) -> None:
    fresh_sandbox.set_limits(instamapp_per_window=3)
    async with im(fresh_sandbox, max_retries=0) as c:
        for _ in range(3):
            await c.get_sales_summary()
        assert c.rate_limits.get("default").remaining == 0
        with pytest.raises(E.RateLimitedError) as info:
            await c.list_items()
    err = info.value
    assert err.status == 429 and err.retry_after is not None and err.retry_after >= 1
    assert "limiting requests" in err.user_message()


@pytest.mark.asyncio
async def test_429_is_the_callers_to_wait_and_the_sync_engine_waits_it_out(make_sandbox: Any, tmp_path) -> None:
    """The client raises a 429 at once; the sync engine announces the wait, sleeps it, goes on."""
    import time

    from app.storage import Cache
    from app.sync.engine import SyncEngine

    srv = make_sandbox(time_scale=60.0, instamapp_per_window=2)  # the 60 s window lasts 1 s
    async with im(srv) as c:
        await c.get_sales_summary()
        await c.get_sales_summary()
        start = time.monotonic()
        with pytest.raises(E.RateLimitedError) as info:
            await c.get_sales_summary()
        assert time.monotonic() - start < 0.5 and info.value.retry_after is not None
        await asyncio.sleep(info.value.retry_after)
        cache = Cache(tmp_path / "cache.sqlite3")
        seen: list[Any] = []
        try:
            report = await asyncio.wait_for(SyncEngine(cache, c, None, per_page=50).sync(
                ("instamapp",), progress=seen.append), 60)
            assert report.ok, report.errors
            assert report.counts["items"] == cache.count("items") > 100
        finally:
            cache.close()
    waits = [p for p in seen if p.state == "waiting"]
    assert waits and all(p.until is not None and "limiting" in p.reason for p in waits)

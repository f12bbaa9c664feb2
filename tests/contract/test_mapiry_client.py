"""MapiryClient against the sandbox over real HTTP on loopback: every method, every error row."""

from __future__ import annotations

from typing import Any

import pytest

from app.core import errors as E
from app.services.mapiry import MapiryClient
from app.services.pages import Page

NO_SUCH_ID = "c000000000000000000000000"


def mp(srv: Any, key: str | None = "read_write", **kw: Any) -> MapiryClient:
    keys = srv.info["mapiry"]["keys"]
    kw.setdefault("backoff_base", 0.01)
    return MapiryClient(srv.mapiry_url, keys.get(key, key) if key else None, **kw)


def seeded_map(srv: Any) -> str:
    return srv.info["mapiry"]["maps"][0]


# -- maps ------------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_get_seeded_map(sandbox) -> None:
    async with mp(sandbox) as c:
        m = await c.get_map(seeded_map(sandbox))
        rl = c.rate_limits.get("general")
    assert m["id"] == seeded_map(sandbox) and m["title"] and m["slug"]
    assert rl is not None and rl.limit == 1000 and rl.reset_at and rl.reset_at > 1e9


@pytest.mark.asyncio
async def test_map_crud(fresh_sandbox) -> None:
    async with mp(fresh_sandbox) as c:
        made = await c.create_map("Best Coffee in Tokyo", description="My favourite spots")
        assert c.rate_limits.get("maps").limit == 50
        assert made["slug"] == "best-coffee-in-tokyo" and made["style"] == "streets-v12"
        assert made["public"] is False and made["allowCloning"] is True
        assert MapiryClient.parse_map_ref(made["id"]) == made["id"]
        assert await c.get_map(made["id"]) == made
        changed = await c.update_map(made["id"], city="Tokyo", public=True)
        assert (changed["city"], changed["public"], changed["description"]) == ("Tokyo", True, "My favourite spots")
        gone = await c.delete_map(made["id"])
        assert gone == {"id": made["id"], "deleted": True}
        with pytest.raises(E.NotFoundError):
            await c.get_map(made["id"])


# -- locations ---------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_list_and_iterate_locations(sandbox) -> None:
    map_id = seeded_map(sandbox)
    async with mp(sandbox) as c:
        page = await c.list_locations(map_id)
        every = [x async for x in c.iter_locations(map_id, page_size=37)]
        second = await c.list_locations(map_id, page=2, page_size=10)
        one = await c.get_location(map_id, every[0]["id"])
    assert isinstance(page, Page) and (page.page, page.per_page) == (1, 20)
    assert page.total == len(every) and page.total_pages == -(-len(every) // 20)
    assert page.has_more == (page.total_pages > 1)
    assert [x["id"] for x in page.items] == [x["id"] for x in every[:20]]
    assert [x["id"] for x in second.items] == [x["id"] for x in every[10:20]]
    keys = [(x["createdAt"], x["id"]) for x in every]
    assert keys == sorted(keys)
    assert one == every[0] and isinstance(one["layers"], list)


@pytest.mark.asyncio
async def test_location_crud_and_layers(fresh_sandbox) -> None:
    map_id = seeded_map(fresh_sandbox)
    async with mp(fresh_sandbox) as c:
        cat = await c.create_category(map_id, "Cafés", color="#112233")
        tag = await c.create_tag(map_id, "flat white")
        layer = await c.create_layer(map_id, "Day 1")
        made = await c.create_location(map_id, name="Fuglen Tokyo", lat=35.6654, lng=139.7006,
                                       categoryId=cat["id"], tagIds=[tag["id"]])
        assert (made["name"], made["lat"], made["lng"], made["mapId"]) == ("Fuglen Tokyo", 35.6654, 139.7006, map_id)
        assert made["categoryId"] == cat["id"] and made["tagIds"] == [tag["id"]] and made["layers"] == []
        changed = await c.update_location(map_id, made["id"], address="Tomigaya 1-16-11")
        assert changed["address"] == "Tomigaya 1-16-11" and changed["name"] == "Fuglen Tokyo"
        with_layer = await c.set_location_layers(map_id, made["id"], [layer["id"]])
        assert [x["id"] for x in with_layer["layers"]] == [layer["id"]]
        assert with_layer["layers"][0]["name"] == "Day 1"
        assert (await c.get_location(map_id, made["id"]))["layers"] == with_layer["layers"]
        cleared = await c.set_location_layers(map_id, made["id"], [])
        assert cleared["layers"] == []
        assert await c.delete_location(map_id, made["id"]) == {"id": made["id"], "deleted": True}
        with pytest.raises(E.NotFoundError):
            await c.get_location(map_id, made["id"])


@pytest.mark.asyncio
async def test_bulk_create(fresh_sandbox) -> None:
    map_id = seeded_map(fresh_sandbox)
    async with mp(fresh_sandbox) as c:
        before = (await c.list_locations(map_id)).total
        created = await c.bulk_create_locations(map_id, [
            {"name": "Fuglen Tokyo", "lat": 35.6654, "lng": 139.7006},
            {"name": "Bear Pond Espresso", "lat": 35.6585, "lng": 139.6968},
        ])
        assert [x["name"] for x in created] == ["Fuglen Tokyo", "Bear Pond Espresso"]
        assert c.rate_limits.get("bulk").limit == 20
        assert (await c.list_locations(map_id)).total == before + 2
        hundred = await c.bulk_create_locations(
            map_id, [{"name": f"P{i}", "lat": i * 0.5, "lng": i} for i in range(100)])
        assert len(hundred) == 100


@pytest.mark.asyncio
async def test_bulk_limit_refused_before_sending(sandbox) -> None:
    map_id = seeded_map(sandbox)
    async with mp(sandbox) as c:
        with pytest.raises(E.BulkLimitError) as info:
            await c.bulk_create_locations(map_id, [{"name": f"P{i}", "lat": 0, "lng": 0} for i in range(101)])
        assert info.value.count == 101
        with pytest.raises(E.BulkLimitError):
            await c.bulk_create_locations(map_id, [])
        assert c.rate_limits.snapshot() == {}  # nothing went out


@pytest.mark.asyncio
async def test_bulk_is_atomic(fresh_sandbox) -> None:
    map_id = seeded_map(fresh_sandbox)
    async with mp(fresh_sandbox) as c:
        before = (await c.list_locations(map_id)).total
        with pytest.raises(E.RequestValidationError) as info:
            await c.bulk_create_locations(map_id, [
                {"name": "ok", "lat": 1, "lng": 1},
                {"name": "bad", "lat": 91, "lng": 1},
            ])
        assert (await c.list_locations(map_id)).total == before
    err = info.value
    assert err.code == "VALIDATION_ERROR"
    assert any(d.get("index") == 1 and d.get("field") == "lat" for d in err.details)
    assert "row 2" in err.user_message()


# -- categories, tags, layers -----------------------------------------------------------------
@pytest.mark.parametrize("kind", ["categories", "tags", "layers"])
@pytest.mark.asyncio
async def test_sub_resource_crud(fresh_sandbox, kind) -> None:
    map_id = seeded_map(fresh_sandbox)
    singular = {"categories": "category", "tags": "tag", "layers": "layer"}[kind]
    async with mp(fresh_sandbox) as c:
        list_ = getattr(c, f"list_{kind}")
        before = await list_(map_id)
        made = await getattr(c, f"create_{singular}")(map_id, f"New {singular}")
        assert made["name"] == f"New {singular}" and made["mapId"] == map_id
        assert made in await list_(map_id)
        changed = await getattr(c, f"update_{singular}")(map_id, made["id"], name=f"Renamed {singular}")
        assert changed["name"] == f"Renamed {singular}" and changed["id"] == made["id"]
        assert await getattr(c, f"delete_{singular}")(map_id, made["id"]) == {"id": made["id"], "deleted": True}
        assert [x["id"] for x in await list_(map_id)] == [x["id"] for x in before]
    if kind == "categories":
        assert made["color"] == "#64748B"


# -- API keys ---------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_keys_create_list_revoke(fresh_sandbox) -> None:
    async with mp(fresh_sandbox) as c:
        made = await c.create_key("CI job", "READ_ONLY")
        secret = made["key"]
        assert secret.startswith("mk_live_") and made["prefix"] == secret[:16]
        assert made["scope"] == "READ_ONLY" and made["revokedAt"] is None
        listed = {k["id"]: k for k in await c.list_keys()}
        assert made["id"] in listed and "key" not in listed[made["id"]]
        async with MapiryClient(fresh_sandbox.mapiry_url, secret) as other:
            assert (await other.get_map(seeded_map(fresh_sandbox)))["id"]
            assert secret not in repr(other)
        revoked = await c.revoke_key(made["id"])
        assert revoked["id"] == made["id"] and revoked["revokedAt"]
        assert {k["id"]: k for k in await c.list_keys()}[made["id"]]["revokedAt"]
        async with MapiryClient(fresh_sandbox.mapiry_url, secret) as other:
            with pytest.raises(E.AuthenticationError) as info:
                await other.get_map(seeded_map(fresh_sandbox))
        assert info.value.code == "INVALID_API_KEY" and secret not in info.value.user_message()
        dated = await c.create_key("Dated", "READ_WRITE", expires_at="2099-01-01T00:00:00.000Z")
        assert dated["expiresAt"].startswith("2099-01-01")


# -- the error table ----------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "code", "cls"), [
    (None, "MISSING_API_KEY", E.AuthenticationError),
    ("mk_live_thiskeydoesnotexist0000000", "INVALID_API_KEY", E.AuthenticationError),
    ("expired", "API_KEY_EXPIRED", E.AuthenticationError),
    ("no_pro", "PRO_SUBSCRIPTION_REQUIRED", E.ProRequiredError),
])
@pytest.mark.asyncio
async def test_auth_rows(sandbox, key, code, cls) -> None:
    async with mp(sandbox, key) as c:
        with pytest.raises(cls) as info:
            await c.get_map(seeded_map(sandbox))
    err = info.value
    assert type(err) is cls and err.code == code
    assert err.status == (403 if code == "PRO_SUBSCRIPTION_REQUIRED" else 401)
    assert err.request_id and err.request_id.startswith("req_")
    text = err.user_message()
    assert "Request id: req_" in text
    if code == "API_KEY_EXPIRED":
        assert "it has expired" in text
    secret = sandbox.info["mapiry"]["keys"].get(key or "", key or "@@")
    assert secret not in str(err) and secret not in repr(err) and secret not in text


@pytest.mark.asyncio
async def test_insufficient_scope(sandbox) -> None:
    async with mp(sandbox, "read_only") as c:
        assert (await c.get_map(seeded_map(sandbox)))["id"]
        assert isinstance(await c.list_keys(), list)
        for call in (c.create_map("x"), c.update_map(seeded_map(sandbox), title="x"),
                     c.create_tag(seeded_map(sandbox), "x"), c.delete_map(seeded_map(sandbox))):
            with pytest.raises(E.PermissionDeniedError) as info:
                await call
            assert info.value.code == "INSUFFICIENT_SCOPE" and not isinstance(info.value, E.ProRequiredError)
            assert "READ_WRITE" in info.value.user_message()


@pytest.mark.asyncio
async def test_not_found(sandbox) -> None:
    map_id = seeded_map(sandbox)
    async with mp(sandbox) as c:
        for call in (c.get_map(NO_SUCH_ID), c.list_locations(NO_SUCH_ID), c.get_location(map_id, NO_SUCH_ID),
                     c.list_tags(NO_SUCH_ID), c.revoke_key(NO_SUCH_ID)):
            with pytest.raises(E.NotFoundError) as info:
                await call
            assert (info.value.status, info.value.code) == (404, "NOT_FOUND")


@pytest.mark.asyncio
async def test_conflict_duplicate_tag(fresh_sandbox) -> None:
    map_id = seeded_map(fresh_sandbox)
    async with mp(fresh_sandbox) as c:
        await c.create_tag(map_id, "Rooftop")
        with pytest.raises(E.ConflictError) as info:
            await c.create_tag(map_id, "rooftop")
    assert (info.value.status, info.value.code) == (409, "CONFLICT")
    assert "different name" in info.value.user_message()


@pytest.mark.parametrize("fields", [
    {"name": "x", "lat": 91, "lng": 0},
    {"name": "x", "lat": "35.1", "lng": 0},
    {"name": "x", "lat": True, "lng": 0},
    {"name": "   ", "lat": 1, "lng": 1},
    {"name": "x", "lat": 1, "lng": 181},
    {"name": "x", "lat": 1, "lng": 1, "categoryId": NO_SUCH_ID},
])
@pytest.mark.asyncio
async def test_validation_error(fresh_sandbox, fields) -> None:
    async with mp(fresh_sandbox) as c:
        with pytest.raises(E.RequestValidationError) as info:
            await c.create_location(seeded_map(fresh_sandbox), **fields)
    assert (info.value.status, info.value.code) == (400, "VALIDATION_ERROR")


@pytest.mark.asyncio
async def test_validation_error_paging_and_title(sandbox) -> None:
    async with mp(sandbox) as c:
        with pytest.raises(E.RequestValidationError):
            await c.list_locations(seeded_map(sandbox), page_size=101)
        with pytest.raises(E.RequestValidationError):
            await c.list_locations(seeded_map(sandbox), page=0)
        with pytest.raises(E.RequestValidationError):
            await c.create_map("")


@pytest.mark.asyncio
async def test_rate_limit_exceeded(fresh_sandbox) -> None:
    fresh_sandbox.set_limits(maps=2)
    async with mp(fresh_sandbox, max_retries=0) as c:
        await c.create_map("one")
        await c.create_map("two")
        assert c.rate_limits.get("maps").remaining == 0
        assert c.rate_limits.wait_time("maps") > 0
        with pytest.raises(E.RateLimitedError) as info:
            await c.create_map("three")
        assert (await c.get_map(seeded_map(fresh_sandbox)))["id"]  # other buckets still go
    err = info.value
    assert (err.status, err.code) == (429, "RATE_LIMIT_EXCEEDED")
    assert err.retry_after is not None and err.retry_after >= 1


@pytest.mark.asyncio
async def test_429_is_raised_at_once_for_the_import_pacer(make_sandbox: Any) -> None:
    """Bulk 429s are the import pacer's (one place): the client never sleeps them itself."""
    import time

    srv = make_sandbox(time_scale=3600.0, bulk=1)  # an hour's window lasts a second
    waits: list[tuple[float, str]] = []
    async with mp(srv, on_wait=lambda s, r: waits.append((s, r))) as c:
        map_id = seeded_map(srv)
        await c.bulk_create_locations(map_id, [{"name": "a", "lat": 1, "lng": 1}])
        start = time.monotonic()
        with pytest.raises(E.RateLimitedError) as info:
            await c.bulk_create_locations(map_id, [{"name": "b", "lat": 2, "lng": 2}])
        assert time.monotonic() - start < 0.5 and waits == []
        assert info.value.retry_after is not None and info.value.retry_after >= 1
        assert c.rate_limits.wait_time("bulk") > 0

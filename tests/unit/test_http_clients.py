"""What the clients put on the wire (httpx.MockTransport): bodies, buckets, paging, id quoting."""

from __future__ import annotations

import json

import httpx
import pytest

from app.core.errors import BulkLimitError
from app.services.instamapp import InstaMappClient
from app.services.mapiry import MapiryClient


class Wire:
    def __init__(self, respond) -> None:
        self.respond = respond
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.respond(request)

    def body(self, n: int = -1) -> object:
        return json.loads(self.requests[n].content)


ITEM = {"object": "item", "id": "itm_1", "name": "a"}


@pytest.mark.asyncio
async def test_update_item_sends_only_given_fields() -> None:
    wire = Wire(lambda r: httpx.Response(200, json=ITEM))
    async with InstaMappClient("https://i.example/api/public/v1", "imk_live_k", transport=httpx.MockTransport(wire)) as c:
        await c.update_item("itm_1", status="sell", condition=None)
    req = wire.requests[0]
    assert req.method == "PATCH" and req.url.path == "/api/public/v1/items/itm_1"
    assert wire.body() == {"status": "sell", "condition": None}


@pytest.mark.asyncio
async def test_create_item_body_and_list_params() -> None:
    def respond(r: httpx.Request) -> httpx.Response:
        if r.method == "POST":
            return httpx.Response(201, json=ITEM)
        return httpx.Response(200, json={"object": "list", "data": [],
                                         "pagination": {"page": 3, "per_page": 5, "has_more": False}})

    wire = Wire(respond)
    async with InstaMappClient("https://i.example/v1", "imk_live_k", transport=httpx.MockTransport(wire)) as c:
        await c.create_item("col-1", "Otto", estimated_value=24.99)
        page = await c.list_items(page=3, per_page=5, status="sell")
    assert wire.body(0) == {"collection_id": "col-1", "name": "Otto", "estimated_value": 24.99}
    assert dict(wire.requests[1].url.params) == {"page": "3", "per_page": "5", "status": "sell"}
    assert (page.page, page.per_page, page.has_more, page.items) == (3, 5, False, [])


@pytest.mark.asyncio
async def test_iter_items_follows_has_more() -> None:
    def respond(r: httpx.Request) -> httpx.Response:
        n = int(r.url.params["page"])
        data = [{"object": "item", "id": f"itm_{n}_{i}"} for i in range(2)]
        return httpx.Response(200, json={"object": "list", "data": data,
                                         "pagination": {"page": n, "per_page": 2, "has_more": n < 3}})

    wire = Wire(respond)
    async with InstaMappClient("https://i.example/v1", "imk_live_k", transport=httpx.MockTransport(wire)) as c:
        ids = [i["id"] async for i in c.iter_items(per_page=2)]
    assert ids == [f"itm_{n}_{i}" for n in (1, 2, 3) for i in range(2)]
    assert len(wire.requests) == 3


@pytest.mark.asyncio
async def test_iter_locations_follows_total_pages() -> None:
    def respond(r: httpx.Request) -> httpx.Response:
        n = int(r.url.params["page"])
        assert r.url.params["pageSize"] == "2"
        locs = [{"id": f"l{n}{i}"} for i in range(2 if n < 2 else 1)]
        return httpx.Response(200, json={"data": {"locations": locs, "pagination": {
            "total": 3, "page": n, "pageSize": 2, "totalPages": 2}}})

    wire = Wire(respond)
    async with MapiryClient("https://m.example/api/v1", "mk_live_k", transport=httpx.MockTransport(wire)) as c:
        ids = [x["id"] async for x in c.iter_locations("cmap", page_size=2)]
    assert ids == ["l10", "l11", "l20"]


@pytest.mark.asyncio
async def test_bulk_limits_send_nothing() -> None:
    wire = Wire(lambda r: httpx.Response(500))
    async with MapiryClient("https://m.example/api/v1", "mk_live_k", transport=httpx.MockTransport(wire)) as c:
        with pytest.raises(BulkLimitError):
            await c.bulk_create_locations("cmap", [{"name": "x", "lat": 0, "lng": 0}] * 101)
        with pytest.raises(BulkLimitError):
            await c.bulk_create_locations("cmap", [])
    assert wire.requests == []


@pytest.mark.asyncio
async def test_mapiry_bodies_and_ids_are_quoted() -> None:
    wire = Wire(lambda r: httpx.Response(200, json={"data": {"id": "k1", "location": 1}}))
    async with MapiryClient("https://m.example/api/v1", "mk_live_k", transport=httpx.MockTransport(wire)) as c:
        await c.create_key("ci", "READ_ONLY")
        await c.create_key("ci", "READ_WRITE", expires_at="2099-01-01T00:00:00Z")
        await c.set_location_layers("cmap", "cloc", ["l1", "l2"])
        await c.get_map("../keys")
    assert wire.body(0) == {"name": "ci", "scope": "READ_ONLY"}
    assert wire.body(1) == {"name": "ci", "scope": "READ_WRITE", "expiresAt": "2099-01-01T00:00:00Z"}
    assert wire.requests[2].method == "PUT" and wire.body(2) == {"layerIds": ["l1", "l2"]}
    assert wire.requests[2].url.path == "/api/v1/maps/cmap/locations/cloc/layers"
    assert wire.requests[3].url.raw_path == b"/api/v1/maps/..%2Fkeys"

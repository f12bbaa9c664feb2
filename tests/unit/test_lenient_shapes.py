"""app/services/shapes.py: the one reading of success bodies where the documents are silent, and
the clients that use it (httpx.MockTransport for the shapes the sandbox never sends)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.core import errors as E
from app.services import shapes
from app.services.instamapp import InstaMappClient
from app.services.mapiry import MapiryClient

LOCS = [{"id": "loc1", "name": "Fuglen Tokyo"}, {"id": "loc2", "name": "Bear Pond", "mapId": "other"}]


@pytest.mark.parametrize("body", [
    LOCS,
    {"data": LOCS},
    {"data": {"locations": LOCS}},
    {"locations": LOCS},
    {"data": LOCS, "pagination": {"page": 1, "pageSize": 20, "total": 2, "totalPages": 1}},
    {"data": {"locations": LOCS, "pagination": {"page": 1, "pageSize": 20, "total": 2, "totalPages": 1}}},
])
def test_a_list_in_every_shape(body: Any) -> None:
    page = shapes.page_of("mapiry", body, ("locations",), "location", 1, 20)
    assert page.items == LOCS and not page.has_more and page.page == 1


@pytest.mark.parametrize(("pagination", "more", "total", "pages"), [
    ({"page": 1, "per_page": 2, "has_more": True}, True, None, None),          # InstaMapp
    ({"page": 1, "pageSize": 2, "total": 47, "totalPages": 3}, True, 47, 3),    # Mapiry
    ({"page": 3, "pageSize": 2, "total": 47, "totalPages": 3}, False, 47, 3),
    ({"current_page": 1, "last_page": 2, "per_page": 2, "total": 4}, True, 4, 2),  # InstaWP's meta
    ({"page": 2, "pageSize": 2, "total": 4}, False, 4, None),                    # a total alone
    ({"page": "1", "pageSize": 2.0, "total": 5}, True, 5, None),
    ({}, False, None, None),
])
def test_pagination_in_every_vocabulary(pagination: dict, more: bool, total: int | None, pages: int | None) -> None:
    page = shapes.page_of("mapiry", {"data": LOCS, "pagination": pagination}, ("locations",), "location", 1, 20)
    assert (page.has_more, page.total, page.total_pages) == (more, total, pages)


@pytest.mark.parametrize("body", [
    {"data": "text"}, {"data": {"other": []}}, {"data": [1, 2]}, [["a"]], "text", None,
    {"data": LOCS, "pagination": {"page": "first"}}, {"data": LOCS, "pagination": {"has_more": "yes"}},
])
def test_what_is_no_list_is_an_error(body: Any) -> None:
    with pytest.raises(E.ResponseFormatError):
        shapes.page_of("mapiry", body, ("locations",), "location", 1, 20)


def test_an_object_bare_or_wrapped() -> None:
    record = {"id": "c1", "title": "Coffee", "data": {"nested": True}}
    assert shapes.unwrap_object("mapiry", record, "map") is record  # it has an id: bare, its "data" a field
    assert shapes.unwrap_object("mapiry", {"data": {"id": "c1"}}, "map") == {"id": "c1"}
    summary = {"object": "sales_summary", "gross": 1}
    assert shapes.unwrap_object("instamapp", {"data": summary}, "sales_summary", needs_id=False) == summary
    with pytest.raises(E.ResponseFormatError):
        shapes.unwrap_object("mapiry", {"data": None}, "map")


@pytest.mark.parametrize(("body", "result"), [
    (None, {}), ({"data": None}, {}), ({"data": {"success": True}}, {"success": True}),
    ({"data": {"id": "c1", "deleted": True}}, {"id": "c1", "deleted": True}), ({"id": "c1"}, {"id": "c1"}),
    ({"success": True}, {"success": True}), ([], {}), ("deleted", {}), (True, {}),
])
def test_any_2xx_answers_a_delete(body: Any, result: dict) -> None:
    assert shapes.deletion("mapiry", body, "location", 200) == result


@pytest.mark.parametrize("body", [
    {"success": False}, {"data": {"success": False}}, {"deleted": False, "message": "locked"}, {"ok": False},
    {"error": {"code": "CONFLICT", "message": "in use"}}, {"data": {"error": "in use"}}, False,
])
def test_a_delete_whose_body_says_it_failed(body: Any) -> None:
    with pytest.raises(E.NotCarriedOutError) as info:
        shapes.deletion("mapiry", body, "location", 200)
    assert info.value.status == 200 and "did not carry out" in info.value.user_message()


def wire(body: Any, status: int = 200) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(status, json=body))


@pytest.mark.asyncio
async def test_mapiry_records_take_the_map_they_were_read_from() -> None:
    base, key = "https://m.example/api/v1", "mk_live_SHAPEStestKEY0123456789"
    async with MapiryClient(base, key, transport=wire(LOCS)) as c:
        page = await c.list_locations("cmap1")
        tags = await c.list_tags("cmap1")
    assert [r["mapId"] for r in page.items] == ["cmap1", "other"]  # one that names its map keeps it
    assert [r["mapId"] for r in tags] == ["cmap1", "other"]
    async with MapiryClient(base, key, transport=wire({"data": {"id": "loc9", "name": "x"}})) as c:
        assert (await c.update_location("cmap1", "loc9", name="x"))["mapId"] == "cmap1"
        assert (await c.create_category("cmap1", "Cafe"))["mapId"] == "cmap1"
        assert "mapId" not in await c.get_map("cmap1")  # a map is no map's record
    async with MapiryClient(base, key, transport=wire([{"id": "key_1", "name": "k"}])) as c:
        assert await c.list_keys() == [{"id": "key_1", "name": "k"}]
    async with MapiryClient(base, key, transport=httpx.MockTransport(lambda r: httpx.Response(204))) as c:
        assert await c.delete_map("cmap1") == {}
        assert await c.delete_location("cmap1", "loc9") == {}
        assert await c.revoke_key("key_1") == {}


@pytest.mark.asyncio
async def test_instamapp_lists_and_objects_in_every_shape() -> None:
    base, key = "https://i.example/api/public/v1", "imk_live_SHAPEStestKEY0123456789"
    items = [{"object": "item", "id": "itm_1"}, {"object": "item", "id": "itm_2"}]
    for body in (items, {"data": items}, {"data": {"items": items}}):
        async with InstaMappClient(base, key, transport=wire(body)) as c:
            page = await c.list_items()
        assert page.items == items and not page.has_more
    for body in (items[0], {"data": items[0]}):
        async with InstaMappClient(base, key, transport=wire(body)) as c:
            assert await c.get_item("itm_1") == items[0]
    summary = {"object": "sales_summary", "currency": "USD", "gross": 10.0}
    async with InstaMappClient(base, key, transport=wire({"data": summary})) as c:
        assert await c.get_sales_summary() == summary
    async with InstaMappClient(base, key, transport=wire({"data": {"object": "collection", "id": "x"}})) as c:
        with pytest.raises(E.ResponseFormatError):
            await c.get_item("x")  # wrapped or not, a collection is not an item

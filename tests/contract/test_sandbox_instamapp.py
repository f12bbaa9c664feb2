"""The sandbox's InstaMapp API against the document and docs/api-contract.md, over real HTTP."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

ZERO_UUID = "00000000-0000-0000-0000-000000000000"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def http() -> httpx.Client:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def im(sandbox: Any) -> httpx.Client:
    with httpx.Client(base_url=sandbox.instamapp_url, headers=auth(sandbox.info["instamapp"]["keys"]["full"]),
                      timeout=10) as client:
        yield client


@pytest.fixture
def im_fresh(fresh_sandbox: Any) -> httpx.Client:
    with httpx.Client(base_url=fresh_sandbox.instamapp_url,
                      headers=auth(fresh_sandbox.info["instamapp"]["keys"]["full"]), timeout=10) as client:
        yield client


def assert_error(resp: httpx.Response, status: int, type_: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if type_ is not None:
        assert body["error"]["type"] == type_
    assert re.fullmatch(r"req_[0-9a-f]+", resp.headers["x-request-id"])
    return body["error"]


def first_collection(client: httpx.Client) -> str:
    return client.get("/collections").json()["data"][0]["id"]


# -- the document's examples (curl, fetch, requests) ------------------------------------------

def test_doc_list_items_quickstart(im: httpx.Client) -> None:
    resp = im.get("/items", params={"per_page": 10})
    assert resp.status_code == 200
    body = resp.json()
    assert body["object"] == "list"
    assert len(body["data"]) == 10
    assert body["pagination"] == {"page": 1, "per_page": 10, "has_more": True}
    item = body["data"][0]
    assert set(item) == {"object", "id", "collection_id", "name", "status", "condition", "estimated_value",
                         "currency", "notes", "created_at", "updated_at"}
    assert item["object"] == "item"
    assert re.fullmatch(r"itm_[A-Za-z0-9]{20}", item["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["created_at"])


def test_doc_list_items_by_status(im: httpx.Client) -> None:
    resp = im.get("/items", params={"status": "sell", "per_page": 20})
    assert resp.status_code == 200
    data = resp.json()["data"]
    assert data and all(i["status"] == "sell" for i in data)


def test_doc_get_item(im: httpx.Client) -> None:
    assert_error(im.get("/items/itm_123"), 404, "not_found")
    item = im.get("/items", params={"per_page": 1}).json()["data"][0]
    resp = im.get(f"/items/{item['id']}")
    assert resp.status_code == 200
    assert resp.json() == item


def test_doc_create_and_patch_item(im_fresh: httpx.Client) -> None:
    doc_body = {"collection_id": ZERO_UUID, "name": "Custom Otto", "status": "keep",
                "condition": "loose_mint", "estimated_value": 24.99}
    # The document's placeholder UUID is not a collection of this team.
    assert_error(im_fresh.post("/items", json=doc_body), 400, "invalid_request")
    doc_body["collection_id"] = first_collection(im_fresh)
    resp = im_fresh.post("/items", json=doc_body)
    assert resp.status_code == 201, resp.text
    item = resp.json()
    assert item["name"] == "Custom Otto" and item["condition"] == "loose_mint"
    assert item["estimated_value"] == 24.99 and item["currency"] == "USD" and item["notes"] == ""
    assert im_fresh.get("/items", params={"per_page": 1}).json()["data"][0]["id"] == item["id"]  # newest first

    resp = im_fresh.patch(f"/items/{item['id']}", json={"status": "sell", "estimated_value": 30})
    assert resp.status_code == 200
    patched = resp.json()
    assert patched["status"] == "sell" and patched["estimated_value"] == 30
    assert patched["name"] == "Custom Otto" and patched["condition"] == "loose_mint"  # untouched
    listings = im_fresh.get("/marketplace/listings", params={"per_page": 100}).json()["data"]
    mine = [x for x in listings if x["item_id"] == item["id"]]
    assert mine == [{
        "object": "listing", "id": "lst_" + item["id"][4:], "item_id": item["id"], "item_name": "Custom Otto",
        "type": "sale", "price": 30, "currency": "USD", "collection_id": item["collection_id"],
        "created_at": patched["updated_at"],
    }]
    im_fresh.patch(f"/items/{item['id']}", json={"status": "trade"})
    listings = im_fresh.get("/marketplace/listings", params={"per_page": 100}).json()["data"]
    assert [x["price"] for x in listings if x["item_id"] == item["id"]] == [None]
    im_fresh.patch(f"/items/{item['id']}", json={"status": "sold"})
    listings = im_fresh.get("/marketplace/listings", params={"per_page": 100}).json()["data"]
    assert not [x for x in listings if x["item_id"] == item["id"]]


def test_doc_collections_listings_sales(im: httpx.Client) -> None:
    cols = im.get("/collections").json()
    assert cols["object"] == "list" and 5 <= len(cols["data"]) <= 7
    assert cols["pagination"] == {"page": 1, "per_page": 20, "has_more": False}
    col = cols["data"][0]
    assert set(col) == {"object", "id", "name", "description", "item_count", "created_at"}
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", col["id"])
    total_items = sum(c["item_count"] for c in cols["data"])
    assert 250 <= total_items <= 400

    listings = im.get("/marketplace/listings").json()
    assert listings["object"] == "list" and listings["data"]
    for listing in listings["data"]:
        assert listing["object"] == "listing"
        assert listing["type"] in ("sale", "trade")
        assert listing["price"] is None if listing["type"] == "trade" else True

    summary = im.get("/sales/summary").json()
    assert summary["object"] == "sales_summary"
    assert summary["gross"] > 0 and summary["orders"] > 0
    assert summary["net_payout"] == pytest.approx(
        summary["gross"] - summary["fees"] - summary["refunds"] - summary["disputes"], abs=0.02)
    for name in ("gross", "fees", "net_payout", "refunds", "disputes"):
        assert round(summary[name], 2) == summary[name]


# -- pagination --------------------------------------------------------------------------------

def test_pagination_walks_every_item_once_newest_first(im: httpx.Client) -> None:
    seen: list[dict[str, Any]] = []
    page = 1
    while True:
        body = im.get("/items", params={"page": page, "per_page": 100}).json()
        assert body["pagination"]["page"] == page and body["pagination"]["per_page"] == 100
        seen.extend(body["data"])
        if not body["pagination"]["has_more"]:
            break
        page += 1
    assert len({i["id"] for i in seen}) == len(seen)
    keys = [(i["created_at"], i["id"]) for i in seen]
    assert keys == sorted(keys, reverse=True)
    beyond = im.get("/items", params={"page": page + 1, "per_page": 100}).json()
    assert beyond["data"] == [] and beyond["pagination"]["has_more"] is False


@pytest.mark.parametrize("params", [
    {"per_page": 0}, {"per_page": 101}, {"per_page": "ten"}, {"page": 0}, {"page": -1}, {"page": "1.5"},
    {"status": "lost"},
])
def test_bad_query_parameters_are_400(im: httpx.Client, params: dict[str, Any]) -> None:
    assert_error(im.get("/items", params=params), 400, "invalid_request")


# -- every row of the error table --------------------------------------------------------------

def test_401_missing_and_invalid_key(sandbox: Any, http: httpx.Client) -> None:
    url = sandbox.instamapp_url + "/items"
    assert "ratelimit-limit" not in http.get(url).headers
    assert_error(http.get(url), 401)
    assert_error(http.get(url, headers=auth("imk_live_" + "x" * 32)), 401)
    assert_error(http.get(url, headers={"Authorization": "Basic abc"}), 401)
    # A Mapiry key is not an InstaMapp key.
    assert_error(http.get(url, headers=auth(sandbox.info["mapiry"]["keys"]["read_write"])), 401)


def test_403_scope_for_each_scope(sandbox: Any) -> None:
    with httpx.Client(base_url=sandbox.instamapp_url, headers=auth(sandbox.info["instamapp"]["keys"]["items_read"])) as c:
        assert c.get("/items").status_code == 200
        for method, path in (("POST", "/items"), ("PATCH", "/items/itm_123"), ("GET", "/collections"),
                             ("GET", "/marketplace/listings"), ("GET", "/sales/summary")):
            err = assert_error(c.request(method, path, json={}), 403)
            assert err["type"] != "limit_reached"


def test_403_limit_reached_only_on_create(fresh_sandbox: Any, im_fresh: httpx.Client) -> None:
    count = fresh_sandbox.state.store.scalar("SELECT COUNT(*) FROM im_items")
    fresh_sandbox.set_limits(item_limit=count)
    col = first_collection(im_fresh)
    # body validation comes before the plan limit
    assert_error(im_fresh.post("/items", json={"collection_id": col}), 400, "invalid_request")
    assert_error(im_fresh.post("/items", json={"collection_id": col, "name": "One too many"}), 403, "limit_reached")
    assert fresh_sandbox.state.store.scalar("SELECT COUNT(*) FROM im_items") == count
    item = im_fresh.get("/items", params={"per_page": 1}).json()["data"][0]
    assert im_fresh.patch(f"/items/{item['id']}", json={"notes": "still editable"}).status_code == 200
    fresh_sandbox.set_limits(item_limit=count + 1)
    assert im_fresh.post("/items", json={"collection_id": col, "name": "Fits now"}).status_code == 201


def test_404_not_found_and_unknown_routes(im: httpx.Client) -> None:
    assert_error(im.get("/items/itm_doesnotexist000000"), 404, "not_found")
    assert_error(im.patch("/items/itm_doesnotexist000000", json={"name": "x"}), 404, "not_found")
    assert_error(im.get("/nope"), 404, "not_found")
    assert_error(im.delete("/items"), 404, "not_found")


def test_429_rate_limited_with_headers(fresh_sandbox: Any, im_fresh: httpx.Client, http: httpx.Client) -> None:
    fresh_sandbox.set_limits(instamapp_per_window=2)
    first = im_fresh.get("/items")
    assert first.headers["ratelimit-limit"] == "2" and first.headers["ratelimit-remaining"] == "1"
    assert 0 < int(first.headers["ratelimit-reset"]) <= 60
    assert im_fresh.get("/collections").headers["ratelimit-remaining"] == "0"
    resp = im_fresh.get("/items")
    assert_error(resp, 429)
    assert 1 <= int(resp.headers["retry-after"]) <= 60
    assert resp.headers["ratelimit-remaining"] == "0"
    # The limit is per key: the items:read key has its own window.
    other = http.get(fresh_sandbox.instamapp_url + "/items",
                      headers=auth(fresh_sandbox.info["instamapp"]["keys"]["items_read"]))
    assert other.status_code == 200


@pytest.mark.parametrize("body", [
    b"{not json", b"", b"[1, 2]", b'{"name": NaN}', b"\xff\xfe",
])
def test_400_malformed_bodies(im: httpx.Client, body: bytes) -> None:
    item = im.get("/items", params={"per_page": 1}).json()["data"][0]
    resp = im.patch(f"/items/{item['id']}", content=body, headers={"Content-Type": "application/json"})
    assert_error(resp, 400, "invalid_request")


@pytest.mark.parametrize("patch", [
    {"id": "itm_x"}, {"created_at": "2026-01-01T00:00:00Z"}, {"colour": "red"}, {"status": "lost"},
    {"condition": "shiny"}, {"estimated_value": -1}, {"estimated_value": "12"}, {"estimated_value": True},
    b'{"estimated_value": 1e999}', b'{"estimated_value": Infinity}', {"name": "   "}, {"name": "x" * 201}, {"notes": "n" * 2001},
    {"currency": "usd"}, {"collection_id": ZERO_UUID},
])
def test_400_invalid_fields(im: httpx.Client, patch: dict[str, Any] | bytes) -> None:
    item = im.get("/items", params={"per_page": 1}).json()["data"][0]
    if isinstance(patch, bytes):
        resp = im.patch(f"/items/{item['id']}", content=patch, headers={"Content-Type": "application/json"})
    else:
        resp = im.patch(f"/items/{item['id']}", json=patch)
    assert_error(resp, 400, "invalid_request")
    assert im.get(f"/items/{item['id']}").json() == item  # nothing changed


def test_check_order(sandbox: Any, http: httpx.Client) -> None:
    keys = sandbox.info["instamapp"]["keys"]
    # scope (403) before 404 and before body validation
    resp = http.patch(sandbox.instamapp_url + "/items/itm_missing", content=b"{bad",
                       headers=auth(keys["items_read"]))
    assert_error(resp, 403)
    # 404 before body validation
    resp = http.patch(sandbox.instamapp_url + "/items/itm_missing", content=b"{bad", headers=auth(keys["full"]))
    assert_error(resp, 404, "not_found")


def test_name_is_trimmed_and_defaults_apply(im_fresh: httpx.Client) -> None:
    resp = im_fresh.post("/items", json={"collection_id": first_collection(im_fresh), "name": "  Kaws Chum  "})
    assert resp.status_code == 201
    item = resp.json()
    assert item["name"] == "Kaws Chum" and item["status"] == "keep" and item["condition"] is None
    assert item["estimated_value"] is None and item["notes"] == "" and item["currency"] == "USD"
    assert item["created_at"] == item["updated_at"]

"""The sandbox's Mapiry API against the document and docs/api-contract.md, over real HTTP."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

CUID = re.compile(r"c[a-z0-9]{24}")
TS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def client_for(srv: Any, role: str = "read_write") -> httpx.Client:
    return httpx.Client(base_url=srv.mapiry_url, headers=auth(srv.info["mapiry"]["keys"][role]), timeout=10)


@pytest.fixture(scope="module")
def mp(sandbox: Any) -> httpx.Client:
    with client_for(sandbox) as client:
        yield client


@pytest.fixture
def mpw(fresh_sandbox: Any) -> httpx.Client:
    with client_for(fresh_sandbox) as client:
        yield client


def assert_error(resp: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert re.fullmatch(r"req_[0-9a-f]+", resp.headers["x-request-id"])
    return body["error"]


def map_id(srv: Any, n: int = 0) -> str:
    return srv.info["mapiry"]["maps"][n]


# -- the document's quick examples -----------------------------------------------------------

def test_doc_create_map(mpw: httpx.Client) -> None:
    resp = mpw.post("/maps", json={"title": "Best Coffee in Tokyo", "description": "My favourite spots"})
    assert resp.status_code == 201, resp.text
    data = resp.json()["data"]
    assert CUID.fullmatch(data["id"])
    expected = {"title": "Best Coffee in Tokyo", "slug": "best-coffee-in-tokyo", "description": "My favourite spots",
                "country": "", "city": "", "public": False, "allowCloning": True, "style": "streets-v12",
                "centerLat": None, "centerLng": None, "zoom": None}
    assert {k: data[k] for k in expected} == expected
    assert data["userId"] and TS.fullmatch(data["createdAt"]) and TS.fullmatch(data["updatedAt"])
    assert mpw.get(f"/maps/{data['id']}").json() == {"data": data}


def test_doc_bulk_create_and_list(fresh_sandbox: Any, mpw: httpx.Client) -> None:
    new_map = mpw.post("/maps", json={"title": "Best Coffee in Tokyo"}).json()["data"]["id"]
    resp = mpw.post(f"/maps/{new_map}/locations/bulk", json={"locations": [
        {"name": "Fuglen Tokyo", "lat": 35.6654, "lng": 139.7006},
        {"name": "Bear Pond Espresso", "lat": 35.6585, "lng": 139.6968},
    ]})
    assert resp.status_code == 201, resp.text
    data = resp.json()["data"]
    assert data["count"] == 2
    assert [(x["name"], x["lat"], x["lng"], x["layers"]) for x in data["created"]] == [
        ("Fuglen Tokyo", 35.6654, 139.7006, []), ("Bear Pond Espresso", 35.6585, 139.6968, [])]
    resp = mpw.get(f"/maps/{new_map}/locations", params={"page": 1, "pageSize": 20})
    assert resp.status_code == 200
    body = resp.json()["data"]
    assert body["pagination"] == {"total": 2, "page": 1, "pageSize": 20, "totalPages": 1}
    assert [x["id"] for x in body["locations"]] == [x["id"] for x in data["created"]]
    loc = body["locations"][0]
    assert set(loc) == {"id", "mapId", "name", "description", "address", "lat", "lng", "categoryId", "tagIds",
                        "layers", "createdAt", "updatedAt"}


def test_list_locations_pagination_of_seeded_map(sandbox: Any, mp: httpx.Client) -> None:
    mid = map_id(sandbox)
    first = mp.get(f"/maps/{mid}/locations", params={"page": 1, "pageSize": 20}).json()["data"]
    total = first["pagination"]["total"]
    assert 80 <= total <= 120
    assert first["pagination"]["totalPages"] == -(-total // 20)
    seen = []
    for page in range(1, first["pagination"]["totalPages"] + 1):
        seen += mp.get(f"/maps/{mid}/locations", params={"page": page, "pageSize": 20}).json()["data"]["locations"]
    assert len(seen) == total == len({x["id"] for x in seen})
    assert [(x["createdAt"], x["id"]) for x in seen] == sorted((x["createdAt"], x["id"]) for x in seen)
    assert any(x["layers"] for x in seen) and any(x["tagIds"] for x in seen)
    assert all(-90 <= x["lat"] <= 90 and -180 <= x["lng"] <= 180 for x in seen)
    with_layer = next(x for x in seen if x["layers"])
    assert set(with_layer["layers"][0]) == {"id", "mapId", "name", "color", "order", "routeEnabled",
                                           "routeShowByDefault", "createdAt", "updatedAt"}
    beyond = mp.get(f"/maps/{mid}/locations", params={"page": 99}).json()["data"]
    assert beyond["locations"] == [] and beyond["pagination"]["page"] == 99


@pytest.mark.parametrize("params", [{"page": 0}, {"pageSize": 0}, {"pageSize": 101}, {"page": "x"}])
def test_bad_pagination_is_validation_error(sandbox: Any, mp: httpx.Client, params: dict[str, Any]) -> None:
    assert_error(mp.get(f"/maps/{map_id(sandbox)}/locations", params=params), 400, "VALIDATION_ERROR")


def test_seeded_maps_have_taxonomy(sandbox: Any, mp: httpx.Client) -> None:
    maps = sandbox.info["mapiry"]["maps"]
    assert len(maps) == 3
    titles = [mp.get(f"/maps/{m}").json()["data"]["title"] for m in maps]
    assert "Flea markets of Berlin" in titles
    for m in maps:
        cats = mp.get(f"/maps/{m}/categories").json()["data"]
        tags = mp.get(f"/maps/{m}/tags").json()["data"]
        layers = mp.get(f"/maps/{m}/layers").json()["data"]
        assert cats and tags and layers
        assert all(re.fullmatch(r"#[0-9A-F]{6}", c["color"]) for c in cats + layers)
        assert [la["order"] for la in layers] == sorted(la["order"] for la in layers)


# -- every row of the error table --------------------------------------------------------------

def test_missing_invalid_expired_revoked(sandbox: Any) -> None:
    url = f"{sandbox.mapiry_url}/maps/{map_id(sandbox)}"
    with httpx.Client(timeout=10) as http:
        assert_error(http.get(url), 401, "MISSING_API_KEY")
        assert_error(http.get(url, headers=auth("mk_live_" + "0" * 32)), 401, "INVALID_API_KEY")
        assert_error(http.get(url, headers={"Authorization": "Token abc"}), 401, "INVALID_API_KEY")
        assert_error(http.get(url, headers=auth(sandbox.info["mapiry"]["keys"]["expired"])), 401, "API_KEY_EXPIRED")
        assert_error(http.get(url, headers=auth(sandbox.info["mapiry"]["keys"]["no_pro"])), 403,
                     "PRO_SUBSCRIPTION_REQUIRED")
        # expired is checked before Pro, and a key is checked before the route's resources
        assert_error(http.get(f"{sandbox.mapiry_url}/maps/cnotamap", headers=auth(sandbox.info["mapiry"]["keys"]["expired"])),
                     401, "API_KEY_EXPIRED")


def test_insufficient_scope_before_not_found_and_validation(sandbox: Any) -> None:
    with client_for(sandbox, "read_only") as ro:
        assert ro.get(f"/maps/{map_id(sandbox)}").status_code == 200
        assert ro.get("/keys").status_code == 200
        assert_error(ro.post("/maps", json={"title": "x"}), 403, "INSUFFICIENT_SCOPE")
        assert_error(ro.put("/maps/cmissing", content=b"{bad"), 403, "INSUFFICIENT_SCOPE")
        assert_error(ro.delete(f"/maps/{map_id(sandbox)}"), 403, "INSUFFICIENT_SCOPE")
    with client_for(sandbox, "no_pro") as np:
        assert_error(np.post("/maps", json={"title": "x"}), 403, "PRO_SUBSCRIPTION_REQUIRED")


def test_not_found_before_validation(sandbox: Any, mp: httpx.Client) -> None:
    assert_error(mp.put("/maps/cmissing", content=b"{bad"), 404, "NOT_FOUND")
    assert_error(mp.get(f"/maps/{map_id(sandbox)}/locations/cmissing"), 404, "NOT_FOUND")
    assert_error(mp.get(f"/maps/{map_id(sandbox)}/unknown"), 404, "NOT_FOUND")
    assert_error(mp.get("/nothing/here"), 404, "NOT_FOUND")
    assert_error(mp.patch(f"/maps/{map_id(sandbox)}", json={}), 404, "NOT_FOUND")


def test_maps_of_another_account_are_not_found(fresh_sandbox: Any) -> None:
    fresh_sandbox.state.store.conn.execute("UPDATE mp_accounts SET pro = 1 WHERE id = 'user_hobbyist0002'")
    with client_for(fresh_sandbox, "no_pro") as other:
        mid = map_id(fresh_sandbox)
        assert_error(other.get(f"/maps/{mid}"), 404, "NOT_FOUND")
        assert_error(other.get(f"/maps/{mid}/locations"), 404, "NOT_FOUND")
        assert_error(other.delete(f"/maps/{mid}"), 404, "NOT_FOUND")
        assert [k["name"] for k in other.get("/keys").json()["data"]] == ["Hobby key"]


@pytest.mark.parametrize("body", [
    b'{"name": "A", "lat": "52.5", "lng": 13.4}', b'{"name": "A", "lat": true, "lng": 13.4}',
    b'{"name": "A", "lat": NaN, "lng": 13.4}', b'{"name": "A", "lat": 52.5, "lng": Infinity}',
    b'{"name": "A", "lat": 1e999, "lng": 13.4}', b'{"name": "A", "lat": 90.5, "lng": 13.4}',
    b'{"name": "A", "lat": 52.5, "lng": -180.01}', b'{"name": "A", "lat": null, "lng": 13.4}',
    b'{"name": "   ", "lat": 52.5, "lng": 13.4}', b'{"lat": 52.5, "lng": 13.4}', b'{"name": "A", "lng": 13.4}',
    b'{"name": "A", "lat": 1, "lng": 1, "layers": []}', b'{"name": "A", "lat": 1, "lng": 1, "tagIds": ["cnope"]}',
    b'{"name": "A", "lat": 1, "lng": 1, "categoryId": "cnope"}', b"{not json", b"", b"[]",
])
def test_location_validation(sandbox: Any, mp: httpx.Client, body: bytes) -> None:
    mid = map_id(sandbox)
    before = mp.get(f"/maps/{mid}/locations", params={"pageSize": 1}).json()["data"]["pagination"]["total"]
    resp = mp.post(f"/maps/{mid}/locations", content=body, headers={"Content-Type": "application/json"})
    err = assert_error(resp, 400, "VALIDATION_ERROR")
    assert all(set(d) <= {"index", "field", "message"} for d in err.get("details", []))
    after = mp.get(f"/maps/{mid}/locations", params={"pageSize": 1}).json()["data"]["pagination"]["total"]
    assert after == before


def test_bulk_is_atomic_and_capped(sandbox: Any, mp: httpx.Client) -> None:
    mid = map_id(sandbox)
    total = mp.get(f"/maps/{mid}/locations").json()["data"]["pagination"]["total"]
    rows = [{"name": f"Stall {i}", "lat": 52.5, "lng": 13.4} for i in range(10)]
    rows[7] = {"name": "Bad", "lat": "52.5", "lng": 13.4}
    rows[3] = {"name": "", "lat": 52.5, "lng": 13.4}
    err = assert_error(mp.post(f"/maps/{mid}/locations/bulk", json={"locations": rows}), 400, "VALIDATION_ERROR")
    assert sorted({d["index"] for d in err["details"]}) == [3, 7]
    assert {d["field"] for d in err["details"] if d["index"] == 7} == {"lat"}
    too_many = [{"name": f"S{i}", "lat": 1.0, "lng": 1.0} for i in range(101)]
    assert_error(mp.post(f"/maps/{mid}/locations/bulk", json={"locations": too_many}), 400, "VALIDATION_ERROR")
    assert_error(mp.post(f"/maps/{mid}/locations/bulk", json={"locations": []}), 400, "VALIDATION_ERROR")
    assert_error(mp.post(f"/maps/{mid}/locations/bulk", json={"items": rows}), 400, "VALIDATION_ERROR")
    assert mp.get(f"/maps/{mid}/locations").json()["data"]["pagination"]["total"] == total


def test_bulk_of_exactly_100(mpw: httpx.Client, fresh_sandbox: Any) -> None:
    mid = map_id(fresh_sandbox, 2)
    tag = mpw.get(f"/maps/{mid}/tags").json()["data"][0]["id"]
    rows = [{"name": f"Shop {i}", "lat": 38.7 + i / 1000, "lng": -9.1, "tagIds": [tag]} for i in range(100)]
    resp = mpw.post(f"/maps/{mid}/locations/bulk", json={"locations": rows})
    assert resp.status_code == 201 and resp.json()["data"]["count"] == 100
    assert [x["name"] for x in resp.json()["data"]["created"]] == [r["name"] for r in rows]
    assert all(x["tagIds"] == [tag] for x in resp.json()["data"]["created"])


def test_duplicate_tag_is_conflict(fresh_sandbox: Any, mpw: httpx.Client) -> None:
    mid = map_id(fresh_sandbox)
    assert mpw.post(f"/maps/{mid}/tags", json={"name": "Rare finds"}).status_code == 201
    assert_error(mpw.post(f"/maps/{mid}/tags", json={"name": "RARE FINDS"}), 409, "CONFLICT")
    assert_error(mpw.post(f"/maps/{mid}/tags", json={"name": "  rare finds "}), 409, "CONFLICT")
    # validation comes before the conflict check
    assert_error(mpw.post(f"/maps/{mid}/tags", json={"name": "x" * 51}), 400, "VALIDATION_ERROR")
    other = mpw.post(f"/maps/{mid}/tags", json={"name": "Other"}).json()["data"]
    assert_error(mpw.put(f"/maps/{mid}/tags/{other['id']}", json={"name": "rare Finds"}), 409, "CONFLICT")
    assert mpw.put(f"/maps/{mid}/tags/{other['id']}", json={"name": "OTHER"}).status_code == 200
    # the same name on another map is fine
    assert mpw.post(f"/maps/{map_id(fresh_sandbox, 1)}/tags", json={"name": "Rare finds"}).status_code == 201


# -- CRUD of every resource --------------------------------------------------------------------

def test_map_update_and_delete(mpw: httpx.Client) -> None:
    created = mpw.post("/maps", json={"title": "Thrift in Oslo", "zoom": 11, "centerLat": 59.91,
                                      "centerLng": 10.75}).json()["data"]
    resp = mpw.put(f"/maps/{created['id']}", json={"title": "Thrift shops in Oslo", "public": True})
    assert resp.status_code == 200
    updated = resp.json()["data"]
    assert updated["slug"] == "thrift-shops-in-oslo" and updated["public"] is True
    assert updated["zoom"] == 11 and updated["centerLat"] == 59.91  # untouched
    assert_error(mpw.put(f"/maps/{created['id']}", json={"public": "yes"}), 400, "VALIDATION_ERROR")
    assert_error(mpw.put(f"/maps/{created['id']}", json={"centerLat": 91}), 400, "VALIDATION_ERROR")
    assert mpw.delete(f"/maps/{created['id']}").json() == {"data": {"id": created["id"], "deleted": True}}
    assert_error(mpw.get(f"/maps/{created['id']}"), 404, "NOT_FOUND")


def test_location_crud_with_category_tags_layers(fresh_sandbox: Any, mpw: httpx.Client) -> None:
    mid = mpw.post("/maps", json={"title": "Test map"}).json()["data"]["id"]
    cat = mpw.post(f"/maps/{mid}/categories", json={"name": "Flea market"}).json()["data"]
    assert cat["color"] == "#64748B" and cat["icon"] == "" and cat["mapId"] == mid
    tag = mpw.post(f"/maps/{mid}/tags", json={"name": "Sunday"}).json()["data"]
    l1 = mpw.post(f"/maps/{mid}/layers", json={"name": "Day 1"}).json()["data"]
    l2 = mpw.post(f"/maps/{mid}/layers", json={"name": "Day 2", "color": "#14b8a6"}).json()["data"]
    assert (l1["order"], l2["order"], l2["color"]) == (0, 1, "#14B8A6")
    assert l1["routeEnabled"] is False and l1["routeShowByDefault"] is False

    loc = mpw.post(f"/maps/{mid}/locations", json={"name": "Mauerpark", "lat": 52.5437, "lng": 13.4022,
                                                    "categoryId": cat["id"], "tagIds": [tag["id"]]})
    assert loc.status_code == 201, loc.text
    loc = loc.json()["data"]
    assert loc["categoryId"] == cat["id"] and loc["tagIds"] == [tag["id"]] and loc["layers"] == []
    assert loc["description"] == "" and loc["address"] == ""

    resp = mpw.put(f"/maps/{mid}/locations/{loc['id']}/layers", json={"layerIds": [l2["id"], l1["id"]]})
    assert resp.status_code == 200
    assert [la["name"] for la in resp.json()["data"]["layers"]] == ["Day 1", "Day 2"]
    assert_error(mpw.put(f"/maps/{mid}/locations/{loc['id']}/layers", json={"layerIds": ["cnope"]}),
                 400, "VALIDATION_ERROR")

    resp = mpw.put(f"/maps/{mid}/locations/{loc['id']}", json={"address": "Bernauer Str. 63"})
    got = resp.json()["data"]
    assert got["address"] == "Bernauer Str. 63" and got["name"] == "Mauerpark" and len(got["layers"]) == 2

    assert mpw.put(f"/maps/{mid}/layers/{l1['id']}", json={"name": "Sunday", "order": 5}).json()["data"]["order"] == 5
    assert [la["name"] for la in mpw.get(f"/maps/{mid}/locations/{loc['id']}").json()["data"]["layers"]] == \
        ["Day 2", "Sunday"]
    assert mpw.put(f"/maps/{mid}/categories/{cat['id']}", json={"color": "#FF0000"}).json()["data"]["color"] == "#FF0000"
    assert_error(mpw.put(f"/maps/{mid}/categories/{cat['id']}", json={"color": "red"}), 400, "VALIDATION_ERROR")

    # deleting a category, tag or layer detaches it from locations
    assert mpw.delete(f"/maps/{mid}/categories/{cat['id']}").json()["data"] == {"id": cat["id"], "deleted": True}
    assert mpw.delete(f"/maps/{mid}/tags/{tag['id']}").status_code == 200
    assert mpw.delete(f"/maps/{mid}/layers/{l2['id']}").status_code == 200
    got = mpw.get(f"/maps/{mid}/locations/{loc['id']}").json()["data"]
    assert got["categoryId"] is None and got["tagIds"] == [] and [la["id"] for la in got["layers"]] == [l1["id"]]
    assert_error(mpw.delete(f"/maps/{mid}/tags/{tag['id']}"), 404, "NOT_FOUND")

    assert mpw.delete(f"/maps/{mid}/locations/{loc['id']}").json()["data"] == {"id": loc["id"], "deleted": True}
    assert_error(mpw.get(f"/maps/{mid}/locations/{loc['id']}"), 404, "NOT_FOUND")


def test_keys_list_create_revoke(fresh_sandbox: Any, mpw: httpx.Client) -> None:
    keys = mpw.get("/keys").json()["data"]
    prov = fresh_sandbox.info["mapiry"]["keys"]
    prefixes = {k["prefix"] for k in keys}
    assert {prov["read_write"][:16], prov["read_only"][:16], prov["expired"][:16]} <= prefixes
    assert prov["no_pro"][:16] not in prefixes
    assert any(k["revokedAt"] for k in keys)
    assert all(set(k) == {"id", "name", "scope", "prefix", "createdAt", "expiresAt", "lastUsedAt", "revokedAt"}
               for k in keys)

    resp = mpw.post("/keys", json={"name": "CI", "scope": "READ_ONLY", "expiresAt": "2099-01-01T00:00:00Z"})
    assert resp.status_code == 201, resp.text
    new = resp.json()["data"]
    assert re.fullmatch(r"mk_live_[A-Za-z0-9]{32}", new["key"]) and new["prefix"] == new["key"][:16]
    assert new["expiresAt"] == "2099-01-01T00:00:00.000Z" and new["revokedAt"] is None
    assert "key" not in next(k for k in mpw.get("/keys").json()["data"] if k["id"] == new["id"])
    with httpx.Client(base_url=fresh_sandbox.mapiry_url, headers=auth(new["key"])) as ci:
        assert ci.get(f"/maps/{map_id(fresh_sandbox)}").status_code == 200
        revoked = mpw.delete(f"/keys/{new['id']}").json()["data"]
        assert revoked["revokedAt"] and revoked["id"] == new["id"]
        assert_error(ci.get(f"/maps/{map_id(fresh_sandbox)}"), 401, "INVALID_API_KEY")
    assert_error(mpw.delete("/keys/cnotakey"), 404, "NOT_FOUND")
    for body in ({"name": "x", "scope": "ADMIN"}, {"scope": "READ_ONLY"},
                 {"name": "x", "scope": "READ_ONLY", "expiresAt": "2001-01-01T00:00:00Z"},
                 {"name": "x", "scope": "READ_ONLY", "expiresAt": "tomorrow"}):
        assert_error(mpw.post("/keys", json=body), 400, "VALIDATION_ERROR")


def test_more_than_ten_active_keys_refused(mpw: httpx.Client) -> None:
    active = [k for k in mpw.get("/keys").json()["data"] if not k["revokedAt"]
              and (k["expiresAt"] is None or k["expiresAt"] > "2027")]
    for i in range(10 - len(active)):
        assert mpw.post("/keys", json={"name": f"k{i}", "scope": "READ_ONLY"}).status_code == 201
    assert_error(mpw.post("/keys", json={"name": "eleventh", "scope": "READ_ONLY"}), 400, "VALIDATION_ERROR")
    victim = next(k for k in mpw.get("/keys").json()["data"] if k["name"] == "k0")
    mpw.delete(f"/keys/{victim['id']}")
    assert mpw.post("/keys", json={"name": "eleventh", "scope": "READ_ONLY"}).status_code == 201


def test_last_used_at_is_recorded(fresh_sandbox: Any, mpw: httpx.Client) -> None:
    mpw.get(f"/maps/{map_id(fresh_sandbox)}")
    rw = fresh_sandbox.info["mapiry"]["keys"]["read_write"][:16]
    key = next(k for k in mpw.get("/keys").json()["data"] if k["prefix"] == rw)
    assert key["lastUsedAt"] and TS.fullmatch(key["lastUsedAt"])

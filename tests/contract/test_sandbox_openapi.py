"""The OpenAPI files: operation ids are the client's method names, and the sandbox's answers match them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.resources import resource_path
from app.sandbox import openapi

SPEC_DIR = resource_path("openapi")
INSTAMAPP_OPS = {"list_items", "get_item", "create_item", "update_item", "list_collections", "list_listings",
                 "get_sales_summary"}
MAPIRY_OPS = {"create_map", "get_map", "update_map", "delete_map", "list_locations", "create_location",
              "bulk_create_locations", "get_location", "update_location", "delete_location", "list_categories",
              "create_category", "update_category", "delete_category", "list_tags", "create_tag", "update_tag",
              "delete_tag", "list_layers", "create_layer", "update_layer", "delete_layer", "set_location_layers",
              "list_keys", "create_key", "revoke_key"}


def load(name: str) -> dict[str, Any]:
    return json.loads((SPEC_DIR / name).read_text(encoding="utf-8"))


def operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {o["operationId"]: (path, method, o) for path, item in spec["paths"].items() for method, o in item.items()}


class Checker:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.ops = operations(spec)
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self.registry = Registry().with_resource("urn:spec", resource)
        self.checked: set[str] = set()
        self.validators: dict[str, Draft202012Validator] = {}

    def check(self, op_id: str, resp: httpx.Response) -> Any:
        path, method, _ = self.ops[op_id]
        pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1") + f"/{method}/responses/{resp.status_code}"
        if pointer not in self.validators:
            schema = {"$ref": f"urn:spec#{pointer}/content/application~1json/schema"}
            self.validators[pointer] = Draft202012Validator(schema, registry=self.registry)
        self.validators[pointer].validate(resp.json())
        self.checked.add(op_id)
        return resp.json()


def test_specs_are_openapi_31_and_up_to_date() -> None:
    for name in ("instamapp-v1.json", "mapiry-v1.json"):
        spec = load(name)
        assert spec["openapi"].startswith("3.1")
        assert spec["components"]["securitySchemes"]["bearer"] == {**spec["components"]["securitySchemes"]["bearer"],
                                                                     "type": "http", "scheme": "bearer"}
        assert (SPEC_DIR / name).read_text(encoding="utf-8") == openapi.render(name), "run python -m app.sandbox.openapi"
        Draft202012Validator.check_schema({"$defs": spec["components"]["schemas"]})
    assert load("instamapp-v1.json")["servers"] == [{"url": "https://instamapp.com/api/public/v1"}]
    assert load("mapiry-v1.json")["servers"] == [{"url": "https://mapiry.com/api/v1"}]


def test_operation_ids_are_client_method_names() -> None:
    assert set(operations(load("instamapp-v1.json"))) == INSTAMAPP_OPS
    assert set(operations(load("mapiry-v1.json"))) == MAPIRY_OPS


def test_instamapp_responses_match_schema(fresh_sandbox: Any) -> None:
    chk = Checker(load("instamapp-v1.json"))
    key = fresh_sandbox.info["instamapp"]["keys"]["full"]
    with httpx.Client(base_url=fresh_sandbox.instamapp_url, headers={"Authorization": f"Bearer {key}"}) as c:
        items = chk.check("list_items", c.get("/items", params={"per_page": 100}))
        for item in items["data"][:20]:
            chk.check("get_item", c.get(f"/items/{item['id']}"))
        col = c.get("/collections").json()["data"][0]["id"]
        chk.check("list_collections", c.get("/collections"))
        created = chk.check("create_item", c.post("/items", json={"collection_id": col, "name": "Kaws Chum"}))
        chk.check("update_item", c.patch(f"/items/{created['id']}", json={"status": "sell"}))
        chk.check("list_listings", c.get("/marketplace/listings", params={"per_page": 100}))
        chk.check("get_sales_summary", c.get("/sales/summary"))
        # errors
        chk.check("get_item", c.get("/items/itm_nope"))
        chk.check("list_items", c.get("/items", params={"per_page": 500}))
        chk.check("create_item", c.post("/items", json={"name": "x"}))
        fresh_sandbox.set_limits(item_limit=1)
        chk.check("create_item", c.post("/items", json={"collection_id": col, "name": "x"}))
    chk.check("list_items", httpx.get(fresh_sandbox.instamapp_url + "/items"))
    assert chk.checked == INSTAMAPP_OPS


def test_mapiry_responses_match_schema(fresh_sandbox: Any) -> None:
    chk = Checker(load("mapiry-v1.json"))
    key = fresh_sandbox.info["mapiry"]["keys"]["read_write"]
    with httpx.Client(base_url=fresh_sandbox.mapiry_url, headers={"Authorization": f"Bearer {key}"}) as c:
        for mid in fresh_sandbox.info["mapiry"]["maps"]:
            chk.check("get_map", c.get(f"/maps/{mid}"))
            chk.check("list_locations", c.get(f"/maps/{mid}/locations", params={"pageSize": 100}))
            chk.check("list_locations", c.get(f"/maps/{mid}/locations", params={"page": 2, "pageSize": 100}))
            for plural in ("categories", "tags", "layers"):
                chk.check(f"list_{plural}", c.get(f"/maps/{mid}/{plural}"))
        mid = chk.check("create_map", c.post("/maps", json={"title": "Schema check"}))["data"]["id"]
        chk.check("update_map", c.put(f"/maps/{mid}", json={"zoom": 3}))
        cat = chk.check("create_category", c.post(f"/maps/{mid}/categories", json={"name": "C"}))["data"]["id"]
        chk.check("update_category", c.put(f"/maps/{mid}/categories/{cat}", json={"icon": "pin"}))
        tag = chk.check("create_tag", c.post(f"/maps/{mid}/tags", json={"name": "T"}))["data"]["id"]
        chk.check("create_tag", c.post(f"/maps/{mid}/tags", json={"name": "t"}))  # 409
        chk.check("update_tag", c.put(f"/maps/{mid}/tags/{tag}", json={"name": "T2"}))
        layer = chk.check("create_layer", c.post(f"/maps/{mid}/layers", json={"name": "L"}))["data"]["id"]
        chk.check("update_layer", c.put(f"/maps/{mid}/layers/{layer}", json={"routeEnabled": True}))
        loc = chk.check("create_location", c.post(f"/maps/{mid}/locations", json={
            "name": "P", "lat": 1.5, "lng": 2, "categoryId": cat, "tagIds": [tag]}))["data"]["id"]
        chk.check("get_location", c.get(f"/maps/{mid}/locations/{loc}"))
        chk.check("update_location", c.put(f"/maps/{mid}/locations/{loc}", json={"description": "d"}))
        chk.check("set_location_layers", c.put(f"/maps/{mid}/locations/{loc}/layers", json={"layerIds": [layer]}))
        chk.check("bulk_create_locations", c.post(f"/maps/{mid}/locations/bulk", json={"locations": [
            {"name": "A", "lat": 0, "lng": 0}, {"name": "B", "lat": "x", "lng": 0}]}))  # 400 with details
        chk.check("bulk_create_locations", c.post(f"/maps/{mid}/locations/bulk", json={"locations": [
            {"name": "A", "lat": 0, "lng": 0}]}))
        chk.check("delete_location", c.delete(f"/maps/{mid}/locations/{loc}"))
        chk.check("delete_category", c.delete(f"/maps/{mid}/categories/{cat}"))
        chk.check("delete_tag", c.delete(f"/maps/{mid}/tags/{tag}"))
        chk.check("delete_layer", c.delete(f"/maps/{mid}/layers/{layer}"))
        chk.check("get_location", c.get(f"/maps/{mid}/locations/{loc}"))  # 404
        chk.check("list_keys", c.get("/keys"))
        new_key = chk.check("create_key", c.post("/keys", json={"name": "n", "scope": "READ_ONLY"}))["data"]
        chk.check("revoke_key", c.delete(f"/keys/{new_key['id']}"))
        chk.check("delete_map", c.delete(f"/maps/{mid}"))
        chk.check("get_map", c.get(f"/maps/{mid}"))  # 404
    for role, status in (("read_only", 403), ("no_pro", 403), ("expired", 401)):
        resp = httpx.post(fresh_sandbox.mapiry_url + "/maps", json={"title": "x"},
                          headers={"Authorization": f"Bearer {fresh_sandbox.info['mapiry']['keys'][role]}"})
        assert resp.status_code == status
        chk.check("create_map", resp)
    assert chk.checked == MAPIRY_OPS


@pytest.mark.parametrize("name", ["instamapp-v1.json", "mapiry-v1.json"])
def test_every_spec_operation_is_served(sandbox: Any, name: str) -> None:
    spec = load(name)
    base = sandbox.instamapp_url if name.startswith("instamapp") else sandbox.mapiry_url
    with httpx.Client() as c:
        for path, item in spec["paths"].items():
            for method in item:
                concrete = path.replace("{", "").replace("}", "")
                resp = c.request(method.upper(), base + concrete)
                # unauthenticated: a known route answers 401, an unknown one would be 404
                assert resp.status_code == 401, (method, path, resp.status_code)

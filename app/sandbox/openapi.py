"""Builds app/resources/openapi/*.json (OpenAPI 3.1) of the four APIs, as docs/api-contract.md reads them.

Run `python -m app.sandbox.openapi` to regenerate; a test checks the files are up to date.
"""

from __future__ import annotations

import json

from app.resources import resource_path
from app.sandbox.openapi_schema import (
    BOOL,
    DT,
    INT,
    NUM,
    STR,
    S,
    nullable,
    obj,
    op,
    path_param,
    query,
    ref,
    responses,
)
from app.sandbox.openapi_websites import instabot, instawp

OUT = resource_path("openapi")
ID = ["id"]  # what an object the documents never show always has


# -- InstaMapp ---------------------------------------------------------------------------------

def instamapp() -> S:
    statuses = ["keep", "sell", "trade", "sold", "archived"]
    conditions = ["sealed", "mint_in_box", "loose_mint", "near_mint", "good", "fair", "damaged"]
    item_fields: S = {
        "collection_id": {"type": "string", "format": "uuid"},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "status": {"enum": statuses},
        "condition": {"enum": [*conditions, None]},
        "estimated_value": {"type": ["number", "null"], "minimum": 0},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "notes": {"type": "string", "maxLength": 2000},
    }
    # The document shows no item, collection, listing or summary: only an id is always there.
    schemas: S = {
        "Item": obj({"object": {"const": "item"}, "id": {"type": "string", "pattern": "^itm_[A-Za-z0-9]{20}$"},
                     **item_fields, "created_at": DT, "updated_at": DT}, required=ID),
        "Collection": obj({"object": {"const": "collection"}, "id": {"type": "string", "format": "uuid"},
                           "name": STR, "description": STR, "item_count": {"type": "integer", "minimum": 0},
                           "created_at": DT}, required=ID),
        "Listing": obj({"object": {"const": "listing"}, "id": {"type": "string", "pattern": "^lst_"},
                        "item_id": STR, "item_name": STR, "type": {"enum": ["sale", "trade"]},
                        "price": {"type": ["number", "null"]}, "currency": STR, "collection_id": STR,
                        "created_at": DT}, required=ID),
        "SalesSummary": obj({"object": {"const": "sales_summary"}, "currency": STR, "gross": NUM, "fees": NUM,
                             "net_payout": NUM, "refunds": NUM, "disputes": NUM, "orders": INT,
                             "period_start": DT, "period_end": DT}, required=[]),
        "Pagination": obj({"page": {"type": "integer", "minimum": 1},
                           "per_page": {"type": "integer", "minimum": 1, "maximum": 100}, "has_more": BOOL}),
        "ItemCreate": obj(item_fields, required=["collection_id", "name"]),
        "ItemUpdate": obj(item_fields, required=[]),
        "Error": obj({"error": obj({"type": STR, "message": STR}, required=["message"], extra=True)}),
    }
    for name in ("Item", "Collection", "Listing"):
        schemas[f"{name}List"] = obj({"object": {"const": "list"}, "data": {"type": "array", "items": ref(name)},
                                      "pagination": ref("Pagination")})
    common = {"401": "Missing or invalid API key.", "403": "The key lacks the required scope.",
              "429": "Rate limit exceeded."}
    paging = [query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number (1-based)."),
              query("per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    "Results per page (1-100, default 20).")]
    bad = {"400": "Malformed request or bad parameter."}
    nf = {"404": "Resource not found."}

    def e(*extra: dict[str, str]) -> dict[str, str]:
        out = dict(common)
        for x in extra:
            out.update(x)
        return out

    paths: S = {
        "/items": {
            "get": op("list_items", "List items in your team, newest first.",
                      responses("200", ref("ItemList"), e(bad), "Error"),
                      [*paging, query("status", {"enum": statuses}, "Filter by status.")]),
            "post": op("create_item", "Create an item in one of your collections.",
                       responses("201", ref("Item"), e(bad, {"403": "Missing scope, or limit_reached: the plan's "
                                                             "item limit is reached."}), "Error"),
                       body=ref("ItemCreate")),
        },
        "/items/{id}": {
            "get": op("get_item", "Retrieve a single item by id.", responses("200", ref("Item"), e(nf), "Error"),
                      [path_param("id")]),
            "patch": op("update_item", "Partially update an item; only the fields sent change.",
                        responses("200", ref("Item"), e(bad, nf), "Error"), [path_param("id")], ref("ItemUpdate")),
        },
        "/collections": {"get": op("list_collections", "List your team's collections.",
                                   responses("200", ref("CollectionList"), e(bad), "Error"), paging)},
        "/marketplace/listings": {"get": op("list_listings", "List your items currently for sale or trade.",
                                            responses("200", ref("ListingList"), e(bad), "Error"), paging)},
        "/sales/summary": {"get": op("get_sales_summary", "Aggregate earnings.",
                                     responses("200", ref("SalesSummary"), e(), "Error"))},
    }
    scopes = {"/items": {"get": "items:read", "post": "items:write"},
              "/items/{id}": {"get": "items:read", "patch": "items:write"},
              "/collections": {"get": "collections:read"}, "/marketplace/listings": {"get": "marketplace:read"},
              "/sales/summary": {"get": "analytics:read"}}
    for path, methods in scopes.items():
        for method, scope in methods.items():
            paths[path][method]["x-scope"] = scope
    return {
        "openapi": "3.1.0",
        "info": {"title": "InstaMapp API", "version": "v1",
                 "description": "Inventory, collections, listings and sales for Business-tier teams. "
                                "Field lists as read by Cabinet's docs/api-contract.md."},
        "servers": [{"url": "https://instamapp.com/api/public/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "imk_live_... API key"}}},
    }


# -- Mapiry ------------------------------------------------------------------------------------

def mapiry() -> S:
    color = {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"}
    id_ = {"type": "string"}
    map_fields: S = {
        "title": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 2000}, "country": STR, "city": STR,
        "public": BOOL, "allowCloning": BOOL, "style": STR,
        "centerLat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "centerLng": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
        "zoom": {"type": ["number", "null"], "minimum": 0, "maximum": 22},
    }
    loc_fields: S = {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "description": {"type": "string", "maxLength": 2000}, "address": {"type": "string", "maxLength": 500},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lng": {"type": "number", "minimum": -180, "maximum": 180},
        "categoryId": {"type": ["string", "null"]}, "tagIds": {"type": "array", "items": STR},
    }
    cat_fields = {"name": {"type": "string", "minLength": 1, "maxLength": 100}, "color": color, "icon": STR}
    tag_fields = {"name": {"type": "string", "minLength": 1, "maxLength": 50}}
    layer_fields = {"name": {"type": "string", "minLength": 1, "maxLength": 100}, "color": color,
                    "order": {"type": "integer", "minimum": 0}, "routeEnabled": BOOL, "routeShowByDefault": BOOL}
    stamps = {"createdAt": DT, "updatedAt": DT}
    # Required: what every example of the document shows (its map has no updatedAt; its three
    # locations only id, name, lat, lng and layers; its layer summary every field), and only an
    # id where it shows none (categories, tags, API keys, what a delete answers).
    map_props: S = {"id": id_, **map_fields, "slug": STR, "userId": STR, **stamps}
    schemas: S = {
        "Map": obj(map_props, required=[f for f in map_props if f != "updatedAt"]),
        "Layer": obj({"id": id_, "mapId": STR, **layer_fields, **stamps}),
        "Location": obj({"id": id_, "mapId": STR, **loc_fields, "layers": {"type": "array", "items": ref("Layer")},
                         **stamps}, required=["id", "name", "lat", "lng", "layers"]),
        "Category": obj({"id": id_, "mapId": STR, **cat_fields, **stamps}, required=ID),
        "Tag": obj({"id": id_, "mapId": STR, **tag_fields, **stamps}, required=ID),
        "ApiKey": obj({"id": id_, "name": STR, "scope": {"enum": ["READ_ONLY", "READ_WRITE"]},
                       "prefix": {"type": "string", "minLength": 16, "maxLength": 16}, "createdAt": DT,
                       "expiresAt": nullable(DT), "lastUsedAt": nullable(DT), "revokedAt": nullable(DT)},
                      required=ID),
        "Deleted": obj({"id": STR, "deleted": {"const": True}}, required=[]),
        "Pagination": obj({"total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
                           "pageSize": {"type": "integer", "minimum": 1, "maximum": 100},
                           "totalPages": {"type": "integer", "minimum": 0}}),
        "MapCreate": obj(map_fields, required=["title"]), "MapUpdate": obj(map_fields, required=[]),
        "LocationCreate": obj(loc_fields, required=["name", "lat", "lng"]),
        "LocationUpdate": obj(loc_fields, required=[]),
        "BulkLocations": obj({"locations": {"type": "array", "minItems": 1, "maxItems": 100,
                                            "items": ref("LocationCreate")}}),
        "LayerIds": obj({"layerIds": {"type": "array", "items": STR}}),
        "CategoryCreate": obj(cat_fields, required=["name"]), "CategoryUpdate": obj(cat_fields, required=[]),
        "TagCreate": obj(tag_fields), "TagUpdate": obj(tag_fields, required=[]),
        "LayerCreate": obj(layer_fields, required=["name"]), "LayerUpdate": obj(layer_fields, required=[]),
        "KeyCreate": obj({"name": {"type": "string", "minLength": 1, "maxLength": 100},
                          "scope": {"enum": ["READ_ONLY", "READ_WRITE"]}, "expiresAt": nullable(DT)},
                         required=["name", "scope"]),
        "ErrorDetail": obj({"index": {"type": "integer", "minimum": 0}, "field": STR, "message": STR},
                           required=["field", "message"]),
        "Error": obj({"error": obj({"code": {"enum": [
            "MISSING_API_KEY", "INVALID_API_KEY", "API_KEY_EXPIRED", "PRO_SUBSCRIPTION_REQUIRED",
            "INSUFFICIENT_SCOPE", "NOT_FOUND", "CONFLICT", "VALIDATION_ERROR", "RATE_LIMIT_EXCEEDED",
            "PAYLOAD_TOO_LARGE", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE"]}, "message": STR,
            "details": {"type": "array", "items": ref("ErrorDetail")}}, required=["code", "message"])}),
    }
    schemas["ApiKeyCreated"] = {"allOf": [{**schemas["ApiKey"], "additionalProperties": True}],
                                "properties": {"key": {"type": "string", "pattern": "^mk_live_"}},
                                "required": ["key"]}

    def data(schema: S) -> S:
        return obj({"data": schema})

    def arr(name: str) -> S:
        return data({"type": "array", "items": ref(name)})

    auth_errors = {"401": "MISSING_API_KEY, INVALID_API_KEY or API_KEY_EXPIRED.",
                   "403": "PRO_SUBSCRIPTION_REQUIRED or INSUFFICIENT_SCOPE.", "429": "RATE_LIMIT_EXCEEDED."}

    def r(status: str, schema: S, *codes: str) -> S:
        errs = dict(auth_errors)
        texts = {"400": "VALIDATION_ERROR", "404": "NOT_FOUND", "409": "CONFLICT"}
        for code in codes:
            errs[code] = texts[code]
        return responses(status, schema, errs, "Error")

    def gone(schema: S) -> S:
        """A delete's answers: the document shows none, so any 2xx (a body or none) is one."""
        out = r("200", data(nullable(schema)), "404")
        out["204"] = {"description": "Done; no body."}
        return out

    m, loc = [path_param("mapId")], [path_param("mapId"), path_param("locId")]
    paths: S = {
        "/maps": {"post": op("create_map", "Create a map", r("201", data(ref("Map")), "400"), body=ref("MapCreate"))},
        "/maps/{mapId}": {
            "get": op("get_map", "Get a map", r("200", data(ref("Map")), "404"), m),
            "put": op("update_map", "Update a map", r("200", data(ref("Map")), "400", "404"), m, ref("MapUpdate")),
            "delete": op("delete_map", "Delete a map", gone(ref("Deleted")), m),
        },
        "/maps/{mapId}/locations": {
            "get": op("list_locations", "List locations",
                      r("200", data(obj({"locations": {"type": "array", "items": ref("Location")},
                                         "pagination": ref("Pagination")})), "400", "404"),
                      [*m, query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page (1-based)."),
                       query("pageSize", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                             "Page size (1-100).")]),
            "post": op("create_location", "Create a location", r("201", data(ref("Location")), "400", "404"), m,
                       ref("LocationCreate")),
        },
        "/maps/{mapId}/locations/bulk": {
            "post": op("bulk_create_locations", "Bulk create (up to 100, atomic)",
                       r("201", data(obj({"created": {"type": "array", "items": ref("Location")}, "count": INT})),
                         "400", "404"), m, ref("BulkLocations")),
        },
        "/maps/{mapId}/locations/{locId}": {
            "get": op("get_location", "Get a location", r("200", data(ref("Location")), "404"), loc),
            "put": op("update_location", "Update a location", r("200", data(ref("Location")), "400", "404"), loc,
                      ref("LocationUpdate")),
            "delete": op("delete_location", "Delete a location", gone(ref("Deleted")), loc),
        },
        "/maps/{mapId}/locations/{locId}/layers": {
            "put": op("set_location_layers", "Replace a location's layer memberships",
                      r("200", data(ref("Location")), "400", "404"), loc, ref("LayerIds")),
        },
        "/keys": {
            "get": op("list_keys", "List your API keys", r("200", arr("ApiKey"))),
            "post": op("create_key", "Create an API key", r("201", data(ref("ApiKeyCreated")), "400"),
                       body=ref("KeyCreate")),
        },
        "/keys/{keyId}": {"delete": op("revoke_key", "Revoke an API key", gone(ref("ApiKey")),
                                       [path_param("keyId")])},
    }
    for plural, singular, label, param in (("categories", "category", "Category", "catId"),
                                           ("tags", "tag", "Tag", "tagId"), ("layers", "layer", "Layer", "layerId")):
        conflict = ("409",) if plural == "tags" else ()
        paths[f"/maps/{{mapId}}/{plural}"] = {
            "get": op(f"list_{plural}", f"List {plural}", r("200", arr(label), "404"), m),
            "post": op(f"create_{singular}", f"Create a {singular}",
                       r("201", data(ref(label)), "400", "404", *conflict), m, ref(f"{label}Create")),
        }
        item = [*m, path_param(param)]
        paths[f"/maps/{{mapId}}/{plural}/{{{param}}}"] = {
            "put": op(f"update_{singular}", f"Update a {singular}",
                      r("200", data(ref(label)), "400", "404", *conflict), item, ref(f"{label}Update")),
            "delete": op(f"delete_{singular}", f"Delete a {singular}", gone(ref("Deleted")), item),
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Mapiry REST API", "version": "v1",
                 "description": "Maps, locations, categories, tags, layers and API keys for Pro users. "
                                "Field lists as read by Cabinet's docs/api-contract.md."},
        "servers": [{"url": "https://mapiry.com/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "mk_live_... API key"}}},
    }


SPECS = {"instamapp-v1.json": instamapp, "mapiry-v1.json": mapiry, "instabot-v1.json": instabot,
         "instawp-v2.json": instawp}


def render(name: str) -> str:
    return json.dumps(SPECS[name](), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in SPECS:
        (OUT / name).write_text(render(name), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Mapiry helpers: error envelope, field validation, JSON shapes of every resource."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from app.core.registry import text_length
from app.sandbox.routing import ApiError
from app.sandbox.util import is_number, json_response

COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


def envelope(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None,
             headers: dict[str, str] | None = None) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = details
    return json_response({"error": error}, status, headers)


def validation(message: str, details: list[dict[str, Any]] | None = None) -> ApiError:
    return ApiError(400, "VALIDATION_ERROR", message, details)


def not_found(what: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", f"{what} not found or not owned by you.")


@dataclass(frozen=True)
class F:
    """One writable field: its kind, bounds, DB column and create default."""

    kind: str  # str | bool | num | int | color | enum | idlist | ref | datetime
    column: str
    required: bool = False
    low: float | None = None
    high: float | None = None
    nullable: bool = False
    choices: Sequence[str] = ()
    trim: bool = False


def _check(name: str, spec: F, value: Any) -> tuple[Any, str | None]:
    """Return (cleaned value, error message or None)."""
    if value is None:
        return (None, None) if spec.nullable else (None, f"`{name}` must not be null.")
    if spec.kind in ("str", "ref", "datetime"):
        if not isinstance(value, str):
            return None, f"`{name}` must be a string."
        text = value.strip() if spec.trim else value
        lo, hi = int(spec.low or 0), int(spec.high or 10**9)
        if spec.kind == "str" and not lo <= text_length(text) <= hi:
            return None, f"`{name}` must be {lo}-{hi} characters long."
        return text, None
    if spec.kind == "bool":
        return (value, None) if isinstance(value, bool) else (None, f"`{name}` must be true or false.")
    if spec.kind in ("num", "int"):
        if not is_number(value) or (spec.kind == "int" and not float(value).is_integer()):
            kind = "an integer" if spec.kind == "int" else "a number"
            return None, f"`{name}` must be {kind} (a JSON number, not a string)."
        if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
            return None, f"`{name}` must be between {spec.low:g} and {spec.high:g}." if spec.high is not None \
                else f"`{name}` must be at least {spec.low:g}."
        return (int(value) if spec.kind == "int" else value), None
    if spec.kind == "color":
        if not isinstance(value, str) or not COLOR_RE.match(value):
            return None, f"`{name}` must be a colour like #1A2B3C."
        return value.upper(), None
    if spec.kind == "enum":
        if value not in spec.choices:
            return None, f"`{name}` must be one of: {', '.join(spec.choices)}."
        return value, None
    if spec.kind == "idlist":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None, f"`{name}` must be a list of ids."
        return list(dict.fromkeys(value)), None
    raise AssertionError(spec.kind)


def check_fields(body: Any, specs: dict[str, F], creating: bool, index: int | None = None,
                 readonly: dict[str, str] | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate a body against specs; returns ({api field: clean value}, details)."""
    details: list[dict[str, Any]] = []

    def err(field: str, message: str) -> None:
        entry: dict[str, Any] = {"field": field, "message": message}
        if index is not None:
            entry = {"index": index, **entry}
        details.append(entry)

    if not isinstance(body, dict):
        err("body" if index is None else "locations", "Must be a JSON object.")
        return {}, details
    out: dict[str, Any] = {}
    for name in body:
        if name not in specs:
            hint = (readonly or {}).get(name, "Unknown or read-only field.")
            err(name, hint)
    for name, spec in specs.items():
        if name not in body:
            if creating and spec.required:
                err(name, f"`{name}` is required.")
            continue
        value, problem = _check(name, spec, body[name])
        if problem:
            err(name, problem)
        else:
            out[name] = value
    return out, details


def raise_details(details: list[dict[str, Any]]) -> None:
    if details:
        first = details[0]
        where = f"locations[{first['index']}].{first['field']}" if "index" in first else first["field"]
        raise validation(f"Request body failed validation: {where}: {first['message']}", details)


MAP_FIELDS = {
    "title": F("str", "title", required=True, low=1, high=200, trim=True),
    "description": F("str", "description", high=2000),
    "country": F("str", "country", high=100),
    "city": F("str", "city", high=100),
    "public": F("bool", "public"),
    "allowCloning": F("bool", "allow_cloning"),
    "style": F("str", "style", low=1, high=100, trim=True),
    "centerLat": F("num", "center_lat", low=-90, high=90, nullable=True),
    "centerLng": F("num", "center_lng", low=-180, high=180, nullable=True),
    "zoom": F("num", "zoom", low=0, high=22, nullable=True),
}
MAP_DEFAULTS = {"description": "", "country": "", "city": "", "public": False, "allowCloning": True,
                "style": "streets-v12", "centerLat": None, "centerLng": None, "zoom": None}
LOCATION_FIELDS = {
    "name": F("str", "name", required=True, low=1, high=200, trim=True),
    "description": F("str", "description", high=2000),
    "address": F("str", "address", high=500),
    "lat": F("num", "lat", required=True, low=-90, high=90),
    "lng": F("num", "lng", required=True, low=-180, high=180),
    "categoryId": F("ref", "category_id", nullable=True),
    "tagIds": F("idlist", "tag_ids"),
}
LOCATION_READONLY = {"layers": "`layers` is read-only; use PUT /maps/:mapId/locations/:locId/layers."}
CATEGORY_FIELDS = {
    "name": F("str", "name", required=True, low=1, high=100, trim=True),
    "color": F("color", "color"),
    "icon": F("str", "icon", high=100),
}
TAG_FIELDS = {"name": F("str", "name", required=True, low=1, high=50, trim=True)}
LAYER_FIELDS = {
    "name": F("str", "name", required=True, low=1, high=100, trim=True),
    "color": F("color", "color"),
    "order": F("int", "ord", low=0, high=10000),
    "routeEnabled": F("bool", "route_enabled"),
    "routeShowByDefault": F("bool", "route_show_by_default"),
}
KEY_FIELDS = {
    "name": F("str", "name", required=True, low=1, high=100, trim=True),
    "scope": F("enum", "scope", required=True, choices=("READ_ONLY", "READ_WRITE")),
    "expiresAt": F("datetime", "expires_at", nullable=True),
}


def map_json(r: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": r["id"], "title": r["title"], "slug": r["slug"], "description": r["description"],
        "country": r["country"], "city": r["city"], "public": bool(r["public"]),
        "allowCloning": bool(r["allow_cloning"]), "style": r["style"], "centerLat": r["center_lat"],
        "centerLng": r["center_lng"], "zoom": r["zoom"], "userId": r["user_id"],
        "createdAt": r["created_at"], "updatedAt": r["updated_at"],
    }


def category_json(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["id"], "mapId": r["map_id"], "name": r["name"], "color": r["color"], "icon": r["icon"],
            "createdAt": r["created_at"], "updatedAt": r["updated_at"]}


def tag_json(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["id"], "mapId": r["map_id"], "name": r["name"], "createdAt": r["created_at"],
            "updatedAt": r["updated_at"]}


def layer_json(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["id"], "mapId": r["map_id"], "name": r["name"], "color": r["color"], "order": r["ord"],
            "routeEnabled": bool(r["route_enabled"]), "routeShowByDefault": bool(r["route_show_by_default"]),
            "createdAt": r["created_at"], "updatedAt": r["updated_at"]}


def key_json(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["id"], "name": r["name"], "scope": r["scope"], "prefix": r["secret"][:16],
            "createdAt": r["created_at"], "expiresAt": r["expires_at"], "lastUsedAt": r["last_used_at"],
            "revokedAt": r["revoked_at"]}


def locations_json(conn: sqlite3.Connection, rows: Sequence[sqlite3.Row]) -> list[dict[str, Any]]:
    """Location objects with tagIds and embedded layers, fetched in two queries for the whole page."""
    ids = [r["id"] for r in rows]
    tags: dict[str, list[str]] = {i: [] for i in ids}
    layers: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        marks = ",".join("?" * len(ids))
        for t in conn.execute(
            f"SELECT location_id, tag_id FROM mp_location_tags WHERE location_id IN ({marks}) ORDER BY pos",
            ids,
        ):
            tags[t["location_id"]].append(t["tag_id"])
        for lr in conn.execute(
            f"SELECT ll.location_id, l.* FROM mp_location_layers ll JOIN mp_layers l ON l.id = ll.layer_id "
            f"WHERE ll.location_id IN ({marks}) ORDER BY l.ord, l.id",
            ids,
        ):
            layers[lr["location_id"]].append(layer_json(lr))
    return [
        {"id": r["id"], "mapId": r["map_id"], "name": r["name"], "description": r["description"],
         "address": r["address"], "lat": r["lat"], "lng": r["lng"], "categoryId": r["category_id"],
         "tagIds": tags[r["id"]], "layers": layers[r["id"]], "createdAt": r["created_at"],
         "updatedAt": r["updated_at"]}
        for r in rows
    ]


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "map"

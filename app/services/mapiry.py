"""Mapiry REST API v1 (maps): typed calls over ServiceHttp.

Every documented endpoint has one method; method names equal the OpenAPI operationIds.
The documents show success bodies as ``{"data": ...}``; app/services/shapes.py reads them and
every other reasonable shape (bare, wrapped, any 2xx for a delete). A record of a map that
does not name its map (``mapId``) takes the map it was read from. Requests are assigned to
the rate buckets the service counts: ``POST /maps`` → "maps", bulk create → "bulk", the rest
"general". Mapiry has no endpoint that lists maps: the app keeps the ids it knows (created
here or added by id/URL through :meth:`MapiryClient.parse_map_ref`).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from app.core.errors import BulkLimitError
from app.core.registry import BULK_LIMIT, LISTED
from app.core.registry import mapiry as mapiry_registry
from app.services.client_base import ApiClient, path_segment
from app.services.http import HttpAnswer
from app.services.pages import Page, PageGuard
from app.services.shapes import deletion, page_of, unwrap_list, unwrap_object

SERVICE = mapiry_registry.SERVICE.name
DEFAULT_BASE_URL = mapiry_registry.SERVICE.base_url

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$")
_MAP_PATH_WORDS = ("maps", "map", "m", "embed", "share")
_MAP_QUERY_KEYS = ("map", "mapid", "map_id", "id")
# A Mapiry id as the API makes them (a cuid): anywhere in an address, even at the end of a slug.
_CUID_RE = re.compile(r"(?:^|[-_.])(c[a-z0-9]{20,31})$")


def _id_in_url(path: str, query: str, fragment: str) -> str | None:
    """The map id in a map address: after /maps/ (or /m/, /embed/, /share/), in ?map= or ?id=,
    or a cuid-shaped path segment (also at the end of a slug like ``coffee-in-lisbon-clxyz…``)."""
    segments = [s for s in (path + "/" + fragment.split("?")[0]).split("/") if s]
    for i, seg in enumerate(segments[:-1]):
        if seg.lower() in _MAP_PATH_WORDS and _ID_RE.match(segments[i + 1]):
            return segments[i + 1]
    for key, value in parse_qsl(query + "&" + (fragment.split("?", 1)[1] if "?" in fragment else "")):
        if key.lower() in _MAP_QUERY_KEYS and _ID_RE.match(value.strip()):
            return value.strip()
    for seg in reversed(segments):
        match = _CUID_RE.search(seg)
        if match:
            return match.group(1)
    return None
# The map-scoped resources listed whole under /maps/:mapId/<resource> (categories, tags, layers).
_IN_MAP = tuple(r.name for r in mapiry_registry.RESOURCES if r.map_scoped and r.reading == LISTED)
# What a list of API keys may be called inside its answer: the path's word and the registry's name.
KEY_LIST_NAMES = ("keys", "api_keys", "apiKeys")


def _in_map(record: dict[str, Any], map_id: str | None) -> dict[str, Any]:
    """``record`` naming the map it was read from, when it does not name one itself."""
    if map_id and not record.get("mapId"):
        record["mapId"] = map_id
    return record


class MapiryClient(ApiClient):
    """Async Mapiry client. Use ``async with`` or call ``aclose()``."""

    service = SERVICE

    # -- map references -----------------------------------------------------------------
    @staticmethod
    def parse_map_ref(text: str) -> str:
        """A map id from a bare id or a map URL (``https://mapiry.com/maps/<id>``, ``.../m/<id>?x=1``)."""
        raw = (text or "").strip()
        if not raw:
            raise ValueError("Enter a Mapiry map id or a map address (https://mapiry.com/maps/…).")
        if _ID_RE.match(raw):
            return raw
        candidate = raw if "://" in raw else ("https://" + raw if "/" in raw else "")
        if candidate:
            parts = urlsplit(candidate)
            if parts.scheme in ("http", "https") and parts.netloc:
                found = _id_in_url(parts.path, parts.query, parts.fragment)
                if found:
                    return found
        raise ValueError(
            f"{raw[:80]!r} is neither a Mapiry map id nor a map address. "
            "Paste the id (like c0abc…) or the map's address, e.g. https://mapiry.com/maps/<id>."
        )

    # -- helpers ------------------------------------------------------------------------
    # Every body is read by app/services/shapes.py (bare or wrapped in "data", any 2xx for a
    # delete); a record of a map that does not name its map takes the map it was read from.
    async def _send(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                    json: Any = None, bucket: str = "general") -> HttpAnswer:
        return await self.http.request_answer(method, path, params=params, json=json, bucket=bucket)

    async def _one(self, method: str, path: str, kind: str, *, map_id: str | None = None, json: Any = None,
                   bucket: str = "general") -> dict[str, Any]:
        answer = await self._send(method, path, json=json, bucket=bucket)
        return _in_map(unwrap_object(SERVICE, answer.body, kind, status=answer.status), map_id)

    async def _many(self, path: str, names: tuple[str, ...], kind: str, *, map_id: str | None = None
                    ) -> list[dict[str, Any]]:
        answer = await self._send("GET", path)
        records, _ = unwrap_list(SERVICE, answer.body, names, kind, answer.status)
        return [_in_map(r, map_id) for r in records]

    async def _delete(self, path: str, kind: str) -> dict[str, Any]:
        answer = await self._send("DELETE", path)
        return deletion(SERVICE, answer.body, kind, answer.status)

    # -- maps ---------------------------------------------------------------------------
    async def create_map(self, title: str, **fields: Any) -> dict[str, Any]:
        return await self._one("POST", "/maps", "map", json={"title": title, **fields}, bucket="maps")

    async def get_map(self, map_id: str) -> dict[str, Any]:
        return await self._one("GET", f"/maps/{path_segment(map_id)}", "map")

    async def update_map(self, map_id: str, **fields: Any) -> dict[str, Any]:
        return await self._one("PUT", f"/maps/{path_segment(map_id)}", "map", json=dict(fields))

    async def delete_map(self, map_id: str) -> dict[str, Any]:
        """Delete a map; the deleted map when the answer carries it, else ``{}`` (any 2xx)."""
        return await self._delete(f"/maps/{path_segment(map_id)}", "map")

    # -- locations ----------------------------------------------------------------------
    async def list_locations(self, map_id: str, page: int = 1, page_size: int = 20) -> Page:
        answer = await self._send("GET", self._loc_path(map_id), params={"page": page, "pageSize": page_size})
        got = page_of(SERVICE, answer.body, ("locations",), "location", page, page_size, answer.status)
        got.items = [_in_map(r, map_id) for r in got.items]
        return got

    async def iter_locations(self, map_id: str, page_size: int = 100) -> AsyncIterator[dict[str, Any]]:
        guard = PageGuard(SERVICE, "locations")
        page_no = 1
        while True:
            page = await self.list_locations(map_id, page=page_no, page_size=page_size)
            for entry in guard.accept(page):
                yield entry
            if not page.has_more or not page.items:
                return
            page_no += 1

    def _loc_path(self, map_id: str, loc_id: str | None = None) -> str:
        path = f"/maps/{path_segment(map_id)}/locations"
        return path if loc_id is None else f"{path}/{path_segment(loc_id)}"

    async def get_location(self, map_id: str, loc_id: str) -> dict[str, Any]:
        return await self._one("GET", self._loc_path(map_id, loc_id), "location", map_id=map_id)

    async def create_location(self, map_id: str, **fields: Any) -> dict[str, Any]:
        return await self._one("POST", self._loc_path(map_id), "location", map_id=map_id, json=dict(fields))

    async def update_location(self, map_id: str, loc_id: str, **fields: Any) -> dict[str, Any]:
        return await self._one("PUT", self._loc_path(map_id, loc_id), "location", map_id=map_id, json=dict(fields))

    async def delete_location(self, map_id: str, loc_id: str) -> dict[str, Any]:
        return await self._delete(self._loc_path(map_id, loc_id), "location")

    async def bulk_create_locations(self, map_id: str, locations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Create 1–100 locations atomically; BulkLimitError (nothing sent) otherwise."""
        entries = list(locations)
        if not entries or len(entries) > BULK_LIMIT:
            raise BulkLimitError(len(entries), BULK_LIMIT)
        answer = await self._send("POST", self._loc_path(map_id) + "/bulk", json={"locations": entries},
                                  bucket="bulk")
        created, _ = unwrap_list(SERVICE, answer.body, ("created", "locations"), "location", answer.status)
        return [_in_map(r, map_id) for r in created]

    async def set_location_layers(self, map_id: str, loc_id: str, layer_ids: list[str]) -> dict[str, Any]:
        return await self._one("PUT", self._loc_path(map_id, loc_id) + "/layers", "location", map_id=map_id,
                               json={"layerIds": list(layer_ids)})

    # -- categories, tags, layers (same four calls each) --------------------------------
    # ``resource`` is the registry's name, which is also the path segment: "categories", "tags", "layers".
    async def create_in_map(self, resource: str, map_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._create_sub(map_id, resource, dict(body))

    async def update_in_map(self, resource: str, map_id: str, record_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._update_sub(map_id, resource, record_id, dict(body))

    async def delete_in_map(self, resource: str, map_id: str, record_id: str) -> dict[str, Any]:
        return await self._delete_sub(map_id, resource, record_id)

    def _sub_path(self, map_id: str, kind: str, sub_id: str | None = None) -> str:
        path = f"/maps/{path_segment(map_id)}/{kind}"
        return path if sub_id is None else f"{path}/{path_segment(sub_id)}"

    async def _list_sub(self, map_id: str, kind: str) -> list[dict[str, Any]]:
        return await self._many(self._sub_path(map_id, kind), (kind,), kind, map_id=map_id)

    async def _create_sub(self, map_id: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._one("POST", self._sub_path(map_id, kind), kind, map_id=map_id, json=body)

    async def _update_sub(self, map_id: str, kind: str, sub_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._one("PUT", self._sub_path(map_id, kind, sub_id), kind, map_id=map_id, json=body)

    async def _delete_sub(self, map_id: str, kind: str, sub_id: str) -> dict[str, Any]:
        return await self._delete(self._sub_path(map_id, kind, sub_id), kind)

    async def list_categories(self, map_id: str) -> list[dict[str, Any]]:
        return await self._list_sub(map_id, "categories")

    async def create_category(self, map_id: str, name: str, **fields: Any) -> dict[str, Any]:
        return await self._create_sub(map_id, "categories", {"name": name, **fields})

    async def update_category(self, map_id: str, category_id: str, **fields: Any) -> dict[str, Any]:
        return await self._update_sub(map_id, "categories", category_id, dict(fields))

    async def delete_category(self, map_id: str, category_id: str) -> dict[str, Any]:
        return await self._delete_sub(map_id, "categories", category_id)

    async def list_tags(self, map_id: str) -> list[dict[str, Any]]:
        return await self._list_sub(map_id, "tags")

    async def create_tag(self, map_id: str, name: str, **fields: Any) -> dict[str, Any]:
        return await self._create_sub(map_id, "tags", {"name": name, **fields})

    async def update_tag(self, map_id: str, tag_id: str, **fields: Any) -> dict[str, Any]:
        return await self._update_sub(map_id, "tags", tag_id, dict(fields))

    async def delete_tag(self, map_id: str, tag_id: str) -> dict[str, Any]:
        return await self._delete_sub(map_id, "tags", tag_id)

    async def list_layers(self, map_id: str) -> list[dict[str, Any]]:
        return await self._list_sub(map_id, "layers")

    async def create_layer(self, map_id: str, name: str, **fields: Any) -> dict[str, Any]:
        return await self._create_sub(map_id, "layers", {"name": name, **fields})

    async def update_layer(self, map_id: str, layer_id: str, **fields: Any) -> dict[str, Any]:
        return await self._update_sub(map_id, "layers", layer_id, dict(fields))

    async def delete_layer(self, map_id: str, layer_id: str) -> dict[str, Any]:
        return await self._delete_sub(map_id, "layers", layer_id)

    # -- API keys -----------------------------------------------------------------------
    async def list_keys(self) -> list[dict[str, Any]]:
        return await self._many("/keys", KEY_LIST_NAMES, "API key")

    async def create_key(self, name: str, scope: str, expires_at: str | None = None) -> dict[str, Any]:
        """Create a key; the answer's ``key`` is the secret, shown once. Never log the result."""
        body: dict[str, Any] = {"name": name, "scope": scope}
        if expires_at is not None:
            body["expiresAt"] = expires_at
        return await self._one("POST", "/keys", "API key", json=body)

    async def revoke_key(self, key_id: str) -> dict[str, Any]:
        """Revoke a key; the revoked key when the answer carries it, else ``{}`` (any 2xx)."""
        return await self._delete(f"/keys/{path_segment(key_id)}", "API key")

    # -- reads by resource name (the registry's Mapiry resources) -------------------------------
    async def read_page(self, resource: str, scope: str, page: int, per_page: int) -> Page:
        if resource == "locations":
            return await self.list_locations(scope, page=page, page_size=per_page)
        return await super().read_page(resource, scope, page, per_page)

    async def read_all(self, resource: str, scope: str) -> list[dict[str, Any]]:
        if resource == "api_keys":
            return await self.list_keys()
        if resource in _IN_MAP:
            return await self._list_sub(scope, resource)
        return await super().read_all(resource, scope)

    async def read_one(self, resource: str, key: str) -> dict[str, Any]:
        if resource == "maps":
            return await self.get_map(key)
        return await super().read_one(resource, key)

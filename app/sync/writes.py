"""The writes themselves: the API first, then the cache from the API's answer (no Qt).

Each function sends one change through a service client and, only when the service has
answered, updates the cache with the record it returned (on a worker thread). Records the
service changes as a side effect are brought in step from the same answer: an item's
marketplace listing, the layers embedded in a map's cached locations, the category and tag
references of locations when a category or tag is deleted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from app.core.edits import create_body, layer_ids, listing_for, record_label, split_separate, without_secret
from app.core.errors import CabinetError, NotFoundError
from app.core.registry import MAP_SCOPED, RESOURCES, referrer_keys
from app.services.client_base import ServiceClient
from app.services.instamapp import InstaMappClient
from app.services.mapiry import MapiryClient
from app.storage import CacheStore
from app.sync import sites


class PartialSaveError(CabinetError):
    """The record was saved, a second request about it (layer memberships) was not."""

    def __init__(self, record: dict[str, Any], cause: BaseException) -> None:
        self.record = record
        self.cause = cause
        super().__init__(f"saved {record_label('locations', record)!r}, but not its layers: {cause}")

    def user_message(self) -> str:
        detail = self.cause.user_message() if isinstance(self.cause, CabinetError) else str(self.cause)
        return (f"The location “{record_label('locations', self.record)}” was saved, but its layers were not. "
                f"{detail}")


def _now() -> str:
    """Now, as Mapiry writes its times (ISO 8601, UTC)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


async def _db(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(fn, *args, **kwargs)


# -- create / update ------------------------------------------------------------------------
def _instamapp(client: ServiceClient) -> InstaMappClient:
    if not isinstance(client, InstaMappClient):
        raise TypeError(f"an InstaMapp write needs the InstaMapp client, not {type(client).__name__}")
    return client


def _mapiry(client: ServiceClient) -> MapiryClient:
    if not isinstance(client, MapiryClient):
        raise TypeError(f"a Mapiry write needs the Mapiry client, not {type(client).__name__}")
    return client


async def save(resource: str, client: ServiceClient, cache: CacheStore, fields: Mapping[str, Any], *,
               record: Mapping[str, Any] | None = None, map_id: str | None = None) -> dict[str, Any]:
    """Create (``record`` None) or update a record; ``fields`` are cleaned values (only the changed
    ones for an update). Returns the service's record (for a new API key: with its secret)."""
    body, separate = split_separate(resource, fields)
    if record is None:
        body = create_body(resource, body)
    if resource == "items":
        return await _save_item(_instamapp(client), cache, body, record)
    if resource == sites.RESOURCE and record is None:
        return await sites.create_site(sites.instawp(client), cache, str(body["name"]))
    mapiry = _mapiry(client)
    if resource == "maps":
        if record is None:
            the_map = await mapiry.create_map(body.pop("title"), **body)
            await _db(cache.upsert, "maps", the_map)
            await _db(cache.add_known_map, the_map["id"], "created")
        else:
            the_map = await mapiry.update_map(record["id"], **body)
            await _db(cache.upsert, "maps", the_map)
        return the_map
    if resource == "api_keys":
        created = await mapiry.create_key(body["name"], body["scope"], body.get("expiresAt"))
        await _db(cache.upsert, "api_keys", without_secret(created))
        return created
    map_id = str(record.get("mapId") or map_id) if record is not None else map_id
    if not map_id:
        raise ValueError(f"{resource} belong to a map: no map given")
    if resource == "locations":
        return await _save_location(mapiry, cache, map_id, body, separate, record)
    if resource not in MAP_SCOPED:
        raise ValueError(f"{resource} cannot be written")
    if record is None:
        saved = await mapiry.create_in_map(resource, map_id, body)
    else:
        saved = await mapiry.update_in_map(resource, map_id, str(record["id"]), body)
    await _db(cache.upsert, resource, saved, scope=map_id)
    if resource == "layers" and record is not None:
        await _db(_patch_locations, cache, map_id, "layers", saved["id"], saved)
    return saved


async def _save_item(client: InstaMappClient, cache: CacheStore, body: dict[str, Any], record: Mapping[str, Any] | None
                     ) -> dict[str, Any]:
    if record is None:
        item = await client.create_item(body.pop("collection_id"), body.pop("name"), **body)
    else:
        item = await client.update_item(record["id"], **body)
    await _db(_store_item, cache, item, record)
    return item


def _store_item(cache: CacheStore, item: dict[str, Any], previous: Mapping[str, Any] | None) -> None:
    cache.upsert("items", item)
    listing_id = "lst_" + str(item["id"]).removeprefix("itm_")
    listing = listing_for(item, cache.get("listings", listing_id))
    if listing is not None:
        cache.upsert("listings", listing)
    elif cache.get("listings", listing_id) is not None:
        cache.delete("listings", listing_id)
    # The collections' item counts follow the item (it is new, or it moved).
    old = previous.get("collection_id") if previous is not None else None
    new = item.get("collection_id")
    if old != new:
        for coll_id, step in ((old, -1), (new, 1)):
            coll = cache.get("collections", coll_id) if coll_id else None
            if coll is not None and isinstance(coll.get("item_count"), int):
                cache.upsert("collections", {**coll, "item_count": max(0, coll["item_count"] + step)})


async def _save_location(client: MapiryClient, cache: CacheStore, map_id: str, body: dict[str, Any],
                         separate: dict[str, Any], record: Mapping[str, Any] | None) -> dict[str, Any]:
    if record is None:
        location = await client.create_location(map_id, **body)
    elif body:
        location = await client.update_location(map_id, record["id"], **body)
    else:
        location = dict(record)
    if body or record is None:
        await _db(cache.upsert, "locations", location, scope=map_id)
    wanted = separate.get("layerIds")
    if wanted is not None and set(wanted) != set(layer_ids(location)):
        try:
            location = await client.set_location_layers(map_id, location["id"], list(wanted))
        except Exception as exc:
            raise PartialSaveError(location, exc) from exc
        await _db(cache.upsert, "locations", location, scope=map_id)
    return location


# -- delete -------------------------------------------------------------------------------
async def remove(resource: str, client: ServiceClient, cache: CacheStore, record: Mapping[str, Any]
                 ) -> dict[str, Any]:
    """Delete (an API key: revoke) one record on the service, then in the cache."""
    if resource not in RESOURCES or not RESOURCES[resource].can_delete:
        raise ValueError(f"{resource} cannot be deleted")
    record_id = str(record["id"])
    if resource == sites.RESOURCE:
        return await sites.delete_site(sites.instawp(client), cache, dict(record))
    mapiry = _mapiry(client)
    if resource == "maps":
        try:
            answer = await mapiry.delete_map(record_id)
        except NotFoundError:  # gone from Mapiry already: what is left to do is to forget it here
            answer = {}
        await _db(cache.remove_known_map, record_id)
        return answer
    if resource == "api_keys":
        answer = await mapiry.revoke_key(record_id)
        if str(answer.get("id")) != record_id:  # a 204, {"data": null}, {"success": true}: revoked now
            answer = {**record, "revokedAt": answer.get("revokedAt") or _now()}
        await _db(cache.upsert, "api_keys", without_secret(answer))
        return answer
    map_id = str(record.get("mapId") or "")
    if resource == "locations":
        answer = await mapiry.delete_location(map_id, record_id)
        await _db(cache.delete, "locations", record_id)
        return answer
    answer = await mapiry.delete_in_map(resource, map_id, record_id)
    await _db(cache.delete, resource, record_id)
    await _db(_patch_locations, cache, map_id, resource, record_id, None)
    return answer


def _patch_locations(cache: CacheStore, map_id: str, resource: str, ref_id: str, replacement: dict | None) -> int:
    """Bring the cached locations of a map in step with a changed or deleted category, tag or
    layer, as the service did (a deleted category leaves locations without one; a layer's new
    name and colour show in every location of that layer)."""
    key = referrer_keys("locations")[resource]
    rows = cache.rows_for_keys("locations", cache.query_keys("locations", filters={"scope": map_id, key: ref_id}))
    for row in rows:
        if resource == "categories":
            row["categoryId"] = None
        elif resource == "tags":
            row["tagIds"] = [t for t in row.get("tagIds") or () if t != ref_id]
        else:
            layers = []
            for layer in row.get("layers") or ():
                lid = layer.get("id") if isinstance(layer, dict) else layer
                if lid != ref_id:
                    layers.append(layer)
                elif replacement is not None:
                    layers.append(replacement)
            row["layers"] = layers
        cache.upsert("locations", row, scope=map_id)
    return len(rows)

# ruff: noqa: F811 - the cache fixture imported from test_hostile_network
"""Where the documents are silent, Cabinet takes every reasonable answer, over real HTTP: the
hostile server on loopback (tests/hostile.py) sends the shapes the sandbox, faithful to the
documents, never does — bare lists, lists under their name, wrapped objects, records without
``mapId``, fields nobody documented, and every kind of 2xx to a delete."""

from __future__ import annotations

from typing import Any

import pytest

from app.core import errors as E
from app.services.instamapp import InstaMappClient
from app.services.mapiry import MapiryClient
from app.storage import Cache
from app.sync import writes
from app.sync.engine import SyncEngine
from tests.contract.test_hostile_network import IM_KEY, MP_KEY, cache  # noqa: F401 - the fixture
from tests.hostile import UNKNOWN_FIELD, HostileServer

MAP = "cmap0000000000000000000001"

pytestmark = pytest.mark.timeout(60)


def mapiry(hostile: HostileServer, mode: str) -> MapiryClient:
    return MapiryClient(hostile.url(mode, "mapiry"), MP_KEY, max_retries=0)


async def sync(cache: Cache, hostile: HostileServer, mode: str) -> Any:
    im = InstaMappClient(hostile.url(mode, "instamapp"), IM_KEY, max_retries=0)
    mp = mapiry(hostile, mode)
    try:
        return await SyncEngine(cache, im, mp).sync()
    finally:
        await im.aclose()
        await mp.aclose()


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["docs", "bare", "named"])
async def test_sync_reads_every_shape_the_documents_allow(cache: Cache, hostile: HostileServer, mode: str) -> None:
    cache.add_known_map(MAP)
    report = await sync(cache, hostile, mode)
    assert report.ok, report.errors
    assert {r: cache.count(r) for r in ("items", "collections", "listings", "maps", "locations", "tags", "api_keys")} \
        == {"items": 2, "collections": 2, "listings": 2, "maps": 1, "locations": 2, "tags": 1, "api_keys": 1}
    # a list without pagination is complete: no further page is asked for (Mapiry's pages are
    # asked one at a time; InstaMapp's first few at once, whatever the answers)
    assert hostile.hits[(mode, f"/maps/{MAP}/locations")] == 1
    # Records of the map that did not name it take the map they were listed from: in the record
    # and in the Map column (what the view shows and filters on).
    for name in ("locations", "tags"):
        assert [r["mapId"] for r in cache.all_rows(name, scope=MAP)] == [MAP] * cache.count(name)
        assert len(cache.query_keys(name, filters={"mapId": MAP})) == cache.count(name)
    # fields no document names are kept, whole
    locations = cache.all_rows("locations")
    assert all(r[UNKNOWN_FIELD[0]] == UNKNOWN_FIELD[1] for r in locations)
    assert cache.get("maps", MAP)["locationCount"] == 2
    assert cache.sales_summary()["total_sales"] == 0
    # … and a sync again keeps them
    report = await sync(cache, hostile, mode)
    assert report.ok, report.errors
    assert cache.all_rows("locations") == locations


@pytest.mark.asyncio
@pytest.mark.parametrize("answer", ["204", "empty", "null", "success", "object"])
async def test_any_2xx_answers_a_delete_and_the_row_goes(cache: Cache, hostile: HostileServer, answer: str) -> None:
    mode = f"delete-{answer}"
    location = {"id": "loc_1", "mapId": MAP, "name": "Fuglen Tokyo", "lat": 35.6654, "lng": 139.7006}
    tag = {"id": "tag_1", "mapId": MAP, "name": "wifi"}
    cache.upsert("locations", location, scope=MAP)
    cache.upsert("tags", tag, scope=MAP)
    client = mapiry(hostile, mode)
    try:
        await writes.remove("locations", client, cache, location)
        await writes.remove("tags", client, cache, tag)
    finally:
        await client.aclose()
    assert hostile.hits[(mode, f"/maps/{MAP}/locations/loc_1")] == 1
    assert hostile.hits[(mode, f"/maps/{MAP}/tags/tag_1")] == 1
    assert cache.get("locations", "loc_1") is None and cache.get("tags", "tag_1") is None


@pytest.mark.asyncio
@pytest.mark.parametrize("answer", ["204", "null", "success", "object"])
async def test_a_revoke_answered_without_the_key_marks_it_revoked(cache: Cache, hostile: HostileServer,
                                                                  answer: str) -> None:
    key = {"id": "key_1", "name": "Main", "scope": "READ_WRITE", "revokedAt": None}
    cache.upsert("api_keys", key)
    client = mapiry(hostile, f"delete-{answer}")
    try:
        await writes.remove("api_keys", client, cache, key)
    finally:
        await client.aclose()
    cached = cache.get("api_keys", "key_1")
    if answer == "object":  # the service's record of the revoked key, as it sent it
        assert cached["name"] == "Deleted key_1" and cached["revokedAt"] == "2026-03-01T00:00:00.000Z"
    else:  # the cached key, revoked now
        assert cached["name"] == "Main" and cached["revokedAt"].endswith("Z")


@pytest.mark.asyncio
@pytest.mark.parametrize("answer", ["refused", "refused-data"])
async def test_a_2xx_that_says_it_failed_is_an_error(cache: Cache, hostile: HostileServer, answer: str) -> None:
    location = {"id": "loc_1", "mapId": MAP, "name": "Fuglen Tokyo", "lat": 35.6654, "lng": 139.7006}
    cache.upsert("locations", location, scope=MAP)
    client = mapiry(hostile, f"delete-{answer}")
    try:
        with pytest.raises(E.NotCarriedOutError) as info:
            await writes.remove("locations", client, cache, location)
    finally:
        await client.aclose()
    assert cache.get("locations", "loc_1") == location  # kept: it was not deleted
    text = info.value.user_message()
    assert "did not carry out" in text and "Refresh" in text
    if answer == "refused":
        assert "The record is locked." in text

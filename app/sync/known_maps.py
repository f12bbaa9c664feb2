"""The Mapiry maps Cabinet knows (Mapiry has no endpoint that lists maps): adding existing
maps by id or address, and maps the server no longer has ("gone").

:func:`add_maps` takes what a person pasted — ids or map addresses, one per line or separated
by spaces, commas or semicolons — checks each with GET /maps/:mapId and registers the ones
found, with one :class:`MapCheck` per entry. A map the server answers 404 for during a sync
is marked gone (:func:`mark_gone`): its cached record gets the date it was marked and the
date it was last seen, it stays browsable and exportable, and the sync goes on with the
other maps. The next successful GET replaces the record and with it the mark.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from app.core.errors import (
    AuthenticationError,
    CabinetError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
)
from app.core.records import GONE_AT, LAST_SEEN_AT
from app.services.mapiry import MapiryClient

MAX_REFS = 200  # one paste is checked at most this many entries at a time
_SEPARATORS = re.compile(r"[\s,;]+")

ADDED, KNOWN, NOT_FOUND, NO_ACCESS, INVALID, OFFLINE, FAILED = (
    "added", "known", "not_found", "no_access", "invalid", "offline", "failed")


class KnownMapsStore(Protocol):
    """What this module needs of the cache."""

    def known_maps(self) -> list[dict]: ...
    def add_known_map(self, map_id: str, source: str = "manual") -> None: ...
    def upsert(self, resource_name: str, row: dict, *, scope: str = "") -> None: ...
    def get(self, resource_name: str, row_id: str) -> dict | None: ...
    def mark_synced(self, resource_name: str, scope: str = "", when: datetime | None = None) -> None: ...
    def last_synced(self, resource_name: str, scope: str = "") -> datetime | None: ...


class MapGetter(Protocol):
    async def get_map(self, map_id: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class MapCheck:
    """What became of one pasted entry."""

    ref: str  # as pasted
    outcome: str  # ADDED, KNOWN, NOT_FOUND, NO_ACCESS, INVALID, OFFLINE or FAILED
    map_id: str | None = None
    title: str = ""
    detail: str = ""  # the reason, for anything but ADDED and KNOWN

    @property
    def ok(self) -> bool:
        return self.outcome in (ADDED, KNOWN)


def split_refs(text: str) -> list[str]:
    """The entries of a paste, in order, each once (blank ones dropped)."""
    seen: dict[str, None] = {}
    for part in _SEPARATORS.split(text or ""):
        part = part.strip().strip("<>\"'()[]")
        if part:
            seen.setdefault(part, None)
    return list(seen)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def add_maps(cache: KnownMapsStore, client: MapGetter, text: str | Sequence[str], *,
                   source: str = "manual", on_result: Callable[[MapCheck], None] | None = None) -> list[MapCheck]:
    """Check and register every map in ``text`` (a paste, or entries already apart, as the command
    line gives them); one MapCheck per entry, in order."""
    refs = split_refs(text) if isinstance(text, str) else list(dict.fromkeys(r.strip() for r in text if r.strip()))
    results: list[MapCheck] = []
    known = {str(m["id"]) for m in await asyncio.to_thread(cache.known_maps)}
    done_ids: set[str] = set()
    for ref in refs[:MAX_REFS]:
        result = await _add_one(cache, client, ref, known | done_ids, source)
        if result.outcome == ADDED and result.map_id:
            done_ids.add(result.map_id)
        results.append(result)
        if on_result is not None:
            on_result(result)
    for ref in refs[MAX_REFS:]:
        result = MapCheck(ref, INVALID, detail=f"more than {MAX_REFS} entries at once: add the rest next")
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results


async def _add_one(cache: KnownMapsStore, client: MapGetter, ref: str, known: set[str], source: str) -> MapCheck:
    try:
        map_id = MapiryClient.parse_map_ref(ref)
    except ValueError as exc:
        return MapCheck(ref, INVALID, detail=str(exc))
    cached = await asyncio.to_thread(cache.get, "maps", map_id)
    if map_id in known and not (cached and cached.get(GONE_AT)):
        return MapCheck(ref, KNOWN, map_id, str((cached or {}).get("title") or ""))
    try:
        the_map = await client.get_map(map_id)
    except NotFoundError as exc:
        return MapCheck(ref, NOT_FOUND, map_id, detail=exc.user_message())
    except (PermissionDeniedError, AuthenticationError) as exc:
        return MapCheck(ref, NO_ACCESS, map_id, detail=exc.user_message())
    except NetworkError as exc:
        return MapCheck(ref, OFFLINE, map_id, detail=exc.user_message())
    except CabinetError as exc:
        return MapCheck(ref, FAILED, map_id, detail=exc.user_message())
    map_id = str(the_map.get("id") or map_id)
    await asyncio.to_thread(cache.add_known_map, map_id, source)
    await asyncio.to_thread(cache.upsert, "maps", the_map)
    await asyncio.to_thread(cache.mark_synced, "maps", map_id)
    return MapCheck(ref, ADDED, map_id, str(the_map.get("title") or ""))


def mark_gone(cache: KnownMapsStore, map_id: str) -> dict:
    """Mark a known map the server answered 404 for: its cached record (a stub when none was
    cached) gets GONE_AT (now, unless already marked) and LAST_SEEN_AT (its last sync)."""
    record = dict(cache.get("maps", map_id) or {"id": map_id, "title": map_id})
    if not record.get(GONE_AT):
        seen = cache.last_synced("maps", map_id)
        record[GONE_AT] = _now()
        record[LAST_SEEN_AT] = seen.strftime("%Y-%m-%dT%H:%M:%SZ") if seen else record.get("updatedAt")
        cache.upsert("maps", record)
    return record


def is_gone(record: dict | None) -> bool:
    return bool(record and record.get(GONE_AT))

"""InstaWP sites: create (then follow the 202 "being created" state until ready) and delete.
The API first, then the cache from its answer (no Qt)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from app.core.errors import ApiError, CabinetError
from app.core.registry import instawp as instawp_registry
from app.services.client_base import ServiceClient
from app.services.instawp import InstaWPClient
from app.storage import CacheStore

RESOURCE = instawp_registry.SITES.name
READY = "ready"
POLL_SECONDS = 2.0
READY_DEADLINE = 600.0  # InstaWP builds a site in about a minute; stop watching after ten


class SiteAnswer(dict[str, Any]):
    """The site InstaWP returned, with its message as sent ("Site is being created.")."""

    def __init__(self, site: dict[str, Any], message: str) -> None:
        super().__init__(site)
        self.message = message

    @property
    def ready(self) -> bool:
        return self.get("status") == READY


class SiteNotReadyError(CabinetError):
    """The site was accepted, but it was not ready when Cabinet stopped watching."""

    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        super().__init__(f"InstaWP accepted the site “{name}”, but it was not ready after {seconds:.0f} s. "
                         "It may still be being created: refresh (F5) later to see it.")


def instawp(client: ServiceClient) -> InstaWPClient:
    if not isinstance(client, InstaWPClient):
        raise TypeError(f"an InstaWP write needs the InstaWP client, not {type(client).__name__}")
    return client


async def create_site(client: InstaWPClient, cache: CacheStore, name: str) -> SiteAnswer:
    """Create the site and cache it as InstaWP answered (not ready yet when InstaWP said 202)."""
    try:
        answer = await client.create_site(name)
    except ApiError as exc:  # InstaWP names the body's field; the form calls it "name"
        exc.details = [{**d, "field": "name"} if d.get("field") == "site_name" else d for d in exc.details]
        raise
    await asyncio.to_thread(cache.upsert, RESOURCE, answer.data)
    return SiteAnswer(answer.data, answer.message)


async def wait_until_ready(client: InstaWPClient, cache: CacheStore, site: dict[str, Any], *,
                           on_update: Callable[[dict[str, Any]], None] | None = None,
                           interval: float = POLL_SECONDS, deadline: float = READY_DEADLINE) -> dict[str, Any]:
    """Re-read a site that is being created until it is ready, caching every answer."""
    started = time.monotonic()
    current = dict(site)
    while current.get("status") != READY:
        if time.monotonic() - started > deadline:
            raise SiteNotReadyError(str(current.get("name") or current.get("id")), deadline)
        await asyncio.sleep(interval)
        current = await client.get_site(str(current["id"]))
        await asyncio.to_thread(cache.upsert, RESOURCE, current)
        if on_update is not None:
            on_update(current)
    return current


async def delete_site(client: InstaWPClient, cache: CacheStore, site: dict[str, Any]) -> dict[str, Any]:
    """Delete the site on InstaWP, then in the cache; returns InstaWP's message as sent."""
    message = await client.delete_site(str(site["id"]))
    await asyncio.to_thread(cache.delete, RESOURCE, str(site["id"]))
    return {"id": site["id"], "message": message}

"""Fill and refresh the cache from the adapters, every page, without blocking the event loop.

One resource (of one map) is one transaction: every page is fetched first, then written by a
worker thread in one ``Cache.replace_all`` (the write lock is held for the write only, not
while waiting on the network) — so an interrupted sync leaves the previous contents untouched. InstaMapp pages only say
``has_more``, so a few pages are fetched ahead concurrently and the surplus past the end
is dropped; Mapiry pages give ``totalPages``.

Offline (refused, DNS, timeouts) is reported in ``SyncReport.offline``; other errors in
``SyncReport.errors``; ``sync()`` does not raise for either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.core import registry
from app.core.errors import (
    CabinetError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    ProRequiredError,
)
from app.core.registry import instamapp as instamapp_registry
from app.core.registry import mapiry as mapiry_registry
from app.sync.known_maps import mark_gone

if TYPE_CHECKING:
    from app.services.instamapp import InstaMappClient
    from app.services.mapiry import MapiryClient
    from app.services.pages import Page
    from app.storage import Cache

log = logging.getLogger(__name__)

# What is synced is the registry's: every resource of every service, in registry order.
SERVICE_OF = {name: res.service for name, res in registry.RESOURCES.items()}
MAP_RESOURCES = registry.MAP_SCOPED
PER_PAGE = min(instamapp_registry.PAGE_SIZE_MAX, mapiry_registry.PAGE_SIZE_MAX)


def sync_order(service: str) -> tuple[str, ...]:
    """The order a service's resources are synced in: those of no map, then each map and its contents."""
    resources = registry.by_service(service)
    parent = registry.scope_parent(service)
    first = tuple(r.name for r in resources if not r.map_scoped and r is not parent)
    return first + ((parent.name,) if parent else ()) + tuple(r.name for r in resources if r.map_scoped)


INSTAMAPP_RESOURCES = sync_order("instamapp")
MAPIRY_RESOURCES = sync_order("mapiry")


@dataclass
class SyncProgress:
    service: str
    resource: str
    done: int
    total: int | None
    state: str  # "syncing" | "done" | "offline" | "error"
    scope: str = ""


@dataclass
class SyncReport:
    counts: dict[str, int] = field(default_factory=dict)
    offline: set[str] = field(default_factory=set)
    errors: dict[str, CabinetError] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)  # known maps the server answered 404 for (marked gone)

    @property
    def ok(self) -> bool:
        return not self.offline and not self.errors


ProgressFn = Callable[[SyncProgress], None]


class SyncFailed(CabinetError):
    """Something other than the service went wrong (the cache could not be written...)."""

    def __init__(self, service: str, resource: str, cause: BaseException) -> None:
        self.service = service
        self.resource = resource
        super().__init__(f"Cabinet could not update its copy of {resource} ({type(cause).__name__}: {cause}). "
                         "The data cached before is still there; try Refresh again.")


class SyncEngine:
    """Fills the cache from the services. ``instamapp`` / ``mapiry`` may be None (not connected)."""

    def __init__(self, cache: Cache, instamapp: InstaMappClient | None, mapiry: MapiryClient | None,
                 *, pages_ahead: int = 4, per_page: int = PER_PAGE) -> None:
        self.cache = cache
        self.instamapp = instamapp
        self.mapiry = mapiry
        self.pages_ahead = max(1, pages_ahead)
        self.per_page = per_page
        self._progress: ProgressFn | None = None

    @property
    def clients(self) -> dict[str, Any]:
        return {k: v for k, v in (("instamapp", self.instamapp), ("mapiry", self.mapiry)) if v is not None}

    # -- the whole thing ------------------------------------------------------------------------
    async def sync(self, services: tuple[str, ...] | list[str] = ("instamapp", "mapiry"),
                   progress: ProgressFn | None = None) -> SyncReport:
        """Sync every resource of the services asked for (concurrently, one task per service)."""
        report = SyncReport()
        self._progress = progress
        try:
            jobs = []
            for service in dict.fromkeys(services):
                if service == "instamapp" and self.instamapp is not None:
                    jobs.append(self._sync_service(service, INSTAMAPP_RESOURCES, report))
                elif service == "mapiry" and self.mapiry is not None:
                    jobs.append(self._sync_mapiry(report))
                elif service not in ("instamapp", "mapiry"):
                    raise ValueError(f"unknown service {service!r}")
            await asyncio.gather(*jobs)
        finally:
            self._progress = None
        return report

    async def _sync_service(self, service: str, resources: tuple[str, ...], report: SyncReport) -> None:
        for res in resources:
            if not await self._guarded(service, res, "", report):
                return

    async def _sync_mapiry(self, report: SyncReport) -> None:
        if not await self._guarded("mapiry", "api_keys", "", report):
            return
        maps = [m["id"] for m in await asyncio.to_thread(self.cache.known_maps)]
        report.counts.setdefault("maps", 0)
        for res in MAP_RESOURCES:
            report.counts.setdefault(res, 0)
        for map_id in maps:
            try:
                await self.sync_resource("maps", map_id)
            except NotFoundError:
                # Deleted, or no longer this account's: marked gone, its cached contents kept and
                # not refreshed; the other maps go on and the service is not failing for it.
                await asyncio.to_thread(mark_gone, self.cache, map_id)
                report.gone.append(map_id)
                continue
            except NetworkError:
                report.offline.add("mapiry")
                self._emit("mapiry", "maps", 0, None, "offline", map_id)
                return
            except CabinetError as exc:
                report.errors.setdefault("mapiry", exc)
                self._emit("mapiry", "maps", 0, None, "error", map_id)
                return
            report.counts["maps"] += 1
            for res in MAP_RESOURCES:
                if not await self._guarded("mapiry", res, map_id, report):
                    return

    async def _guarded(self, service: str, res: str, scope: str, report: SyncReport) -> bool:
        """Sync one resource into the report; False when the service should stop here."""
        try:
            n = await self.sync_resource(res, scope)
        except NetworkError as exc:
            log.info("sync %s/%s: offline (%s)", service, res, exc)
            report.offline.add(service)
            self._emit(service, res, 0, None, "offline", scope)
            return False
        except PermissionDeniedError as exc:
            # The key may not read this one resource (scope): note it and go on with the rest.
            report.errors.setdefault(service, exc)
            report.errors[f"{service}:{res}"] = exc
            self._emit(service, res, 0, None, "error", scope)
            return not isinstance(exc, ProRequiredError)  # no Pro: nothing else will work either
        except Exception as exc:  # CabinetError, or e.g. a full disk while writing the cache
            error = exc if isinstance(exc, CabinetError) else SyncFailed(service, res, exc)
            if not isinstance(exc, CabinetError):
                log.exception("sync %s/%s failed", service, res)
            report.errors.setdefault(service, error)
            report.errors[f"{service}:{res}"] = error
            self._emit(service, res, 0, None, "error", scope)
            return False
        report.counts[res] = report.counts.get(res, 0) + n
        return True

    def _emit(self, service: str, res: str, done: int, total: int | None, state: str, scope: str = "") -> None:
        if self._progress is None:
            return
        try:
            self._progress(SyncProgress(service, res, done, total, state, scope))
        except Exception:
            log.exception("sync progress callback failed")

    # -- one resource ---------------------------------------------------------------------------
    async def sync_resource(self, resource: str, scope: str = "") -> int:
        """Replace the cached resource (of one map, for map-scoped ones) with what the service has.

        Raises the adapter's errors. Returns the number of records written.
        """
        service = SERVICE_OF.get(resource)
        if service is None:
            raise ValueError(f"unknown resource {resource!r}")
        if resource in MAP_RESOURCES and not scope:
            raise ValueError(f"{resource} belong to a map: pass its id as scope")
        if service == "instamapp":
            if self.instamapp is None:
                raise ValueError("InstaMapp is not connected")
            n = await self._sync_instamapp(self.instamapp, resource)
        else:
            if self.mapiry is None:
                raise ValueError("Mapiry is not connected")
            n = await self._sync_mapiry_resource(self.mapiry, resource, scope)
        await asyncio.to_thread(self.cache.mark_synced, resource, scope)
        self._emit(service, resource, n, n, "done", scope)
        return n

    async def _sync_instamapp(self, client: InstaMappClient, resource: str) -> int:
        if resource == "sales_summary":
            summary = await client.get_sales_summary()
            return await asyncio.to_thread(self.cache.replace_all, "sales_summary", [summary])
        fetch: Callable[[int], Awaitable[Page]] = {
            "items": lambda p: client.list_items(page=p, per_page=self.per_page),
            "collections": lambda p: client.list_collections(page=p, per_page=self.per_page),
            "listings": lambda p: client.list_listings(page=p, per_page=self.per_page),
        }[resource]
        return await self._stream(resource, "", lambda put: self._pages(fetch, put, "instamapp", resource, ""))

    async def _sync_mapiry_resource(self, client: MapiryClient, resource: str, scope: str) -> int:
        if resource == "api_keys":
            keys = await client.list_keys()
            return await asyncio.to_thread(self.cache.replace_all, "api_keys", keys)
        if resource == "maps":
            if scope:
                the_map = await client.get_map(scope)
                await asyncio.to_thread(self.cache.upsert, "maps", the_map)
                return 1
            n = 0
            for known in await asyncio.to_thread(self.cache.known_maps):
                try:
                    the_map = await client.get_map(known["id"])
                except NotFoundError:
                    await asyncio.to_thread(mark_gone, self.cache, known["id"])
                    continue
                await asyncio.to_thread(self.cache.upsert, "maps", the_map)
                n += 1
            return n
        if resource == "locations":
            def fetch(p: int) -> Awaitable[Page]:
                return client.list_locations(scope, page=p, page_size=self.per_page)
            return await self._stream(resource, scope,
                                      lambda put: self._pages(fetch, put, "mapiry", resource, scope))
        lister = {"categories": client.list_categories, "tags": client.list_tags,
                  "layers": client.list_layers}[resource]
        rows = await lister(scope)
        return await asyncio.to_thread(self.cache.replace_all, resource, rows, scope=scope)

    # -- paging and streaming writes ------------------------------------------------------------
    async def _pages(self, fetch: Callable[[int], Awaitable[Page]], put: Callable[[list[dict]], None],
                     service: str, resource: str, scope: str) -> None:
        """Fetch every page, up to ``pages_ahead`` in flight, handing them to ``put`` in order."""
        tasks: dict[int, asyncio.Task[Page]] = {}
        last: int | None = None  # the last page number, once known
        # InstaMapp says only has_more: start a window of pages at once. Mapiry says totalPages
        # on page 1: ask for it alone, then fan out without overshooting.
        first = self.pages_ahead if service == "instamapp" else 1
        for number in range(1, first + 1):
            tasks[number] = asyncio.ensure_future(fetch(number))
        next_page = first + 1
        expected = 1
        done = 0
        try:
            while True:
                page = await tasks.pop(expected)
                put(page.items)
                done += len(page.items)
                if page.total_pages is not None:
                    last = page.total_pages
                self._emit(service, resource, done, page.total, "syncing", scope)
                if not page.has_more or not page.items or (last is not None and expected >= last):
                    return
                expected += 1
                while len(tasks) < self.pages_ahead and (last is None or next_page <= last):
                    tasks[next_page] = asyncio.ensure_future(fetch(next_page))
                    next_page += 1
        finally:
            for task in tasks.values():
                task.cancel()
            for task in tasks.values():
                with contextlib.suppress(BaseException):
                    await task

    async def _stream(self, resource: str, scope: str,
                      produce: Callable[[Callable[[list[dict]], None]], Awaitable[None]]) -> int:
        """Collect what ``produce(put)`` fetches, then write it in one transaction in a worker thread.

        The write lock is taken only for the write itself, never while waiting on the network,
        so the window's and the importer's own writes are not held up by a long fetch.
        """
        rows: list[dict] = []
        await produce(rows.extend)
        return await asyncio.to_thread(self.cache.replace_all, resource, rows, scope=scope)

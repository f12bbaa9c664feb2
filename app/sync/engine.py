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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from app.core import registry
from app.core.errors import (
    CabinetError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    ProRequiredError,
)
from app.sync.known_maps import mark_gone

if TYPE_CHECKING:
    from app.services.client_base import ServiceClient
    from app.services.pages import Page
    from app.storage import Cache

log = logging.getLogger(__name__)

# What is synced is the registry's: every resource of every service, in registry order.
SERVICE_OF = {name: res.service for name, res in registry.RESOURCES.items()}
MAP_RESOURCES = registry.MAP_SCOPED
PER_PAGE = min(s.page_size_max for s in registry.SERVICES.values())


def sync_order(service: str) -> tuple[str, ...]:
    """The order a service's resources are synced in: those of no map, then each map and its contents."""
    resources = registry.by_service(service)
    parent = registry.scope_parent(service)
    first = tuple(r.name for r in resources if not r.map_scoped and r is not parent)
    return first + ((parent.name,) if parent else ()) + tuple(r.name for r in resources if r.map_scoped)



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


class Syncer(Protocol):
    """The sync engine as the window and the command line see it."""

    @property
    def clients(self) -> dict[str, ServiceClient]: ...

    def client(self, service: str) -> ServiceClient | None: ...

    async def sync(self, services: Sequence[str] = ..., progress: ProgressFn | None = None) -> SyncReport: ...


class SyncEngine:
    """Fills the cache from the services whose clients it is given (None: not connected).

    What it reads is the registry's: every resource of each service, by its ``reading``; a
    service with map-scoped resources is read map by map (the known maps).
    """

    def __init__(self, cache: Cache, *clients: ServiceClient | None, pages_ahead: int = 4,
                 per_page: int = PER_PAGE) -> None:
        self.cache = cache
        self._clients: dict[str, ServiceClient] = {c.service: c for c in clients if c is not None}
        self.pages_ahead = max(1, pages_ahead)
        self.per_page = per_page
        self._progress: ProgressFn | None = None

    @property
    def clients(self) -> dict[str, ServiceClient]:
        """The connected services' clients, by service."""
        return self._clients

    def client(self, service: str) -> ServiceClient | None:
        return self._clients.get(service)

    def disconnect(self, service: str) -> None:
        """Forget a service's client (it was closed or its key removed)."""
        self._clients.pop(service, None)

    # -- the whole thing ------------------------------------------------------------------------
    async def sync(self, services: Sequence[str] = registry.APP_SERVICES,
                   progress: ProgressFn | None = None) -> SyncReport:
        """Sync every resource of the services asked for (concurrently, one task per service)."""
        report = SyncReport()
        self._progress = progress
        try:
            jobs = []
            for service in dict.fromkeys(services):
                if service not in registry.SERVICES:
                    raise ValueError(f"unknown service {service!r}")
                if service in self._clients:
                    jobs.append(self._sync_service(service, report))
            await asyncio.gather(*jobs)
        finally:
            self._progress = None
        return report

    async def _sync_service(self, service: str, report: SyncReport) -> None:
        parent = registry.scope_parent(service)
        for res in sync_order(service):
            if res == (parent.name if parent else None):
                break
            if not await self._guarded(service, res, "", report):
                return
        if parent is not None:
            await self._sync_scopes(service, parent.name, report)

    async def _sync_scopes(self, service: str, parent: str, report: SyncReport) -> None:
        """Each known scope record (map), then its contents."""
        scoped = tuple(r.name for r in registry.by_service(service) if r.map_scoped)
        scopes = [m["id"] for m in await asyncio.to_thread(self.cache.known_maps)]
        report.counts.setdefault(parent, 0)
        for res in scoped:
            report.counts.setdefault(res, 0)
        for scope in scopes:
            try:
                await self.sync_resource(parent, scope)
            except NotFoundError:
                # Deleted, or no longer this account's: marked gone, its cached contents kept and
                # not refreshed; the other maps go on and the service is not failing for it.
                await asyncio.to_thread(mark_gone, self.cache, scope)
                report.gone.append(scope)
                continue
            except NetworkError:
                report.offline.add(service)
                self._emit(service, parent, 0, None, "offline", scope)
                return
            except CabinetError as exc:
                report.errors.setdefault(service, exc)
                self._emit(service, parent, 0, None, "error", scope)
                return
            report.counts[parent] += 1
            for res in scoped:
                if not await self._guarded(service, res, scope, report):
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
        if resource not in registry.RESOURCES:
            raise ValueError(f"unknown resource {resource!r}")
        res = registry.RESOURCES[resource]
        if res.map_scoped and not scope:
            raise ValueError(f"{resource} belong to a map: pass its id as scope")
        client = self._clients.get(res.service)
        if client is None:
            raise ValueError(f"{registry.service_title(res.service)} is not connected")
        n = await self._read(client, res, scope)
        await asyncio.to_thread(self.cache.mark_synced, resource, scope)
        self._emit(res.service, resource, n, n, "done", scope)
        return n

    async def _read(self, client: ServiceClient, res: registry.Resource, scope: str) -> int:
        name = res.name
        if res.reading == registry.SINGLE:
            record = await client.read_one(name, "")
            return await asyncio.to_thread(self.cache.replace_all, name, [record])
        if res.reading == registry.PER_SCOPE:
            ids = [scope] if scope else [m["id"] for m in await asyncio.to_thread(self.cache.known_maps)]
            n = 0
            for record_id in ids:
                try:
                    record = await client.read_one(name, record_id)
                except NotFoundError:
                    if scope:
                        raise
                    await asyncio.to_thread(mark_gone, self.cache, record_id)
                    continue
                await asyncio.to_thread(self.cache.upsert, name, record)
                n += 1
            return n
        if res.reading == registry.LISTED:
            rows = await client.read_all(name, scope)
            return await asyncio.to_thread(self.cache.replace_all, name, rows, scope=scope)

        def fetch(p: int) -> Awaitable[Page]:
            return client.read_page(name, scope, p, self.per_page)
        return await self._stream(name, scope, lambda put: self._pages(fetch, put, res.service, name, scope))

    # -- paging and streaming writes ------------------------------------------------------------
    async def _pages(self, fetch: Callable[[int], Awaitable[Page]], put: Callable[[list[dict]], None],
                     service: str, resource: str, scope: str) -> None:
        """Fetch every page, up to ``pages_ahead`` in flight, handing them to ``put`` in order."""
        tasks: dict[int, asyncio.Task[Page]] = {}
        last: int | None = None  # the last page number, once known
        # InstaMapp says only has_more: start a window of pages at once. Mapiry says totalPages
        # on page 1: ask for it alone, then fan out without overshooting.
        first = 1 if registry.SERVICES[service].pages_counted else self.pages_ahead
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

"""Fill and refresh the cache from the adapters, every page, without blocking the event loop.

One resource (of one map) is one transaction: every page is fetched first, each put aside on
disk as it arrives (storage/spool.py: a listing's memory does not grow with its pages), then
written by a worker thread in one ``Cache.replace_all`` (the write lock is held for the write
only, not while waiting on the network) — so an interrupted or failed listing leaves the
previous contents untouched. A listing stops with a ListingError past ``max_pages`` pages or
``max_items`` entries (services/pages.py). InstaMapp pages only say
``has_more``, so a few pages are fetched ahead concurrently and the surplus past the end
is dropped; Mapiry pages give ``totalPages``.

Each resource (of each map) stands on its own: one that fails (a 403 or 404 on one listing,
a listing that does not end) is reported by itself under ``"service:resource"``
(``"service:resource:map"``) and the others go on; a map the server answers 404 for is marked
gone. Only what stops every request of a service stops the rest of it: offline
(``SyncReport.offline``), an answer slower than the request deadline, a refused key, no Pro
subscription, and a rate limit that asks for a wait longer than ``max_wait``. A 429 is handled
here, in one place: a wait up to ``max_wait`` is announced (a "waiting" SyncProgress with its
end time) and then slept (cancellable); a longer one is not started (``WaitTooLongError``).
``sync()`` raises for none of these.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from app.core import registry
from app.core.errors import (
    AuthenticationError,
    CabinetError,
    DeadlineExceededError,
    NetworkError,
    NotFoundError,
    ProRequiredError,
    RateLimitedError,
    WaitTooLongError,
)
from app.services.pages import MAX_ITEMS, MAX_PAGES, PageGuard
from app.storage.spool import RowSpool
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
MAX_WAIT = 300.0  # seconds: the longest rate-limit wait a sync starts (cabinet sync --max-wait)
NO_RETRY_AFTER_WAIT = 5.0  # a 429 that says neither Retry-After nor a reset time
MAX_429_PER_CALL = 5  # consecutive 429s to one request before it is reported as an error
T = TypeVar("T")


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
    state: str  # "syncing" | "done" | "offline" | "error" | "waiting" | "rate_limited" (a wait too long)
    scope: str = ""
    until: float | None = None  # "waiting", "rate_limited": when the wait ends (epoch seconds)
    reason: str = ""  # "waiting": why; "error", "rate_limited": the message


@dataclass
class SyncReport:
    counts: dict[str, int] = field(default_factory=dict)
    offline: set[str] = field(default_factory=set)
    errors: dict[str, CabinetError] = field(default_factory=dict)
    gone: list[str] = field(default_factory=list)  # known maps the server answered 404 for (marked gone)

    @property
    def ok(self) -> bool:
        return not self.offline and not self.errors

    @property
    def rate_limited(self) -> WaitTooLongError | None:
        """The wait a service asked for that was longer than the sync may wait, if any."""
        return next((e for e in self.errors.values() if isinstance(e, WaitTooLongError)), None)

    def resource_results(self, services: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Each resource of ``services``: its count, its error, and per map what failed."""
        out: dict[str, dict[str, Any]] = {}
        for service in services:
            for res in sync_order(service):
                entry: dict[str, Any] = {}
                if res in self.counts:
                    entry["count"] = self.counts[res]
                own = self.errors.get(f"{service}:{res}")
                if own is not None:
                    entry["error"] = own.user_message()
                per_map = {k.split(":", 2)[2]: e.user_message() for k, e in self.errors.items()
                           if k.startswith(f"{service}:{res}:")}
                if per_map:
                    entry["map_errors"] = per_map
                parent = registry.scope_parent(service)
                if parent is not None and res == parent.name and self.gone:
                    entry["gone"] = list(self.gone)
                if not entry:
                    entry["skipped"] = "offline" if service in self.offline else "not synced"
                out[res] = entry
        return out


ProgressFn = Callable[[SyncProgress], None]


class SyncFailed(CabinetError):
    """Something other than the service went wrong (the cache could not be written...)."""

    def __init__(self, service: str, resource: str, cause: BaseException) -> None:
        self.service = service
        self.resource = resource
        super().__init__(f"Cabinet could not update its copy of {resource} ({type(cause).__name__}: {cause}). "
                         "The data cached before is still there; try Refresh again.")


class _Halt(Exception):
    """Ends a whole sync at once (a wait too long, with ``stop_when_rate_limited``)."""


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
                 per_page: int = PER_PAGE, max_wait: float = MAX_WAIT, max_pages: int = MAX_PAGES,
                 max_items: int = MAX_ITEMS, stop_when_rate_limited: bool = False) -> None:
        self.cache = cache
        self._clients: dict[str, ServiceClient] = {c.service: c for c in clients if c is not None}
        self.pages_ahead = max(1, pages_ahead)
        self.per_page = per_page
        self.max_wait = max(0.0, float(max_wait))
        self.max_pages = max_pages
        self.max_items = max_items
        # The command line ends at once on a wait too long (exit 3); the app lets the rest go on.
        self.stop_when_rate_limited = stop_when_rate_limited
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
            running = [asyncio.ensure_future(job) for job in jobs]
            try:
                await asyncio.gather(*running)
            except Exception as exc:  # _Halt, or what no resource could be kept apart from (the cache)
                for task in running:  # no service goes on syncing behind a sync that has ended
                    task.cancel()
                await asyncio.gather(*running, return_exceptions=True)
                if not isinstance(exc, _Halt):
                    raise
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
            # Gone (404): marked gone, its cached contents kept and not refreshed; the other maps
            # go on and the service is not failing for it. Any other error of one map: reported
            # by itself, its contents skipped, the other maps go on.
            if not await self._guarded(service, parent, scope, report):
                return
            if scope in report.gone or f"{service}:{parent}:{scope}" in report.errors:
                continue
            for res in scoped:
                if not await self._guarded(service, res, scope, report):
                    return

    async def _guarded(self, service: str, res: str, scope: str, report: SyncReport) -> bool:
        """Sync one resource into the report; False when nothing more of the service can work."""
        key = f"{service}:{res}:{scope}" if scope else f"{service}:{res}"
        try:
            n = await self.sync_resource(res, scope)
        except NetworkError as exc:
            if isinstance(exc, DeadlineExceededError):  # answering, too slowly: not offline
                exc.__traceback__ = None
                report.errors.setdefault(service, exc)
                report.errors[key] = exc
                self._emit(service, res, 0, None, "error", scope, reason=exc.user_message())
                return False  # the next request would wait as long again
            log.info("sync %s/%s: offline (%s)", service, res, exc)
            report.offline.add(service)
            self._emit(service, res, 0, None, "offline", scope)
            return False
        except Exception as exc:  # CabinetError, or e.g. a full disk while writing the cache
            parent = registry.scope_parent(service)
            if isinstance(exc, NotFoundError) and scope and parent is not None and res == parent.name:
                await asyncio.to_thread(mark_gone, self.cache, scope)  # a known map the server no longer has
                report.gone.append(scope)
                return True
            error = exc if isinstance(exc, CabinetError) else SyncFailed(service, res, exc)
            if not isinstance(exc, CabinetError):
                log.exception("sync %s/%s failed", service, res)
            # The report outlives the sync: keep the error, not the frames (and data) it passed.
            error.__traceback__ = None
            error.__context__ = None
            report.errors.setdefault(service, error)
            report.errors[key] = error
            if isinstance(error, WaitTooLongError):
                self._emit(service, res, 0, None, "rate_limited", scope, until=error.until,
                           reason=error.user_message())
                if self.stop_when_rate_limited:
                    raise _Halt from None
                return False
            self._emit(service, res, 0, None, "error", scope, reason=error.user_message())
            # A refused key or no Pro stop every request of the service.
            return not isinstance(error, AuthenticationError | ProRequiredError)
        report.counts[res] = report.counts.get(res, 0) + n
        return True

    async def _patiently(self, service: str, resource: str, scope: str, call: Callable[[], Awaitable[T]]) -> T:
        """``call()``, waiting out its 429s as the service asks, up to ``max_wait`` each."""
        for _ in range(MAX_429_PER_CALL):
            try:
                return await call()
            except RateLimitedError as exc:
                seconds = exc.retry_after if exc.retry_after is not None else NO_RETRY_AFTER_WAIT
                until = exc.retry_at if exc.retry_at is not None else time.time() + seconds
                if seconds > self.max_wait:
                    raise WaitTooLongError(service, seconds, until, self.max_wait) from None
                log.info("sync %s/%s: rate limited, waiting %.1f s", service, resource, seconds)
                self._emit(service, resource, 0, None, "waiting", scope, until=until,
                           reason=exc.user_message().split("\n")[0])
                await asyncio.sleep(max(0.0, until - time.time()))
        return await call()

    def _emit(self, service: str, res: str, done: int, total: int | None, state: str, scope: str = "",
              *, until: float | None = None, reason: str = "") -> None:
        if self._progress is None:
            return
        try:
            self._progress(SyncProgress(service, res, done, total, state, scope, until, reason))
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

        def patient(call: Callable[[], Awaitable[T]]) -> Awaitable[T]:
            return self._patiently(res.service, name, scope, call)

        if res.reading == registry.SINGLE:
            record = await patient(lambda: client.read_one(name, ""))
            return await asyncio.to_thread(self.cache.replace_all, name, [record])
        if res.reading == registry.PER_SCOPE:
            ids = [scope] if scope else [m["id"] for m in await asyncio.to_thread(self.cache.known_maps)]
            n = 0
            for record_id in ids:
                try:
                    record = await patient(lambda r=record_id: client.read_one(name, r))
                except NotFoundError:
                    if scope:
                        raise
                    await asyncio.to_thread(mark_gone, self.cache, record_id)
                    continue
                await asyncio.to_thread(self.cache.upsert, name, record)
                n += 1
            return n
        if res.reading == registry.LISTED:
            rows = await patient(lambda: client.read_all(name, scope))
            return await asyncio.to_thread(self.cache.replace_all, name, rows, scope=scope)

        def fetch(p: int) -> Awaitable[Page]:
            return patient(lambda: client.read_page(name, scope, p, self.per_page))
        return await self._stream(name, scope, lambda put: self._pages(fetch, put, res.service, name, scope))

    # -- paging and streaming writes ------------------------------------------------------------
    async def _pages(self, fetch: Callable[[int], Awaitable[Page]], put: Callable[[list[dict]], Awaitable[None]],
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
        guard = PageGuard(service, resource, max_pages=self.max_pages, max_items=self.max_items)
        try:
            while True:
                page = await tasks.pop(expected)
                fresh = guard.accept(page)  # ListingError when the listing runs away
                await put(fresh)
                done += len(fresh)
                if page.total_pages is not None and last is None:
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
                      produce: Callable[[Callable[[list[dict]], Awaitable[None]]], Awaitable[None]]) -> int:
        """Put what ``produce(put)`` fetches aside on disk page by page, then write it in one
        transaction in a worker thread.

        Memory holds the pages in flight, never the whole listing. The write lock is taken only
        for the write itself, never while waiting on the network, so the window's and the
        importer's own writes are not held up by a long fetch.
        """
        self.cache.check_writable()  # a read-only cache: say so before reading a single page
        spool = await asyncio.to_thread(RowSpool, self.cache.path.parent)
        try:
            async def put(rows: list[dict]) -> None:
                await asyncio.to_thread(spool.put, rows)

            await produce(put)
            return await asyncio.to_thread(self.cache.replace_all, resource, iter(spool), scope=scope)
        finally:
            spool.close()

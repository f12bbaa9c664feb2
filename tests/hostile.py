"""A hostile server on loopback: raw asyncio sockets, so it can misbehave as no framework would.

It speaks just enough InstaMapp and Mapiry for a sync: ``{base}/{mode}/instamapp/...`` and
``{base}/{mode}/mapiry/...``. Every path answers normally unless the mode says otherwise:

========================  ===========================================================================
mode                      misbehaviour
========================  ===========================================================================
``normal``                none (a small, well-formed account)
``slowloris``             headers at once, then the body one byte every 0.2 s, never finished
``slowheaders``           the status line, then the headers one byte every 0.2 s, never finished
``endless``               a chunked body that never ends (generated as it is sent)
``huge``                  a body of ``HUGE_BYTES`` with no Content-Length (generated as it is sent)
``huge-announced``        the same with a Content-Length that says so
``pages-never``           InstaMapp lists: ``has_more`` always true, new ids on every page
``pages-repeat``          InstaMapp lists: every page holds the same ids, ``has_more`` always true
``pages-fat``             InstaMapp items: ``FAT_PAGES`` pages of new ids, each item padded to ``FAT_BYTES``
``pages-overrun``         Mapiry locations: ``page`` always 1 of 3, new ids every time
``dup-ids``               InstaMapp items: two pages that share one id
``retry-seconds``         every request: 429 with ``Retry-After: 999999999``
``retry-date``            every request: 429 with ``Retry-After`` an HTTP date in 2099
``retry-short``           the first request of each path: 429 with ``Retry-After: 1``, then normal
``retry-long``            every request: 429 with ``Retry-After: 120`` (within the default maximum)
``echo-key``              404 whose X-Request-Id is the bearer key it was sent
``keys-404``              Mapiry ``GET /keys`` answers 404; the rest is normal
``keys-shape``            Mapiry ``GET /keys`` answers 200 with ``data`` a string, not a list
``listing-403``           InstaMapp ``/marketplace/listings`` answers 403; the rest is normal
``map-gone``              Mapiry ``GET /maps/gone…`` answers 404; other maps are normal
``docs``                  Mapiry as its document's examples: locations without ``mapId`` and with a
                          field Cabinet does not know (``openingHours``), a map without
                          ``updatedAt``; every DELETE answers 204 with no body
``bare``                  every list a bare JSON array (no pagination), every object bare; Mapiry
                          locations and tags without ``mapId``
``named``                 every list ``{"data": {"<resource>": [...]}}`` (no pagination), every object
                          wrapped in ``data`` (InstaMapp too); Mapiry records without ``mapId``
``delete-<answer>``       DELETE answers: ``204`` (no body), ``empty`` (200, no body), ``null``
                          (``{"data": null}``), ``success`` (``{"data": {"success": true}}``), ``object``
                          (the deleted object), ``refused`` (200 ``{"success": false, …}``),
                          ``refused-data`` (200 ``{"data": {"success": false}}``); the rest is normal
========================  ===========================================================================

Every request is counted per (mode, path) in ``hits``. The server runs in a thread of its own
with its own event loop; ``stop()`` ends it and every connection it holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

HUGE_BYTES = 3 * 1024 ** 3  # 3 GB: more than anyone should read, never held by the server
DRIP = 0.2  # seconds between bytes of a slow answer
LOCATIONS_PAGES = 3  # what pages-overrun announces
FAT_PAGES = 300  # pages-fat: a long listing that ends...
FAT_BYTES = 20_000  # ...of items this large (20 a page: 120 MB in all)


class HostileServer:
    def __init__(self) -> None:
        self.hits: Counter[tuple[str, str]] = Counter()
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._writers: set[asyncio.StreamWriter] = set()
        self._ids = itertools.count(1)

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> HostileServer:
        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            self._server = loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="hostile-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the hostile server did not start")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None or self._thread is None:
            return

        async def close() -> None:
            assert self._server is not None
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        self._thread = None

    def url(self, mode: str, service: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/{service}"

    # -- one connection -----------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:] if x)}
            length = int(headers.get("content-length", "0") or 0)
            if length:
                await reader.readexactly(min(length, 1 << 20))
            await self._answer(method, target, headers, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                asyncio.CancelledError):
            pass  # the client gave up (as it should), or the server is stopping
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _answer(self, method: str, target: str, headers: dict[str, str], writer: asyncio.StreamWriter) -> None:
        parts = urlsplit(target)
        segments = [s for s in parts.path.split("/") if s]
        mode, service, path = segments[0], segments[1], "/" + "/".join(segments[2:])
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.hits[(mode, path)] += 1
        first_hit = self.hits[(mode, path)] == 1

        if mode == "slowloris":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
            await writer.drain()
            while True:
                await asyncio.sleep(DRIP)
                writer.write(b" ")
                await writer.drain()
        if mode == "slowheaders":
            writer.write(b"HTTP/1.1 200 OK\r\n")
            await writer.drain()
            for byte in itertools.cycle(b"X-Slow: still-coming\r\n"):
                await asyncio.sleep(DRIP)
                writer.write(bytes([byte]))
                await writer.drain()
        if mode == "endless":
            await self._send_stream(writer, _endless(), chunked=True)
            return
        if mode in ("huge", "huge-announced"):
            await self._send_stream(writer, _sized(HUGE_BYTES), length=HUGE_BYTES if mode == "huge-announced" else None)
            return
        if mode in ("retry-seconds", "retry-long") or (mode == "retry-short" and first_hit):
            seconds = {"retry-seconds": "999999999", "retry-long": "120"}.get(mode, "1")
            await self._json(writer, 429, _error(service, "RATE_LIMIT_EXCEEDED", "Too many requests."),
                             {"Retry-After": seconds})
            return
        if mode == "retry-date":
            await self._json(writer, 429, _error(service, "RATE_LIMIT_EXCEEDED", "Too many requests."),
                             {"Retry-After": "Thu, 01 Jan 2099 00:00:00 GMT"})
            return
        if mode == "echo-key":
            token = headers.get("authorization", "").removeprefix("Bearer ").strip()
            await self._json(writer, 404, _error(service, "NOT_FOUND", "No such thing."),
                             {"X-Request-Id": f"req-{token}"})
            return
        if (mode == "keys-404" and path == "/keys") or (mode == "map-gone" and path.startswith("/maps/gone")):
            await self._json(writer, 404, _error(service, "NOT_FOUND", "Not found or not owned by you."))
            return
        if mode == "keys-shape" and path == "/keys":
            await self._json(writer, 200, {"data": "keys"})
            return
        if mode == "listing-403" and path == "/marketplace/listings":
            await self._json(writer, 403, _error(service, "insufficient_scope", "The key lacks listings:read."))
            return
        if method == "DELETE" and (mode == "docs" or mode.startswith("delete-")):
            answer = "204" if mode == "docs" else mode.removeprefix("delete-")
            if answer in ("204", "empty"):
                await self._empty(writer, 204 if answer == "204" else 200)
            else:
                await self._json(writer, 200, _deleted(answer, path))
            return
        status, body = self._normal(mode, service, path, query)
        if status == 200 and mode in SHAPES:
            body = _reshape(mode, service, path, body)
        await self._json(writer, status, body)

    # -- answers --------------------------------------------------------------------------------
    def _normal(self, mode: str, service: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
        page = int(query.get("page", "1"))
        if service == "instamapp":
            size = int(query.get("per_page", "20"))
            if path == "/sales/summary":
                return 200, {"object": "sales_summary", "currency": "USD", "total_sales": 0}
            kind = {"/items": "item", "/collections": "collection", "/marketplace/listings": "listing"}.get(path)
            if kind is None:
                return 404, _error(service, "not_found", "No such route.")
            if kind == "item" and mode == "pages-never":
                return 200, _im_list([_im(kind, f"{kind}_{next(self._ids)}") for _ in range(size)], page, size, True)
            if kind == "item" and mode == "pages-repeat":
                return 200, _im_list([_im(kind, f"{kind}_{i}") for i in range(size)], page, size, True)
            if kind == "item" and mode == "pages-fat":
                pad = "x" * FAT_BYTES
                items = [{**_im(kind, f"fat_{page}_{i}"), "description": pad} for i in range(size)]
                return 200, _im_list(items, page, size, page < FAT_PAGES)
            if kind == "item" and mode == "dup-ids":
                ids = {1: ["itm_a", "itm_b"], 2: ["itm_b", "itm_c"]}.get(page, [])
                return 200, _im_list([_im(kind, i) for i in ids], page, size, page < 2)
            if page > 1:
                return 200, _im_list([], page, size, False)
            return 200, _im_list([_im(kind, f"{kind}_1"), _im(kind, f"{kind}_2")], page, size, False)
        size = int(query.get("pageSize", "20"))
        segments = [s for s in path.split("/") if s]
        if segments == ["keys"]:
            return 200, {"data": [{"id": "key_1", "name": "Main", "scope": "READ_WRITE", "keyPrefix": "mk_live_ab"}]}
        if len(segments) == 2 and segments[0] == "maps":
            return 200, {"data": {"id": segments[1], "title": f"Map {segments[1]}", "locationCount": 2}}
        if len(segments) == 3 and segments[0] == "maps" and segments[2] == "locations":
            map_id = segments[1]
            if mode == "pages-overrun":
                locs = [_loc(map_id, f"loc_{next(self._ids)}") for _ in range(size)]
                return 200, _mp_page(locs, 1, size, LOCATIONS_PAGES * size, LOCATIONS_PAGES)
            locs = [_loc(map_id, f"{map_id}_loc_1"), _loc(map_id, f"{map_id}_loc_2")] if page == 1 else []
            return 200, _mp_page(locs, page, size, 2, 1)
        if len(segments) == 3 and segments[0] == "maps" and segments[2] in ("categories", "tags", "layers"):
            if mode in SHAPES and segments[2] == "tags":
                return 200, {"data": [{"id": f"{segments[1]}_tag_1", "mapId": segments[1], "name": "wifi"}]}
            return 200, {"data": []}
        return 404, _error(service, "NOT_FOUND", "No such route.")

    async def _json(self, writer: asyncio.StreamWriter, status: int, body: Any,
                    headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        if "X-Request-Id" not in (headers or {}):
            extra += f"X-Request-Id: req_{next(self._ids):08d}\r\n"
        writer.write(f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(data)}\r\nConnection: close\r\n{extra}\r\n".encode() + data)
        await writer.drain()

    async def _empty(self, writer: asyncio.StreamWriter, status: int) -> None:
        length = "" if status == 204 else "Content-Length: 0\r\n"
        writer.write(f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n{length}Connection: close\r\n"
                     f"X-Request-Id: req_{next(self._ids):08d}\r\n\r\n".encode())
        await writer.drain()

    async def _send_stream(self, writer: asyncio.StreamWriter, chunks: AsyncIterator[bytes], *,
                           chunked: bool = False, length: int | None = None) -> None:
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        if chunked:
            head += "Transfer-Encoding: chunked\r\n"
        elif length is not None:
            head += f"Content-Length: {length}\r\n"
        writer.write((head + "\r\n").encode())
        async for chunk in chunks:
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            await writer.drain()


_REASONS = {200: "OK", 204: "No Content", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}
SHAPES = ("docs", "bare", "named")  # the modes that answer in another shape the documents allow
UNKNOWN_FIELD = ("openingHours", "Mo-Fr 08:00-18:00")  # a field no document names (docs, bare, named)
_CHUNK = b'{"id": "x", "padding": "' + b"x" * 65_000 + b'"}, '


async def _endless() -> AsyncIterator[bytes]:
    yield b'{"object": "list", "data": ['
    while True:
        yield _CHUNK


async def _sized(total: int) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        piece = _CHUNK[: total - sent]
        sent += len(piece)
        yield piece


def _error(service: str, code: str, message: str) -> dict[str, Any]:
    if service == "instamapp":
        return {"error": {"type": code.lower(), "message": message}}
    return {"error": {"code": code, "message": message}}


def _im(kind: str, ident: str) -> dict[str, Any]:
    return {"object": kind, "id": ident, "name": f"{kind} {ident}"}


def _im_list(data: list[dict[str, Any]], page: int, size: int, more: bool) -> dict[str, Any]:
    return {"object": "list", "data": data, "pagination": {"page": page, "per_page": size, "has_more": more}}


def _loc(map_id: str, ident: str) -> dict[str, Any]:
    return {"id": ident, "mapId": map_id, "name": f"Place {ident}", "lat": 1.0, "lng": 2.0}


def _mp_page(locs: list[dict[str, Any]], page: int, size: int, total: int, pages: int) -> dict[str, Any]:
    return {"data": {"locations": locs,
                     "pagination": {"page": page, "pageSize": size, "total": total, "totalPages": pages}}}


def _deleted(answer: str, path: str) -> Any:
    ident = path.rstrip("/").rsplit("/", 1)[-1]
    return {"null": {"data": None}, "success": {"data": {"success": True}},
            "object": {"data": {"id": ident, "name": f"Deleted {ident}", "revokedAt": "2026-03-01T00:00:00.000Z"}},
            "refused": {"success": False, "message": "The record is locked."},
            "refused-data": {"data": {"success": False}}}[answer]


def _reshape(mode: str, service: str, path: str, body: Any) -> Any:
    """A normal answer in the shape ``mode`` says (see the table above)."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    if service == "instamapp":
        if isinstance(body.get("data"), list):  # a list
            if mode == "bare":
                return body["data"]
            return {"data": {name: body["data"]}} if mode == "named" else body
        return {"data": body} if mode == "named" else body
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data.get("locations"), list):
        records = data["locations"]
    elif isinstance(data, list):
        records = data
    else:  # one object (a map)
        data.pop("updatedAt", None)
        return data if mode == "bare" else body
    for record in records:
        record.pop("mapId", None)
        if name == "locations":
            record[UNKNOWN_FIELD[0]] = UNKNOWN_FIELD[1]
    if mode == "bare":
        return records
    if mode == "named":
        return {"data": {name: records}}
    return body

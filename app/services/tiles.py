"""Online map tiles (an XYZ URL template), fetched with httpx and kept on disk.

The OpenStreetMap tile usage policy is obeyed for every server: a User-Agent naming Cabinet
and its version, at most two connections, the server's cache headers honoured with at least
seven days of caching, and only the tiles a view shows are asked for (the caller asks; nothing
here prefetches). Tiles stay on disk under a size cap (oldest used first out) and are shown
from there offline, however old. Every request has a deadline and a body cap.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from app.core.errors import CabinetError
from app.services.http import USER_AGENT as HTTP_USER_AGENT
from app.services.http import is_loopback_host

USER_AGENT = f"{HTTP_USER_AGENT} map tiles"  # names Cabinet and its version, as the tile policies ask
MAX_CONNECTIONS = 2
MIN_FRESH_S = 7 * 24 * 3600
DEADLINE_S = 20.0
BODY_CAP = 2 * 2**20
DEFAULT_CACHE_CAP = 300 * 2**20
OSM_TEMPLATE = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
_TRIM_EVERY = 64  # tiles written between two checks of the disk cache's size
_MAX_AGE = re.compile(r"max-age=(\d+)")


class TileError(CabinetError):
    """A tile could not be fetched (the map keeps showing what it has)."""


def check_template(template: str) -> str:
    """The template, or ValueError saying why it cannot be used: https (http on loopback only),
    with {z}, {x} and {y}."""
    text = (template or "").strip()
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in text]
    if missing:
        raise ValueError(f"the tile address needs {', '.join(missing)}")
    try:
        url = httpx.URL(text.replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"))
    except (httpx.InvalidURL, ValueError):
        raise ValueError("the tile address is not a valid address") from None
    if url.scheme == "https" or (url.scheme == "http" and is_loopback_host(url.host)):
        return text
    raise ValueError("the tile address must start with https://")


class TileCache:
    """Tiles on disk: ``<folder>/<template hash>/<z>/<x>/<y>`` plus a ``.json`` beside each with
    when it goes stale and its ETag / Last-Modified. Over ``cap`` bytes, the least recently
    used go first."""

    def __init__(self, folder: Path, template: str, cap: int = DEFAULT_CACHE_CAP) -> None:
        self.root = folder
        self.folder = folder / hashlib.sha256(template.encode()).hexdigest()[:16]
        self.cap = cap

    def _path(self, z: int, x: int, y: int) -> Path:
        return self.folder / str(z) / str(x) / str(y)

    def read(self, z: int, x: int, y: int) -> tuple[bytes, dict] | None:
        path = self._path(z, x, y)
        try:
            data = path.read_bytes()
            meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        os.utime(path)  # recently used
        return data, meta

    def write(self, z: int, x: int, y: int, data: bytes, meta: dict) -> None:
        path = self._path(z, x, y)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")

    def touch_meta(self, z: int, x: int, y: int, meta: dict) -> None:
        self._path(z, x, y).with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())

    def trim(self) -> int:
        """Delete the least recently used tiles until the folder is under its cap; how many went."""
        files = [(p.stat().st_mtime, p.stat().st_size, p) for p in self.root.rglob("*")
                 if p.is_file() and p.suffix == ""]
        total = sum(size for _t, size, _p in files) + sum(
            p.stat().st_size for p in self.root.rglob("*.json"))
        removed = 0
        for _mtime, size, path in sorted(files):
            if total <= self.cap:
                break
            for victim in (path, path.with_suffix(".json")):
                try:
                    total -= victim.stat().st_size if victim != path else size
                    victim.unlink()
                except OSError:
                    pass
            removed += 1
        return removed


def freshness(headers: httpx.Headers, now: float) -> float:
    """Until when a tile is fresh: the server's max-age or Expires, but at least seven days."""
    seconds = 0.0
    control = headers.get("cache-control", "")
    found = _MAX_AGE.search(control)
    if found:
        seconds = float(found.group(1))
    elif headers.get("expires"):
        try:
            seconds = parsedate_to_datetime(headers["expires"]).timestamp() - now
        except (TypeError, ValueError):
            seconds = 0.0
    return now + max(seconds, MIN_FRESH_S)


class TileFetcher:
    """One httpx client for one tile server (two connections at most)."""

    def __init__(self, template: str, cache: TileCache, *, transport: httpx.AsyncBaseTransport | None = None
                 ) -> None:
        self.template = check_template(template)
        self.cache = cache
        self._client = httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT},
            limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS),
            timeout=httpx.Timeout(10.0, connect=5.0), follow_redirects=True, transport=transport)
        self._semaphore = asyncio.Semaphore(MAX_CONNECTIONS)
        self.requests = 0  # sent (tests, the status line)
        self._written = 0

    def url(self, z: int, x: int, y: int) -> str:
        return self.template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, z: int, x: int, y: int) -> bytes:
        """The tile's bytes: from disk while fresh, else from the server (revalidated when the disk
        has it); from disk however old when the server cannot be reached. TileError otherwise."""
        now = time.time()
        found = self.cache.read(z, x, y)
        if found is not None and found[1].get("fresh_until", 0) > now:
            return found[0]
        headers = {}
        if found is not None:
            if found[1].get("etag"):
                headers["If-None-Match"] = found[1]["etag"]
            if found[1].get("last_modified"):
                headers["If-Modified-Since"] = found[1]["last_modified"]
        try:
            async with self._semaphore:
                self.requests += 1
                status, answer_headers, body = await asyncio.wait_for(self._get(self.url(z, x, y), headers),
                                                                      DEADLINE_S)
        except (httpx.HTTPError, TimeoutError, TileError) as exc:
            if found is not None:
                return found[0]  # offline or failing: what the disk has
            raise TileError(f"could not fetch the map tile {z}/{x}/{y}: {exc or type(exc).__name__}") from None
        if status == 304 and found is not None:
            meta = dict(found[1], fresh_until=freshness(answer_headers, now))
            await asyncio.to_thread(self.cache.touch_meta, z, x, y, meta)
            return found[0]
        if status != 200:
            if found is not None:
                return found[0]
            raise TileError(f"the tile server answered {status} for tile {z}/{x}/{y}")
        meta = {"fresh_until": freshness(answer_headers, now), "etag": answer_headers.get("etag"),
                "last_modified": answer_headers.get("last-modified")}
        await asyncio.to_thread(self.cache.write, z, x, y, body, meta)
        self._written += 1
        if self._written % _TRIM_EVERY == 0:
            await asyncio.to_thread(self.cache.trim)
        return body

    async def _get(self, url: str, headers: dict[str, str]) -> tuple[int, httpx.Headers, bytes]:
        async with self._client.stream("GET", url, headers=headers) as response:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > BODY_CAP:
                    raise TileError(f"the tile at {url} is larger than {BODY_CAP // 2**20} MB")
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)

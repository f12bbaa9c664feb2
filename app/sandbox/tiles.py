"""A small generated XYZ tile set (``/tiles/{z}/{x}/{y}.png``), so that the map's online tiles
can be exercised without the internet: each tile a flat colour by its position, with a darker
border, served with the cache headers a real tile server sends (Cache-Control, ETag, 304)."""

from __future__ import annotations

import re
import struct
import zlib
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response

PREFIX = "/tiles"
MAX_ZOOM = 19
MAX_AGE_S = 86_400  # a day: shorter than the client's seven-day floor, as OSM's tiles often are
_PATH = re.compile(r"^/tiles/(\d{1,2})/(\d{1,7})/(\d{1,7})\.png$")
_SIZE = 256
_PALETTE = [(0xE8, 0xDF, 0xCF), (0xD9, 0xE6, 0xD3), (0xD3, 0xDE, 0xEA), (0xEA, 0xD8, 0xD8),
            (0x9A, 0x8F, 0x80)]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@lru_cache(maxsize=64)
def tile_png(z: int, x: int, y: int) -> bytes:
    """A 256×256 palette PNG: the fill colour picked by (x + y + z), a one-pixel border."""
    fill = (x + y + z) % 4
    edge = bytes([4]) * _SIZE
    middle = bytes([4]) + bytes([fill]) * (_SIZE - 2) + bytes([4])
    raw = b"".join(b"\x00" + (edge if r in (0, _SIZE - 1) else middle) for r in range(_SIZE))
    header = struct.pack(">IIBBBBB", _SIZE, _SIZE, 8, 3, 0, 0, 0)
    palette = b"".join(bytes(c) for c in _PALETTE)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"PLTE", palette)
            + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))


async def serve(request: Request) -> Response:
    found = _PATH.match(request.url.path)
    if found is None or request.method not in ("GET", "HEAD"):
        return Response("Not a tile: /tiles/{z}/{x}/{y}.png", status_code=404, media_type="text/plain")
    z, x, y = (int(v) for v in found.groups())
    if z > MAX_ZOOM or x >= 2 ** z or y >= 2 ** z:
        return Response("No such tile", status_code=404, media_type="text/plain")
    etag = f'"t{z}-{x}-{y}"'
    headers = {"Cache-Control": f"public, max-age={MAX_AGE_S}", "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(tile_png(z, x, y), media_type="image/png", headers=headers)

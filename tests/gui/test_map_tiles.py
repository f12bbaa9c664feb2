"""Online tiles: fetched from the sandbox's generated tile set, then shown from the disk cache
with the sandbox stopped; the OpenStreetMap policy's headers and connection cap."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import qasync
from PySide6.QtGui import QColor

from app.sandbox.tiles import _PALETTE
from app.services.tiles import (
    MAX_CONNECTIONS,
    MIN_FRESH_S,
    USER_AGENT,
    TileCache,
    TileFetcher,
    check_template,
)
from app.ui.map.tiles import TileSettings
from app.ui.map.view import MapView
from tests.gui.looping import drive, in_loop, run, show

PALETTE = {QColor(*c).rgb() for c in _PALETTE}


def _map(qtbot: Any, loop: qasync.QEventLoop, template: str, folder: Path) -> MapView:
    def make() -> MapView:
        view = MapView(panel=False)
        view.resize(700, 500)
        view.set_tiles(TileSettings(True, template, "Sandbox tiles"), folder)
        view.canvas.set_view(10.0, 50.0, 4.0)
        return view

    view = in_loop(loop, make)
    qtbot.addWidget(view)
    show(loop, view)
    return view


def _tile_colours(view: MapView) -> set[int]:
    image = view.canvas.grab().toImage()
    return {image.pixel(x, y) for x in range(20, image.width() - 20, 37) for y in range(20, image.height() - 60, 29)}


def test_tiles_come_from_the_sandbox_then_from_disk_with_it_stopped(
        qtbot: Any, qloop: qasync.QEventLoop, make_sandbox: Any, tmp_path: Path) -> None:
    srv = make_sandbox()
    template = srv.info["tiles"]["template"]
    folder = tmp_path / "tiles"
    view = _map(qtbot, qloop, template, folder)
    tiles = view.tiles
    assert tiles is not None
    drive(qloop, lambda: tiles.fetcher.requests > 0 and tiles.pending() == 0, timeout=30)
    in_loop(qloop, view.canvas.repaint)
    assert len(_tile_colours(view) & PALETTE) >= 2  # the sandbox's colours are on screen
    fetched = tiles.fetcher.requests
    assert 4 <= fetched <= 12  # the tiles of this 700×500 view, nothing beyond it
    assert view.canvas.renderer.attribution().startswith("Sandbox tiles")
    on_disk = [p for p in folder.rglob("*") if p.is_file() and p.suffix == ""]
    assert len(on_disk) == fetched
    in_loop(qloop, view.close)

    srv.stop()
    again = _map(qtbot, qloop, template, folder)
    in_loop(qloop, again.canvas.repaint)
    drive(qloop, lambda: again.tiles is not None and again.tiles.pending() == 0, timeout=10)
    assert again.tiles is not None and again.tiles.fetcher.requests == 0  # fresh on disk: nothing asked
    assert len(_tile_colours(again) & PALETTE) >= 2
    in_loop(qloop, again.canvas.grab().save, "/tmp/shot-map-tiles-offline.png")
    run(qloop, again.tiles.aclose())


def test_the_fetcher_follows_the_tile_usage_policy(qloop: qasync.QEventLoop, tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"Cache-Control": "max-age=60", "ETag": '"v1"'})
        return httpx.Response(200, content=b"png", headers={"Cache-Control": "max-age=60", "ETag": '"v1"'})

    template = "https://tile.example.org/{z}/{x}/{y}.png"
    cache = TileCache(tmp_path, template)
    fetcher = TileFetcher(template, cache, transport=httpx.MockTransport(answer))
    assert run(qloop, fetcher.fetch(3, 4, 2)) == b"png"
    assert seen[0].headers["user-agent"] == USER_AGENT and USER_AGENT.startswith("Cabinet/")
    # max-age=60 is raised to seven days: the second ask is answered from disk.
    _data, meta = cache.read(3, 4, 2)
    assert meta["fresh_until"] >= time.time() + MIN_FRESH_S - 60
    assert run(qloop, fetcher.fetch(3, 4, 2)) == b"png" and len(seen) == 1
    # Stale on disk: revalidated with its ETag, the 304 keeps the bytes.
    cache.touch_meta(3, 4, 2, dict(meta, fresh_until=0))
    assert run(qloop, fetcher.fetch(3, 4, 2)) == b"png"
    assert len(seen) == 2 and seen[1].headers["if-none-match"] == '"v1"'
    assert cache.read(3, 4, 2)[1]["fresh_until"] > meta["fresh_until"] - 60
    assert MAX_CONNECTIONS == 2 and MIN_FRESH_S == 7 * 24 * 3600
    run(qloop, fetcher.aclose())


def test_tile_addresses_must_be_https_and_name_the_tile() -> None:
    assert check_template("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert check_template("http://127.0.0.1:8765/tiles/{z}/{x}/{y}.png")
    for bad in ("http://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org/{z}/{x}.png", ""):
        with pytest.raises(ValueError):
            check_template(bad)


def test_the_disk_cache_keeps_under_its_cap(tmp_path: Path) -> None:
    cache = TileCache(tmp_path, "https://t.example.org/{z}/{x}/{y}.png", cap=10_000)
    for i in range(20):
        cache.write(5, i, 1, bytes(1000), {"fresh_until": 0})
    removed = cache.trim()
    assert removed >= 10 and cache.size() <= 10_000
    assert cache.read(5, 19, 1) is not None  # the most recent stay

"""GUI test set-up: isolated QSettings per test, and caches filled with known records."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app.storage import Cache
from tests.gui.looping import loop, qloop  # noqa: F401 - fixtures for every GUI test

COLLECTIONS = [
    {"object": "collection", "id": "c0000000-0000-4000-8000-000000000001", "name": "Star Wars",
     "description": "Vintage Kenner figures", "item_count": 3, "created_at": "2025-01-02T10:00:00Z"},
    {"object": "collection", "id": "c0000000-0000-4000-8000-000000000002", "name": "Hot Wheels",
     "description": "Redlines", "item_count": 2, "created_at": "2025-02-03T11:00:00Z"},
]
SW, HW = COLLECTIONS[0]["id"], COLLECTIONS[1]["id"]


def _item(i: int, name: str, status: str, coll: str, value: float | None, condition: str | None = "good") -> dict:
    return {"object": "item", "id": f"itm_{i:020d}", "collection_id": coll, "name": name, "status": status,
            "condition": condition, "estimated_value": value, "currency": "USD", "notes": f"note {i}",
            "created_at": f"2026-01-{i:02d}T12:00:00Z", "updated_at": f"2026-02-{i:02d}T08:30:00Z"}


ITEMS = [
    _item(1, "Darth Vader 1978", "keep", SW, 250.0, "mint_in_box"),
    _item(2, "Boba Fett rocket", "sell", SW, 1200.5, "loose_mint"),
    _item(3, "X-Wing Fighter", "trade", SW, 80.0),
    _item(4, "Twin Mill redline", "sell", HW, 45.25, "near_mint"),
    _item(5, "Beatnik Bandit", "archived", HW, None, None),
]
LISTINGS = [
    {"object": "listing", "id": "lst_00000000000000000002", "item_id": ITEMS[1]["id"], "item_name": ITEMS[1]["name"],
     "type": "sale", "price": 1200.5, "currency": "USD", "collection_id": SW, "created_at": "2026-02-02T08:30:00Z"},
    {"object": "listing", "id": "lst_00000000000000000003", "item_id": ITEMS[2]["id"], "item_name": ITEMS[2]["name"],
     "type": "trade", "price": None, "currency": "USD", "collection_id": SW, "created_at": "2026-02-03T08:30:00Z"},
]
SALES = {"object": "sales_summary", "currency": "USD", "gross": 1520.0, "fees": 152.0, "net_payout": 1318.0,
         "refunds": 40.0, "disputes": 10.0, "orders": 12, "period_start": "2026-01-01T00:00:00Z",
         "period_end": "2026-01-31T23:59:59Z"}
MAP_A, MAP_B = "cmapaaaaaaaaaaaaaaaaaaaaaa", "cmapbbbbbbbbbbbbbbbbbbbbbb"
MAPS = [
    {"id": MAP_A, "title": "Coffee in Lisbon", "slug": "coffee-in-lisbon", "description": "", "country": "PT",
     "city": "Lisbon", "public": True, "allowCloning": False, "style": "streets", "centerLat": 38.72,
     "centerLng": -9.14, "zoom": 12, "userId": "cuser", "createdAt": "2026-01-05T09:00:00Z",
     "updatedAt": "2026-01-06T09:00:00Z"},
    {"id": MAP_B, "title": "Berlin bakeries", "slug": "berlin-bakeries", "description": "", "country": "DE",
     "city": "Berlin", "public": False, "allowCloning": True, "style": "light", "centerLat": 52.52,
     "centerLng": 13.4, "zoom": 11, "userId": "cuser", "createdAt": "2026-01-07T09:00:00Z",
     "updatedAt": "2026-01-08T09:00:00Z"},
]


def _layer(i: int, map_id: str, name: str, color: str) -> dict:
    return {"id": f"clayer{i}", "mapId": map_id, "name": name, "color": color, "order": i,
            "routeEnabled": i == 1, "routeShowByDefault": False, "createdAt": "2026-01-05T10:00:00Z",
            "updatedAt": "2026-01-05T10:00:00Z"}


LAYERS_A = [_layer(1, MAP_A, "Favourites", "#FF5733"), _layer(2, MAP_A, "To visit", "#3366FF")]
LAYERS_B = [_layer(3, MAP_B, "Sourdough", "#22AA55")]
CATEGORIES_A = [{"id": "ccat1", "mapId": MAP_A, "name": "Café", "color": "#8B4513", "icon": "coffee",
                 "createdAt": "2026-01-05T10:00:00Z", "updatedAt": "2026-01-05T10:00:00Z"},
                {"id": "ccat2", "mapId": MAP_A, "name": "Roastery", "color": "#64748B", "icon": "",
                 "createdAt": "2026-01-05T10:00:00Z", "updatedAt": "2026-01-05T10:00:00Z"}]
CATEGORIES_B = [{"id": "ccat3", "mapId": MAP_B, "name": "Bakery", "color": "#D4A017", "icon": "bread",
                 "createdAt": "2026-01-07T10:00:00Z", "updatedAt": "2026-01-07T10:00:00Z"}]
TAGS_A = [{"id": "ctag1", "mapId": MAP_A, "name": "wifi", "createdAt": "2026-01-05T10:00:00Z",
           "updatedAt": "2026-01-05T10:00:00Z"}]


def _loc(i: int, map_id: str, name: str, cat: str | None, layers: list[dict], tags: list[str]) -> dict:
    return {"id": f"cloc{i}", "mapId": map_id, "name": name, "description": f"desc {i}",
            "address": f"Street {i}", "lat": 38.7 + i / 100, "lng": -9.1 - i / 100, "categoryId": cat,
            "tagIds": tags, "layers": layers, "createdAt": f"2026-01-1{i}T10:00:00Z",
            "updatedAt": f"2026-01-1{i}T11:00:00Z"}


LOCATIONS_A = [
    _loc(1, MAP_A, "Fábrica Coffee", "ccat1", [LAYERS_A[0], LAYERS_A[1]], ["ctag1"]),
    _loc(2, MAP_A, "Copenhagen Coffee Lab", "ccat1", [LAYERS_A[1]], []),
    _loc(3, MAP_A, "Hello Kristof", "ccat2", [], ["ctag1"]),
]
LOCATIONS_B = [_loc(4, MAP_B, "Albatross", "ccat3", [LAYERS_B[0]], [])]
API_KEYS = [
    {"id": "ckey1", "name": "Laptop", "scope": "READ_WRITE", "prefix": "mk_live_ab12cd34",
     "createdAt": "2026-01-01T00:00:00Z", "expiresAt": None, "lastUsedAt": "2026-02-01T00:00:00Z",
     "revokedAt": None},
]


def fill(cache: Cache, *, synced_minutes_ago: int = 12, sales: bool = False) -> None:
    cache.replace_all("collections", COLLECTIONS)
    cache.replace_all("items", ITEMS)
    cache.replace_all("listings", LISTINGS)
    if sales:
        cache.replace_all("sales_summary", [SALES])
    cache.replace_all("maps", MAPS)
    for map_id in (MAP_A, MAP_B):
        cache.add_known_map(map_id)
    cache.replace_all("layers", LAYERS_A, scope=MAP_A)
    cache.replace_all("layers", LAYERS_B, scope=MAP_B)
    cache.replace_all("categories", CATEGORIES_A, scope=MAP_A)
    cache.replace_all("categories", CATEGORIES_B, scope=MAP_B)
    cache.replace_all("tags", TAGS_A, scope=MAP_A)
    cache.replace_all("locations", LOCATIONS_A, scope=MAP_A)
    cache.replace_all("locations", LOCATIONS_B, scope=MAP_B)
    cache.replace_all("api_keys", API_KEYS)
    when = datetime.now(UTC) - timedelta(minutes=synced_minutes_ago)
    for resource in ("items", "collections", "listings", "sales_summary", "maps", "api_keys"):
        cache.mark_synced(resource, when=when)


@pytest.fixture(autouse=True)
def collect_on_the_gui_thread() -> Iterator[None]:
    """Collect cyclic garbage on the GUI thread before and after each test.

    Python starts a collection in whichever thread happens to allocate: a loop's worker thread,
    the sandbox's thread. Qt objects freed there are destroyed on the wrong thread; a closed
    qasync loop's timer object, say, then cannot unregister its timers ("QObject::~QObject:
    Timers cannot be stopped from another thread") and the next timer event segfaults. The loops,
    windows and wizards of a finished test are collected here instead, before the next test
    starts any thread.
    """
    gc.collect()
    yield
    gc.collect()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The last test's loop and widgets go while QApplication is alive, not in the final collection."""
    gc.collect()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path) -> Iterator[Path]:
    """QSettings of this test only (organisation "Cabinet", app "Cabinet")."""
    path = tmp_path / "qsettings"
    path.mkdir()
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(path))
    QSettings("Cabinet", "Cabinet").clear()
    yield path


@pytest.fixture
def no_quit_on_close(qapp: QApplication) -> Iterator[None]:
    """As in the app: closing a window does not stop the loop under the test."""
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(True)


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    c = Cache(tmp_path / "cache.sqlite3")
    fill(c)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def sales_cache(tmp_path: Path) -> Iterator[Cache]:
    c = Cache(tmp_path / "sales.sqlite3")
    fill(c, sales=True)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def empty_cache(tmp_path: Path) -> Iterator[Cache]:
    c = Cache(tmp_path / "empty.sqlite3")
    try:
        yield c
    finally:
        c.close()

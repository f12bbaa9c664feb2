"""make_cache(path, n_items): a cache filled with believable InstaMapp items, fast (UI benchmarks)."""

from __future__ import annotations

import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.storage import Cache

_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_BRANDS = ["Star Wars", "Hot Wheels", "LEGO", "Pokémon", "Transformers", "Barbie", "Funko Pop",
           "Matchbox", "G.I. Joe", "Masters of the Universe", "Marvel Legends", "Polly Pocket"]
_THINGS = ["Millennium Falcon", "Twin Mill", "Castle", "Charizard card", "Optimus Prime", "Dream House",
           "Batman", "Land Rover", "Snake Eyes", "He-Man", "Spider-Man", "Compact", "X-Wing", "Tie Fighter",
           "Bumblebee", "Pikachu plush", "Camaro", "Fire Station", "Darth Vader", "Stormtrooper"]
_EDITIONS = ["", "1978", "1983", "Vintage", "Limited Edition", "Collector's", "Series 2", "Red Line",
             "First Edition", "Prototype", "Mail-away", "Japan import"]
_STATUSES = ["keep", "keep", "keep", "sell", "trade", "sold", "archived"]
_CONDITIONS = [None, "sealed", "mint_in_box", "loose_mint", "near_mint", "good", "fair", "damaged"]


def fake_items(n: int, *, seed: int = 7, n_collections: int = 12) -> Iterator[dict]:
    """n item records shaped like the API's, newest first."""
    rnd = random.Random(seed)
    collections = [str(uuid.UUID(int=rnd.getrandbits(128), version=4)) for _ in range(n_collections)]
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for i in range(n):
        created = start - timedelta(minutes=7 * i + rnd.randint(0, 6))
        updated = created + timedelta(days=rnd.randint(0, 30))
        edition = rnd.choice(_EDITIONS)
        name = f"{rnd.choice(_BRANDS)} {rnd.choice(_THINGS)}" + (f" ({edition})" if edition else "")
        value = round(rnd.uniform(1, 900), 2) if rnd.random() > 0.1 else None
        yield {
            "object": "item",
            "id": "itm_" + "".join(rnd.choice(_ALNUM) for _ in range(20)),
            "collection_id": rnd.choice(collections),
            "name": name,
            "status": rnd.choice(_STATUSES),
            "condition": rnd.choice(_CONDITIONS),
            "estimated_value": value,
            "currency": "USD",
            "notes": rnd.choice(["", "", "box has shelf wear", "bought at a flea market", "complete"]),
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def make_cache(path: Path | str, n_items: int = 100_000) -> Path:
    """Create (or refill) the cache at ``path`` with ``n_items`` items; returns the path."""
    cache = Cache(path)
    try:
        cache.replace_all("items", fake_items(n_items))
        cache.mark_synced("items")
    finally:
        cache.close()
    return Path(path)


def reuse_or_make(path: Path, resource: str, count: int, make: Callable[[Path], object]) -> Path:
    """``path`` when it already holds ``count`` rows of ``resource`` (kept between benchmark
    runs), else a fresh cache made there by ``make(path)``."""
    if path.exists():
        try:
            cache = Cache(path)
            ok = cache.count(resource) == count
            cache.close()
            if ok:
                return path
        except Exception:  # noqa: BLE001 - an old schema: rebuild
            pass
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    make(path)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bench-cache.sqlite3")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    t0 = time.perf_counter()
    make_cache(target, count)
    print(f"{count:,} items into {target} in {time.perf_counter() - t0:.2f} s")

"""Deterministic sandbox data: accounts and keys always; a believable demo data set for seed="demo"."""

from __future__ import annotations

import itertools
import random
import sqlite3
import string
import threading
import time
import uuid
from typing import Any

from app.sandbox import seed_websites
from app.sandbox.seed_data import COLLECTIONS, MAPS
from app.sandbox.store import SCHEMA, Store
from app.sandbox.util import LOWER_ALNUM, cuid, iso_millis, iso_seconds, random_token

SEED = 20260301
BASE_TS = 1740787200.0  # 2025-03-01T00:00:00Z
YEAR = 365 * 86400.0
TEAM_ID = "team_demo"
PRO_ACCOUNT = "user_cabinetdemo01"
NO_PRO_ACCOUNT = "user_hobbyist0002"
ALL_SCOPES = "items:read items:write collections:read marketplace:read analytics:read"
INSTAMAPP_ROLES = {"full": ALL_SCOPES, "items_read": "items:read"}
# role -> (account, name, scope, expires)
MAPIRY_ROLES = {
    "read_write": (PRO_ACCOUNT, "Cabinet desktop (read & write)", "READ_WRITE", None),
    "read_only": (PRO_ACCOUNT, "Dashboard (read only)", "READ_ONLY", None),
    "no_pro": (NO_PRO_ACCOUNT, "Hobby key", "READ_WRITE", None),
    "expired": (PRO_ACCOUNT, "Zapier trial (expired)", "READ_WRITE", BASE_TS + 30 * 86400),
}
STATUS_WEIGHTS = [("keep", 52), ("sell", 16), ("trade", 8), ("sold", 17), ("archived", 7)]
CONDITION_WEIGHTS = [("sealed", 10), ("mint_in_box", 18), ("loose_mint", 16), ("near_mint", 18),
                     ("good", 20), ("fair", 9), ("damaged", 4), (None, 5)]


def new_instamapp_key() -> str:
    return "imk_live_" + random_token(32)


def new_mapiry_key() -> str:
    return "mk_live_" + random_token(32)


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


class _Ids:
    """Deterministic cuid-like ids: timestamp, a local counter and seeded randomness."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seq = itertools.count()

    def __call__(self, ts: float) -> str:
        return cuid(ts, lambda n: _rand_alnum(self.rng, n, LOWER_ALNUM), next(self.seq))


def _rand_alnum(rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def initialise(store: Store, seed: str) -> None:
    """Create accounts, keys and (for "demo") data on a new database; rotate key secrets on an old one."""
    if seed not in ("demo", "empty"):
        raise ValueError("seed must be 'demo' or 'empty'")
    if store.get_meta("seed") is not None:
        rotate_keys(store)
        return
    rng = random.Random(SEED)
    ids = _Ids(rng)
    with store.transaction() as conn:
        conn.execute("INSERT INTO im_teams (id, name, item_limit) VALUES (?, ?, NULL)", (TEAM_ID, "Cabinet Demo"))
        for role, scopes in INSTAMAPP_ROLES.items():
            conn.execute("INSERT INTO im_keys (id, team_id, role, secret, scopes) VALUES (?, ?, ?, ?, ?)",
                         (f"key_{role}", TEAM_ID, role, new_instamapp_key(), scopes))
        conn.execute("INSERT INTO mp_accounts (id, name, pro) VALUES (?, ?, 1)", (PRO_ACCOUNT, "Cabinet Demo"))
        conn.execute("INSERT INTO mp_accounts (id, name, pro) VALUES (?, ?, 0)", (NO_PRO_ACCOUNT, "Hobbyist"))
        for i, (role, (account, name, scope, expires)) in enumerate(MAPIRY_ROLES.items()):
            created = BASE_TS + i * 86400
            conn.execute(
                "INSERT INTO mp_keys (id, account_id, role, name, scope, secret, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (ids(created), account, role, name, scope,
                 new_mapiry_key(), iso_millis(created), iso_millis(expires) if expires else None))
        seed_websites.seed_accounts(conn)
        if seed == "demo":
            seed_websites.seed_demo(conn, random.Random(SEED))
            created = BASE_TS + 10 * 86400
            conn.execute(
                "INSERT INTO mp_keys (id, account_id, role, name, scope, secret, created_at, revoked_at) "
                "VALUES (?, ?, NULL, ?, ?, ?, ?, ?)",
                (ids(created), PRO_ACCOUNT, "Old laptop",
                 "READ_WRITE", new_mapiry_key(), iso_millis(created), iso_millis(created + 90 * 86400)))
            _seed_inventory(conn, rng)
            _seed_maps(conn, rng, ids)
        else:
            conn.execute("INSERT INTO im_sales VALUES (?, 'USD', 0, 0, 0, 0, 0, 0, ?, ?)",
                         (TEAM_ID, iso_seconds(BASE_TS), iso_seconds(BASE_TS + YEAR - 1)))
    store.set_meta("seed", seed)


_TEMPLATES: dict[str, sqlite3.Connection] = {}
_TEMPLATE_LOCK = threading.Lock()


def initialise_cached(store: Store, seed: str) -> None:
    """Like initialise(), but seeds a fresh database by copying a per-process template (fast in tests).

    The keys are rotated after the copy, so every sandbox still gets keys of its own.
    """
    if store.get_meta("seed") is not None:
        rotate_keys(store)
        return
    with _TEMPLATE_LOCK:
        template = _TEMPLATES.get(seed)
        if template is None:
            template = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            template.row_factory = sqlite3.Row
            tstore = Store.__new__(Store)
            tstore.path, tstore.conn, tstore.lock = ":memory:", template, threading.RLock()
            template.executescript(SCHEMA)
            initialise(tstore, seed)
            _TEMPLATES[seed] = template
        with store.lock:
            template.backup(store.conn)
    rotate_keys(store)


def rotate_keys(store: Store) -> None:
    """New secrets for the provisioned keys (they are never stored outside this database)."""
    with store.transaction() as conn:
        for (key_id,) in conn.execute("SELECT id FROM im_keys WHERE role IS NOT NULL").fetchall():
            conn.execute("UPDATE im_keys SET secret = ? WHERE id = ?", (new_instamapp_key(), key_id))
        for (key_id,) in conn.execute("SELECT id FROM mp_keys WHERE role IS NOT NULL").fetchall():
            conn.execute("UPDATE mp_keys SET secret = ? WHERE id = ?", (new_mapiry_key(), key_id))
        seed_websites.rotate(conn)


def provisioned_keys(store: Store) -> tuple[dict[str, str], dict[str, str]]:
    im = {r["role"]: r["secret"] for r in store.all("SELECT role, secret FROM im_keys WHERE role IS NOT NULL")}
    mp = {r["role"]: r["secret"] for r in store.all("SELECT role, secret FROM mp_keys WHERE role IS NOT NULL")}
    return ({k: im[k] for k in INSTAMAPP_ROLES if k in im}, {k: mp[k] for k in MAPIRY_ROLES if k in mp})


def _seed_inventory(conn: Any, rng: random.Random) -> None:
    rows = []
    sold_total, sold_count = 0.0, 0
    for c_index, (cname, (desc, (low, high), bases, variants)) in enumerate(COLLECTIONS.items()):
        cid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        conn.execute("INSERT INTO im_collections (id, team_id, name, description, created_at) VALUES (?, ?, ?, ?, ?)",
                     (cid, TEAM_ID, cname, desc, iso_seconds(BASE_TS + c_index * 3600)))
        names = [f"{b} {v}" for b in bases for v in variants]
        rng.shuffle(names)
        for name in names[: rng.randint(42, 58)]:
            created = BASE_TS + 86400 + rng.random() * (YEAR - 2 * 86400)
            updated = min(created + rng.random() * 60 * 86400, BASE_TS + YEAR)
            status = _pick(rng, STATUS_WEIGHTS)
            value = round(min(high, low * (high / low) ** (rng.random() ** 1.6)), 2)
            if rng.random() < 0.06:
                value = None
            if status == "sold" and value is not None:
                sold_total += value
                sold_count += 1
            notes = rng.choice(["", "", "", "Bought at a convention.", "Box has shelf wear.", "Signed by the artist.",
                                "Duplicate from a lot.", "Insured.", "Displayed, out of sunlight."])
            rows.append((
                "itm_" + _rand_alnum(rng, 20), TEAM_ID, cid, name, status, _pick(rng, CONDITION_WEIGHTS), value,
                "USD", notes, iso_seconds(created), iso_seconds(updated),
                iso_seconds(updated) if status in ("sell", "trade") else None,
            ))
    conn.executemany(
        "INSERT INTO im_items (id, team_id, collection_id, name, status, condition, estimated_value, currency, "
        "notes, created_at, updated_at, listed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    gross = round(sold_total * 1.04, 2)
    fees = round(gross * 0.089 + 0.30 * sold_count, 2)
    refunds = round(gross * 0.021, 2)
    disputes = round(gross * 0.004, 2)
    net = round(gross - fees - refunds - disputes, 2)
    conn.execute("INSERT INTO im_sales VALUES (?, 'USD', ?, ?, ?, ?, ?, ?, ?, ?)",
                 (TEAM_ID, gross, fees, net, refunds, disputes, sold_count,
                  iso_seconds(BASE_TS), iso_seconds(BASE_TS + YEAR - 1)))


def _seed_maps(conn: Any, rng: random.Random, ids: _Ids) -> None:
    for m_index, spec in enumerate(MAPS):
        ts = BASE_TS + (m_index + 1) * 7 * 86400
        map_id = ids(ts)
        lat0, lng0 = spec["center"]  # type: ignore[misc]
        title = str(spec["title"])
        slug = "-".join(title.lower().split())
        conn.execute(
            "INSERT INTO mp_maps (id, user_id, title, slug, description, country, city, public, allow_cloning, "
            "style, center_lat, center_lng, zoom, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (map_id, PRO_ACCOUNT, title, slug, spec["description"], spec["country"], spec["city"], m_index != 1,
             True, "streets-v12", lat0, lng0, spec["zoom"], iso_millis(ts), iso_millis(ts)))
        cats = []
        for name, color, icon in spec["categories"]:  # type: ignore[attr-defined]
            cats.append(ids(ts))
            conn.execute("INSERT INTO mp_categories VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (cats[-1], map_id, name, color, icon, iso_millis(ts), iso_millis(ts)))
        tags = []
        for name in spec["tags"]:  # type: ignore[attr-defined]
            tags.append(ids(ts))
            conn.execute("INSERT INTO mp_tags VALUES (?, ?, ?, ?, ?)", (tags[-1], map_id, name, iso_millis(ts), iso_millis(ts)))
        layers = []
        for order, (name, color) in enumerate(spec["layers"]):  # type: ignore[attr-defined]
            layers.append(ids(ts))
            conn.execute("INSERT INTO mp_layers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (layers[-1], map_id, name, color, order, int(order == 0), int(order == 0),
                          iso_millis(ts), iso_millis(ts)))
        names = [f"{a} {b}" for a in spec["first"] for b in spec["second"]]  # type: ignore[attr-defined]
        rng.shuffle(names)
        spread = float(spec["spread"])  # type: ignore[arg-type]
        count = (110, 95, 90)[m_index]
        loc_rows, tag_rows, layer_rows = [], [], []
        for i, name in enumerate(names[:count]):
            lts = ts + 3600 + i * 1800 + rng.randint(0, 1200)
            loc_id = ids(lts)
            address = (f"{rng.choice(spec['streets'])} {rng.randint(1, 180)}, "  # type: ignore[index]
                       f"{rng.choice(spec['postcode'])} {spec['city']}")  # type: ignore[index]
            lat = round(lat0 + rng.gauss(0, spread), 6)
            lng = round(lng0 + rng.gauss(0, spread * 1.4), 6)
            desc = rng.choice(["", "Open weekends.", "Ask for the back room.", "Prices are negotiable.",
                               "Great selection, a bit pricey.", "Closed in August."])
            cat = rng.choice(cats) if rng.random() < 0.9 else None
            loc_rows.append((loc_id, map_id, name, desc, address, lat, lng, cat, iso_millis(lts), iso_millis(lts)))
            for pos, tag in enumerate(rng.sample(tags, rng.randint(0, 3))):
                tag_rows.append((loc_id, tag, pos))
            for layer in rng.sample(layers, rng.choice([0, 0, 1, 1, 2])):
                layer_rows.append((loc_id, layer))
        conn.executemany("INSERT INTO mp_locations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", loc_rows)
        conn.executemany("INSERT INTO mp_location_tags VALUES (?, ?, ?)", tag_rows)
        conn.executemany("INSERT INTO mp_location_layers VALUES (?, ?)", layer_rows)


def add_items(store: Store, n: int) -> int:
    """Insert n items quickly (benchmarks). Creates a collection when the team has none."""
    rng = random.Random()
    with store.transaction() as conn:
        row = conn.execute("SELECT id FROM im_collections WHERE team_id = ? ORDER BY created_at LIMIT 1",
                           (TEAM_ID,)).fetchone()
        if row is None:
            cid = str(uuid.uuid4())
            conn.execute("INSERT INTO im_collections (id, team_id, name, description, created_at) VALUES (?, ?, ?, ?, ?)",
                         (cid, TEAM_ID, "Bulk", "Items added for benchmarks.", iso_seconds()))
        else:
            cid = row[0]
        base = time.time() - n
        statuses = [s for s, _ in STATUS_WEIGHTS]
        rows = []
        for i in range(n):
            ts = iso_seconds(base + i)
            status = statuses[i % len(statuses)]
            rows.append(("itm_" + _rand_alnum(rng, 20), TEAM_ID, cid, f"Benchmark item {i + 1}", status,
                         "good", round(rng.random() * 500, 2), "USD", "", ts, ts,
                         ts if status in ("sell", "trade") else None))
        conn.executemany(
            "INSERT INTO im_items (id, team_id, collection_id, name, status, condition, estimated_value, currency, "
            "notes, created_at, updated_at, listed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return n


def map_ids(store: Store) -> list[str]:
    return [r["id"] for r in store.all("SELECT id FROM mp_maps WHERE user_id = ? ORDER BY created_at, id",
                                       (PRO_ACCOUNT,))]

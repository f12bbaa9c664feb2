"""The sandbox's SQLite store: schema, one connection guarded by a lock, key look-ups."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS im_teams (id TEXT PRIMARY KEY, name TEXT NOT NULL, item_limit INTEGER);
CREATE TABLE IF NOT EXISTS im_keys (
    id TEXT PRIMARY KEY, team_id TEXT NOT NULL REFERENCES im_teams(id), role TEXT,
    secret TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS im_collections (
    id TEXT PRIMARY KEY, team_id TEXT NOT NULL REFERENCES im_teams(id), name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS im_collections_order ON im_collections(team_id, created_at, id);
CREATE TABLE IF NOT EXISTS im_items (
    id TEXT PRIMARY KEY, team_id TEXT NOT NULL, collection_id TEXT NOT NULL REFERENCES im_collections(id),
    name TEXT NOT NULL, status TEXT NOT NULL, condition TEXT, estimated_value REAL,
    currency TEXT NOT NULL, notes TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    listed_at TEXT);
CREATE INDEX IF NOT EXISTS im_items_order ON im_items(team_id, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS im_items_status ON im_items(team_id, status, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS im_items_collection ON im_items(collection_id);
CREATE TABLE IF NOT EXISTS im_sales (
    team_id TEXT PRIMARY KEY, currency TEXT NOT NULL, gross REAL, fees REAL, net_payout REAL,
    refunds REAL, disputes REAL, orders INTEGER, period_start TEXT, period_end TEXT);

CREATE TABLE IF NOT EXISTS mp_accounts (id TEXT PRIMARY KEY, name TEXT NOT NULL, pro INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS mp_keys (
    id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES mp_accounts(id), role TEXT,
    name TEXT NOT NULL, scope TEXT NOT NULL, secret TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
    expires_at TEXT, last_used_at TEXT, revoked_at TEXT);
CREATE TABLE IF NOT EXISTS mp_maps (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES mp_accounts(id), title TEXT NOT NULL,
    slug TEXT NOT NULL, description TEXT NOT NULL, country TEXT NOT NULL, city TEXT NOT NULL,
    public INTEGER NOT NULL, allow_cloning INTEGER NOT NULL, style TEXT NOT NULL,
    center_lat REAL, center_lng REAL, zoom REAL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mp_categories (
    id TEXT PRIMARY KEY, map_id TEXT NOT NULL REFERENCES mp_maps(id) ON DELETE CASCADE,
    name TEXT NOT NULL, color TEXT NOT NULL, icon TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mp_tags (
    id TEXT PRIMARY KEY, map_id TEXT NOT NULL REFERENCES mp_maps(id) ON DELETE CASCADE,
    name TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mp_layers (
    id TEXT PRIMARY KEY, map_id TEXT NOT NULL REFERENCES mp_maps(id) ON DELETE CASCADE,
    name TEXT NOT NULL, color TEXT NOT NULL, ord INTEGER NOT NULL, route_enabled INTEGER NOT NULL,
    route_show_by_default INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS mp_locations (
    id TEXT PRIMARY KEY, map_id TEXT NOT NULL REFERENCES mp_maps(id) ON DELETE CASCADE,
    name TEXT NOT NULL, description TEXT NOT NULL, address TEXT NOT NULL, lat REAL NOT NULL,
    lng REAL NOT NULL, category_id TEXT REFERENCES mp_categories(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS mp_locations_order ON mp_locations(map_id, created_at, id);
CREATE TABLE IF NOT EXISTS mp_location_tags (
    location_id TEXT NOT NULL REFERENCES mp_locations(id) ON DELETE CASCADE,
    tag_id TEXT NOT NULL REFERENCES mp_tags(id) ON DELETE CASCADE, pos INTEGER NOT NULL,
    PRIMARY KEY (location_id, tag_id));
CREATE INDEX IF NOT EXISTS mp_location_tags_tag ON mp_location_tags(tag_id);
CREATE TABLE IF NOT EXISTS mp_location_layers (
    location_id TEXT NOT NULL REFERENCES mp_locations(id) ON DELETE CASCADE,
    layer_id TEXT NOT NULL REFERENCES mp_layers(id) ON DELETE CASCADE,
    PRIMARY KEY (location_id, layer_id));
CREATE INDEX IF NOT EXISTS mp_location_layers_layer ON mp_location_layers(layer_id);

CREATE TABLE IF NOT EXISTS ib_users (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ib_keys (
    id TEXT PRIMARY KEY, role TEXT, kind TEXT NOT NULL, secret TEXT NOT NULL UNIQUE,
    user_id TEXT REFERENCES ib_users(id), created_at TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS wp_tokens (id TEXT PRIMARY KEY, role TEXT, secret TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS wp_templates (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, slug TEXT NOT NULL UNIQUE, description TEXT NOT NULL,
    wp_version TEXT NOT NULL, php_version TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS wp_sites (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, url TEXT NOT NULL, type TEXT NOT NULL,
    template_id INTEGER REFERENCES wp_templates(id) ON DELETE SET NULL, wp_version TEXT NOT NULL,
    php_version TEXT NOT NULL, ready_at REAL NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
"""


class Store:
    """One SQLite connection shared by the server thread and the controlling thread, under a lock."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.executescript(SCHEMA)
        self.lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN ... COMMIT under the lock; ROLLBACK on any exception (atomic writes)."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def one(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> sqlite3.Row | None:
        with self.lock:
            return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def get_meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", (key,))

    def set_meta(self, key: str, value: str) -> None:
        with self.lock:
            self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        with self.lock:
            self.conn.close()

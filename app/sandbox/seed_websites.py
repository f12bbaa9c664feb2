"""Sandbox accounts, keys and demo data of Instabot and InstaWP (deterministic, like seed.py)."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime

from app.core.instawp import format_output
from app.sandbox.store import Store
from app.sandbox.util import iso_seconds, random_token

# Instabot: role -> (kind, user id or None)
INSTABOT_ROLES = {
    "api_key": ("api", None),
    "master_key": ("master", None),
    "user_session": ("session", "usr_demo0001"),
}
INSTABOT_USERS = (("usr_demo0001", "Dana Demo", "dana@example.com"),)
INSTABOT_APP = {"applicationName": "Cabinet Demo Bot", "version": "2016-05-01"}
INSTAWP_ROLES = ("token",)

TEMPLATES = (
    ("Starter blog", "starter-blog", "A clean blog with the Twenty Twenty-Four theme.", "6.6", "8.2"),
    ("WooCommerce shop", "woo-shop", "WooCommerce with a demo catalogue and a payment sandbox.", "6.6", "8.2"),
    ("Agency landing page", "agency-landing", "One-page agency site built with the block editor.", "6.5", "8.1"),
    ("Membership site", "membership", "Members-only content with a login page.", "6.4", "8.1"),
)
# name, type, template index or None, days after the base date
SITES = (
    ("sophine", "reserved", 0, 0), ("client-preview", "temporary", 1, 3), ("shop-staging", "reserved", 1, 9),
    ("plugin-test-64", "temporary", None, 14), ("landing-demo", "temporary", 2, 20),
    ("members-beta", "reserved", 3, 27), ("theme-check", "temporary", 0, 31),
)
BASE = datetime(2025, 3, 1, 9, 30, 0, 123000, tzinfo=UTC)


def new_instabot_key(kind: str) -> str:
    return {"api": "ibk_", "master": "ibm_", "session": "ibs_"}[kind] + random_token(32)


def new_instawp_token() -> str:
    return random_token(40)


def site_url(name: str) -> str:
    return f"https://{name}.instawp.xyz"


def seed_accounts(conn: sqlite3.Connection) -> None:
    for user_id, name, email in INSTABOT_USERS:
        conn.execute("INSERT INTO ib_users (id, name, email) VALUES (?, ?, ?)", (user_id, name, email))
    for role, (kind, user) in INSTABOT_ROLES.items():
        conn.execute("INSERT INTO ib_keys (id, role, kind, secret, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (f"ib_{role}", role, kind, new_instabot_key(kind), user, iso_seconds()))
    for role in INSTAWP_ROLES:
        conn.execute("INSERT INTO wp_tokens (id, role, secret) VALUES (?, ?, ?)",
                     (f"wp_{role}", role, new_instawp_token()))


def seed_demo(conn: sqlite3.Connection, rng: random.Random) -> None:
    """Templates and sites of the demo account (all ready)."""
    for n, (name, slug, description, wp, php) in enumerate(TEMPLATES, start=1):
        stamp = format_output(BASE.replace(day=1 + n))
        conn.execute("INSERT INTO wp_templates VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (n, name, slug, description, wp, php, stamp, stamp))
    for name, kind, template, days in SITES:
        created = BASE.timestamp() + days * 86400 + rng.randint(0, 36000)
        stamp = format_output(datetime.fromtimestamp(created, UTC))
        wp, php = (TEMPLATES[template][3:5] if template is not None else ("6.6", "8.2"))
        conn.execute(
            "INSERT INTO wp_sites (name, url, type, template_id, wp_version, php_version, ready_at, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, site_url(name), kind, None if template is None else template + 1, wp, php, created, stamp, stamp))


def rotate(conn: sqlite3.Connection) -> None:
    for key_id, kind in conn.execute("SELECT id, kind FROM ib_keys WHERE role IS NOT NULL").fetchall():
        conn.execute("UPDATE ib_keys SET secret = ? WHERE id = ?", (new_instabot_key(kind), key_id))
    for (token_id,) in conn.execute("SELECT id FROM wp_tokens WHERE role IS NOT NULL").fetchall():
        conn.execute("UPDATE wp_tokens SET secret = ? WHERE id = ?", (new_instawp_token(), token_id))


def provisioned(store: Store) -> tuple[dict[str, str], dict[str, str]]:
    """The provisioned Instabot keys and InstaWP tokens by role."""
    ib = {r["role"]: r["secret"] for r in store.all("SELECT role, secret FROM ib_keys WHERE role IS NOT NULL")}
    wp = {r["role"]: r["secret"] for r in store.all("SELECT role, secret FROM wp_tokens WHERE role IS NOT NULL")}
    return {k: ib[k] for k in INSTABOT_ROLES if k in ib}, {k: wp[k] for k in INSTAWP_ROLES if k in wp}

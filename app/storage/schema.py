"""Schema components and their migrations, one version per component, in one SQLite file.

Each layer that keeps tables registers its own component, in the disposable cache file
(the default) or in the state file (``database="state"``: what a cache rebuild must keep)::

    register_component("importer", [
        "CREATE TABLE import_jobs (...);",            # version 1
        "ALTER TABLE import_jobs ADD COLUMN ...;",    # version 2
    ])

A component's version is the number of its migrations that have been applied; the table
``schema_versions`` records it. ``migrate(conn)`` applies what is missing, each migration in
its own transaction together with the version bump, so a failed migration leaves the
previous version intact. Migrations are append-only: never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from typing import Any

_REGISTRY: dict[str, list[str]] = {}
_DATABASES: dict[str, str] = {}  # component -> the database file it lives in
_FUNCTIONS: dict[str, Callable[[Any], Any]] = {}  # SQL functions the migrations call, by name
_LOCK = threading.Lock()

CACHE_DB = "cache"  # the disposable offline cache (rebuilt from the services at will)
STATE_DB = "state"  # what cannot be fetched again: import jobs, the list of known maps
DATABASES = (CACHE_DB, STATE_DB)

VERSIONS_TABLE = "schema_versions"


class MigrationError(RuntimeError):
    """A migration failed; the component stays at its previous version."""


def register_component(name: str, migrations: list[str], *, database: str = CACHE_DB) -> None:
    """Register (or extend) the migrations of one schema component, kept in ``database``
    (``"cache"``, the disposable cache, or ``"state"``, what a cache rebuild must not lose).

    Registering again with a longer list adds the new migrations; a shorter or different
    prefix is a programming error.
    """
    if not name or not isinstance(name, str):
        raise ValueError("a schema component needs a name")
    if database not in DATABASES:
        raise ValueError(f"unknown database {database!r}; one of {', '.join(DATABASES)}")
    with _LOCK:
        if _DATABASES.get(name, database) != database:
            raise ValueError(f"schema component {name!r} cannot move to another database")
        known = _REGISTRY.get(name)
        if known is not None and list(migrations[: len(known)]) != known:
            raise ValueError(f"schema component {name!r}: registered migrations cannot change")
        _REGISTRY[name] = list(migrations)
        _DATABASES[name] = database


def register_function(name: str, function: Callable[[Any], Any]) -> None:
    """A one-argument, deterministic SQL function a migration calls (made available on the
    connection before any migration runs, whoever opened it)."""
    with _LOCK:
        _FUNCTIONS[name] = function


def registered_components(database: str | None = None) -> dict[str, list[str]]:
    """The components (all, or those of one database) and their migrations."""
    with _LOCK:
        return {name: list(migs) for name, migs in _REGISTRY.items()
                if database is None or _DATABASES[name] == database}


def _ensure_versions_table(conn: sqlite3.Connection) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} ("
        " component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    )


def component_version(conn: sqlite3.Connection, name: str) -> int:
    _ensure_versions_table(conn)
    row = conn.execute(f"SELECT version FROM {VERSIONS_TABLE} WHERE component = ?", (name,)).fetchone()
    return int(row[0]) if row else 0


def migrate_component(conn: sqlite3.Connection, name: str, migrations: list[str]) -> int:
    """Bring one component up to date; returns its version afterwards."""
    current = component_version(conn, name)
    if current > len(migrations):
        raise MigrationError(
            f"the database file has schema {name!r} version {current}, newer than this Cabinet knows "
            f"({len(migrations)}); update Cabinet"
        )
    with _LOCK:
        functions = dict(_FUNCTIONS)
    for function_name, function in functions.items():
        conn.create_function(function_name, 1, function, deterministic=True)
    for version in range(current + 1, len(migrations) + 1):
        script = migrations[version - 1].strip().rstrip(";")
        try:
            # executescript commits any open transaction first; BEGIN/COMMIT make this atomic.
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{script};\n"
                f"INSERT INTO {VERSIONS_TABLE}(component, version) VALUES ('{_quote(name)}', {version})"
                f" ON CONFLICT(component) DO UPDATE SET version = excluded.version;\nCOMMIT;"
            )
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.rollback()
            raise MigrationError(f"schema {name!r} migration {version} failed: {exc}") from exc
    return len(migrations)


def migrate(conn: sqlite3.Connection, components: list[str] | None = None, *,
            database: str = CACHE_DB) -> dict[str, int]:
    """Apply the missing migrations of every component of ``database`` (or of those named)."""
    registry = registered_components(None if components is not None else database)
    names = list(registry) if components is None else components
    return {name: migrate_component(conn, name, registry[name]) for name in names}


def _quote(name: str) -> str:
    return name.replace("'", "''")

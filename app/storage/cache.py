"""The offline cache: one SQLite file (WAL) holding every resource the adapters read.

The cache is disposable: what cannot be fetched again (known maps, import jobs) lives in the
state database beside it (storage/state.py), which ``Cache.state`` opens. The known-maps
methods here read that list and add the titles the cache holds.

Thread-safety: each thread gets its own connection (``Cache`` keeps one per thread for its
own methods; ``connect()`` hands out a new one). Writers take SQLite's write lock for one
transaction per call; readers in other threads keep reading the last committed state.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core.text import fold
from app.services.config import data_dir
from app.storage import migrations as _cache_migrations  # noqa: F401 - registers the "cache" component
from app.storage.errors import StorageError, database_error
from app.storage.files import SqliteFile, reading, write_transaction
from app.storage.resources import (
    MAP_SCOPED,
    Resource,
    column_value,
    is_identifier,
    resource,
    search_text,
)
from app.storage.schema import migrate
from app.storage.state import CACHE_FILE, KNOWN_MAP_SOURCES, StateDB

__all__ = ["KNOWN_MAP_SOURCES", "Cache"]
_SUMMARY_ID = "summary"
_CHUNK = 500
_TRIGRAM = 3
_MAX_CHAR = "\U0010ffff"
_SKIP_SCAN_MAX = 64  # distinct values read by walking an index before a scan is cheaper
_ID_MIN = 6  # a search this long also matches ids that begin with it (pasted ids)


def _phrase(needle: str) -> str:
    """An FTS5 phrase that matches ``needle`` as a substring (trigram tokenizer)."""
    return '"' + needle.replace('"', '""') + '"'


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Cache(SqliteFile):
    """The SQLite cache. See docs/interfaces.md for the contract."""

    def __init__(self, path: Path | str | None = None, *, state: StateDB | None = None) -> None:
        """Open (or make) the cache at ``path`` and its state database (``state``, else the one
        beside it: ``StateDB.beside(path)``). A file that cannot be read raises
        DatabaseDamagedError (storage/errors.py), which names the file and what to do."""
        if path is None:
            path = data_dir() / CACHE_FILE
        super().__init__(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._own_state = state is None
        self.state = state if state is not None else StateDB.beside(self.path)
        try:
            conn = self._conn()
            if self.migratable:
                migrate(conn)
            else:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # readable at all?
        except sqlite3.Error as exc:
            self.close()
            raise database_error(exc, self.path) from None
        except StorageError:  # connect() says which file already
            self.close()
            raise

    def __repr__(self) -> str:
        return f"Cache({str(self.path)!r})"

    # -- connections ------------------------------------------------------------------------
    PRAGMAS = (
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA temp_store=MEMORY",
        "PRAGMA cache_size=-32000",
        # Reads through a memory map rather than a read() per page: a cold count(*) of 100,000
        # items takes a quarter of the time (the start reads with a new connection).
        "PRAGMA mmap_size=268435456",
    )

    def close(self) -> None:
        super().close()
        if self._own_state:
            self.state.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- filling ------------------------------------------------------------------------------
    def replace_all(self, resource_name: str, rows: Iterable[dict], *, scope: str = "") -> int:
        """Make the cached set of (resource, scope) exactly ``rows``, in one transaction.

        Rows that stay keep their rowid. If the iterable raises, nothing changes.
        """
        self.check_writable()
        res = resource(resource_name)
        conn = self._conn()
        count = 0
        with write_transaction(conn, self.path):
            gen = self._next_gen(conn, res)
            batch: list[dict] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= _CHUNK:
                    count += self._write(conn, res, batch, scope, gen)
                    batch = []
            if batch:
                count += self._write(conn, res, batch, scope, gen)
            conn.execute(f"DELETE FROM {res.table} WHERE _scope = ? AND _gen != ?", (scope, gen))
        return count

    def upsert(self, resource_name: str, row: dict, *, scope: str = "") -> None:
        self.check_writable()
        res = resource(resource_name)
        conn = self._conn()
        with write_transaction(conn, self.path):
            gen = conn.execute(f"SELECT coalesce(max(_gen), 0) FROM {res.table} WHERE _scope = ?",
                               (scope,)).fetchone()[0]
            self._write(conn, res, [row], scope, gen)

    def delete(self, resource_name: str, row_id: str) -> None:
        self.check_writable()
        res = resource(resource_name)
        conn = self._conn()
        with write_transaction(conn, self.path):
            conn.execute(f"DELETE FROM {res.table} WHERE id = ?", (str(row_id),))

    @staticmethod
    def _next_gen(conn: sqlite3.Connection, res: Resource) -> int:
        return int(conn.execute(f"SELECT coalesce(max(_gen), 0) + 1 FROM {res.table}").fetchone()[0])

    def _write(self, conn: sqlite3.Connection, res: Resource, rows: list[dict], scope: str, gen: int) -> int:
        cols = res.columns
        names = ", ".join(c.name for c in cols)
        marks = ", ".join("?" for _ in cols)
        updates = "".join(f"{c.name} = excluded.{c.name}, " for c in cols if c.name != "id")
        sql = (
            f"INSERT INTO {res.table} ({names}, _scope, _gen, _search) VALUES ({marks}, ?, ?, ?) "
            f"ON CONFLICT(id) DO UPDATE SET {updates}_scope = excluded._scope, _gen = excluded._gen, "
            f"_search = excluded._search"
        )
        params = []
        blobs: dict[str, str] = {}
        for row in rows:
            if res.name == "sales_summary" and "id" not in row:
                row = {**row, "id": _SUMMARY_ID}
            if row.get("id") is None:
                raise ValueError(f"a {res.name} record without an id cannot be cached")
            values = [column_value(c, row) for c in cols]
            values[0] = row_id = str(row["id"])
            params.append((*values, scope, gen, search_text(res, row)))
            blobs[row_id] = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        conn.executemany(sql, params)
        rowids = self._rowids(conn, res, list(blobs))
        conn.executemany(f"INSERT OR REPLACE INTO {res.table}_data(rowid, data) VALUES (?, ?)",
                         [(rowids[i], blob) for i, blob in blobs.items()])
        if res.name == "locations":
            self._write_memberships(conn, rows, rowids)
        return len(rows)

    @staticmethod
    def _rowids(conn: sqlite3.Connection, res: Resource, ids: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(ids), _CHUNK):
            part = ids[start:start + _CHUNK]
            marks = ",".join("?" * len(part))
            found.update(conn.execute(f"SELECT id, rowid FROM {res.table} WHERE id IN ({marks})", part))
        return found

    @staticmethod
    def _write_memberships(conn: sqlite3.Connection, rows: list[dict], rowids: dict[str, int]) -> None:
        layer_rows: list[tuple[str, int]] = []
        tag_rows: list[tuple[str, int]] = []
        for row in rows:
            rid = rowids[str(row["id"])]
            for layer in row.get("layers") or ():
                layer_id = layer.get("id") if isinstance(layer, dict) else layer
                if layer_id is not None:
                    layer_rows.append((str(layer_id), rid))
            for tag_id in row.get("tagIds") or ():
                if tag_id is not None:
                    tag_rows.append((str(tag_id), rid))
        affected = [(rid,) for rid in rowids.values()]
        conn.executemany("DELETE FROM location_layers WHERE location_rowid = ?", affected)
        conn.executemany("DELETE FROM location_tags WHERE location_rowid = ?", affected)
        conn.executemany("INSERT OR IGNORE INTO location_layers(layer_id, location_rowid) VALUES (?, ?)",
                         layer_rows)
        conn.executemany("INSERT OR IGNORE INTO location_tags(tag_id, location_rowid) VALUES (?, ?)",
                         tag_rows)

    # -- reading ------------------------------------------------------------------------------
    @reading
    def query_keys(
        self,
        resource_name: str,
        *,
        search: str = "",
        filters: dict[str, Any] | None = None,
        sort: str | None = None,
        descending: bool = False,
        limit: int | None = None,
        connection: sqlite3.Connection | None = None,
    ) -> list[int]:
        """Rowids of the rows that match, in order. ``search`` is a substring of the resource's
        text fields, case and accents ignored (app.core.text.fold); ``filters`` are equalities
        (None matches a missing value, a list or tuple matches any of its values); ``scope`` filters a map-scoped resource by map.
        ``limit`` returns only the first rows of that order (a screenful, fast even when the
        whole set would take a scan). ``connection``: one from ``connect()`` to read through
        (a worker thread's own, which ``close()`` does not touch)."""
        res = resource(resource_name)
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        needle = fold((search or "").strip())
        if needle and len(needle) >= _TRIGRAM and not filters and not sort and res.search_fields:
            # The common case while typing: straight from the full-text index, in rowid order.
            raw = search.strip()
            sql = f"SELECT rowid FROM {res.table}_fts WHERE {res.table}_fts MATCH ?"
            params: list[Any] = [_phrase(needle)]
            if len(raw) >= _ID_MIN:
                sql += f" UNION SELECT rowid FROM {res.table} WHERE id >= ? AND id < ?"
                params += [raw, raw + _MAX_CHAR]
            return self._keys(f"{sql} ORDER BY rowid {'DESC' if descending else 'ASC'}{tail}", params,
                              connection)
        where, params = self._where(res, search, filters)
        order = self._order(res, sort, descending)
        return self._keys(f"SELECT rowid FROM {res.table}{where}{order}{tail}", params, connection)

    def _keys(self, sql: str, params: Sequence[Any], connection: sqlite3.Connection | None = None) -> list[int]:
        # One JSON array instead of a Python tuple per row: several times faster on 100,000 rows.
        # SQLite feeds the aggregate in the subquery's order.
        conn = connection if connection is not None else self._conn()
        text = conn.execute(f"SELECT json_group_array(rowid) FROM ({sql})", params).fetchone()[0]
        return json.loads(text) if text else []

    def _where(self, res: Resource, search: str, filters: dict[str, Any] | None) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        raw = (search or "").strip()
        needle = fold(raw)
        # An id (or its beginning) matches too, through the id index.
        by_id = "(id >= ? AND id < ?)" if len(raw) >= _ID_MIN else "0"
        id_params = [raw, raw + _MAX_CHAR] if len(raw) >= _ID_MIN else []
        if needle and not res.search_fields:
            clauses.append(by_id)
            params += id_params
        elif needle and len(needle) >= _TRIGRAM:
            clauses.append(f"(rowid IN (SELECT rowid FROM {res.table}_fts WHERE {res.table}_fts MATCH ?) "
                           f"OR {by_id})")
            params += [_phrase(needle), *id_params]
        elif needle:
            # Too short for the trigram index: a scan of the narrow table.
            clauses.append(f"(_search LIKE ? ESCAPE '\\' OR {by_id})")
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params += [f"%{escaped}%", *id_params]
        aliases = res.aliases()
        for key, value in (filters or {}).items():
            lowered = key.lower()
            if lowered in ("scope", "_scope") and (res.map_scoped or lowered == "_scope"):
                column = "_scope"
            else:
                column = aliases.get(lowered)
            if column is None:
                raise ValueError(f"{res.name} cannot be filtered on {key!r}")
            if column in ("layer_id", "tag_id"):
                table = "location_layers" if column == "layer_id" else "location_tags"
                values = list(value) if isinstance(value, list | tuple | set) else [value]
                marks = ",".join("?" * len(values))
                clauses.append(f"rowid IN (SELECT location_rowid FROM {table} WHERE {column} IN ({marks}))")
                params.extend(str(v) for v in values)
                continue
            if value is None:
                clauses.append(f"{column} IS NULL")
            elif isinstance(value, list | tuple | set):
                values = [int(v) if isinstance(v, bool) else v for v in value]
                if not values:
                    clauses.append("0")
                else:
                    clauses.append(f"{column} IN ({','.join('?' * len(values))})")
                    params.extend(values)
            else:
                clauses.append(f"{column} = ?")
                params.append(int(value) if isinstance(value, bool) else value)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    @staticmethod
    def _order(res: Resource, sort: str | None, descending: bool) -> str:
        direction = "DESC" if descending else "ASC"
        if not sort:
            return f" ORDER BY rowid {direction}"
        column = res.aliases().get(sort.lower())
        if column in ("layer_id", "tag_id"):  # membership lists: sort on the JSON text
            column = None
        if column is None:
            if not is_identifier(sort):
                raise ValueError(f"cannot sort {res.name} on {sort!r}")
            column = (f"(SELECT json_extract(d.data, '$.{sort}') FROM {res.table}_data d "
                      f"WHERE d.rowid = {res.table}.rowid)")
        # rowid keeps the order stable; "column, rowid" lets SQLite walk the column's index.
        return f" ORDER BY {column} {direction}, rowid {direction}"

    @reading
    def rows_for_keys(self, resource_name: str, keys: Sequence[int]) -> list[dict]:
        """The records of those rowids, in the same order (missing rowids are left out)."""
        res = resource(resource_name)
        conn = self._conn()
        found: dict[int, dict] = {}
        keys = list(keys)
        for start in range(0, len(keys), _CHUNK):
            part = keys[start:start + _CHUNK]
            marks = ",".join("?" * len(part))
            for rowid, data in conn.execute(
                f"SELECT rowid, data FROM {res.table}_data WHERE rowid IN ({marks})", part
            ):
                found[rowid] = json.loads(data)
        return [found[k] for k in keys if k in found]

    @reading
    def location_points(self, keys: Sequence[int] | None = None, *,
                        connection: sqlite3.Connection | None = None) -> dict[str, list[Any]]:
        """What the map draws of locations (all, or those rowids), as columns in rowid order:
        "keys" (rowids), "lats", "lngs", "names", "categories" (ids, "" for none) and "layers"
        (each location's first layer in the map's layer order, "" for none). Rows without both
        coordinates are left out. (One JSON array per column: several times faster to read than
        a tuple per row.) ``connection``: a worker thread's own, as for query_keys."""
        where = "t.lat IS NOT NULL AND t.lng IS NOT NULL"
        params: tuple[str, ...] = ()
        if keys is not None:
            where += " AND t.rowid IN (SELECT value FROM json_each(?))"
            params = (json.dumps(list(keys)),)
        conn = connection if connection is not None else self._conn()
        row = conn.execute(
            "SELECT json_group_array(rowid), json_group_array(lat), json_group_array(lng), "
            "json_group_array(coalesce(name, '')), json_group_array(coalesce(category_id, '')) FROM "
            f"(SELECT t.rowid, t.lat, t.lng, t.name, t.category_id FROM locations t WHERE {where} "
            "ORDER BY t.rowid)", params).fetchone()
        out = dict(zip(("keys", "lats", "lngs", "names", "categories"), (json.loads(v) for v in row), strict=True))
        # The first layer of each: the last one written per location when read in reverse order.
        located, layer_ids = (json.loads(v) for v in conn.execute(
            "SELECT json_group_array(location_rowid), json_group_array(layer_id) FROM (SELECT ll.location_rowid, "
            "ll.layer_id FROM location_layers ll LEFT JOIN layers l ON l.id = ll.layer_id "
            "ORDER BY ll.location_rowid, l.layer_order DESC, l.name DESC)").fetchone())
        first = dict(zip(located, layer_ids, strict=True))
        out["layers"] = [first.get(k, "") for k in out["keys"]]
        return out

    @reading
    def get(self, resource_name: str, row_id: str) -> dict | None:
        res = resource(resource_name)
        row = self._conn().execute(
            f"SELECT d.data FROM {res.table} t JOIN {res.table}_data d ON d.rowid = t.rowid WHERE t.id = ?",
            (str(row_id),),
        ).fetchone()
        return json.loads(row[0]) if row else None

    @reading
    def key_for_id(self, resource_name: str, row_id: str) -> int | None:
        """The rowid of a record, for a model that wants to select it."""
        res = resource(resource_name)
        row = self._conn().execute(f"SELECT rowid FROM {res.table} WHERE id = ?", (str(row_id),)).fetchone()
        return int(row[0]) if row else None

    @reading
    def count(self, resource_name: str, *, scope: str | None = None) -> int:
        res = resource(resource_name)
        if scope is None:
            sql, params = f"SELECT count(*) FROM {res.table}", ()
        else:
            sql, params = f"SELECT count(*) FROM {res.table} WHERE _scope = ?", (scope,)
        return int(self._conn().execute(sql, params).fetchone()[0])

    @reading
    def distinct(self, resource_name: str, field: str) -> list[Any]:
        """The distinct non-null values of a column (or of a location's layer_id / tag_id), sorted."""
        res = resource(resource_name)
        lowered = field.lower()
        column = res.aliases().get(lowered)
        if lowered in ("scope", "_scope") and res.map_scoped:
            column = "_scope"
        if column in ("layer_id", "tag_id"):
            table = "location_layers" if column == "layer_id" else "location_tags"
            sql = f"SELECT DISTINCT {column} FROM {table} ORDER BY {column}"
        elif column is not None and self._skip_scannable(res, column):
            # A walk along the column's index, one step per distinct value: a handful of
            # statuses over 100,000 rows takes a fraction of a millisecond instead of a scan.
            # Many distinct values are faster in one scan: past _SKIP_SCAN_MAX, do that.
            t = res.table
            walk = (f"WITH RECURSIVE v(x) AS (SELECT min({column}) FROM {t} UNION ALL "
                    f"SELECT (SELECT min({column}) FROM {t} WHERE {column} > v.x) FROM v WHERE v.x IS NOT NULL) "
                    f"SELECT x FROM v WHERE x IS NOT NULL LIMIT {_SKIP_SCAN_MAX + 1}")
            values = [r[0] for r in self._conn().execute(walk)]
            if len(values) <= _SKIP_SCAN_MAX:
                return values
            sql = f"SELECT DISTINCT {column} FROM {res.table} WHERE {column} IS NOT NULL ORDER BY {column}"
        elif column is not None:
            sql = f"SELECT DISTINCT {column} FROM {res.table} WHERE {column} IS NOT NULL ORDER BY {column}"
        elif is_identifier(field):
            expr = f"json_extract(data, '$.{field}')"
            sql = f"SELECT DISTINCT {expr} AS v FROM {res.table}_data WHERE v IS NOT NULL ORDER BY v"
        else:
            raise ValueError(f"{res.name} has no field {field!r}")
        return [r[0] for r in self._conn().execute(sql)]

    @staticmethod
    def _skip_scannable(res: Resource, column: str) -> bool:
        """Whether a column leads an index and compares as plain values (no collation)."""
        if column == "_scope":
            return True  # ix_<table>__scope(_scope, _gen)
        col = next((c for c in res.columns if c.name == column), None)
        return col is not None and col.indexed and col.name != "id" and "COLLATE" not in col.sql_type.upper()

    @reading
    def all_rows(self, resource_name: str, *, scope: str | None = None) -> list[dict]:
        """Every cached record of a resource (optionally of one map), in API order of arrival."""
        res = resource(resource_name)
        if scope is None:
            cur = self._conn().execute(f"SELECT data FROM {res.table}_data ORDER BY rowid")
        else:
            cur = self._conn().execute(
                f"SELECT d.data FROM {res.table} t JOIN {res.table}_data d ON d.rowid = t.rowid "
                "WHERE t._scope = ? ORDER BY t.rowid", (scope,))
        return [json.loads(r[0]) for r in cur]

    def sales_summary(self) -> dict | None:
        data = self.get("sales_summary", _SUMMARY_ID)
        if data is None:
            return None
        return {k: v for k, v in data.items() if not (k == "id" and v == _SUMMARY_ID)}

    # -- sync bookkeeping ---------------------------------------------------------------------
    @reading
    def last_synced(self, resource_name: str, scope: str = "") -> datetime | None:
        row = self._conn().execute(
            "SELECT synced_at FROM sync_state WHERE resource = ? AND scope = ?", (resource_name, scope)
        ).fetchone()
        return _parse_iso(row[0]) if row else None

    def mark_synced(self, resource_name: str, scope: str = "", when: datetime | None = None) -> None:
        self.check_writable()
        when = when or datetime.now(UTC)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        conn = self._conn()
        with write_transaction(conn, self.path):
            conn.execute(
                "INSERT INTO sync_state(resource, scope, synced_at) VALUES (?, ?, ?) "
                "ON CONFLICT(resource, scope) DO UPDATE SET synced_at = excluded.synced_at",
                (resource_name, scope, stamp),
            )

    # -- known maps (kept in the state database) ------------------------------------------------
    def known_maps(self) -> list[dict]:
        """The maps Cabinet knows about: id, source, added_at, and title when the map is cached."""
        maps = self.state.known_maps()
        titles = self._titles([m["id"] for m in maps])
        return [{**m, "title": titles.get(m["id"])} for m in maps]

    @reading
    def _titles(self, map_ids: list[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        conn = self._conn()
        for start in range(0, len(map_ids), _CHUNK):
            part = map_ids[start:start + _CHUNK]
            marks = ",".join("?" * len(part))
            found.update(conn.execute(f"SELECT id, title FROM maps WHERE id IN ({marks})", part))
        return found

    def add_known_map(self, map_id: str, source: str = "manual") -> None:
        self.state.add_known_map(map_id, source)

    def remove_known_map(self, map_id: str) -> None:
        """Forget a map and everything cached under it."""
        self.check_writable()
        self.state.remove_known_map(map_id)
        conn = self._conn()
        with write_transaction(conn, self.path):
            conn.execute("DELETE FROM maps WHERE id = ?", (map_id,))
            for name in MAP_SCOPED:
                conn.execute(f"DELETE FROM {name} WHERE _scope = ?", (map_id,))
            conn.execute("DELETE FROM sync_state WHERE scope = ?", (map_id,))

"""What the cache keeps of each resource: real columns for sorting, filtering and searching.

Every table has the same internal columns — ``rowid`` (the key the UI's models hold),
``_scope`` (the map id for map-scoped resources, ``""`` otherwise), ``_gen`` (the sync
generation that last wrote the row), ``_search`` (the folded text the search box
matches: case and accents ignored) — plus one column per field the UI sorts or filters on, and ``data``: the whole
API record as JSON. Columns use snake_case; the API's own field names are accepted as
aliases wherever a column is named (sort, filters, distinct).

Which resources there are and which of their fields get a column is the registry's
(app/core/registry); this module only turns that into SQL.
"""

from __future__ import annotations

import re
from typing import Any

from app.core import registry
from app.core.frozen import Frozen
from app.core.text import fold


class Column(Frozen):
    __slots__ = ("name", "api_field", "sql_type", "indexed")
    name: str            # SQL column name
    api_field: str       # field of the API record it is read from
    sql_type: str
    indexed: bool

    def __init__(self, name: str, api_field: str, sql_type: str = "TEXT", indexed: bool = True) -> None:
        for field_name, value in zip(self.__slots__, (name, api_field, sql_type, indexed), strict=True):
            object.__setattr__(self, field_name, value)


class Resource(Frozen):
    __slots__ = ("name", "columns", "search_fields", "map_scoped", "extra_aliases")
    name: str
    columns: tuple[Column, ...]
    search_fields: tuple[str, ...]
    map_scoped: bool
    extra_aliases: dict[str, str]

    def __init__(self, name: str, columns: tuple[Column, ...], search_fields: tuple[str, ...] = (),
                 map_scoped: bool = False, extra_aliases: dict[str, str] | None = None) -> None:
        values = (name, columns, search_fields, map_scoped, dict(extra_aliases or {}))
        for field_name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, field_name, value)

    @property
    def table(self) -> str:
        return self.name

    def aliases(self) -> dict[str, str]:
        """Every accepted name (column or API field, any case) → column name."""
        out: dict[str, str] = {}
        for col in self.columns:
            out[col.name.lower()] = col.name
            out[col.api_field.lower()] = col.name
        for alias, col_name in self.extra_aliases.items():
            out[alias.lower()] = col_name
        return out


def _table(res: registry.Resource) -> Resource:
    """The cache table of a registry resource: a column per field the registry says is stored."""
    columns = tuple(Column(f.column, f.name, f.sql_type, f.indexed) for f in res.stored)
    return Resource(res.name, columns, search_fields=res.search, map_scoped=res.map_scoped,
                    extra_aliases=res.filter_aliases)


RESOURCES: dict[str, Resource] = {name: _table(res) for name, res in registry.RESOURCES.items()}
MAP_SCOPED = registry.MAP_SCOPED
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def resource(name: str) -> Resource:
    try:
        return RESOURCES[name]
    except KeyError:
        raise ValueError(f"unknown resource {name!r}; known: {', '.join(RESOURCES)}") from None


def is_identifier(name: str) -> bool:
    return bool(_IDENT.match(name))


def column_value(col: Column, record: dict[str, Any]) -> Any:
    value = record.get(col.api_field)
    if value is None:
        return None
    if col.sql_type == "INTEGER" and isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return None
    return value


def search_text(res: Resource, record: dict[str, Any]) -> str:
    """The folded text the search box matches (case and accents ignored, app.core.text.fold): the
    resource's text fields, joined.

    Ids are left out (random characters make the trigram index several times bigger and
    slower to fill); the search matches an id, or its beginning, through the id index instead.
    """
    parts: list[str] = []
    for name in res.search_fields:  # the API's field names
        value = record.get(name)
        if value is not None and value != "":
            parts.append(str(value))
    return fold("\x1f".join(parts))


def create_table_sql(res: Resource) -> str:
    """The DDL of one resource table and its indexes (migration text: do not change shipped output)."""
    cols = "".join(f"  {c.name} {c.sql_type},\n" for c in res.columns if c.name != "id")
    stmts = [
        f"CREATE TABLE {res.table} (\n  rowid INTEGER PRIMARY KEY,\n  id TEXT NOT NULL UNIQUE,\n"
        f"  _scope TEXT NOT NULL DEFAULT '',\n  _gen INTEGER NOT NULL DEFAULT 0,\n"
        f"{cols}  _search TEXT NOT NULL DEFAULT ''\n)",
        # The whole record lives in a table of its own, so that scans for search, filters and
        # sorting read narrow rows only.
        f"CREATE TABLE {res.table}_data (rowid INTEGER PRIMARY KEY, data TEXT NOT NULL)",
        f"CREATE TRIGGER tr_{res.table}_data_delete AFTER DELETE ON {res.table} BEGIN "
        f"DELETE FROM {res.table}_data WHERE rowid = old.rowid; END",
        f"CREATE INDEX ix_{res.table}__scope ON {res.table}(_scope, _gen)",
    ]
    if res.search_fields:
        # Substring search: a trigram full-text index over _search, kept in step by triggers.
        t = res.table
        stmts += [
            f"CREATE VIRTUAL TABLE {t}_fts USING fts5(_search, content='{t}', content_rowid='rowid', "
            f"tokenize='trigram', columnsize=0)",
            f"CREATE TRIGGER tr_{t}_fts_insert AFTER INSERT ON {t} BEGIN "
            f"INSERT INTO {t}_fts(rowid, _search) VALUES (new.rowid, new._search); END",
            f"CREATE TRIGGER tr_{t}_fts_delete AFTER DELETE ON {t} BEGIN "
            f"INSERT INTO {t}_fts({t}_fts, rowid, _search) VALUES ('delete', old.rowid, old._search); END",
            f"CREATE TRIGGER tr_{t}_fts_update AFTER UPDATE OF _search ON {t} "
            f"WHEN old._search IS NOT new._search BEGIN "
            f"INSERT INTO {t}_fts({t}_fts, rowid, _search) VALUES ('delete', old.rowid, old._search); "
            f"INSERT INTO {t}_fts(rowid, _search) VALUES (new.rowid, new._search); END",
        ]
    for col in res.columns:
        if col.indexed and col.name != "id":
            stmts.append(f"CREATE INDEX ix_{res.table}_{col.name} ON {res.table}({col.name})")
    return ";\n".join(stmts)

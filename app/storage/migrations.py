"""The cache's own schema component, "cache". Append new migrations; never edit shipped ones."""

from __future__ import annotations

from app.core.text import fold
from app.storage.resources import RESOURCES, create_table_sql
from app.storage.schema import register_component, register_function

COMPONENT = "cache"
# The resources whose tables version 1 created (history: never change). A resource added to the
# registry later gets its table from a schema component of its own, "cache:<resource>", so
# adding one needs no edit here and its place in the registry does not matter.
V1_RESOURCES = ("items", "collections", "listings", "sales_summary", "maps", "locations", "categories", "tags",
                "layers", "api_keys")

_V1 = ";\n".join(
    [create_table_sql(RESOURCES[name]) for name in V1_RESOURCES]
    + [
        "CREATE TABLE sync_state (resource TEXT NOT NULL, scope TEXT NOT NULL DEFAULT '',"
        " synced_at TEXT NOT NULL, PRIMARY KEY (resource, scope))",
        "CREATE TABLE known_maps (map_id TEXT PRIMARY KEY, source TEXT NOT NULL DEFAULT 'manual',"
        " added_at TEXT NOT NULL)",
    ]
)

# v2: a location's layer and tag memberships, kept in step with the locations table.
_V2 = """
CREATE TABLE location_layers (
  layer_id TEXT NOT NULL, location_rowid INTEGER NOT NULL,
  PRIMARY KEY (layer_id, location_rowid)) WITHOUT ROWID;
CREATE INDEX ix_location_layers_location ON location_layers(location_rowid);
CREATE TABLE location_tags (
  tag_id TEXT NOT NULL, location_rowid INTEGER NOT NULL,
  PRIMARY KEY (tag_id, location_rowid)) WITHOUT ROWID;
CREATE INDEX ix_location_tags_location ON location_tags(location_rowid);
CREATE TRIGGER tr_locations_delete AFTER DELETE ON locations BEGIN
  DELETE FROM location_layers WHERE location_rowid = old.rowid;
  DELETE FROM location_tags WHERE location_rowid = old.rowid;
END;
INSERT INTO location_layers(layer_id, location_rowid)
  SELECT json_extract(j.value, '$.id'), l.rowid FROM locations_data l, json_each(l.data, '$.layers') j
  WHERE json_extract(j.value, '$.id') IS NOT NULL;
INSERT OR IGNORE INTO location_tags(tag_id, location_rowid)
  SELECT j.value, l.rowid FROM locations_data l, json_each(l.data, '$.tagIds') j WHERE j.value IS NOT NULL
"""

# v3: search ignores accents as well as case (app.core.text.fold): the stored search text of
# every cached row is folded again; the full-text triggers re-index what changed.
FOLD_FUNCTION = "cabinet_fold"


def _fold_sql(value: object) -> object:
    return fold(value) if isinstance(value, str) else value


register_function(FOLD_FUNCTION, _fold_sql)
# The searchable tables versions 1 and 2 made (history: never change; a table made later is
# filled with folded text from the start).
_V3_TABLES = ("items", "collections", "listings", "maps", "locations", "categories", "tags", "layers", "api_keys")
_V3 = ";\n".join(
    f"UPDATE {table} SET _search = {FOLD_FUNCTION}(_search) WHERE _search != {FOLD_FUNCTION}(_search)"
    for table in _V3_TABLES
)

# v4: a map's record that did not name its map (a location without "mapId", as in the Mapiry
# document's examples) takes the map it was read from, its scope: in the record and in the Map
# column (the clients do this for every answer since; this brings older caches in step).
_V4_TABLES = ("locations", "categories", "tags", "layers")  # the map-scoped tables of version 1 (history)
_V4 = ";\n".join(
    f"UPDATE {t}_data SET data = json_set(data, '$.mapId', "
    f"(SELECT t._scope FROM {t} t WHERE t.rowid = {t}_data.rowid)) "
    f"WHERE coalesce(json_extract(data, '$.mapId'), '') = '' "
    f"AND EXISTS (SELECT 1 FROM {t} t WHERE t.rowid = {t}_data.rowid AND t._scope != '');\n"
    f"UPDATE {t} SET map_id = (SELECT json_extract(d.data, '$.mapId') FROM {t}_data d WHERE d.rowid = {t}.rowid) "
    f"WHERE coalesce(map_id, '') = ''"
    for t in _V4_TABLES
)

MIGRATIONS: list[str] = [_V1, _V2, _V3, _V4]

register_component(COMPONENT, MIGRATIONS)
for _name, _res in RESOURCES.items():
    if _name not in V1_RESOURCES:
        register_component(f"{COMPONENT}:{_name}", [create_table_sql(_res)])

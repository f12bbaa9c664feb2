"""Mapiry categories, tags, layers and API keys (mixed into MapiryApi)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from app.sandbox.mapiry_common import (
    CATEGORY_FIELDS,
    KEY_FIELDS,
    LAYER_FIELDS,
    TAG_FIELDS,
    F,
    category_json,
    check_fields,
    key_json,
    layer_json,
    not_found,
    raise_details,
    tag_json,
    validation,
)
from app.sandbox.routing import ApiError, Call, Router
from app.sandbox.seed import new_mapiry_key
from app.sandbox.store import Store
from app.sandbox.util import cuid, iso_millis, parse_iso

MAX_ACTIVE_KEYS = 10

# resource name -> (table, field specs, json shape, create defaults, label)
RESOURCES: dict[str, tuple[str, dict[str, F], Callable[[sqlite3.Row], dict[str, Any]], dict[str, Any], str]] = {
    "categories": ("mp_categories", CATEGORY_FIELDS, category_json, {"color": "#64748B", "icon": ""}, "Category"),
    "tags": ("mp_tags", TAG_FIELDS, tag_json, {}, "Tag"),
    "layers": ("mp_layers", LAYER_FIELDS, layer_json,
               {"color": "#6366F1", "routeEnabled": False, "routeShowByDefault": False}, "Layer"),
}


class ResourcesMixin:
    store: Store
    state: Any
    _own_map: Callable[..., sqlite3.Row]

    def add_resource_routes(self, r: Router) -> None:
        for name, param in (("categories", "catId"), ("tags", "tagId"), ("layers", "layerId")):
            r.add("GET", f"/maps/{{mapId}}/{name}", self._lister(name))
            r.add("POST", f"/maps/{{mapId}}/{name}", self._creator(name))
            r.add("PUT", f"/maps/{{mapId}}/{name}/{{{param}}}", self._updater(name, param))
            r.add("DELETE", f"/maps/{{mapId}}/{name}/{{{param}}}", self._deleter(name, param))
        r.add("GET", "/keys", self.list_keys)
        r.add("POST", "/keys", self.create_key)
        r.add("DELETE", "/keys/{keyId}", self.revoke_key)

    # -- categories, tags, layers -----------------------------------------------------------
    def _row(self, name: str, map_id: str, row_id: str) -> sqlite3.Row:
        table, _, _, _, label = RESOURCES[name]
        row = self.store.one(f"SELECT * FROM {table} WHERE id = ? AND map_id = ?", (row_id, map_id))
        if row is None:
            raise not_found(label)
        return row

    def _check_tag_name(self, map_id: str, tag_name: str, except_id: str | None = None) -> None:
        clash = self.store.one(
            "SELECT id FROM mp_tags WHERE map_id = ? AND lower(name) = lower(?) AND id IS NOT ?",
            (map_id, tag_name, except_id))
        if clash is not None:
            raise ApiError(409, "CONFLICT", f"A tag named {tag_name!r} already exists on this map.")

    def _lister(self, name: str) -> Callable[[Call], tuple[int, Any]]:
        table, _, shape, _, _ = RESOURCES[name]
        order = "ord, created_at, id" if name == "layers" else "created_at, id"

        def handler(call: Call) -> tuple[int, Any]:
            map_row = self._own_map(call)
            rows = self.store.all(f"SELECT * FROM {table} WHERE map_id = ? ORDER BY {order}", (map_row["id"],))
            return 200, [shape(r) for r in rows]

        return handler

    def _creator(self, name: str) -> Callable[[Call], tuple[int, Any]]:
        table, specs, shape, defaults, _ = RESOURCES[name]

        def handler(call: Call) -> tuple[int, Any]:
            map_row = self._own_map(call)
            fields, details = check_fields(call.json(), specs, creating=True)
            raise_details(details)
            values = {**defaults, **fields}
            now = iso_millis()
            with self.store.transaction() as conn:
                if name == "tags":
                    self._check_tag_name(map_row["id"], values["name"])
                if name == "layers" and "order" not in values:
                    values["order"] = conn.execute(
                        "SELECT COALESCE(MAX(ord) + 1, 0) FROM mp_layers WHERE map_id = ?", (map_row["id"],)
                    ).fetchone()[0]
                cols = {"id": cuid(), "map_id": map_row["id"], "created_at": now, "updated_at": now}
                cols.update({specs[k].column: v for k, v in values.items()})
                conn.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                             tuple(cols.values()))
            return 201, shape(self._row(name, map_row["id"], cols["id"]))

        return handler

    def _updater(self, name: str, param: str) -> Callable[[Call], tuple[int, Any]]:
        table, specs, shape, _, _ = RESOURCES[name]

        def handler(call: Call) -> tuple[int, Any]:
            map_row = self._own_map(call)
            current = self._row(name, map_row["id"], call.params[param])
            fields, details = check_fields(call.json(), specs, creating=False)
            raise_details(details)
            if fields:
                cols = {specs[k].column: v for k, v in fields.items()}
                cols["updated_at"] = iso_millis()
                with self.store.transaction() as conn:
                    if name == "tags":
                        self._check_tag_name(map_row["id"], fields["name"], current["id"])
                    conn.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                                 (*cols.values(), current["id"]))
            return 200, shape(self._row(name, map_row["id"], current["id"]))

        return handler

    def _deleter(self, name: str, param: str) -> Callable[[Call], tuple[int, Any]]:
        table = RESOURCES[name][0]

        def handler(call: Call) -> tuple[int, Any]:
            map_row = self._own_map(call)
            current = self._row(name, map_row["id"], call.params[param])
            with self.store.transaction() as conn:
                conn.execute(f"DELETE FROM {table} WHERE id = ?", (current["id"],))
            return 200, {"id": current["id"], "deleted": True}

        return handler

    # -- API keys ---------------------------------------------------------------------------
    def list_keys(self, call: Call) -> tuple[int, Any]:
        rows = self.store.all("SELECT * FROM mp_keys WHERE account_id = ? ORDER BY created_at, id",
                              (call.principal["account_id"],))
        return 200, [key_json(r) for r in rows]

    def create_key(self, call: Call) -> tuple[int, Any]:
        account = call.principal["account_id"]
        fields, details = check_fields(call.json(), KEY_FIELDS, creating=True)
        expires = fields.get("expiresAt")
        now_ts = self.state.limiter.now()
        expires_text = None
        if expires is not None:
            ts = parse_iso(expires)
            if ts is None:
                details.append({"field": "expiresAt", "message": "Must be an ISO 8601 timestamp or null."})
            elif ts <= now_ts:
                details.append({"field": "expiresAt", "message": "Must be in the future."})
            else:
                expires_text = iso_millis(ts)
        raise_details(details)
        now = iso_millis(now_ts)
        with self.store.transaction() as conn:
            active = 0
            for r in conn.execute("SELECT expires_at FROM mp_keys WHERE account_id = ? AND revoked_at IS NULL",
                                  (account,)):
                exp = parse_iso(r["expires_at"]) if r["expires_at"] else None
                active += exp is None or exp > now_ts
            if active >= MAX_ACTIVE_KEYS:
                raise validation(f"You can have up to {MAX_ACTIVE_KEYS} active API keys; revoke one first.",
                                 [{"field": "name", "message": "active key limit reached"}])
            secret = new_mapiry_key()
            key_id = cuid()
            conn.execute(
                "INSERT INTO mp_keys (id, account_id, role, name, scope, secret, created_at, expires_at) "
                "VALUES (?, ?, NULL, ?, ?, ?, ?, ?)",
                (key_id, account, fields["name"], fields["scope"], secret, now, expires_text))
        row = self.store.one("SELECT * FROM mp_keys WHERE id = ?", (key_id,))
        assert row is not None
        return 201, {**key_json(row), "key": secret}

    def revoke_key(self, call: Call) -> tuple[int, Any]:
        row = self.store.one("SELECT * FROM mp_keys WHERE id = ? AND account_id = ?",
                             (call.params["keyId"], call.principal["account_id"]))
        if row is None:
            raise not_found("API key")
        if row["revoked_at"] is None:
            with self.store.transaction() as conn:
                conn.execute("UPDATE mp_keys SET revoked_at = ? WHERE id = ?", (iso_millis(), row["id"]))
        fresh = self.store.one("SELECT * FROM mp_keys WHERE id = ?", (row["id"],))
        assert fresh is not None
        return 200, key_json(fresh)

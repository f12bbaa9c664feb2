"""Mapiry REST API v1 under /mapiry/api/v1: auth, rate buckets, maps and locations."""

from __future__ import annotations

import math
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.core.registry import BULK_LIMIT
from app.sandbox.mapiry_common import (
    LOCATION_FIELDS,
    LOCATION_READONLY,
    MAP_DEFAULTS,
    MAP_FIELDS,
    check_fields,
    envelope,
    locations_json,
    map_json,
    not_found,
    raise_details,
    slugify,
    validation,
)
from app.sandbox.mapiry_resources import ResourcesMixin
from app.sandbox.ratelimit import BucketState, retry_after_header
from app.sandbox.routing import PROBLEM_TEXT, ApiApp, ApiError, Call, Problem, Router
from app.sandbox.state import SandboxState
from app.sandbox.util import QUERY_INT_MAX, cuid, iso_millis, json_response, parse_iso, query_int

PREFIX = "/mapiry/api/v1"
BULK_MAX = BULK_LIMIT
PROBLEMS = {Problem.TOO_LARGE: (413, "PAYLOAD_TOO_LARGE"), Problem.SERVER_ERROR: (500, "INTERNAL_ERROR"),
            Problem.UNAVAILABLE: (503, "SERVICE_UNAVAILABLE")}


class MapiryApi(ApiApp, ResourcesMixin):
    prefix = PREFIX

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.store = state.store
        r = Router()
        r.add("POST", "/maps", self.create_map, bucket="maps")
        r.add("GET", "/maps/{mapId}", self.get_map)
        r.add("PUT", "/maps/{mapId}", self.update_map)
        r.add("DELETE", "/maps/{mapId}", self.delete_map)
        r.add("GET", "/maps/{mapId}/locations", self.list_locations)
        r.add("POST", "/maps/{mapId}/locations", self.create_location)
        r.add("POST", "/maps/{mapId}/locations/bulk", self.bulk_create_locations, bucket="bulk")
        r.add("GET", "/maps/{mapId}/locations/{locId}", self.get_location)
        r.add("PUT", "/maps/{mapId}/locations/{locId}", self.update_location)
        r.add("DELETE", "/maps/{mapId}/locations/{locId}", self.delete_location)
        r.add("PUT", "/maps/{mapId}/locations/{locId}/layers", self.set_location_layers)
        self.add_resource_routes(r)
        self.router = r

    # -- plumbing ---------------------------------------------------------------------------
    def problem(self, problem: Problem, request: Request) -> Response:
        status, code = PROBLEMS[problem]
        return envelope(status, code, PROBLEM_TEXT[problem])

    def _rate_headers(self, st: BucketState) -> dict[str, str]:
        # Whole epoch seconds as documented; fractional only when a time scale shrinks the windows.
        reset = str(math.ceil(st.reset_at)) if self.state.time_scale == 1 else f"{st.reset_at:.3f}"
        return {"X-RateLimit-Limit": str(st.limit), "X-RateLimit-Remaining": str(st.remaining),
                "X-RateLimit-Reset": reset}

    def _authenticate(self, request: Request) -> sqlite3.Row:
        header = request.headers.get("authorization", "").strip()
        if not header:
            raise ApiError(401, "MISSING_API_KEY", "No Authorization header provided.")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "INVALID_API_KEY", "The API key is invalid or has been revoked.")
        row = self.store.one(
            "SELECT k.*, a.pro FROM mp_keys k JOIN mp_accounts a ON a.id = k.account_id WHERE k.secret = ?",
            (token,),
        )
        if row is None or row["revoked_at"] is not None:
            raise ApiError(401, "INVALID_API_KEY", "The API key is invalid or has been revoked.")
        expires = parse_iso(row["expires_at"]) if row["expires_at"] else None
        if expires is not None and expires <= self.state.limiter.now():
            raise ApiError(401, "API_KEY_EXPIRED", "The API key has passed its expiration date.")
        return row

    async def handle(self, request: Request, path: str) -> Response:
        found = self.router.match(request.method, path)
        if found is None:
            return envelope(404, "NOT_FOUND", f"No endpoint {request.method} {PREFIX}{path}.")
        route, params = found
        buckets = ["general"] + ([route.meta["bucket"]] if "bucket" in route.meta else [])
        headers: dict[str, str] = {}
        try:
            key = self._authenticate(request)
            account = key["account_id"]
            headers = self._rate_headers(self.state.limiter.peek(buckets[-1], account))
            if not key["pro"]:
                raise ApiError(403, "PRO_SUBSCRIPTION_REQUIRED",
                               "API access requires an active Pro subscription.")
            if key["scope"] == "READ_ONLY" and request.method != "GET":
                raise ApiError(403, "INSUFFICIENT_SCOPE",
                               f"This key is READ_ONLY; {request.method} needs a READ_WRITE key.")
            allowed, states, wait = self.state.limiter.take(buckets, account)
            headers = self._rate_headers(states[-1])
            if not allowed:
                headers["Retry-After"] = retry_after_header(wait)
                raise ApiError(429, "RATE_LIMIT_EXCEEDED", "Rate limit hit; check the Retry-After header.")
            with self.store.lock:
                self.store.conn.execute("UPDATE mp_keys SET last_used_at = ? WHERE id = ?", (iso_millis(), key["id"]))
            body = await request.body()
            call = Call(request.method, params, request.query_params, body, key, self._bad_body)
            status, payload = route.handler(call)
            return envelope_ok(payload, status, headers)
        except ApiError as err:
            headers.update(err.headers)
            return envelope(err.status, err.code, err.message, err.details, headers)

    @staticmethod
    def _bad_body(message: str) -> ApiError:
        return validation(f"Malformed JSON body: {message}", [{"field": "body", "message": message}])

    def _own_map(self, call: Call, map_id: str | None = None) -> sqlite3.Row:
        row = self.store.one("SELECT * FROM mp_maps WHERE id = ? AND user_id = ?",
                             (map_id or call.params["mapId"], call.principal["account_id"]))
        if row is None:
            raise not_found("Map")
        return row

    # -- maps -------------------------------------------------------------------------------
    def create_map(self, call: Call) -> tuple[int, Any]:
        fields, details = check_fields(call.json(), MAP_FIELDS, creating=True)
        raise_details(details)
        values = {**MAP_DEFAULTS, **fields}
        now = iso_millis()
        row = {"id": cuid(), "user_id": call.principal["account_id"], "slug": slugify(values["title"]),
               "created_at": now, "updated_at": now}
        row.update({MAP_FIELDS[k].column: v for k, v in values.items()})
        with self.store.transaction() as conn:
            conn.execute(f"INSERT INTO mp_maps ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                         tuple(row.values()))
        return 201, map_json(self._own_map(call, row["id"]))

    def get_map(self, call: Call) -> tuple[int, Any]:
        return 200, map_json(self._own_map(call))

    def update_map(self, call: Call) -> tuple[int, Any]:
        current = self._own_map(call)
        fields, details = check_fields(call.json(), MAP_FIELDS, creating=False)
        raise_details(details)
        if fields:
            cols = {MAP_FIELDS[k].column: v for k, v in fields.items()}
            if "title" in fields:
                cols["slug"] = slugify(fields["title"])
            cols["updated_at"] = iso_millis()
            with self.store.transaction() as conn:
                conn.execute(f"UPDATE mp_maps SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                             (*cols.values(), current["id"]))
        return 200, map_json(self._own_map(call))

    def delete_map(self, call: Call) -> tuple[int, Any]:
        current = self._own_map(call)
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM mp_maps WHERE id = ?", (current["id"],))
        return 200, {"id": current["id"], "deleted": True}

    # -- locations --------------------------------------------------------------------------
    def _location_row(self, map_id: str, loc_id: str) -> sqlite3.Row:
        row = self.store.one("SELECT * FROM mp_locations WHERE id = ? AND map_id = ?", (loc_id, map_id))
        if row is None:
            raise not_found("Location")
        return row

    def _location(self, map_id: str, loc_id: str) -> dict[str, Any]:
        row = self._location_row(map_id, loc_id)
        with self.store.lock:
            return locations_json(self.store.conn, [row])[0]

    def _query_int(self, call: Call, name: str, default: int, high: int | None) -> int:
        raw = call.query.get(name)
        if raw is None:
            return default
        top = QUERY_INT_MAX if high is None else high
        number = query_int(raw)
        if number is None or not 1 <= number <= top:
            bound = f"1-{top}"
            raise validation(f"`{name}` must be an integer {bound}.", [{"field": name, "message": f"must be {bound}"}])
        return number

    def list_locations(self, call: Call) -> tuple[int, Any]:
        map_row = self._own_map(call)
        page = self._query_int(call, "page", 1, None)
        size = self._query_int(call, "pageSize", 20, 100)
        with self.store.lock:
            total = self.store.conn.execute("SELECT COUNT(*) FROM mp_locations WHERE map_id = ?",
                                            (map_row["id"],)).fetchone()[0]
            rows = self.store.conn.execute(
                "SELECT * FROM mp_locations WHERE map_id = ? ORDER BY created_at, id LIMIT ? OFFSET ?",
                (map_row["id"], size, (page - 1) * size)).fetchall()
            data = locations_json(self.store.conn, rows)
        return 200, {"locations": data, "pagination": {
            "total": total, "page": page, "pageSize": size, "totalPages": math.ceil(total / size)}}

    def get_location(self, call: Call) -> tuple[int, Any]:
        map_row = self._own_map(call)
        return 200, self._location(map_row["id"], call.params["locId"])

    def _check_location(self, map_id: str, body: Any, creating: bool, index: int | None = None
                        ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        fields, details = check_fields(body, LOCATION_FIELDS, creating, index, LOCATION_READONLY)
        prefix = {} if index is None else {"index": index}
        cat = fields.get("categoryId")
        if cat is not None and self.store.one(
                "SELECT 1 FROM mp_categories WHERE id = ? AND map_id = ?", (cat, map_id)) is None:
            details.append({**prefix, "field": "categoryId", "message": "No category with that id on this map."})
        for tag in fields.get("tagIds", []):
            if self.store.one("SELECT 1 FROM mp_tags WHERE id = ? AND map_id = ?", (tag, map_id)) is None:
                details.append({**prefix, "field": "tagIds", "message": f"No tag {tag!r} on this map."})
        return fields, details

    @staticmethod
    def _insert_location(conn: sqlite3.Connection, map_id: str, fields: dict[str, Any], now: str) -> str:
        loc_id = cuid()
        conn.execute(
            "INSERT INTO mp_locations (id, map_id, name, description, address, lat, lng, category_id, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (loc_id, map_id, fields["name"], fields.get("description", ""), fields.get("address", ""),
             fields["lat"], fields["lng"], fields.get("categoryId"), now, now))
        conn.executemany("INSERT INTO mp_location_tags (location_id, tag_id, pos) VALUES (?, ?, ?)",
                         [(loc_id, t, i) for i, t in enumerate(fields.get("tagIds", []))])
        return loc_id

    def create_location(self, call: Call) -> tuple[int, Any]:
        map_row = self._own_map(call)
        fields, details = self._check_location(map_row["id"], call.json(), creating=True)
        raise_details(details)
        with self.store.transaction() as conn:
            loc_id = self._insert_location(conn, map_row["id"], fields, iso_millis())
        return 201, self._location(map_row["id"], loc_id)

    def bulk_create_locations(self, call: Call) -> tuple[int, Any]:
        map_row = self._own_map(call)
        body = call.json()
        entries = body.get("locations") if isinstance(body, dict) else None
        if not isinstance(entries, list) or not 1 <= len(entries) <= BULK_MAX:
            got = f"{len(entries)} entries" if isinstance(entries, list) else "no list"
            raise validation(f"`locations` must be a list of 1-{BULK_MAX} locations (got {got}); nothing was created.",
                             [{"field": "locations", "message": f"must hold 1-{BULK_MAX} entries"}])
        extra = sorted(set(body) - {"locations"})
        all_details = [{"field": name, "message": "Unknown field."} for name in extra]
        cleaned = []
        for i, entry in enumerate(entries):
            fields, details = self._check_location(map_row["id"], entry, creating=True, index=i)
            all_details.extend(details)
            cleaned.append(fields)
        raise_details(all_details)
        now = iso_millis()
        with self.store.transaction() as conn:
            ids = [self._insert_location(conn, map_row["id"], f, now) for f in cleaned]
        with self.store.lock:
            rows = [self._location_row(map_row["id"], i) for i in ids]
            created = locations_json(self.store.conn, rows)
        return 201, {"created": created, "count": len(created)}

    def update_location(self, call: Call) -> tuple[int, Any]:
        map_row = self._own_map(call)
        current = self._location_row(map_row["id"], call.params["locId"])
        fields, details = self._check_location(map_row["id"], call.json(), creating=False)
        raise_details(details)
        if fields:
            tag_ids = fields.pop("tagIds", None)
            cols = {LOCATION_FIELDS[k].column: v for k, v in fields.items()}
            cols["updated_at"] = iso_millis()
            with self.store.transaction() as conn:
                conn.execute(f"UPDATE mp_locations SET {', '.join(f'{c} = ?' for c in cols)} WHERE id = ?",
                             (*cols.values(), current["id"]))
                if tag_ids is not None:
                    conn.execute("DELETE FROM mp_location_tags WHERE location_id = ?", (current["id"],))
                    conn.executemany("INSERT INTO mp_location_tags (location_id, tag_id, pos) VALUES (?, ?, ?)",
                                     [(current["id"], t, i) for i, t in enumerate(tag_ids)])
        return 200, self._location(map_row["id"], current["id"])

    def delete_location(self, call: Call) -> tuple[int, Any]:
        map_row = self._own_map(call)
        current = self._location_row(map_row["id"], call.params["locId"])
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM mp_locations WHERE id = ?", (current["id"],))
        return 200, {"id": current["id"], "deleted": True}

    def set_location_layers(self, call: Call) -> tuple[int, Any]:
        map_row = self._own_map(call)
        current = self._location_row(map_row["id"], call.params["locId"])
        body = call.json()
        layer_ids = body.get("layerIds") if isinstance(body, dict) else None
        if not isinstance(layer_ids, list) or not all(isinstance(i, str) for i in layer_ids):
            raise validation("`layerIds` must be a list of layer ids.",
                             [{"field": "layerIds", "message": "must be a list of layer ids"}])
        extra = sorted(set(body) - {"layerIds"})
        details = [{"field": name, "message": "Unknown field."} for name in extra]
        layer_ids = list(dict.fromkeys(layer_ids))
        for lid in layer_ids:
            if self.store.one("SELECT 1 FROM mp_layers WHERE id = ? AND map_id = ?", (lid, map_row["id"])) is None:
                details.append({"field": "layerIds", "message": f"No layer {lid!r} on this map."})
        raise_details(details)
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM mp_location_layers WHERE location_id = ?", (current["id"],))
            conn.executemany("INSERT INTO mp_location_layers (location_id, layer_id) VALUES (?, ?)",
                             [(current["id"], lid) for lid in layer_ids])
            conn.execute("UPDATE mp_locations SET updated_at = ? WHERE id = ?", (iso_millis(), current["id"]))
        return 200, self._location(map_row["id"], current["id"])


def envelope_ok(payload: Any, status: int, headers: dict[str, str]) -> Response:
    return json_response({"data": payload}, status, headers)

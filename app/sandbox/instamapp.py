"""InstaMapp API v1 (inventory) under /instamapp/api/public/v1, as docs/api-contract.md reads it."""

from __future__ import annotations

import math
import re
import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.core.registry import text_length
from app.sandbox.ratelimit import BucketState, retry_after_header
from app.sandbox.routing import PROBLEM_TEXT, ApiApp, ApiError, Call, Problem, Router
from app.sandbox.state import SandboxState
from app.sandbox.util import (
    QUERY_INT_MAX,
    is_number,
    iso_seconds,
    item_id,
    json_response,
    query_int,
    storable,
)

PREFIX = "/instamapp/api/public/v1"
SCOPES = ("items:read", "items:write", "collections:read", "marketplace:read", "analytics:read")
STATUSES = ("keep", "sell", "trade", "sold", "archived")
LISTED = ("sell", "trade")
CONDITIONS = ("sealed", "mint_in_box", "loose_mint", "near_mint", "good", "fair", "damaged")
ITEM_FIELDS = ("collection_id", "name", "status", "condition", "estimated_value", "currency", "notes")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
# the status and error type of each server problem (400's type for a request that is too large)
PROBLEMS = {Problem.TOO_LARGE: (413, "invalid_request"), Problem.SERVER_ERROR: (500, "api_error"),
            Problem.UNAVAILABLE: (503, "api_error")}


def envelope(status: int, type_: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"error": {"type": type_, "message": message}}, status, headers)


def invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def item_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "object": "item",
        "id": row["id"],
        "collection_id": row["collection_id"],
        "name": row["name"],
        "status": row["status"],
        "condition": row["condition"],
        "estimated_value": row["estimated_value"],
        "currency": row["currency"],
        "notes": row["notes"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def listing_json(row: sqlite3.Row) -> dict[str, Any]:
    sale = row["status"] == "sell"
    return {
        "object": "listing",
        "id": "lst_" + row["id"][len("itm_"):],
        "item_id": row["id"],
        "item_name": row["name"],
        "type": "sale" if sale else "trade",
        "price": row["estimated_value"] if sale else None,
        "currency": row["currency"],
        "collection_id": row["collection_id"],
        "created_at": row["listed_at"] or row["updated_at"],
    }


def parse_int(value: str | None, name: str, default: int, low: int, high: int | None) -> int:
    if value is None:
        return default
    top = QUERY_INT_MAX if high is None else high
    number = query_int(value)
    if number is None or not low <= number <= top:
        raise invalid(f"`{name}` must be an integer between {low} and {top}.")
    return number


def paging(call: Call) -> tuple[int, int]:
    page = parse_int(call.query.get("page"), "page", 1, 1, None)
    per_page = parse_int(call.query.get("per_page"), "per_page", 20, 1, 100)
    return page, per_page


def list_body(data: list[dict[str, Any]], page: int, per_page: int, total: int) -> dict[str, Any]:
    has_more = (page - 1) * per_page + len(data) < total
    return {"object": "list", "data": data, "pagination": {"page": page, "per_page": per_page, "has_more": has_more}}


class InstaMappApi(ApiApp):
    prefix = PREFIX

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.store = state.store
        r = Router()
        r.add("GET", "/items", self.list_items, scope="items:read")
        r.add("POST", "/items", self.create_item, scope="items:write")
        r.add("GET", "/items/{id}", self.get_item, scope="items:read")
        r.add("PATCH", "/items/{id}", self.update_item, scope="items:write")
        r.add("GET", "/collections", self.list_collections, scope="collections:read")
        r.add("GET", "/marketplace/listings", self.list_listings, scope="marketplace:read")
        r.add("GET", "/sales/summary", self.sales_summary, scope="analytics:read")
        self.router = r

    # -- plumbing ---------------------------------------------------------------------------
    def problem(self, problem: Problem, request: Request) -> Response:
        status, type_ = PROBLEMS[problem]
        return envelope(status, type_, PROBLEM_TEXT[problem])

    def _rate_headers(self, st: BucketState) -> dict[str, str]:
        reset = max(0, math.ceil(st.seconds_to_reset(self.state.limiter.now())))
        return {"RateLimit-Limit": str(st.limit), "RateLimit-Remaining": str(st.remaining), "RateLimit-Reset": str(reset)}

    def _authenticate(self, request: Request) -> sqlite3.Row:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header or scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthorized", "Missing API key. Send `Authorization: Bearer imk_live_...`.")
        row = self.store.one("SELECT * FROM im_keys WHERE secret = ?", (token.strip(),))
        if row is None:
            raise ApiError(401, "unauthorized", "Invalid API key.")
        return row

    async def handle(self, request: Request, path: str) -> Response:
        found = self.router.match(request.method, path)
        if found is None:
            return envelope(404, "not_found", f"No endpoint {request.method} {PREFIX}{path}.")
        route, params = found
        headers: dict[str, str] = {}
        try:
            key = self._authenticate(request)
            scopes = key["scopes"].split()
            if route.meta["scope"] not in scopes:
                headers = self._rate_headers(self.state.limiter.peek("instamapp", key["id"]))
                raise ApiError(403, "insufficient_scope", f"This key lacks the `{route.meta['scope']}` scope.")
            allowed, states, wait = self.state.limiter.take(["instamapp"], key["id"])
            headers = self._rate_headers(states[0])
            if not allowed:
                headers["Retry-After"] = retry_after_header(wait)
                raise ApiError(429, "rate_limited", "Rate limit exceeded. Retry after the time in Retry-After.")
            body = await request.body()
            call = Call(request.method, params, request.query_params, body, key, invalid)
            status, payload = route.handler(call)
            return json_response(payload, status, headers)
        except ApiError as err:
            headers.update(err.headers)
            return envelope(err.status, err.code, err.message, headers)

    # -- items ------------------------------------------------------------------------------
    def _item_row(self, team: str, id_: str) -> sqlite3.Row:
        row = self.store.one("SELECT * FROM im_items WHERE id = ? AND team_id = ?", (id_, team))
        if row is None:
            raise not_found("No item with that id.")
        return row

    def list_items(self, call: Call) -> tuple[int, Any]:
        page, per_page = paging(call)
        team = call.principal["team_id"]
        status = call.query.get("status")
        where, args = "team_id = ?", [team]
        if status is not None:
            if status not in STATUSES:
                raise invalid("`status` must be one of: " + ", ".join(STATUSES) + ".")
            where += " AND status = ?"
            args.append(status)
        total = self.store.scalar(f"SELECT COUNT(*) FROM im_items WHERE {where}", tuple(args))
        rows = self.store.all(
            f"SELECT * FROM im_items WHERE {where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (*args, per_page, (page - 1) * per_page),
        )
        return 200, list_body([item_json(r) for r in rows], page, per_page, total)

    def get_item(self, call: Call) -> tuple[int, Any]:
        return 200, item_json(self._item_row(call.principal["team_id"], call.params["id"]))

    def _validate(self, team: str, body: dict[str, Any], creating: bool) -> dict[str, Any]:
        unknown = sorted(set(body) - set(ITEM_FIELDS))
        if unknown:
            raise invalid("Unknown or read-only field(s): " + ", ".join(unknown) + ".")
        out: dict[str, Any] = {}
        if creating:
            for required in ("collection_id", "name"):
                if required not in body:
                    raise invalid(f"`{required}` is required.")
        if "collection_id" in body:
            cid = body["collection_id"]
            if not isinstance(cid, str) or self.store.one(
                "SELECT 1 FROM im_collections WHERE id = ? AND team_id = ?", (cid, team)
            ) is None:
                raise invalid("`collection_id` must be the id of one of your collections.")
            out["collection_id"] = cid
        if "name" in body:
            name = body["name"]
            if not isinstance(name, str) or not 1 <= text_length(name.strip()) <= 200:
                raise invalid("`name` must be a string of 1-200 characters.")
            out["name"] = name.strip()
        if "status" in body:
            if body["status"] not in STATUSES:
                raise invalid("`status` must be one of: " + ", ".join(STATUSES) + ".")
            out["status"] = body["status"]
        if "condition" in body:
            cond = body["condition"]
            if cond is not None and cond not in CONDITIONS:
                raise invalid("`condition` must be null or one of: " + ", ".join(CONDITIONS) + ".")
            out["condition"] = cond
        if "estimated_value" in body:
            value = body["estimated_value"]
            if value is not None and (not is_number(value) or value < 0):
                raise invalid("`estimated_value` must be null or a number >= 0.")
            out["estimated_value"] = value if value is None else storable(value)
        if "currency" in body:
            cur = body["currency"]
            if not isinstance(cur, str) or not CURRENCY_RE.match(cur):
                raise invalid("`currency` must be a 3-letter ISO code such as USD.")
            out["currency"] = cur
        if "notes" in body:
            notes = body["notes"]
            if not isinstance(notes, str) or text_length(notes) > 2000:
                raise invalid("`notes` must be a string of at most 2000 characters.")
            out["notes"] = notes
        return out

    def create_item(self, call: Call) -> tuple[int, Any]:
        team = call.principal["team_id"]
        fields = self._validate(team, call.json_object(), creating=True)
        now = iso_seconds()
        status = fields.get("status", "keep")
        row = {
            "id": item_id(), "team_id": team, "collection_id": fields["collection_id"], "name": fields["name"],
            "status": status, "condition": fields.get("condition"),
            "estimated_value": fields.get("estimated_value"), "currency": fields.get("currency", "USD"),
            "notes": fields.get("notes", ""), "created_at": now, "updated_at": now,
            "listed_at": now if status in LISTED else None,
        }
        with self.store.transaction() as conn:
            count = conn.execute("SELECT COUNT(*) FROM im_items WHERE team_id = ?", (team,)).fetchone()[0]
            if count >= self.state.limits["item_limit"]:
                raise ApiError(403, "limit_reached", "Your plan's item limit is reached.")
            cols = ", ".join(row)
            conn.execute(f"INSERT INTO im_items ({cols}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))
        return 201, item_json(self._item_row(team, row["id"]))

    def update_item(self, call: Call) -> tuple[int, Any]:
        team = call.principal["team_id"]
        current = self._item_row(team, call.params["id"])
        fields = self._validate(team, call.json_object(), creating=False)
        if fields:
            fields["updated_at"] = iso_seconds()
            new_status = fields.get("status", current["status"])
            if new_status in LISTED and (current["status"] not in LISTED or new_status != current["status"]):
                fields["listed_at"] = fields["updated_at"]
            elif new_status not in LISTED:
                fields["listed_at"] = None
            sets = ", ".join(f"{k} = ?" for k in fields)
            with self.store.transaction() as conn:
                conn.execute(f"UPDATE im_items SET {sets} WHERE id = ?", (*fields.values(), current["id"]))
        return 200, item_json(self._item_row(team, current["id"]))

    # -- collections, listings, sales ------------------------------------------------------
    def list_collections(self, call: Call) -> tuple[int, Any]:
        page, per_page = paging(call)
        team = call.principal["team_id"]
        total = self.store.scalar("SELECT COUNT(*) FROM im_collections WHERE team_id = ?", (team,))
        rows = self.store.all(
            "SELECT c.*, (SELECT COUNT(*) FROM im_items i WHERE i.collection_id = c.id) AS item_count "
            "FROM im_collections c WHERE team_id = ? ORDER BY created_at, id LIMIT ? OFFSET ?",
            (team, per_page, (page - 1) * per_page),
        )
        data = [
            {"object": "collection", "id": r["id"], "name": r["name"], "description": r["description"],
             "item_count": r["item_count"], "created_at": r["created_at"]}
            for r in rows
        ]
        return 200, list_body(data, page, per_page, total)

    def list_listings(self, call: Call) -> tuple[int, Any]:
        page, per_page = paging(call)
        team = call.principal["team_id"]
        where = "team_id = ? AND status IN ('sell', 'trade')"
        total = self.store.scalar(f"SELECT COUNT(*) FROM im_items WHERE {where}", (team,))
        rows = self.store.all(
            f"SELECT * FROM im_items WHERE {where} ORDER BY COALESCE(listed_at, updated_at) DESC, id DESC "
            "LIMIT ? OFFSET ?",
            (team, per_page, (page - 1) * per_page),
        )
        return 200, list_body([listing_json(r) for r in rows], page, per_page, total)

    def sales_summary(self, call: Call) -> tuple[int, Any]:
        row = self.store.one("SELECT * FROM im_sales WHERE team_id = ?", (call.principal["team_id"],))
        if row is None:
            raise not_found("No sales summary for this team.")
        body: dict[str, Any] = {"object": "sales_summary", "currency": row["currency"]}
        for name in ("gross", "fees", "net_payout", "refunds", "disputes"):
            body[name] = round(float(row[name] or 0), 2)
        body.update(orders=int(row["orders"] or 0), period_start=row["period_start"], period_end=row["period_end"])
        return 200, body

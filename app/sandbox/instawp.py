"""InstaWP API v2 under /instawp/api/v2, as the document (seeds/003, 004) and docs/api-contract.md read it.

Every answer is ``{status, message, data?, meta?}``; messages follow ``X-localization`` (en, es).
Check order: token (401) → rate limit (429) → route (404) → body and parameters (400) → object (404).
A new site answers 202 and stays ``creating`` for ``instawp_create_seconds`` (scaled by the time
scale), or 201 and ``ready`` at once when that is 0.
"""

from __future__ import annotations

import math
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.core import instawp as doc
from app.sandbox.guard import MAX_REQUEST_BYTES, MIB
from app.sandbox.ratelimit import retry_after_header
from app.sandbox.routing import ApiApp, ApiError, Call, Problem, Router
from app.sandbox.seed_websites import site_url
from app.sandbox.state import SandboxState
from app.sandbox.util import json_response, query_int

PREFIX = "/instawp/api/v2"
SITE_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
TEXTS: dict[str, tuple[str, str]] = {  # key -> (English, Spanish)
    "unauthenticated": ("Unauthenticated.", "No autenticado."),
    "too_many": ("Too Many Attempts.", "Demasiados intentos."),
    "no_route": ("The API could not be found.", "No se encontró la API."),
    "sites": ("Sites retrieved successfully.", "Sitios obtenidos correctamente."),
    "site": ("Site retrieved successfully.", "Sitio obtenido correctamente."),
    "site_missing": ("Site not found.", "Sitio no encontrado."),
    "creating": ("Site is being created.", "El sitio se está creando."),
    "created": ("Site created successfully.", "Sitio creado correctamente."),
    "deleted": ("Site deleted successfully.", "Sitio eliminado correctamente."),
    "templates": ("Templates retrieved successfully.", "Plantillas obtenidas correctamente."),
    "template": ("Template retrieved successfully.", "Plantilla obtenida correctamente."),
    "template_missing": ("Template not found.", "Plantilla no encontrada."),
    "bad_json": ("The request body must be a JSON object (Content-Type: application/json).",
                 "El cuerpo de la solicitud debe ser un objeto JSON (Content-Type: application/json)."),
    "name_required": ("The site name field is required.", "El campo nombre del sitio es obligatorio."),
    "name_format": ("The site name may only contain lowercase letters, digits and hyphens (1-63).",
                    "El nombre del sitio solo puede contener minúsculas, dígitos y guiones (1-63)."),
    "name_taken": ("The site name has already been taken.", "El nombre del sitio ya está en uso."),
    "bad_type": ("The selected type is invalid.", "El tipo seleccionado no es válido."),
    "bad_page": ("The page and per_page parameters must be integers (per_page 1-100).",
                 "Los parámetros page y per_page deben ser enteros (per_page 1-100)."),
    "server_error": ("Server Error", "Error del servidor"),
    "too_large": (f"The request body is larger than {MAX_REQUEST_BYTES // MIB} MB.",
                  f"El cuerpo de la solicitud supera {MAX_REQUEST_BYTES // MIB} MB."),
}
PROBLEMS = {Problem.TOO_LARGE: (413, "too_large"), Problem.SERVER_ERROR: (500, "server_error"),
            Problem.UNAVAILABLE: (500, "server_error")}


def text(key: str, lang: str) -> str:
    english, spanish = TEXTS[key]
    return spanish if lang == "es" else english


def envelope(status: int, message: str, headers: dict[str, str] | None = None,
             errors: dict[str, list[str]] | None = None) -> Response:
    body: dict[str, Any] = {"status": False, "message": message}
    if errors:
        body["errors"] = errors
    return json_response(body, status, headers)


@dataclass(frozen=True)
class Reply:
    """A success: the message key, ``data`` and (for lists) ``meta``."""

    key: str
    data: Any
    meta: dict[str, int] | None = None


class Failure(ApiError):
    def __init__(self, status: int, key: str, field: str | None = None) -> None:
        super().__init__(status, key, key)
        self.key = key
        self.field = field


class InstaWPApi(ApiApp):
    prefix = PREFIX

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.store = state.store
        r = Router()
        r.add("GET", "/sites", self.list_sites)
        r.add("POST", "/sites", self.create_site)
        r.add("GET", "/sites/{id}", self.get_site)
        r.add("DELETE", "/sites/{id}", self.delete_site)
        r.add("GET", "/templates", self.list_templates)
        r.add("GET", "/templates/{id}", self.get_template)
        self.router = r

    # -- plumbing ---------------------------------------------------------------------------
    def problem(self, problem: Problem, request: Request) -> Response:
        status, key = PROBLEMS[problem]
        return envelope(status, text(key, doc.language_for(request.headers.get(doc.LOCALIZATION_HEADER))))

    async def handle(self, request: Request, path: str) -> Response:
        lang = doc.language_for(request.headers.get(doc.LOCALIZATION_HEADER))
        headers: dict[str, str] = {}
        try:
            token = self._authenticate(request)
            allowed, states, wait = self.state.limiter.take(["instawp"], token)
            headers = {"X-RateLimit-Limit": str(states[0].limit), "X-RateLimit-Remaining": str(states[0].remaining)}
            if not allowed:
                headers["Retry-After"] = retry_after_header(wait)
                raise Failure(429, "too_many")
            found = self.router.match(request.method, path)
            if found is None:
                raise Failure(404, "no_route")
            route, params = found
            call = Call(request.method, params, request.query_params, await request.body(), token,
                        lambda _: Failure(400, "bad_json"), extra={"lang": lang, "ctype": request.headers.get(
                            "content-type", "")})
            status, reply = route.handler(call)
            body: dict[str, Any] = {"status": True, "message": text(reply.key, lang), "data": reply.data}
            if reply.meta is not None:
                body["meta"] = reply.meta
            return json_response(body, status, headers)
        except Failure as err:
            errors = {err.field: [text(err.key, lang)]} if err.field else None
            return envelope(err.status, text(err.key, lang), headers, errors)

    def _authenticate(self, request: Request) -> str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or self.store.one(
                "SELECT 1 FROM wp_tokens WHERE secret = ?", (token,)) is None:
            raise Failure(401, "unauthenticated")
        return token

    @staticmethod
    def _paging(call: Call) -> tuple[int, int]:
        page = query_int(call.query.get("page", "1"))
        per_page = query_int(call.query.get("per_page", "20"))
        if page is None or per_page is None or page < 1 or not 1 <= per_page <= doc.PER_PAGE_MAX:
            raise Failure(400, "bad_page")
        return page, per_page

    @staticmethod
    def _meta(page: int, per_page: int, total: int) -> dict[str, int]:
        return {"current_page": page, "last_page": max(1, math.ceil(total / per_page)),
                "per_page": per_page, "total": total}

    def _site_json(self, row: sqlite3.Row) -> dict[str, Any]:
        ready = time.time() >= row["ready_at"]
        return {"id": row["id"], "name": row["name"], "url": row["url"], "type": row["type"],
                "status": "ready" if ready else "creating", "template_id": row["template_id"],
                "wp_version": row["wp_version"], "php_version": row["php_version"],
                "created_at": row["created_at"], "updated_at": row["updated_at"]}

    @staticmethod
    def _template_json(row: sqlite3.Row) -> dict[str, Any]:
        return {k: row[k] for k in ("id", "name", "slug", "description", "wp_version", "php_version",
                                    "created_at", "updated_at")}

    def _row(self, table: str, raw_id: str, missing: str) -> sqlite3.Row:
        number = query_int(raw_id)
        row = None if number is None else self.store.one(f"SELECT * FROM {table} WHERE id = ?", (number,))
        if row is None:
            raise Failure(404, missing)
        return row

    # -- sites ------------------------------------------------------------------------------
    def list_sites(self, call: Call) -> tuple[int, Reply]:
        page, per_page = self._paging(call)
        kind = call.query.get("type")
        where, args = "1 = 1", []
        if kind is not None:
            if kind not in doc.SITE_TYPES:
                raise Failure(400, "bad_type", "type")
            where, args = "type = ?", [kind]
        total = self.store.scalar(f"SELECT COUNT(*) FROM wp_sites WHERE {where}", tuple(args))
        rows = self.store.all(f"SELECT * FROM wp_sites WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
                              (*args, per_page, (page - 1) * per_page))
        return 200, Reply("sites", [self._site_json(r) for r in rows], self._meta(page, per_page, total))

    def get_site(self, call: Call) -> tuple[int, Reply]:
        return 200, Reply("site", self._site_json(self._row("wp_sites", call.params["id"], "site_missing")))

    def create_site(self, call: Call) -> tuple[int, Reply]:
        if "application/json" not in call.extra["ctype"].lower():
            raise Failure(400, "bad_json")
        body = call.json_object()
        name = body.get("site_name")
        if name is None or (isinstance(name, str) and not name.strip()):
            raise Failure(400, "name_required", "site_name")
        if not isinstance(name, str) or not SITE_NAME_RE.match(name):
            raise Failure(400, "name_format", "site_name")
        delay = self.state.limits["instawp_create_seconds"] / self.state.time_scale
        now = time.time()
        stamp = doc.format_output(datetime.fromtimestamp(now, UTC))
        with self.store.transaction() as conn:
            if conn.execute("SELECT 1 FROM wp_sites WHERE name = ?", (name,)).fetchone():
                raise Failure(400, "name_taken", "site_name")
            cur = conn.execute(
                "INSERT INTO wp_sites (name, url, type, template_id, wp_version, php_version, ready_at, created_at,"
                " updated_at) VALUES (?, ?, 'temporary', NULL, '6.6', '8.2', ?, ?, ?)",
                (name, site_url(name), now + delay, stamp, stamp))
            site_id = cur.lastrowid
        site = self._site_json(self._row("wp_sites", str(site_id), "site_missing"))
        return (202, Reply("creating", site)) if delay > 0 else (201, Reply("created", site))

    def delete_site(self, call: Call) -> tuple[int, Reply]:
        row = self._row("wp_sites", call.params["id"], "site_missing")
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM wp_sites WHERE id = ?", (row["id"],))
        return 200, Reply("deleted", None)

    # -- templates --------------------------------------------------------------------------
    def list_templates(self, call: Call) -> tuple[int, Reply]:
        page, per_page = self._paging(call)
        total = self.store.scalar("SELECT COUNT(*) FROM wp_templates")
        rows = self.store.all("SELECT * FROM wp_templates ORDER BY id LIMIT ? OFFSET ?",
                              (per_page, (page - 1) * per_page))
        return 200, Reply("templates", [self._template_json(r) for r in rows], self._meta(page, per_page, total))

    def get_template(self, call: Call) -> tuple[int, Reply]:
        row = self._row("wp_templates", call.params["id"], "template_missing")
        return 200, Reply("template", self._template_json(row))

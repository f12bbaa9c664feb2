"""The OpenAPI 3.1 descriptions of the Instabot Server API and InstaWP API v2 (see docs/api-contract.md)."""

from __future__ import annotations

from app.core import instabot as ib
from app.core import instawp as wp
from app.sandbox.openapi_schema import INT, STR, S, obj, op, path_param, query, ref

INSTAWP_OUTPUT_DT = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$",
                     "description": "UTC, yyyy-MM-dd HH:mm:ss.SSS"}
INSTAWP_INPUT_DT = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
                    "description": "UTC, yyyy-MM-dd HH:mm:ss (no milliseconds)"}


def _json(schema: S, description: str) -> S:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


# -- Instabot ----------------------------------------------------------------------------------

def instabot() -> S:
    error_statuses: dict[int, list[ib.StatusCode]] = {}
    for row in ib.STATUS_CODES:
        if row.code != ib.SUCCESS:
            for status in row.http:
                error_statuses.setdefault(status, []).append(row)
    schemas: S = {
        "AppInfo": obj({"version": STR, "applicationName": STR}, required=["version"], extra=True),
        "UserSession": obj({"userId": STR, "userName": STR, "email": STR, "createdAt": STR},
                           required=["userId"], extra=True),
        "Error": obj({"apiStatusCode": {"enum": list(ib.ERROR_CODES)}, "apiStatusMessage": STR},
                     required=["apiStatusCode"]),
    }
    for name in ("AppInfo", "UserSession"):
        schemas[f"{name}Answer"] = obj({"apiStatusCode": {"const": ib.SUCCESS}, "apiStatusMessage": STR,
                                        "data": ref(name)}, required=["apiStatusCode", "data"])

    def answers(name: str) -> S:
        out: S = {"200": _json(ref(f"{name}Answer"), "Success")}
        for status, rows in sorted(error_statuses.items()):
            text = "; ".join(f"{r.code}: {r.description}" for r in rows)
            out[str(status)] = _json(ref("Error"), text)
        return out

    paths: S = {
        "/": {"get": op("get_info", "The application's name and the API version (API key alone is enough).",
                        answers("AppInfo"))},
        "/usersession": {"get": op("get_user_session", "The signed-in user's session (user session key).",
                                   answers("UserSession"))},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Instabot Server API", "version": "v1",
                 "description": "Every request carries X-Instabot-Api-Key; Authorization adds the master key or "
                                "a user session. Answers are {apiStatusCode, apiStatusMessage?, data?}."},
        "servers": [{"url": ib.DEFAULT_BASE_URL}],
        "security": [{"apiKey": [], "masterKey": []}, {"apiKey": [], "userSession": []}, {"apiKey": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "apiKey": {"type": "apiKey", "in": "header", "name": ib.API_KEY_HEADER,
                       "description": "The application's API key, on every request."},
            "masterKey": {"type": "apiKey", "in": "header", "name": "Authorization",
                          "description": f"{ib.MASTER_SCHEME} {{MASTER_API_KEY}}: administrative access."},
            "userSession": {"type": "apiKey", "in": "header", "name": "Authorization",
                            "description": f"{ib.SESSION_SCHEME} {{USER_SESSION_KEY}}: a user's access."}}},
    }


# -- InstaWP -----------------------------------------------------------------------------------

def instawp() -> S:
    schemas: S = {
        "Site": obj({"id": INT, "name": STR, "url": {"type": "string", "format": "uri"},
                     "type": {"enum": list(wp.SITE_TYPES)}, "status": {"enum": list(wp.SITE_STATUSES)},
                     "template_id": {"type": ["integer", "null"]}, "wp_version": STR, "php_version": STR,
                     "created_at": INSTAWP_OUTPUT_DT, "updated_at": INSTAWP_OUTPUT_DT}, extra=True),
        "Template": obj({"id": INT, "name": STR, "slug": STR, "description": STR, "wp_version": STR,
                         "php_version": STR, "created_at": INSTAWP_OUTPUT_DT, "updated_at": INSTAWP_OUTPUT_DT},
                        extra=True),
        "Meta": obj({"current_page": {"type": "integer", "minimum": 1}, "last_page": {"type": "integer", "minimum": 1},
                     "per_page": {"type": "integer", "minimum": 1, "maximum": wp.PER_PAGE_MAX},
                     "total": {"type": "integer", "minimum": 0}}, extra=True),
        "SiteCreate": obj({"site_name": {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"}}),
        "InputDateTime": INSTAWP_INPUT_DT,
        "Error": obj({"status": {"const": False}, "message": STR,
                      "errors": {"type": "object", "additionalProperties": {"type": "array", "items": STR}}},
                     required=["status", "message"]),
        "Deleted": obj({"status": {"const": True}, "message": STR, "data": {"type": "null"}},
                       required=["status", "message"]),
    }
    for name in ("Site", "Template"):
        schemas[f"{name}Answer"] = obj({"status": {"const": True}, "message": STR, "data": ref(name)})
        schemas[f"{name}List"] = obj({"status": {"const": True}, "message": STR,
                                      "data": {"type": "array", "items": ref(name)}, "meta": ref("Meta")})

    def answers(ok: dict[str, str], *errors: int) -> S:
        out: S = {status: _json(ref(schema), wp.RESPONSE_CODES[int(status)]) for status, schema in ok.items()}
        for status in (401, 429, 500, *errors):
            out[str(status)] = _json(ref("Error"), wp.RESPONSE_CODES[status])
        return dict(sorted(out.items()))

    lang = {"name": wp.LOCALIZATION_HEADER, "in": "header", "required": False,
            "schema": {"enum": list(wp.LANGUAGES)}, "description": "Language of the answer's message (ISO 15897)."}
    paging = [query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page (1-based)."),
              query("per_page", {"type": "integer", "minimum": 1, "maximum": wp.PER_PAGE_MAX, "default": 20},
                    f"Results per page (1-{wp.PER_PAGE_MAX}).")]
    site_id, template_id = [lang, path_param("id")], [lang, path_param("id")]
    paths: S = {
        "/sites": {
            "get": op("list_sites", "List sites, optionally of one type (e.g. reserved).",
                      answers({"200": "SiteList"}, 400),
                      [lang, *paging, query("type", {"enum": list(wp.SITE_TYPES)}, "Only sites of this type.")]),
            "post": op("create_site", "Create a site; 202 while it is being created, 201 when ready at once.",
                       answers({"201": "SiteAnswer", "202": "SiteAnswer"}, 400), [lang], ref("SiteCreate")),
        },
        "/sites/{id}": {
            "get": op("get_site", "A site's details.", answers({"200": "SiteAnswer"}, 404), site_id),
            "delete": op("delete_site", "Delete a site.", answers({"200": "Deleted"}, 404), site_id),
        },
        "/templates": {"get": op("list_templates", "List templates.", answers({"200": "TemplateList"}, 400),
                                 [lang, *paging])},
        "/templates/{id}": {"get": op("get_template", "A template's details.", answers({"200": "TemplateAnswer"}, 404),
                                      template_id)},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "InstaWP API", "version": "v2",
                 "description": "Sites and templates. Answers are {status, message, data, meta}; dates are UTC, "
                                "yyyy-MM-dd HH:mm:ss going in and yyyy-MM-dd HH:mm:ss.SSS coming out."},
        "servers": [{"url": wp.DEFAULT_BASE_URL}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "An InstaWP API token."}}},
    }

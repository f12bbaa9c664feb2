"""Instabot Server API under /instabot/v1, as the document (seeds/001) defines it.

Check order (the document's example: a call without the keys is AccessDenied): no
X-Instabot-Api-Key → 403 AccessDenied; an unknown one → 400 ApiKeyInvalid; an Authorization
header with an unknown scheme or key → 401 AuthenticationFailed; an unknown path → 404
ObjectNotFound; then the call's own rules. For the codes no documented call produces, the
sandbox can be told to answer the next requests with any status code of the table
(``SandboxServer.force_instabot``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.core import instabot as doc
from app.sandbox.routing import PROBLEM_TEXT, ApiApp, ApiError, Call, Problem, Router
from app.sandbox.seed_websites import INSTABOT_APP
from app.sandbox.state import SandboxState
from app.sandbox.util import json_response

PREFIX = "/instabot/v1"
MESSAGES = {
    "AccessDenied": "User not authorized for this action.",
    "ApiKeyInvalid": "API Key is invalid.",
    "AuthenticationFailed": "Authentication information is incorrect.",
    "ObjectNotFound": "Object not found.",
    "BadRequest": "Operation is not available in this context.",
    "ObjectAlreadyExists": "An object with the same unique name or id already exists.",
    "BadParameterValue": "Some required parameters are omitted or incorrect.",
    "CustomDomainNameAlreadyUsed": "Custom domain name already used in the system.",
    "UnidentifiedError": "Unidentified system error occurred.",
}


# A body too large is a bad parameter sent with 413; the server's own failures are the table's 500.
PROBLEMS = {Problem.TOO_LARGE: (413, "BadParameterValue"), Problem.SERVER_ERROR: (500, "UnidentifiedError"),
            Problem.UNAVAILABLE: (500, "UnidentifiedError")}


def failure(code: str, message: str | None = None) -> ApiError:
    """The document's HTTP code for a status code, with its message."""
    return ApiError(doc.BY_CODE[code].http[0], code, message or MESSAGES[code])


def envelope(status: int, code: str, message: str) -> Response:
    return json_response({"apiStatusCode": code, "apiStatusMessage": message}, status)


def success(data: dict[str, Any] | None, status: int = 200) -> tuple[int, Any]:
    body: dict[str, Any] = {"apiStatusCode": doc.SUCCESS}
    if data is not None:
        body["data"] = data
    return status, body


class InstabotApi(ApiApp):
    prefix = PREFIX

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.store = state.store
        r = Router()
        r.add("GET", "/", self.get_info)
        r.add("GET", "/usersession", self.get_user_session)
        self.router = r

    def problem(self, problem: Problem, request: Request) -> Response:
        status, code = PROBLEMS[problem]
        return envelope(status, code, PROBLEM_TEXT[problem] if problem is Problem.TOO_LARGE else MESSAGES[code])

    def _principal(self, request: Request) -> dict[str, Any]:
        api_key = request.headers.get(doc.API_KEY_HEADER, "").strip()
        if not api_key:
            raise failure("AccessDenied")
        if self.store.one("SELECT 1 FROM ib_keys WHERE kind = 'api' AND secret = ?", (api_key,)) is None:
            raise failure("ApiKeyInvalid")
        header = request.headers.get("authorization", "").strip()
        if not header:
            return {"access": doc.ACCESS_API_KEY}
        scheme, _, key = header.partition(" ")
        kinds = {doc.MASTER_SCHEME.lower(): "master", doc.SESSION_SCHEME.lower(): "session"}
        kind = kinds.get(scheme.lower())
        row: sqlite3.Row | None = None
        if kind and key.strip():
            row = self.store.one("SELECT * FROM ib_keys WHERE kind = ? AND secret = ?", (kind, key.strip()))
        if row is None:
            raise failure("AuthenticationFailed")
        if kind == "master":
            return {"access": doc.ACCESS_MASTER_KEY}
        return {"access": doc.ACCESS_USER_SESSION, "user_id": row["user_id"], "created_at": row["created_at"]}

    async def handle(self, request: Request, path: str) -> Response:
        try:
            forced = self.state.instabot_forced.pop()
            if forced is not None:
                raise failure(forced)
            principal = self._principal(request)
            found = self.router.match(request.method, path)
            if found is None:
                raise failure("ObjectNotFound", f"No call {request.method} {path}.")
            route, params = found
            call = Call(request.method, params, request.query_params, await request.body(), principal,
                        lambda text: failure("BadParameterValue", text))
            status, payload = route.handler(call)
            return json_response(payload, status)
        except ApiError as err:
            return envelope(err.status, err.code, err.message)

    def get_info(self, call: Call) -> tuple[int, Any]:
        return success(dict(INSTABOT_APP))

    def get_user_session(self, call: Call) -> tuple[int, Any]:
        access = call.principal["access"]
        if access == doc.ACCESS_MASTER_KEY:
            raise failure("BadRequest", "There is no user session: the request uses the master API key.")
        if access != doc.ACCESS_USER_SESSION:
            raise failure("AccessDenied")
        user = self.store.one("SELECT * FROM ib_users WHERE id = ?", (call.principal["user_id"],))
        if user is None:
            raise failure("ObjectNotFound", "The session's user no longer exists.")
        return success({"userId": user["id"], "userName": user["name"], "email": user["email"],
                        "createdAt": call.principal["created_at"]})

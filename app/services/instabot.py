"""Instabot Server API: typed calls over ServiceHttp.

Every request carries ``X-Instabot-Api-Key``; ``Authorization`` carries either the master key
(``X-Instabot-Master-Api-Key {key}``, administrative access) or a user session key
(``X-Instabot-User-Session {key}``), or nothing (API key only: a limited set of calls).
Answers are ``{apiStatusCode, apiStatusMessage?, data?}``; every status code of the document's
table becomes one of Cabinet's typed errors. The document names two calls, so there are two
methods (named like the OpenAPI operationIds); more calls are one method each.
"""

from __future__ import annotations

from typing import Any

from app.core import instabot as doc
from app.core.errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RequestValidationError,
    ServerError,
)
from app.core.registry import instabot as instabot_registry
from app.services.client_base import ApiClient
from app.services.http import ErrorEnvelope, HttpAnswer, SecretHeader, error_class, unexpected

SERVICE = instabot_registry.SERVICE.name
CONNECTION = instabot_registry.CONNECTION.name  # the registry's resource of what the calls return
DEFAULT_BASE_URL = doc.DEFAULT_BASE_URL

# Each status code of the document's table, as one of Cabinet's typed errors.
ERROR_TYPES: dict[str, type[ApiError]] = {
    "AuthenticationFailed": AuthenticationError,
    "AccessDenied": PermissionDeniedError,
    "ObjectNotFound": NotFoundError,
    "BadRequest": RequestValidationError,
    "ObjectAlreadyExists": ConflictError,
    "BadParameterValue": RequestValidationError,
    "ApiKeyInvalid": AuthenticationError,
    "CustomDomainNameAlreadyUsed": ConflictError,
    "UnidentifiedError": ServerError,
}


def read_envelope(body: Any) -> ErrorEnvelope | None:
    """The ``apiStatusCode``/``apiStatusMessage`` of an answer, or None when it has none."""
    if not isinstance(body, dict) or not isinstance(body.get("apiStatusCode"), str):
        return None
    message = body.get("apiStatusMessage")
    return ErrorEnvelope(body["apiStatusCode"], message if isinstance(message, str) else "")


def classify(status: int, code: str | None) -> type[ApiError]:
    """The typed error of an Instabot status code; an unknown code is judged by its HTTP status."""
    return ERROR_TYPES.get(code or "", error_class(status, None))


def access_level(master_key: str | None, session_key: str | None) -> str:
    """Which access the keys ask for: master key, user session, or the API key alone."""
    if master_key and master_key.strip():
        return doc.ACCESS_MASTER_KEY
    if session_key and session_key.strip():
        return doc.ACCESS_USER_SESSION
    return doc.ACCESS_API_KEY


class InstabotClient(ApiClient):
    """Async Instabot client. Use ``async with`` or call ``aclose()``.

    Give at most one of ``master_key`` and ``session_key`` (the master key wins if both are set).
    """

    service = SERVICE

    def __init__(self, base_url: str, api_key: str | None, *, master_key: str | None = None,
                 session_key: str | None = None, **http_kwargs: Any) -> None:
        self.access = access_level(master_key, session_key)
        secrets = [SecretHeader(doc.API_KEY_HEADER, "", api_key)]
        if self.access == doc.ACCESS_MASTER_KEY:
            secrets.append(SecretHeader("Authorization", doc.MASTER_SCHEME + " ", master_key))
        elif self.access == doc.ACCESS_USER_SESSION:
            secrets.append(SecretHeader("Authorization", doc.SESSION_SCHEME + " ", session_key))
        super().__init__(base_url, api_key, secrets=secrets, read_error=read_envelope, classify=classify,
                         **http_kwargs)

    def _data(self, answer: HttpAnswer) -> dict[str, Any]:
        """The ``data`` of a Success answer; a 2xx with another status code is that code's error."""
        body = answer.body
        read = read_envelope(body)
        if read is None:
            raise unexpected(SERVICE, "the answer has no apiStatusCode", answer.status)
        if read.code != doc.SUCCESS:
            status = doc.BY_CODE[read.code].http[0] if read.code in doc.BY_CODE else answer.status
            raise classify(status, read.code)(SERVICE, status, read.code, self.http.scrub(read.message))
        data = body.get("data")
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise unexpected(SERVICE, "expected an object in 'data'", answer.status)
        return data

    async def _get(self, path: str) -> dict[str, Any]:
        return self._data(await self.http.request_answer("GET", path))

    async def get_info(self) -> dict[str, Any]:
        """``GET /``: the application's name (``applicationName``) and the API ``version``."""
        return await self._get("/")

    async def get_user_session(self) -> dict[str, Any]:
        """``GET /usersession``: the signed-in user's session (needs a user session key)."""
        return await self._get("/usersession")

    # -- reads by resource name (the registry's Instabot resource) ----------------------------
    async def read_one(self, resource: str, key: str) -> dict[str, Any]:
        if resource == CONNECTION:
            return await self._connection()
        return await super().read_one(resource, key)

    async def _connection(self) -> dict[str, Any]:
        """What the documented calls say of this connection, as one record: the application and
        API version (``GET /``), the access level, and with a user session whose it is."""
        record: dict[str, Any] = {"id": "current", **await self.get_info(), "access": self.access}
        if self.access == doc.ACCESS_USER_SESSION:
            session = await self.get_user_session()
            record.update({k: session[k] for k in ("userId", "userName", "email", "createdAt") if k in session})
        return record

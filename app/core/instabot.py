"""Facts of the Instabot Server API document (seeds/001): its status-code table and auth headers.

The adapter, the sandbox and the OpenAPI generator all read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_BASE_URL = "https://api.instabot.io/v1"  # the document's; the registry's Service reads it here
API_KEY_HEADER = "X-Instabot-Api-Key"
MASTER_SCHEME = "X-Instabot-Master-Api-Key"
SESSION_SCHEME = "X-Instabot-User-Session"
SUCCESS = "Success"


@dataclass(frozen=True)
class StatusCode:
    code: str
    http: tuple[int, ...]  # the document's HTTP code(s); the first is the one the sandbox sends
    description: str


# The document's table "List of API status codes", row by row.
STATUS_CODES: tuple[StatusCode, ...] = (
    StatusCode("Success", (200, 201), "Operation completed successfully"),
    StatusCode("AuthenticationFailed", (401,), "Authentication information not provided, or is incorrect"),
    StatusCode("AccessDenied", (403,), "Operation was denied because of insufficient access rights"),
    StatusCode("ObjectNotFound", (404,), "Object not found"),
    StatusCode("BadRequest", (400,), "Attempt to execute operation in an invalid context"),
    StatusCode("ObjectAlreadyExists", (400,), "Attempt to create object with the same unique name or id"),
    StatusCode("BadParameterValue", (400,), "Some required parameters are omitted in request, or incorrect"),
    StatusCode("ApiKeyInvalid", (400,), "API Key provided within the request was not recognized as valid"),
    StatusCode("CustomDomainNameAlreadyUsed", (400,), "Custom domain name already used in the system"),
    StatusCode("UnidentifiedError", (500,), "Unidentified system error occurred"),
)
BY_CODE: dict[str, StatusCode] = {s.code: s for s in STATUS_CODES}
ERROR_CODES: tuple[str, ...] = tuple(s.code for s in STATUS_CODES if s.code != SUCCESS)

# Which access the keys give (the document's "Authentication" table).
ACCESS_API_KEY = "api_key"
ACCESS_USER_SESSION = "user_session"
ACCESS_MASTER_KEY = "master_key"
ACCESS_LEVELS: tuple[str, ...] = (ACCESS_API_KEY, ACCESS_USER_SESSION, ACCESS_MASTER_KEY)

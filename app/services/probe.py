"""'Test connection': what a key may do, found without changing anything. No Qt.

The probes test the values they are given (what a person typed), never the saved ones.

- InstaMapp has no "who am I" endpoint. Each read scope is found by a one-row read of the
  endpoint that needs it (200 → granted, 403 → not). ``items:write`` is found by
  ``POST /items`` with an empty JSON body: the API checks the scope (403) before it
  validates the body (400 ``invalid_request``), so nothing is ever created.
- Mapiry: any valid key of a Pro account may ``GET /keys``; the key's own entry (matched
  by its prefix, the first 16 characters) gives its scope, name and expiry.

A :class:`ProbeResult` never holds the key, and its texts never repeat it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from app.core.errors import (
    ApiError,
    AuthenticationError,
    CabinetError,
    LimitReachedError,
    NotFoundError,
    OfflineError,
    PermissionDeniedError,
    ProRequiredError,
    RateLimitedError,
    RequestValidationError,
    ResponseFormatError,
)
from app.core.registry import SERVICES, service_title
from app.core.registry import instamapp as instamapp_registry
from app.services.http import ServiceHttp
from app.services.mapiry import KEY_LIST_NAMES
from app.services.shapes import unwrap_list

INSTAMAPP_SCOPES = instamapp_registry.SCOPES
KEY_PREFIX_LENGTH = 16
DEFAULT_TIMEOUT = 15.0



class ProbeError(CabinetError):
    """A connection test that failed for a reason Cabinet explains itself."""

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self._message = message
        self.request_id = request_id

    def user_message(self) -> str:
        return self._message

    def __str__(self) -> str:
        return self._message


@dataclass
class ProbeResult:
    ok: bool
    service: str
    summary: str
    scopes: list[str] = field(default_factory=list)  # InstaMapp: the scopes the key holds
    access: str | None = None  # Mapiry: "READ_ONLY" | "READ_WRITE"
    pro: bool | None = None  # Mapiry: the account has Pro (None: unknown)
    error: CabinetError | None = None
    request_id: str | None = None
    key_name: str | None = None  # Mapiry: the key's name in Account Settings
    expires_at: str | None = None  # Mapiry: ISO 8601, None when the key never expires

    def __repr__(self) -> str:  # the default repr would be fine too; this one stays short
        return f"ProbeResult(ok={self.ok}, service={self.service!r}, summary={self.summary!r})"


# ---------------------------------------------------------------- helpers


def _host_of(base_url: str) -> str:
    parts = urlsplit(base_url.strip())
    host = parts.hostname or base_url.strip()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def _check_inputs(service: str, base_url: str, api_key: str) -> ProbeError | None:
    name = service_title(service)
    if not api_key or not api_key.strip():
        return ProbeError(f"Enter the {name} API key to test the connection.")
    if any(ch.isspace() for ch in api_key.strip()):
        return ProbeError(f"The {name} API key contains spaces: paste the key exactly as {name} showed it.")
    parts = urlsplit(base_url.strip())
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return ProbeError(f"“{base_url}” is not a valid address: check the base URL.")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ProbeError(
            f"“{base_url}” is not a web address: the base URL starts with https:// "
            f"(for example {_example_url(service)})."
        )
    return None


def _example_url(service: str) -> str:
    return SERVICES[service].base_url


def _redact(text: str, api_key: str) -> str:
    key = api_key.strip()
    return text.replace(key, "•••") if key and len(key) >= 4 else text


def _request_id(exc: CabinetError) -> str | None:
    """The request id an error carries (an answer's, already cleaned by the HTTP layer), if any."""
    if isinstance(exc, ApiError | ProbeError):
        return exc.request_id or None
    return None


def _failure(
    service: str, base_url: str, api_key: str, exc: CabinetError, *, pro: bool | None = None,
    last_request_id: str | None = None,
) -> ProbeResult:
    """A failed result whose summary says what happened and what to do, with the request id of
    the answer it failed on (the error's own, else ``last_request_id``: the latest answer's)."""
    name = service_title(service)
    if isinstance(exc, OfflineError):
        summary = f"Could not reach {_host_of(base_url)}: check the address and your connection."
    elif isinstance(exc, AuthenticationError):
        summary = _auth_message(service, exc)
    elif isinstance(exc, ProRequiredError):
        summary = (
            "The key is valid, but this Mapiry account has no Pro subscription: "
            "the Mapiry API is a Pro feature."
        )
        pro = False
    elif isinstance(exc, RateLimitedError):
        wait = exc.retry_after
        when = f"in {int(wait + 0.999)} s" if wait is not None and wait > 0 else "in a moment"
        summary = f"{name} is limiting requests for this key: try again {when}."
    elif isinstance(exc, NotFoundError | ResponseFormatError):
        summary = (
            f"{_host_of(base_url)} answered, but not as the {name} API does: check the base URL "
            f"(for example {_example_url(service)})."
        )
    elif isinstance(exc, ProbeError):
        summary = exc.user_message()
    else:
        try:
            summary = exc.user_message()
        except Exception:  # noqa: BLE001 - a broken message must not hide the failure
            summary = f"The {name} connection test failed."
    rid = _request_id(exc) or last_request_id
    if rid and rid not in summary:
        summary = f"{summary} Request id: {rid}."
    return ProbeResult(
        ok=False,
        service=service,
        summary=_redact(summary, api_key),
        pro=pro,
        error=exc,
        request_id=rid,
    )


def _auth_message(service: str, exc: AuthenticationError) -> str:
    code = (exc.code or "").upper()
    if service == "mapiry":
        if code == "API_KEY_EXPIRED":
            return (
                "This Mapiry API key has expired: create a new key in Mapiry's Account Settings → API Keys."
            )
        return (
            "Mapiry does not accept this API key (it is unknown or has been revoked): "
            "check it, or create a new key in Account Settings → API Keys."
        )
    return (
        "InstaMapp does not accept this API key (it is mistyped, revoked or expired): "
        "check it, or create a new key in your Business team settings → API keys."
    )


def _http(service: str, base_url: str, api_key: str, http_kwargs: dict[str, Any]) -> ServiceHttp:
    kwargs = dict(http_kwargs)
    kwargs.setdefault("deadline", DEFAULT_TIMEOUT)
    kwargs.setdefault("max_retries", 0)  # a test answers now; it does not wait out a rate limit
    return ServiceHttp(service, base_url.strip().rstrip("/"), api_key.strip(), **kwargs)


def _wrap_unexpected(service: str, exc: Exception) -> CabinetError:
    if isinstance(exc, CabinetError):
        return exc
    name = service_title(service)
    return ProbeError(f"The {name} connection test failed unexpectedly ({type(exc).__name__}).")


# ---------------------------------------------------------------- InstaMapp


async def probe_instamapp(base_url: str, api_key: str, **http_kwargs: Any) -> ProbeResult:
    """Which scopes ``api_key`` holds at ``base_url``; never raises, never creates anything."""
    bad = _check_inputs("instamapp", base_url, api_key)
    if bad is not None:
        return _failure("instamapp", base_url, api_key, bad)
    try:
        http = _http("instamapp", base_url, api_key, http_kwargs)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a result
        return _failure("instamapp", base_url, api_key, _wrap_unexpected("instamapp", exc))
    async with http:
        try:
            return await _probe_instamapp(http, base_url, api_key)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a result
            return _failure("instamapp", base_url, api_key, _wrap_unexpected("instamapp", exc),
                            last_request_id=http.last_request_id)


async def _scope_check(call: Callable[[], Awaitable[Any]]) -> bool:
    """True when the call is allowed, False on a 403 for scope; other errors propagate."""
    try:
        await call()
    except LimitReachedError:
        return True  # only checked after the scope: the key may write
    except RequestValidationError:
        return True  # the body was refused, so the scope check passed
    except PermissionDeniedError:
        return False
    return True


async def _probe_instamapp(http: ServiceHttp, base_url: str, api_key: str) -> ProbeResult:
    page = {"page": 1, "per_page": 1}
    checks: dict[str, Callable[[], Awaitable[Any]]] = {
        "items:read": lambda: http.request("GET", "/items", params=page),
        "items:write": lambda: http.request("POST", "/items", json={}, idempotent=False),
        "collections:read": lambda: http.request("GET", "/collections", params=page),
        "marketplace:read": lambda: http.request("GET", "/marketplace/listings", params=page),
        "analytics:read": lambda: http.request("GET", "/sales/summary"),
    }
    # The first call alone: a wrong key, address or network stops the test at once.
    first = await _scope_check(checks["items:read"])
    rest = await asyncio.gather(
        *(_scope_check(checks[s]) for s in INSTAMAPP_SCOPES if s != "items:read"),
        return_exceptions=True,
    )
    granted = {"items:read": first}
    for scope, outcome in zip((s for s in INSTAMAPP_SCOPES if s != "items:read"), rest, strict=True):
        if isinstance(outcome, BaseException):
            raise outcome
        granted[scope] = outcome
    scopes = [s for s in INSTAMAPP_SCOPES if granted[s]]
    if scopes:
        summary = "Connected — scopes: " + ", ".join(scopes)
    else:
        summary = "Connected, but this key has no scopes: it can neither read nor change anything."
    return ProbeResult(
        ok=True,
        service="instamapp",
        summary=_redact(summary, api_key),
        scopes=scopes,
        request_id=http.last_request_id,
    )


# ---------------------------------------------------------------- Mapiry


async def probe_mapiry(base_url: str, api_key: str, **http_kwargs: Any) -> ProbeResult:
    """The access (READ_ONLY/READ_WRITE), name and expiry of ``api_key``, and whether the account has Pro."""
    bad = _check_inputs("mapiry", base_url, api_key)
    if bad is not None:
        return _failure("mapiry", base_url, api_key, bad)
    try:
        http = _http("mapiry", base_url, api_key, http_kwargs)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a result
        return _failure("mapiry", base_url, api_key, _wrap_unexpected("mapiry", exc))
    async with http:
        try:
            body = await http.request("GET", "/keys", bucket="general")
        except Exception as exc:  # noqa: BLE001 - every failure becomes a result
            return _failure("mapiry", base_url, api_key, _wrap_unexpected("mapiry", exc),
                            last_request_id=http.last_request_id)
        rid = http.last_request_id
    try:
        keys, _ = unwrap_list("mapiry", body, KEY_LIST_NAMES, "API key")
    except ResponseFormatError:
        exc = ProbeError(
            f"{_host_of(base_url)} answered, but not as the Mapiry API does: check the base URL "
            f"(for example {_example_url('mapiry')}).",
            request_id=rid,
        )
        return _failure("mapiry", base_url, api_key, exc)
    own = _own_key(keys, api_key.strip())
    result = ProbeResult(ok=True, service="mapiry", summary="", pro=True, request_id=rid)
    if own is None:
        result.summary = "Connected — Pro subscription active; the key's access could not be determined."
        return result
    scope = own.get("scope")
    result.access = scope if scope in ("READ_ONLY", "READ_WRITE") else None
    result.key_name = str(own.get("name") or "") or None
    result.expires_at = own.get("expiresAt") or None
    parts = [f"access: {result.access or 'unknown'}"]
    if result.key_name:
        parts.append(f"key “{result.key_name}”")
    parts.append("Pro")
    parts.append(f"expires {local_date(result.expires_at)}" if result.expires_at else "never expires")
    result.summary = _redact("Connected — " + ", ".join(parts), api_key)
    return result


def _own_key(keys: list[Any], api_key: str) -> dict[str, Any] | None:
    prefix = api_key[:KEY_PREFIX_LENGTH]
    matches = [
        k for k in keys if isinstance(k, dict) and k.get("prefix") == prefix and not k.get("revokedAt")
    ]
    return matches[0] if len(matches) == 1 else None


def local_date(iso: str) -> str:
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if when.tzinfo is not None:
        when = when.astimezone()
    return when.strftime("%Y-%m-%d")


async def probe(service: str, base_url: str, api_key: str, **http_kwargs: Any) -> ProbeResult:
    """``probe_instamapp`` or ``probe_mapiry`` by service name."""
    if service == "instamapp":
        return await probe_instamapp(base_url, api_key, **http_kwargs)
    if service == "mapiry":
        return await probe_mapiry(base_url, api_key, **http_kwargs)
    raise ValueError(f"unknown service {service!r}")


__all__ = [
    "INSTAMAPP_SCOPES",
    "ProbeError",
    "ProbeResult",
    "local_date",
    "probe",
    "probe_instamapp",
    "probe_mapiry",
]

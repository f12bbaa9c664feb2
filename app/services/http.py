"""The one HTTP path of Cabinet: one ``httpx.AsyncClient`` per service.

It adds the bearer key, checks the base URL (https, or http on loopback only), turns error
envelopes and unreadable answers into typed errors, records rate-limit headers, and retries
what is safe to retry:

* a connect failure (the request never arrived): any method, then ``OfflineError``;
* a 429 (nothing was done): any method, after ``Retry-After`` however long;
* timeouts, broken answers and 502/503/504: idempotent requests only (GET/HEAD/PUT/DELETE).
  A non-idempotent request (POST, PATCH) that went out without an answer is never resent:
  it raises ``OutcomeUnknownError``.

Waits are ``asyncio.sleep`` (cancellable) and ``on_wait(seconds, reason)`` hears of each one
first. The key is kept out of reprs, logs and every exception text.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json as jsonlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from app.core.errors import (
    ApiError,
    ApiKeyFormatError,
    AuthenticationError,
    CabinetError,
    ConflictError,
    InsecureUrlError,
    InvalidInputError,
    LimitReachedError,
    NetworkError,
    NotFoundError,
    OfflineError,
    OutcomeUnknownError,
    PermissionDeniedError,
    ProRequiredError,
    RateLimitedError,
    RequestValidationError,
    ResponseFormatError,
    ServerError,
    ServerErrorPage,
    service_name,
)
from app.services.diagnostics import remember_secret
from app.services.ratelimit import RateLimitTracker, parse_rate_limit_headers, parse_retry_after

log = logging.getLogger("cabinet.http")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({502, 503, 504})
USER_AGENT = "Cabinet/0.1 (+httpx)"
_KEY_RE = re.compile(r"^[\x21-\x7e]+$")  # visible ASCII, no spaces
_BEARER_RE = re.compile(r"(?i)(bearer\s+)[^\s'\"]+")

OnWait = Callable[[float, str], None]


class SecretHeader(NamedTuple):
    """One header that carries a secret: ``header: prefix + key`` (the key alone is checked and scrubbed)."""

    header: str
    prefix: str
    key: str | None


@dataclass(frozen=True)
class ErrorEnvelope:
    """What a service's error body says, whatever its shape."""

    code: str | None
    message: str
    details: list[dict[str, Any]] = field(default_factory=list)


class HttpAnswer(NamedTuple):
    """A success: its HTTP status and parsed body (None for an empty one)."""

    status: int
    body: Any


ErrorReader = Callable[[Any], ErrorEnvelope | None]
ErrorClassifier = Callable[[int, str | None], type[ApiError]]


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """The normalised base URL, or InsecureUrlError (a ValueError) if it may not carry a key."""
    text = (url or "").strip()
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise InsecureUrlError(text, "it is not a valid address") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InsecureUrlError(text, "it must start with https://")
    if parsed.userinfo:
        raise InsecureUrlError(parsed.copy_with(username=None, password=None).__str__(),
                               "it must not contain a user name or password")
    if parsed.scheme == "http" and not is_loopback_host(parsed.host):
        raise InsecureUrlError(text)
    return str(parsed.copy_with(query=None, fragment=None)).rstrip("/")


def _check_key(service: str, api_key: str | None) -> str | None:
    if api_key is None:
        return None
    key = api_key.strip()
    if not key:
        return None
    if not _KEY_RE.match(key):
        raise ApiKeyFormatError(service)
    return key


def error_class(status: int, code: str | None) -> type[ApiError]:
    """The typed error for an HTTP status (and, for a 403, the InstaMapp/Mapiry code)."""
    c = (code or "").lower()
    if status in (400, 422):
        return RequestValidationError
    if status == 401:
        return AuthenticationError
    if status == 403:
        if c == "limit_reached":
            return LimitReachedError
        if c == "pro_subscription_required":
            return ProRequiredError
        return PermissionDeniedError
    if status == 404:
        return NotFoundError
    if status == 409:
        return ConflictError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    return ApiError


def _describe_body(content: bytes, content_type: str) -> str:
    head = content[:512].lstrip().lower()
    if "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<")):
        return "an HTML page instead of JSON"
    if not content.strip():
        return "an empty answer"
    return "an answer that is not JSON"


class ServiceHttp:
    """One service's HTTP client. ``request`` returns the parsed JSON body.

    The key goes out as ``Authorization: Bearer`` unless ``secrets`` name other headers;
    ``read_error``/``classify`` read a service's own error envelope (default: ``{"error": {...}}``).
    """

    def __init__(
        self,
        service: str,
        base_url: str,
        api_key: str | None,
        *,
        secrets: Sequence[SecretHeader] | None = None,
        headers: Mapping[str, str] | None = None,
        read_error: ErrorReader | None = None,
        classify: ErrorClassifier | None = None,
        deadline: float = 30.0,
        connect_timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retries: int = 4,
        on_wait: OnWait | None = None,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        self.service = service
        self.base_url = check_base_url(base_url)
        if secrets is None:
            secrets = [SecretHeader("Authorization", "Bearer ", api_key)]
        checked = [(h.header, h.prefix, _check_key(service, h.key)) for h in secrets]
        self._secrets = [key for _, _, key in checked if key]
        for key in self._secrets:
            remember_secret(key)  # never in a log line from here on
        self._read_error = read_error
        self._classify = classify or error_class
        self.deadline = float(deadline)  # a request has ended by then (answered, failed or given up)
        self.max_retries = max(0, int(max_retries))
        self.on_wait = on_wait
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.rate_limits = RateLimitTracker()
        # base·2^(n-1) seconds, capped, plus up to `base` of jitter
        self._backoff = wait_exponential(multiplier=backoff_base, max=backoff_max) + wait_random(0, backoff_base)
        sent = {"Accept": "application/json", "User-Agent": USER_AGENT, **dict(headers or {})}
        for header, prefix, key in checked:
            if key:
                sent[header] = prefix + key
        self._client = httpx.AsyncClient(
            base_url=self.base_url + "/",
            headers=sent,
            timeout=httpx.Timeout(self.deadline, connect=min(connect_timeout, self.deadline)),
            transport=transport,
            follow_redirects=False,
        )

    # -- life cycle ---------------------------------------------------------------------
    @property
    def has_key(self) -> bool:
        return bool(self._secrets)

    def key_prefix(self, length: int) -> str | None:
        """The first ``length`` characters of the key — what an API lists its keys by — or None."""
        return self._secrets[0][:length] if self._secrets else None

    @property
    def is_closed(self) -> bool:
        return self._client.is_closed

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> ServiceHttp:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return (f"ServiceHttp(service={self.service!r}, base_url={self.base_url!r}, "
                f"key={'set' if self._secrets else 'none'})")

    __str__ = __repr__

    def __reduce__(self) -> Any:  # never pickle a key along
        raise TypeError("ServiceHttp cannot be pickled")

    # -- redaction ----------------------------------------------------------------------
    def scrub(self, text: str) -> str:
        """``text`` with the keys (and any bearer token) replaced."""
        for key in self._secrets:
            if key in text:
                text = text.replace(key, "[redacted]")
        return _BEARER_RE.sub(r"\1[redacted]", text)

    def _reason(self, exc: BaseException) -> str:
        text = str(exc).strip() or type(exc).__name__
        return self.scrub(f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text)[:300]

    # -- requests -----------------------------------------------------------------------
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        bucket: str = "default",
        idempotent: bool | None = None,
        on_wait: OnWait | None = None,
    ) -> Any:
        """Send one request (retrying what is safe) and return the parsed JSON body."""
        answer = await self.request_answer(method, path, params=params, json=json, bucket=bucket,
                                           idempotent=idempotent, on_wait=on_wait)
        return answer.body

    async def request_answer(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        bucket: str = "default",
        idempotent: bool | None = None,
        on_wait: OnWait | None = None,
    ) -> HttpAnswer:
        """Like ``request``, but also says which success status came back (201 vs 202)."""
        method = method.upper()
        idem = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_retries + 1),
            retry=retry_if_exception(partial(self._retryable, idem)),
            wait=partial(self._wait_for, bucket),
            sleep=asyncio.sleep,
            before_sleep=partial(self._before_sleep, on_wait or self.on_wait),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send_once(method, path, params, json, bucket, idem)
        raise AssertionError("unreachable")  # pragma: no cover

    def _retryable(self, idempotent: bool, exc: BaseException) -> bool:
        if isinstance(exc, RateLimitedError | OfflineError):
            return True
        if isinstance(exc, OutcomeUnknownError):
            return False
        if isinstance(exc, NetworkError):
            return idempotent
        if isinstance(exc, ServerError) and exc.status in RETRY_STATUSES:
            return idempotent
        return False

    def _wait_for(self, bucket: str, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, ApiError) and exc.retry_after is not None:
            return max(0.0, exc.retry_after)
        if isinstance(exc, RateLimitedError):
            known = self.rate_limits.wait_time(bucket)
            if known > 0:
                return known
        return float(self._backoff(state))

    def _before_sleep(self, on_wait: OnWait | None, state: RetryCallState) -> None:
        seconds = float(state.upcoming_sleep or 0.0)
        exc = state.outcome.exception() if state.outcome else None
        name = service_name(self.service)
        if isinstance(exc, RateLimitedError):
            reason = f"{name} is limiting requests"
        elif isinstance(exc, ServerError):
            reason = f"{name} had a server error ({exc.status})"
        elif isinstance(exc, OfflineError):
            reason = f"{name} cannot be reached"
        else:
            reason = f"{name} did not answer"
        log.info("%s: waiting %.1f s before retry %d (%s)", self.service, seconds, state.attempt_number, reason)
        if on_wait is not None:
            try:
                on_wait(seconds, reason)
            except Exception:  # a broken progress display must not break the request
                log.exception("on_wait callback failed")

    async def _send_once(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any, bucket: str, idem: bool
    ) -> HttpAnswer:
        try:
            request = self._client.build_request(
                method, path.lstrip("/"), params=dict(params) if params else None, json=body
            )
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(self.scrub(f"Cannot send this request: {exc}")) from None
        try:
            response = await self._client.send(request, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError) as exc:
            raise OfflineError(self.service, self._reason(exc), method=method) from None
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            if idem:
                raise NetworkError(self.service, self._reason(exc), method=method) from None
            raise OutcomeUnknownError(self.service, self._reason(exc), method=method) from None
        except httpx.HTTPError as exc:
            raise NetworkError(self.service, self._reason(exc), method=method) from None
        try:
            try:
                content = await response.aread()
            finally:
                await response.aclose()
        except httpx.DecodingError as exc:
            self._record(response, bucket)
            raise ResponseFormatError(self.service, response.status_code, "bad_encoding",
                                      self._reason(exc), response.headers.get("x-request-id")) from None
        except httpx.HTTPError:
            self._record(response, bucket)
            status = response.status_code
            rid = response.headers.get("x-request-id")
            if 200 <= status < 300:
                if idem:
                    raise NetworkError(self.service, "the answer was cut off", method=method) from None
                # The write was accepted (2xx) but its result is lost: same remedy as no answer.
                raise OutcomeUnknownError(
                    self.service, f"the {status} answer was cut off", method=method) from None
            raise self._error_for(response, b"", rid) from None
        self._record(response, bucket)
        return HttpAnswer(response.status_code, self._handle(response, content))

    def _record(self, response: httpx.Response, bucket: str) -> None:
        state = parse_rate_limit_headers(response.headers)
        if state is not None:
            self.rate_limits.update(bucket, state)
        if response.status_code == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if retry_after is not None:
                self.rate_limits.block(bucket, retry_after)

    def _handle(self, response: httpx.Response, content: bytes) -> Any:
        status = response.status_code
        rid = response.headers.get("x-request-id")
        log.debug("%s %s %s -> %s (%s)", self.service, response.request.method,
                  response.request.url.path, status, rid)
        if 200 <= status < 300:
            if status == 204 or not content.strip():
                return None
            return self._parse_json(content, response, rid)
        if 300 <= status < 400 or status < 200:
            raise ResponseFormatError(
                self.service, status, "unexpected_status",
                f"an unexpected {status} answer (a redirect?); check the address", rid)
        raise self._error_for(response, content, rid)

    def _parse_json(self, content: bytes, response: httpx.Response, rid: str | None) -> Any:
        ctype = response.headers.get("content-type", "")
        status = response.status_code
        if "html" in ctype.lower() or content.lstrip()[:1] == b"<":
            raise ResponseFormatError(self.service, status, "not_json", "an HTML page instead of JSON", rid)
        try:
            return jsonlib.loads(content.decode("utf-8"))
        except UnicodeDecodeError:
            raise ResponseFormatError(self.service, status, "not_json", "the answer is not UTF-8 text", rid) from None
        except jsonlib.JSONDecodeError as exc:
            text = exc.doc.rstrip()
            cut = exc.pos >= len(text) - 1 or exc.msg.startswith("Unterminated")
            if cut:
                raise ResponseFormatError(self.service, status, "truncated",
                                          "the answer was cut off (incomplete JSON)", rid) from None
            raise ResponseFormatError(self.service, status, "malformed_json",
                                      f"malformed JSON at position {exc.pos}: {exc.msg}", rid) from None

    def _error_for(self, response: httpx.Response, content: bytes, rid: str | None) -> ApiError:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        body: Any = None
        try:
            body = jsonlib.loads(content.decode("utf-8")) if content.strip() else None
        except (UnicodeDecodeError, ValueError):
            body = None
        if self._read_error is not None:
            read = self._read_error(body)
            if read is not None:
                cls = self._classify(status, read.code)
                return cls(self.service, status, read.code, self.scrub(read.message), rid, read.details,
                           retry_after=retry_after)
        envelope = body.get("error") if isinstance(body, dict) else None
        if isinstance(envelope, dict) and isinstance(envelope.get("message", ""), str):
            code = envelope.get("code") if self.service == "mapiry" else envelope.get("type")
            if not isinstance(code, str):
                code = next((v for v in (envelope.get("code"), envelope.get("type")) if isinstance(v, str)), None)
            details = envelope.get("details")
            details = [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []
            cls = self._classify(status, code)
            return cls(self.service, status, code, self.scrub(envelope.get("message") or ""), rid,
                       details, retry_after=retry_after)
        what = _describe_body(content, response.headers.get("content-type", ""))
        if status == 429:
            return RateLimitedError(self.service, status, None, "", rid, retry_after=retry_after)
        if status >= 500:
            return ServerErrorPage(self.service, status, None, what, rid, retry_after=retry_after)
        return ResponseFormatError(
            self.service, status, "no_envelope",
            f"an error {status} without {service_name(self.service)}'s error envelope ({what})", rid)


def unexpected(service: str, what: str, status: int = 200, request_id: str | None = None) -> ResponseFormatError:
    """A ResponseFormatError for a success body of the wrong shape (used by the clients)."""
    return ResponseFormatError(service, status, "unexpected_shape", what, request_id)


__all__ = [
    "IDEMPOTENT_METHODS",
    "CabinetError",
    "ErrorEnvelope",
    "HttpAnswer",
    "SecretHeader",
    "ServiceHttp",
    "error_class",
    "check_base_url",
    "is_loopback_host",
    "unexpected",
]

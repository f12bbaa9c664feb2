"""The one HTTP path of Cabinet: one ``httpx.AsyncClient`` per service.

It adds the bearer key, checks the base URL (https, or http on loopback only), turns error
envelopes and unreadable answers into typed errors, records rate-limit headers, and retries
what is safe to retry:

* a connect failure (the request never arrived): any method, then ``OfflineError``;
* timeouts, broken answers and 502/503/504: idempotent requests only (GET/HEAD/PUT/DELETE).
  A non-idempotent request (POST, PATCH) that went out without an answer is never resent:
  it raises ``OutcomeUnknownError``.

A 429 is never slept here: it raises ``RateLimitedError`` at once (with ``retry_after``), and
the caller's one place for it decides (the import pacer for bulk, the sync engine for reads),
so every wait is visible. Every exchange is bounded: a total deadline (``deadline``, default
60 s; the connect/read/write timeouts lie within it, so a slow-loris or slow-header server ends
at the deadline) and a body cap (``max_body``, default 64 MB, read as a stream and never
buffered past the cap). Retry waits are ``asyncio.sleep`` (cancellable) and
``on_wait(seconds, reason)`` hears of each one first. The keys are kept out of reprs, logs and
every exception text, and request ids are shown only when short, printable and key-free.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
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
    AuthenticationError,
    CabinetError,
    ConflictError,
    DeadlineExceededError,
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
    ResponseTooLargeError,
    ServerError,
    ServerErrorPage,
    service_name,
)
from app.services.diagnostics import redact, remember_secret
from app.services.guards import (
    CONNECT_TIMEOUT,
    DEADLINE,
    MAX_BODY,
    check_base_url,
    check_key,
    clean_request_id,
    is_loopback_host,
    read_capped,
)
from app.services.ratelimit import RateLimitTracker, parse_rate_limit_headers, parse_retry_after

log = logging.getLogger("cabinet.http")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({502, 503, 504})
USER_AGENT = "Cabinet/0.1 (+httpx)"

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
        deadline: float = DEADLINE,
        connect_timeout: float = CONNECT_TIMEOUT,
        max_body: int = MAX_BODY,
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
        checked = [(h.header, h.prefix, check_key(service, h.key)) for h in secrets]
        self._secrets = [key for _, _, key in checked if key]
        for key in self._secrets:
            remember_secret(key)  # never in a log line from here on
        self._read_error = read_error
        self._classify = classify or error_class
        self.deadline = float(deadline)
        self.max_body = int(max_body)
        self.max_retries = max(0, int(max_retries))
        self.on_wait = on_wait
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.rate_limits = RateLimitTracker()
        self._last_request_id: str | None = None
        # base·2^(n-1) seconds, capped, plus up to `base` of jitter
        self._backoff = wait_exponential(multiplier=backoff_base, max=backoff_max) + wait_random(0, backoff_base)
        sent = {"Accept": "application/json", "User-Agent": USER_AGENT, **dict(headers or {})}
        for header, prefix, key in checked:
            if key:
                sent[header] = prefix + key
        # httpx's timeouts are per operation (a byte every few seconds never trips them): the
        # total deadline in _send_once is what bounds an exchange; these only end it sooner.
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
        """``text`` with the keys (and anything else that looks like a credential) replaced."""
        for key in self._secrets:
            if key in text:
                text = text.replace(key, "[redacted]")
        return redact(text)

    def request_id(self, response: httpx.Response) -> str | None:
        """The response's X-Request-Id when it is fit to show (short, printable, no key in it)."""
        return clean_request_id(response.headers.get("x-request-id"), self._secrets)

    @property
    def last_request_id(self) -> str | None:
        """The request id of the latest answer (as ``request_id`` cleans it), None when that answer had
        none fit to show or no answer came at all — for a message about a failure that came after it.
        Of requests sent at once, the one answered last."""
        return self._last_request_id

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
        if isinstance(exc, OfflineError):
            return True
        if isinstance(exc, OutcomeUnknownError | DeadlineExceededError):
            return False  # resent, a write could be made twice; a server this slow stays slow
        if isinstance(exc, NetworkError):
            return idempotent
        if isinstance(exc, ServerError) and exc.status in RETRY_STATUSES:
            return idempotent
        return False

    def _wait_for(self, bucket: str, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        backoff = float(self._backoff(state))
        if isinstance(exc, ApiError) and exc.retry_after is not None:
            # a 503's Retry-After, bounded like any backoff: a long one is the caller's to wait
            return min(max(0.0, exc.retry_after), max(backoff, self.backoff_max))
        return backoff

    def _before_sleep(self, on_wait: OnWait | None, state: RetryCallState) -> None:
        seconds = float(state.upcoming_sleep or 0.0)
        exc = state.outcome.exception() if state.outcome else None
        name = service_name(self.service)
        if isinstance(exc, ServerError):
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
        self._last_request_id = None  # until this request has its answer
        try:
            async with asyncio.timeout(self.deadline):
                return await self._exchange(request, bucket, idem)
        except TimeoutError:
            what = f"no complete answer within {self.deadline:g} s"
            if idem:
                raise DeadlineExceededError(self.service, what, method=method) from None
            # It may have arrived and been carried out: never resent, and the caller checks.
            raise OutcomeUnknownError(self.service, what, method=method) from None

    async def _exchange(self, request: httpx.Request, bucket: str, idem: bool) -> HttpAnswer:
        method = request.method
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
        self._record(response, bucket)
        status = response.status_code
        rid = self._last_request_id = self.request_id(response)
        try:
            try:
                content = await read_capped(response, self.max_body, self._too_large(status, rid))
            finally:
                await response.aclose()
        except ResponseTooLargeError:
            if not idem and 200 <= status < 300:
                # The write was accepted (2xx) but its answer cannot be read: as if it were lost.
                raise OutcomeUnknownError(self.service, f"the {status} answer was too large to read",
                                          method=method) from None
            raise
        except httpx.DecodingError as exc:
            raise ResponseFormatError(self.service, status, "bad_encoding", self._reason(exc), rid) from None
        except httpx.HTTPError:
            if 200 <= status < 300:
                if idem:
                    raise NetworkError(self.service, "the answer was cut off", method=method) from None
                # The write was accepted (2xx) but its result is lost: same remedy as no answer.
                raise OutcomeUnknownError(
                    self.service, f"the {status} answer was cut off", method=method) from None
            raise self._error_for(response, b"", rid, bucket) from None
        return HttpAnswer(status, self._handle(response, content, rid, bucket))

    def _too_large(self, status: int, rid: str | None) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            self.service, status, "too_large",
            f"the answer is larger than {self.max_body / 1048576:g} MB; Cabinet stopped reading it", rid)

    def _record(self, response: httpx.Response, bucket: str) -> None:
        state = parse_rate_limit_headers(response.headers)
        if state is not None:
            self.rate_limits.update(bucket, state)
        if response.status_code == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if retry_after is not None:
                self.rate_limits.block(bucket, retry_after)

    def _handle(self, response: httpx.Response, content: bytes, rid: str | None, bucket: str) -> Any:
        status = response.status_code
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
        raise self._error_for(response, content, rid, bucket)

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

    def _error_for(self, response: httpx.Response, content: bytes, rid: str | None, bucket: str) -> ApiError:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is None and status == 429:
            retry_after = self.rate_limits.wait_time(bucket) or None  # the rate-limit reset, if told
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
    "DEADLINE",
    "HttpAnswer",
    "MAX_BODY",
    "SecretHeader",
    "ServiceHttp",
    "error_class",
    "check_base_url",
    "clean_request_id",
    "is_loopback_host",
    "unexpected",
]

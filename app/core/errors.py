"""Cabinet's error hierarchy.

Every error a person may see says what happened and what to do (``user_message()``), and
keeps the service's request id where one was given. No error ever holds an API key: the
HTTP layer scrubs service texts before they get here, and nothing here formats headers.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from app.core.registry import SERVICES, service_title

SETTINGS_HINT = "Settings (Ctrl+,)"
# Services whose error message is shown as the server sent it (InstaWP localises it: X-localization).
MESSAGE_AS_SENT = frozenset({"instawp"})


def _key_place(service: str | None, name: str) -> str:
    """Where a service's keys are made, for the "create a new key" advice."""
    known = SERVICES.get(service or "")
    return known.key_place if known is not None else f"your {name} account"


def service_name(service: str | None) -> str:
    """The display name of a service id ("mapiry" → "Mapiry")."""
    return service_title(service)


class CabinetError(Exception):
    """Base of every error Cabinet raises on purpose."""

    def user_message(self) -> str:
        """What happened and what to do; never a secret."""
        text = str(self)
        return text or "Something went wrong. Try again."


class ApiError(CabinetError):
    """The service answered, and the answer is an error."""

    def __init__(
        self,
        service: str,
        status: int,
        code: str | None = None,
        message: str = "",
        request_id: str | None = None,
        details: list[dict[str, Any]] | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        self.service = service
        self.retry_after = retry_after  # seconds, from Retry-After (429, maybe 503)
        # when that wait ends (epoch seconds), fixed when the answer came
        self.retry_at = None if retry_after is None else time.time() + retry_after
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.details: list[dict[str, Any]] = list(details or [])
        super().__init__(self._summary())

    def _summary(self) -> str:
        parts = [f"{service_name(self.service)} answered {self.status}"]
        if self.code:
            parts.append(f" {self.code}")
        if self.message:
            parts.append(f": {self.message}")
        if self.request_id:
            parts.append(f" (request id {self.request_id})")
        return "".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(service={self.service!r}, status={self.status!r}, "
            f"code={self.code!r}, message={self.message!r}, request_id={self.request_id!r})"
        )

    # -- user-facing text -------------------------------------------------------------
    @property
    def name(self) -> str:
        return service_name(self.service)

    def _what(self) -> str:
        detail = f": {self.message}" if self.message else ""
        return f"{self.name} refused the request ({self.status}){detail}."

    def _todo(self) -> str:
        return "Check the values and try again."

    def _details_text(self) -> str:
        lines = []
        for d in self.details[:10]:
            if not isinstance(d, dict):
                continue
            where = []
            if d.get("index") is not None:
                where.append(f"row {int(d['index']) + 1}" if isinstance(d["index"], int) else str(d["index"]))
            if d.get("field"):
                where.append(str(d["field"]))
            prefix = f"{' '.join(where)}: " if where else ""
            lines.append(f"{prefix}{d.get('message', '')}".strip())
        more = len(self.details) - 10
        if more > 0:
            lines.append(f"… and {more} more")
        return "\n".join(f"• {line}" for line in lines if line)

    def user_message(self) -> str:
        text = f"{self._what()} {self._todo()}".strip()
        if self.service in MESSAGE_AS_SENT and self.message and self.message not in text:
            text += f"\n{self.name}: {self.message}"
        details = self._details_text()
        if details:
            text += "\n" + details
        if self.request_id:
            text += f"\nRequest id: {self.request_id}"
        return text


class AuthenticationError(ApiError):
    """401: the key is missing, unknown, revoked or expired."""

    def _what(self) -> str:
        code = (self.code or "").upper()
        if code == "MISSING_API_KEY":
            return f"{self.name} did not receive an API key."
        if code == "API_KEY_EXPIRED":
            return f"{self.name} refused the API key: it has expired."
        if code == "INVALID_API_KEY":
            return f"{self.name} refused the API key: it is unknown or has been revoked."
        if code == "APIKEYINVALID":
            return f"{self.name} did not recognise the API key."
        if code == "AUTHENTICATIONFAILED":
            return f"{self.name} refused the master key or user session key: it is missing or incorrect."
        return f"{self.name} refused the API key: it is missing, invalid or revoked."

    def _todo(self) -> str:
        place = _key_place(self.service, self.name)
        if (self.code or "").upper() == "MISSING_API_KEY":
            return f"Enter your {self.name} API key in {SETTINGS_HINT}."
        return f"Create a new key in {place} and enter it in {SETTINGS_HINT}."


class PermissionDeniedError(ApiError):
    """403: the key lacks the scope the request needs."""

    def _what(self) -> str:
        detail = f" ({self.message})" if self.message else ""
        if self.service == "mapiry":
            return f"The {self.name} API key is not allowed to do this{detail}; a READ_ONLY key can only read."
        if self.service == "instabot":
            return f"{self.name} denied this: the keys do not give enough access{detail}."
        return f"The {self.name} API key lacks the scope this needs{detail}."

    def _todo(self) -> str:
        place = _key_place(self.service, self.name)
        if self.service == "mapiry":
            return f"Create a READ_WRITE key in {place} and enter it in {SETTINGS_HINT}."
        if self.service == "instabot":
            return f"Sign in as a user or enter the master key from {place} in {SETTINGS_HINT}."
        return f"Create a key with the needed scope in {place} and enter it in {SETTINGS_HINT}."


class ProRequiredError(PermissionDeniedError):
    """403 PRO_SUBSCRIPTION_REQUIRED: API access needs a Pro subscription."""

    def _what(self) -> str:
        return f"{self.name} API access needs a Pro subscription, and this account has none."

    def _todo(self) -> str:
        return f"Upgrade the account to Pro on {self.name}, or enter a key of a Pro account in {SETTINGS_HINT}."


class LimitReachedError(ApiError):
    """403 limit_reached: the plan's item limit is reached (InstaMapp create)."""

    def _what(self) -> str:
        return f"{self.name} did not create the item: your plan's item limit is reached."

    def _todo(self) -> str:
        return f"Archive or remove items on {self.name}, or upgrade the plan, then try again."


class NotFoundError(ApiError):
    """404: no such resource (or not yours)."""

    def _what(self) -> str:
        detail = f" ({self.message})" if self.message else ""
        return f"{self.name} could not find it{detail}: it may have been deleted or belong to another account."

    def _todo(self) -> str:
        return "Refresh to bring the list up to date."


class ConflictError(ApiError):
    """409: duplicate resource, e.g. a tag name already used on the map."""

    def _what(self) -> str:
        detail = f": {self.message}" if self.message else ""
        return f"{self.name} refused the change because it conflicts with existing data{detail}."

    def _todo(self) -> str:
        return "Choose a different name."


class RequestValidationError(ApiError):
    """400 invalid_request / VALIDATION_ERROR."""

    def _what(self) -> str:
        detail = f": {self.message}" if self.message else ""
        return f"{self.name} refused the request as invalid{detail}."

    def _todo(self) -> str:
        return "Correct the values and try again."


class RateLimitedError(ApiError):
    """429: too many requests; ``retry_after`` in seconds when the service said."""

    def _what(self) -> str:
        return f"{self.name} is limiting requests: too many were sent in a short time."

    def _todo(self) -> str:
        if self.retry_after is not None and self.retry_at is not None:
            secs = max(1, round(self.retry_after))
            return f"Try again in {_duration(secs)} (after {clock_time(self.retry_at)})."
        return "Wait a little and try again."


class WaitTooLongError(CabinetError):
    """The service asks for a wait longer than the caller may wait: it was not started."""

    def __init__(self, service: str, seconds: float, until: float, max_wait: float,
                 option: str = "--max-wait") -> None:
        self.service = service
        self.seconds = seconds
        self.until = until
        self.max_wait = max_wait
        self.option = option
        super().__init__(self.user_message())

    def user_message(self) -> str:
        name = service_name(self.service)
        return (
            f"{name} is limiting requests and asks Cabinet to wait {_duration(max(1, round(self.seconds)))} "
            f"(until {clock_time(self.until)}), longer than the {_duration(max(0, round(self.max_wait)))} "
            f"Cabinet may wait ({self.option}). Nothing more was asked of {name}; try again after that time."
        )


class ServerError(ApiError):
    """5xx: the service failed."""

    def _what(self) -> str:
        return f"{self.name} had a server error ({self.status})."

    def _todo(self) -> str:
        return (
            f"Try again in a few minutes; if it keeps happening, contact {self.name} support"
            + (" with the request id." if self.request_id else ".")
        )


class ResponseFormatError(ApiError):
    """The answer could not be read: malformed JSON, an HTML page, a cut-off body, no envelope."""

    def _what(self) -> str:
        detail = f" ({self.message})" if self.message else ""
        return f"{self.name} sent an answer Cabinet could not read{detail}."

    def _todo(self) -> str:
        return (
            f"Try again later. If it keeps happening, check the {self.name} address in {SETTINGS_HINT}; "
            "a proxy or captive portal may be answering instead."
        )


class NotCarriedOutError(ApiError):
    """A success status whose body says the request was not carried out (``{"success": false}``)."""

    def _what(self) -> str:
        detail = f": {self.message}" if self.message else ""
        return f"{self.name} answered {self.status} but says it did not carry out the request{detail}."

    def _todo(self) -> str:
        return "Refresh (F5) to see where things stand, then try again."


class ServerErrorPage(ServerError, ResponseFormatError):
    """A 5xx whose body is not the service's envelope (typically a proxy's HTML page).

    It is both a ServerError (decided by status) and a ResponseFormatError (the body).
    """

    def _what(self) -> str:
        detail = f" ({self.message})" if self.message else ""
        return f"{self.name} had a server error ({self.status}) and sent a page Cabinet could not read{detail}."

    def _todo(self) -> str:
        return ServerError._todo(self)


class ResponseTooLargeError(ResponseFormatError):
    """The answer was larger than Cabinet reads (the body cap); reading stopped there."""

    def _todo(self) -> str:
        return (
            f"Check the {self.name} address in {SETTINGS_HINT}: the real service never sends answers "
            "this large. If it is right, try again later."
        )


class ListingError(CabinetError):
    """A paginated list that does not end as lists do: repeated pages, pages past the total."""

    def __init__(self, service: str, what: str, reason: str) -> None:
        self.service = service
        self.what = what
        self.reason = reason
        super().__init__(f"{service_name(service)}: the list of {what} does not end ({reason})")

    def user_message(self) -> str:
        return (
            f"{service_name(self.service)} sent a list of {self.what} that does not end as lists do "
            f"({self.reason}), so Cabinet stopped reading it. The cached {self.what} were kept as they "
            f"were; try again later, and check the address in {SETTINGS_HINT} if it keeps happening."
        )


class NetworkError(CabinetError):
    """No answer at all."""

    def __init__(self, service: str, reason: str = "", *, method: str | None = None) -> None:
        self.service = service
        self.reason = reason
        self.method = method
        super().__init__(f"{service_name(service)}: no answer ({reason})" if reason else
                         f"{service_name(service)}: no answer")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(service={self.service!r}, reason={self.reason!r})"

    def user_message(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        return (
            f"{service_name(self.service)} did not answer{why}. "
            "Check your internet connection and try again; the cached data stays available."
        )


class OfflineError(NetworkError):
    """Refused, DNS failure, connect timeout: the request never arrived."""

    def user_message(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        name = service_name(self.service)
        return (
            f"Cabinet could not reach {name}{why}. Check your internet connection and the {name} "
            f"address in {SETTINGS_HINT}; you can keep working with the cached data."
        )


class OutcomeUnknownError(NetworkError):
    """A non-idempotent request went out and no answer came back; it was not resent."""

    def user_message(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        name = service_name(self.service)
        return (
            f"The connection to {name} broke after the request was sent{why}, so Cabinet cannot tell "
            "whether the change was made. It was not resent, to avoid a duplicate. "
            "Refresh to check before trying again."
        )


class DeadlineExceededError(NetworkError):
    """The service began answering but did not finish within the request's total deadline."""

    def user_message(self) -> str:
        why = f" ({self.reason})" if self.reason else ""
        name = service_name(self.service)
        return (
            f"{name} answered too slowly{why}, so Cabinet gave up on the request. Try again later; "
            f"check the {name} address in {SETTINGS_HINT} if it keeps happening. The cached data stays available."
        )


class InsecureUrlError(CabinetError, ValueError):
    """http:// to a host that is not loopback (the key would travel unencrypted)."""

    def __init__(self, url: str, reason: str | None = None) -> None:
        self.url = url
        self.reason = reason
        super().__init__(reason or f"Refusing plain http:// for a host that is not this computer: {url}")

    def user_message(self) -> str:
        if self.reason:
            return f"The address {self.url} cannot be used: {self.reason}. Enter an https:// address in {SETTINGS_HINT}."
        return (
            f"The address {self.url} uses plain http://, which would send your API key unencrypted. "
            f"Use an https:// address in {SETTINGS_HINT} (plain http:// is allowed only for this "
            "computer: localhost, 127.0.0.1, ::1)."
        )


class InvalidInputError(CabinetError, ValueError):
    """A value Cabinet cannot send at all (caught before any request is made)."""

    def user_message(self) -> str:
        return f"{self}. Correct it and try again."


class ApiKeyFormatError(InvalidInputError):
    """The API key holds characters that cannot go into an HTTP header. Never holds the key."""

    def __init__(self, service: str) -> None:
        self.service = service
        super().__init__(f"The {service_name(service)} API key contains spaces or characters that cannot be sent")

    def user_message(self) -> str:
        return (
            f"The {service_name(self.service)} API key contains spaces or characters that cannot be sent. "
            f"Copy the key again and enter it in {SETTINGS_HINT}."
        )


class BulkLimitError(CabinetError, ValueError):
    """More than 100 (or no) locations in one bulk call; nothing was sent."""

    def __init__(self, count: int, limit: int = 100) -> None:
        self.count = count
        self.limit = limit
        if count == 0:
            text = "A bulk create needs at least one location; nothing was sent."
        else:
            text = f"A bulk create takes at most {limit} locations, this one had {count}; nothing was sent."
        super().__init__(text)

    def user_message(self) -> str:
        if self.count == 0:
            return "There are no locations to create. Choose at least one."
        return (
            f"Mapiry creates at most {self.limit} locations per bulk request, and this one had {self.count}. "
            f"Split them into batches of {self.limit} (nothing was sent)."
        )


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} minutes"
    hours = seconds / 3600
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{round(hours / 24):,} days"


def clock_time(epoch: float) -> str:
    """An epoch time as a UTC date and time, for "until …" texts (any far future included)."""
    try:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return "a date too far ahead to show"


__all__ = [
    "ApiError",
    "ApiKeyFormatError",
    "AuthenticationError",
    "BulkLimitError",
    "CabinetError",
    "ConflictError",
    "DeadlineExceededError",
    "InsecureUrlError",
    "InvalidInputError",
    "LimitReachedError",
    "ListingError",
    "NetworkError",
    "NotCarriedOutError",
    "NotFoundError",
    "OfflineError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "ProRequiredError",
    "RateLimitedError",
    "RequestValidationError",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "ServerError",
    "ServerErrorPage",
    "WaitTooLongError",
    "clock_time",
    "service_name",
]

"""Facts of the InstaWP API v2 document (seeds/003, 004): statuses, dates, languages.

Dates go in as ``yyyy-MM-dd HH:mm:ss`` in UTC (no milliseconds) and come back as
``yyyy-MM-dd HH:mm:ss.SSS``; both are UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

DEFAULT_BASE_URL = "https://app.instawp.io/api/v2"  # the document's; the registry's Service reads it here
LOCALIZATION_HEADER = "X-localization"
LANGUAGES: tuple[str, ...] = ("en", "es")  # the document: English and Spanish
# The document's "Response Codes" list.
RESPONSE_CODES: dict[int, str] = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
INPUT_FORMAT = "%Y-%m-%d %H:%M:%S"
SITE_TYPES: tuple[str, ...] = ("temporary", "reserved")  # Cabinet's reading; see docs/api-contract.md
SITE_STATUSES: tuple[str, ...] = ("creating", "ready")
PER_PAGE_MAX = 100


def language_for(locale_name: str | None) -> str:
    """The X-localization value for the app's language: es for any Spanish locale, else en."""
    lang = (locale_name or "").replace("-", "_").split("_")[0].strip().lower()
    return "es" if lang == "es" else "en"


def format_input(when: datetime) -> str:
    """A datetime as InstaWP takes it: UTC, ``yyyy-MM-dd HH:mm:ss``, no milliseconds."""
    if when.tzinfo is None:
        raise ValueError("a date sent to InstaWP must carry its time zone")
    return when.astimezone(UTC).strftime(INPUT_FORMAT)


def parse_output(value: object) -> datetime | None:
    """An InstaWP date (``yyyy-MM-dd HH:mm:ss.SSS`` or without milliseconds, UTC) as an aware datetime."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def format_output(when: datetime) -> str:
    """A datetime as InstaWP returns it: UTC, ``yyyy-MM-dd HH:mm:ss.SSS`` (used by the sandbox)."""
    dt = when.astimezone(UTC)
    return dt.strftime(INPUT_FORMAT) + f".{dt.microsecond // 1000:03d}"

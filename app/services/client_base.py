"""What every service client shares: its ServiceHttp, rate limits, lifecycle and path segments."""

from __future__ import annotations

from typing import Any, Self
from urllib.parse import quote

from app.services.http import ServiceHttp
from app.services.ratelimit import RateLimitTracker


def path_segment(value: str) -> str:
    """One path segment, quoted so that an id can never change the path."""
    if not isinstance(value, str) or not value:
        raise ValueError("an id must be a non-empty string")
    return quote(value, safe="")


class ApiClient:
    """Base of the typed clients. Use ``async with`` or call ``aclose()``."""

    service: str = ""

    def __init__(self, base_url: str, api_key: str | None, **http_kwargs: Any) -> None:
        self.http = ServiceHttp(self.service, base_url, api_key, **http_kwargs)

    @property
    def base_url(self) -> str:
        return self.http.base_url

    @property
    def rate_limits(self) -> RateLimitTracker:
        return self.http.rate_limits

    @property
    def request_deadline(self) -> float:
        """Seconds after which a request sent by this client has surely ended (answered, failed or
        given up): a write whose answer was lost cannot land later than its send time plus this."""
        return self.http.deadline

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

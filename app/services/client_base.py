"""What every service client shares: its ServiceHttp, rate limits, lifecycle and path segments,
and the ``ServiceClient`` protocol the layers above use to read any resource of the registry."""

from __future__ import annotations

from typing import Any, Protocol, Self
from urllib.parse import quote

from app.services.http import ServiceHttp
from app.services.pages import Page
from app.services.ratelimit import RateLimitTracker


class ServiceClient(Protocol):
    """A service's adapter as sync and the window see it: which service, its rate budget, and
    the reads of the registry's resources (``Resource.reading`` says which read applies)."""

    service: str

    @property
    def base_url(self) -> str: ...

    @property
    def rate_limits(self) -> RateLimitTracker: ...

    async def aclose(self) -> None: ...

    async def read_page(self, resource: str, scope: str, page: int, per_page: int) -> Page:
        """One page of a PAGED resource (of the map ``scope`` for map-scoped ones)."""
        ...

    async def read_all(self, resource: str, scope: str) -> list[dict[str, Any]]:
        """The whole list of a LISTED resource."""
        ...

    async def read_one(self, resource: str, key: str) -> dict[str, Any]:
        """One record of a SINGLE resource (``key`` "") or of a PER_SCOPE one (its id)."""
        ...


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

    # -- reads by resource name (each adapter answers for its own resources) --------------------
    def _unknown(self, resource: str, how: str) -> ValueError:
        return ValueError(f"{type(self).__name__} cannot {how} {resource!r}")

    async def read_page(self, resource: str, scope: str, page: int, per_page: int) -> Page:
        raise self._unknown(resource, "read pages of")

    async def read_all(self, resource: str, scope: str) -> list[dict[str, Any]]:
        raise self._unknown(resource, "list")

    async def read_one(self, resource: str, key: str) -> dict[str, Any]:
        raise self._unknown(resource, "read one of")

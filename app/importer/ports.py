"""What an import needs of the outside: the Mapiry adapter's calls (``ImportClient``) and the
job runner as its owner drives it (``ImportRunner``). ``MapiryClient`` is the one real client;
tests use a double of the same shape."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from app.core.registry import RESOURCES
from app.services.ratelimit import RateLimitTracker

# The service an import writes to: the one whose locations it creates (Mapiry).
IMPORT_SERVICE = RESOURCES["locations"].service


class ImportClient(Protocol):
    @property
    def rate_limits(self) -> RateLimitTracker: ...

    @property
    def request_deadline(self) -> float:
        """The most seconds one request may take (a job's lease outlives it)."""
        ...

    async def bulk_create_locations(self, map_id: str, locations: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

    def iter_locations(self, map_id: str, page_size: int = 100) -> AsyncIterator[dict[str, Any]]: ...

    async def read_all(self, resource: str, scope: str) -> list[dict[str, Any]]: ...

    async def create_in_map(self, resource: str, map_id: str, body: dict[str, Any]) -> dict[str, Any]: ...

    async def set_location_layers(self, map_id: str, loc_id: str, layer_ids: list[str]) -> dict[str, Any]: ...

    async def create_map(self, title: str, **fields: Any) -> dict[str, Any]:
        """(The wizard's "import into a new map".)"""
        ...


# Where a long-lived owner (the window's import manager) gets the client when it needs one:
# None while Mapiry is not connected.
ClientProvider = Callable[[], ImportClient | None]


class ImportRunner(Protocol):
    """One running import job, as the import manager and the command line drive it."""

    job_id: str

    async def run(self) -> Any: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def cancel(self) -> None: ...

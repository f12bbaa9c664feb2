"""InstaMapp API v1 (inventory): typed calls over ServiceHttp.

Every documented endpoint has one method; method names equal the OpenAPI operationIds.
The document shows lists as
``{"object": "list", "data": [...], "pagination": {"page", "per_page", "has_more"}}``; single
resources come back bare (with ``"object"``). app/services/shapes.py reads those and every other
reasonable shape (a bare list, a list under its name, an object wrapped in ``data``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from app.core.registry import instamapp as instamapp_registry
from app.services.client_base import ApiClient, path_segment
from app.services.http import unexpected
from app.services.pages import Page, PageGuard
from app.services.shapes import page_of, unwrap_object

SERVICE = instamapp_registry.SERVICE.name
BUCKET = "default"
DEFAULT_BASE_URL = instamapp_registry.SERVICE.base_url



class InstaMappClient(ApiClient):
    """Async InstaMapp client. Use ``async with`` or call ``aclose()``."""

    service = SERVICE

    # -- helpers ------------------------------------------------------------------------
    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self.http.request("GET", path, params=params, bucket=BUCKET)

    def _object(self, body: Any, kind: str) -> dict[str, Any]:
        record = unwrap_object(SERVICE, body, kind, needs_id=kind != "sales_summary")
        if record.get("object", kind) != kind:
            raise unexpected(SERVICE, f"expected a {kind} object, got {str(record.get('object'))[:40]!r}")
        return record

    @staticmethod
    def _page(body: Any, kind: str, names: tuple[str, ...], page: int, per_page: int) -> Page:
        return page_of(SERVICE, body, names, kind, page, per_page)

    @staticmethod
    def _page_params(page: int, per_page: int) -> dict[str, Any]:
        return {"page": page, "per_page": per_page}

    async def _iterate(self, fetch: Callable[[int], Any], what: str) -> AsyncIterator[dict[str, Any]]:
        guard = PageGuard(SERVICE, what)
        page_no = 1
        while True:
            page: Page = await fetch(page_no)
            for entry in guard.accept(page):
                yield entry
            if not page.has_more or not page.items:
                return
            page_no += 1

    # -- items --------------------------------------------------------------------------
    async def list_items(self, page: int = 1, per_page: int = 20, status: str | None = None) -> Page:
        params = self._page_params(page, per_page)
        if status is not None:
            params["status"] = status
        return self._page(await self._get("/items", params), "item", ("items",), page, per_page)

    def iter_items(self, status: str | None = None, per_page: int = 100) -> AsyncIterator[dict[str, Any]]:
        return self._iterate(lambda n: self.list_items(page=n, per_page=per_page, status=status), "items")

    async def get_item(self, item_id: str) -> dict[str, Any]:
        return self._object(await self._get(f"/items/{path_segment(item_id)}"), "item")

    async def create_item(self, collection_id: str, name: str, **fields: Any) -> dict[str, Any]:
        body = {"collection_id": collection_id, "name": name, **fields}
        result = await self.http.request("POST", "/items", json=body, bucket=BUCKET)
        return self._object(result, "item")

    async def update_item(self, item_id: str, **fields: Any) -> dict[str, Any]:
        """PATCH only the fields given (``None`` is sent as null, e.g. to clear a condition)."""
        result = await self.http.request("PATCH", f"/items/{path_segment(item_id)}", json=dict(fields), bucket=BUCKET)
        return self._object(result, "item")

    # -- collections, marketplace, sales -------------------------------------------------
    async def list_collections(self, page: int = 1, per_page: int = 20) -> Page:
        body = await self._get("/collections", self._page_params(page, per_page))
        return self._page(body, "collection", ("collections",), page, per_page)

    def iter_collections(self, per_page: int = 100) -> AsyncIterator[dict[str, Any]]:
        return self._iterate(lambda n: self.list_collections(page=n, per_page=per_page), "collections")

    async def list_listings(self, page: int = 1, per_page: int = 20) -> Page:
        body = await self._get("/marketplace/listings", self._page_params(page, per_page))
        return self._page(body, "listing", ("listings",), page, per_page)

    def iter_listings(self, per_page: int = 100) -> AsyncIterator[dict[str, Any]]:
        return self._iterate(lambda n: self.list_listings(page=n, per_page=per_page), "listings")

    async def get_sales_summary(self) -> dict[str, Any]:
        return self._object(await self._get("/sales/summary"), "sales_summary")

    # -- reads by resource name (the registry's InstaMapp resources) ----------------------------
    async def read_page(self, resource: str, scope: str, page: int, per_page: int) -> Page:
        if resource == "items":
            return await self.list_items(page=page, per_page=per_page)
        if resource == "collections":
            return await self.list_collections(page=page, per_page=per_page)
        if resource == "listings":
            return await self.list_listings(page=page, per_page=per_page)
        return await super().read_page(resource, scope, page, per_page)

    async def read_one(self, resource: str, key: str) -> dict[str, Any]:
        if resource == "sales_summary":
            return await self.get_sales_summary()
        return await super().read_one(resource, key)

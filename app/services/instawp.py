"""InstaWP API v2: typed calls over ServiceHttp.

Bearer token; ``X-localization`` (en or es) on every request so the server's messages come in
the app's language; answers ``{status, message, data, meta}`` with the pagination in ``meta``.
Creating a site may answer 202 (accepted, still being created): the caller re-reads the site
until it is ready. Method names equal the OpenAPI operationIds.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.core import instawp as doc
from app.core.registry import instawp as instawp_registry
from app.services.client_base import ApiClient, path_segment
from app.services.http import ErrorEnvelope, HttpAnswer, unexpected
from app.services.pages import Page
from app.services.shapes import page_of

SERVICE = instawp_registry.SERVICE.name
DEFAULT_BASE_URL = doc.DEFAULT_BASE_URL


def process_locale() -> str:
    """The locale Cabinet runs in (LC_ALL, LC_MESSAGES, LANG, as Qt and gettext read them)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return ""


def read_envelope(body: Any) -> ErrorEnvelope | None:
    """An error answer's ``message`` (shown as the server sent it) and any per-field ``errors``."""
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return None
    details: list[dict[str, Any]] = []
    errors = body.get("errors")
    if not isinstance(errors, dict) and isinstance(body.get("data"), dict):
        errors = body["data"].get("errors")
    if isinstance(errors, dict):
        for field, texts in errors.items():
            for text in texts if isinstance(texts, list) else [texts]:
                details.append({"field": str(field), "message": str(text)})
    return ErrorEnvelope(None, body["message"], details)


@dataclass(frozen=True)
class Answer:
    """A success: the data, the server's message as sent, and whether the work is still going on (202)."""

    data: dict[str, Any]
    message: str
    accepted: bool = False


class InstaWPClient(ApiClient):
    """Async InstaWP client. Use ``async with`` or call ``aclose()``."""

    service = SERVICE

    def __init__(self, base_url: str, api_key: str | None, *, language: str | None = None,
                 **http_kwargs: Any) -> None:
        self.language = doc.language_for(language if language is not None else process_locale())
        super().__init__(base_url, api_key, headers={doc.LOCALIZATION_HEADER: self.language},
                         read_error=read_envelope, **http_kwargs)

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _message(body: Any) -> str:
        text = body.get("message") if isinstance(body, dict) else None
        return text if isinstance(text, str) else ""

    def _one(self, answer: HttpAnswer, kind: str) -> Answer:
        body = answer.body
        data = body.get("data") if isinstance(body, dict) and "data" in body else body
        if not isinstance(data, dict):
            raise unexpected(SERVICE, f"expected a {kind} object", answer.status)
        return Answer(data, self._message(body), answer.status == 202)

    @staticmethod
    def _page(answer: HttpAnswer, page: int, per_page: int, kind: str) -> Page:
        # a list in "data" with the pagination in "meta" (or bare): read like every client's lists
        return page_of(SERVICE, answer.body, (f"{kind}s",), kind, page, per_page, answer.status)

    async def _iterate(self, fetch: Callable[[int], Awaitable[Page]]) -> AsyncIterator[dict[str, Any]]:
        number = 1
        while True:
            page = await fetch(number)
            for entry in page.items:
                yield entry
            if not page.has_more:
                return
            number += 1

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> HttpAnswer:
        return await self.http.request_answer("GET", path, params=params)

    # -- sites ----------------------------------------------------------------------------
    async def list_sites(self, page: int = 1, per_page: int = 20, type: str | None = None) -> Page:  # noqa: A002
        params: dict[str, Any] = {"page": page, "per_page": per_page}
        if type:
            params["type"] = type
        return self._page(await self._get("/sites", params), page, per_page, "site")

    def iter_sites(self, type: str | None = None, per_page: int = doc.PER_PAGE_MAX  # noqa: A002
                   ) -> AsyncIterator[dict[str, Any]]:
        return self._iterate(lambda n: self.list_sites(page=n, per_page=per_page, type=type))

    async def get_site(self, site_id: str) -> dict[str, Any]:
        return self._one(await self._get(f"/sites/{path_segment(str(site_id))}"), "site").data

    async def create_site(self, site_name: str) -> Answer:
        """Create a site; ``accepted`` is True when InstaWP answered 202 (still being created)."""
        answer = await self.http.request_answer("POST", "/sites", json={"site_name": site_name})
        return self._one(answer, "site")

    async def delete_site(self, site_id: str) -> str:
        """Delete a site; returns the server's message ('' for an empty 200/204)."""
        answer = await self.http.request_answer("DELETE", f"/sites/{path_segment(str(site_id))}")
        return self._message(answer.body)

    # -- templates ------------------------------------------------------------------------
    async def list_templates(self, page: int = 1, per_page: int = 20) -> Page:
        answer = await self._get("/templates", {"page": page, "per_page": per_page})
        return self._page(answer, page, per_page, "template")

    def iter_templates(self, per_page: int = doc.PER_PAGE_MAX) -> AsyncIterator[dict[str, Any]]:
        return self._iterate(lambda n: self.list_templates(page=n, per_page=per_page))

    async def get_template(self, template_id: str) -> dict[str, Any]:
        return self._one(await self._get(f"/templates/{path_segment(str(template_id))}"), "template").data

    # -- reads by resource name (the registry's InstaWP resources) ----------------------------
    async def read_page(self, resource: str, scope: str, page: int, per_page: int) -> Page:
        if resource == instawp_registry.SITES.name:
            return await self.list_sites(page=page, per_page=per_page)
        if resource == instawp_registry.TEMPLATES.name:
            return await self.list_templates(page=page, per_page=per_page)
        return await super().read_page(resource, scope, page, per_page)

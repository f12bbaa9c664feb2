"""One page of a paginated list, the same shape for every service, and the guard on listings.

A listing is read page by page until the server says it ended. A server that never says so
must not keep Cabinet reading: :class:`PageGuard` stops a listing with a ``ListingError`` when a
page repeats only ids already received, when it goes past the number of pages the server itself
announced, past ``MAX_PAGES`` pages, or past ``MAX_ITEMS`` entries in all (a page may hold more
than asked for); ids received twice across pages are kept once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.errors import ListingError

MAX_PAGES = 10_000
MAX_ITEMS = 1_000_000  # entries of one listing: 10,000 full pages of 100


@dataclass
class Page:
    items: list[dict[str, Any]] = field(default_factory=list)
    page: int = 1
    per_page: int = 20
    has_more: bool = False
    total: int | None = None  # Mapiry only
    total_pages: int | None = None  # Mapiry only

    def __len__(self) -> int:
        return len(self.items)


class PageGuard:
    """Checks the pages of one listing, in order, and hands back each page's new entries."""

    def __init__(self, service: str, what: str, *, max_pages: int = MAX_PAGES, max_items: int = MAX_ITEMS) -> None:
        self.service = service
        self.what = what
        self.max_pages = max_pages
        self.max_items = max_items
        self.items = 0  # entries accepted so far (those without an id too)
        self.pages = 0
        self.announced: int | None = None  # the total pages the first page announced
        self._seen: set[str] = set()

    def _stop(self, reason: str) -> ListingError:
        return ListingError(self.service, self.what, reason)

    def accept(self, page: Page) -> list[dict[str, Any]]:
        """The entries of ``page`` not received before; ListingError when the listing runs away."""
        self.pages += 1
        if self.announced is None and page.total_pages is not None:
            self.announced = max(1, page.total_pages)
        if self.announced is not None and self.pages > self.announced:
            raise self._stop(f"page {self.pages:,} came after the {self.announced:,} pages it announced")
        if self.pages > self.max_pages:
            raise self._stop(f"more than {self.max_pages:,} pages")
        fresh: list[dict[str, Any]] = []
        repeated = 0
        for entry in page.items:
            key = entry.get("id")
            if key is None:
                fresh.append(entry)
                continue
            key = str(key)
            if key in self._seen:
                repeated += 1
                continue
            self._seen.add(key)
            fresh.append(entry)
        if page.items and repeated == len(page.items) and self.pages > 1:
            raise self._stop(f"page {self.pages:,} repeats only {self.what} already received")
        self.items += len(fresh)
        if self.items > self.max_items:
            raise self._stop(f"more than {self.max_items:,} {self.what}")
        return fresh

    @property
    def count(self) -> int:
        """Distinct ids received so far."""
        return len(self._seen)


__all__ = ["MAX_ITEMS", "MAX_PAGES", "Page", "PageGuard"]

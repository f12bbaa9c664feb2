"""One page of a paginated list, the same shape for both services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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

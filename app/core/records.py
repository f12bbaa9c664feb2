"""TypedDicts for the records both APIs return (the API's own field names; see api-contract.md).

Records stay plain dicts everywhere; these types only document and check their shape.
"""

from __future__ import annotations

from typing import Literal, TypedDict

# Cabinet's own marks on a cached map record (described in the registry, app/core/registry/mapiry.py).
from app.core.registry.mapiry import GONE_AT, LAST_SEEN_AT  # noqa: F401 - re-exported

ItemStatus = Literal["keep", "sell", "trade", "sold", "archived"]
KeyScope = Literal["READ_ONLY", "READ_WRITE"]


# -- InstaMapp ----------------------------------------------------------------------------
class Item(TypedDict):
    object: Literal["item"]
    id: str
    collection_id: str
    name: str
    status: str
    condition: str | None
    estimated_value: float | None
    currency: str
    notes: str
    created_at: str
    updated_at: str


class Collection(TypedDict):
    object: Literal["collection"]
    id: str
    name: str
    description: str
    item_count: int
    created_at: str


class Listing(TypedDict):
    object: Literal["listing"]
    id: str
    item_id: str
    item_name: str
    type: str
    price: float | None
    currency: str
    collection_id: str
    created_at: str


class SalesSummary(TypedDict):
    object: Literal["sales_summary"]
    currency: str
    gross: float
    fees: float
    net_payout: float
    refunds: float
    disputes: float
    orders: int
    period_start: str
    period_end: str


# -- Mapiry -------------------------------------------------------------------------------
class MapInfo(TypedDict, total=False):
    id: str
    title: str
    slug: str
    description: str
    country: str
    city: str
    public: bool
    allowCloning: bool
    style: str
    centerLat: float | None
    centerLng: float | None
    zoom: float | None
    userId: str
    createdAt: str
    updatedAt: str


class Layer(TypedDict):
    id: str
    mapId: str
    name: str
    color: str
    order: int
    routeEnabled: bool
    routeShowByDefault: bool
    createdAt: str
    updatedAt: str


class Location(TypedDict, total=False):
    id: str
    mapId: str
    name: str
    description: str
    address: str
    lat: float
    lng: float
    categoryId: str | None
    tagIds: list[str]
    layers: list[Layer]
    createdAt: str
    updatedAt: str


class Category(TypedDict):
    id: str
    mapId: str
    name: str
    color: str
    icon: str
    createdAt: str
    updatedAt: str


class Tag(TypedDict):
    id: str
    mapId: str
    name: str
    createdAt: str
    updatedAt: str


class ApiKeyInfo(TypedDict, total=False):
    id: str
    name: str
    scope: str
    prefix: str
    createdAt: str
    expiresAt: str | None
    lastUsedAt: str | None
    revokedAt: str | None
    key: str  # only in the answer to POST /keys (the secret, shown once)


class DeleteResult(TypedDict):
    id: str
    deleted: bool

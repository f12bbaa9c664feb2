"""InstaMapp API v1 (inventory): items, collections, marketplace listings, the sales summary.

The rules are the service's (seeds/000, docs/api-contract.md "InstaMapp"). Items are created
and PATCHed, never deleted; collections, listings and the sales summary are read-only.
"""

from __future__ import annotations

from .model import (
    CHOICE,
    CURRENCY,
    DATETIME,
    INT,
    MONEY,
    MULTILINE,
    NUMBER,
    REF,
    SINGLE,
    Field,
    Resource,
    Service,
    View,
)

SERVICE = Service("instamapp", "InstaMapp", "https://instamapp.com/api/public/v1",
                  "your InstaMapp Business team settings → API keys", "Business team settings → API keys",
                  page_size_max=100)  # per_page 1-100
GROUP = "Inventory"

ITEM_STATUSES: tuple[str, ...] = ("keep", "sell", "trade", "sold", "archived")
ITEM_CONDITIONS: tuple[str, ...] = (
    "sealed", "mint_in_box", "loose_mint", "near_mint", "good", "fair", "damaged",
)
LISTING_TYPES: tuple[str, ...] = ("sale", "trade")
SCOPES: tuple[str, ...] = ("items:read", "items:write", "collections:read", "marketplace:read", "analytics:read")

F = Field
_ID = F("id", "ID", column=True, width=200, visible=False)
_CREATED = F("created_at", "Created", DATETIME, column=True, width=130)
_COLLECTION = F("collection_id", "Collection", REF, required=True, ref="collections", column=True, width=170)

RESOURCES = (
    Resource("items", SERVICE.name, (
        _ID,
        F("name", "Name", required=True, low=1, high=200, trim=True, column=True, nocase=True, width=230,
          editable=True),
        F("status", "Status", CHOICE, choices=ITEM_STATUSES, default="keep", column=True, width=80, editable=True),
        F("condition", "Condition", CHOICE, nullable=True, choices=ITEM_CONDITIONS, column=True, width=100),
        F("estimated_value", "Estimated value", NUMBER, nullable=True, low=0, hint="e.g. 120.50", column=True,
          title="Value", fmt=MONEY, width=110, editable=True),
        F("currency", "Currency", CURRENCY, default="USD", hint="ISO code, e.g. USD", column=True, width=70,
          visible=False),
        _COLLECTION,
        _CREATED,
        F("updated_at", "Updated", DATETIME, column=True, width=130),
        F("notes", "Notes", MULTILINE, high=2000, default="", width=200, visible=False),
    ), singular="item", plural="items",
        columns=("name", "status", "condition", "estimated_value", "currency", "collection_id", "notes",
                 "created_at", "updated_at", "id"),
        form=("collection_id", "name", "status", "condition", "estimated_value", "currency", "notes"),
        search=("name", "notes", "status", "condition"), filters=("status", "collection_id"),
        can_create=True, can_edit=True, view=View("items", GROUP, "Items"),
        read_only_note="InstaMapp's API cannot delete items. Set the status to Archived instead (Edit…, F2)."),
    Resource("collections", SERVICE.name, (
        F("id", "ID", column=True, width=280, visible=False),
        F("name", "Name", column=True, nocase=True, width=240),
        F("item_count", "Items", INT, column=True, width=70),
        _CREATED,
        F("description", "Description", MULTILINE, width=320),
    ), singular="collection", plural="collections",
        columns=("name", "description", "item_count", "created_at", "id"), search=("name", "description"),
        view=View("collections", GROUP, "Collections"),
        read_only_note="InstaMapp's API only reads collections: create and change them on InstaMapp, "
                       "then refresh (F5)."),
    Resource("listings", SERVICE.name, (
        _ID,
        F("item_id", "Item ID", column=True, width=200, visible=False),
        F("item_name", "Item", column=True, nocase=True, width=260),
        F("type", "Type", CHOICE, choices=LISTING_TYPES, column=True, width=70),
        F("price", "Price", NUMBER, fmt=MONEY, column=True, width=110),
        F("currency", "Currency", column=True, width=70, visible=False),
        _COLLECTION,
        F("created_at", "Listed", DATETIME, column=True, width=130),
    ), singular="listing", plural="listings", label_field="item_name",
        columns=("item_name", "type", "price", "currency", "collection_id", "created_at", "item_id", "id"),
        search=("item_name", "type"), filters=("type",), view=View("listings", GROUP, "Listings"),
        read_only_note="Listings follow the items: set an item's status to Sell or Trade to list it."),
    Resource("sales_summary", SERVICE.name, (F("id", "ID", column=True),), singular="sales summary",
             plural="sales summaries", reading=SINGLE, view=View("sales", GROUP, "Sales", page="summary"),
             read_only_note="The sales summary is read-only."),
)

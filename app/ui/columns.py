"""Columns described once, as data (after Picard's and Electrum's column tables).

Each resource the window shows has a tuple of :class:`Column`. The table model, the
detail pane, the clipboard copy and the CSV export all read these descriptions; nothing
else knows how a field is shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt

from app.core.frozen import Frozen
from app.core.records import GONE_AT, LAST_SEEN_AT

# Formats a column may use.
TEXT, MONEY, NUMBER, INT, DATETIME, BOOL, COLOR, LIST, REF, REFS, LAYERS, ENUM = (
    "text", "money", "number", "int", "datetime", "bool", "color", "list", "ref", "refs", "layers", "enum",
)

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter

Lookups = Mapping[str, Mapping[str, str]]  # resource -> id -> label


def _tr(text: str) -> str:
    return QCoreApplication.translate("columns", text)


class Column(Frozen):
    """One column of a table view: a field of the API record and how it is shown."""

    __slots__ = ("key", "title", "fmt", "align", "sortable", "editable", "visible", "width", "read", "ref")
    key: str  # the API's field name (also the CSV header and the Cache sort key)
    title: str  # untranslated; shown through tr()
    fmt: str
    align: Qt.AlignmentFlag
    sortable: bool
    editable: bool  # hook for the edit step (PATCH items / PUT Mapiry names)
    visible: bool  # shown by default
    width: int
    read: Callable[[Mapping[str, Any]], Any] | None  # how to read it; default record[key]
    ref: str | None  # for REF/REFS: the resource whose labels replace the ids

    def __init__(self, key: str, title: str, fmt: str = TEXT, align: Qt.AlignmentFlag = LEFT,
                 sortable: bool = True, editable: bool = False, visible: bool = True, width: int = 120,
                 read: Callable[[Mapping[str, Any]], Any] | None = None, ref: str | None = None) -> None:
        for name, value in zip(self.__slots__, (key, title, fmt, align, sortable, editable, visible, width,
                                                read, ref), strict=True):
            object.__setattr__(self, name, value)

    def label(self) -> str:
        return _tr(self.title)

    def value(self, record: Mapping[str, Any]) -> Any:
        if self.read is not None:
            return self.read(record)
        return record.get(self.key)

    def text(self, record: Mapping[str, Any], lookups: Lookups | None = None) -> str:
        return format_value(self.fmt, self.value(record), record, lookups.get(self.ref, {}) if (lookups and self.ref) else None)

    def export_value(self, record: Mapping[str, Any]) -> str:
        value = self.value(record)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (list, dict)):
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return str(value)


def local_datetime(value: Any) -> datetime | None:
    """An API timestamp (ISO 8601, UTC) as an aware datetime in local time."""
    if not value or not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        from datetime import UTC

        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone()


def enum_label(value: Any) -> str:
    """An API enum value as a person reads it: "mint_in_box" -> "Mint in box"."""
    return _enum_label(str(value))


@lru_cache(maxsize=512)  # a handful of values repeated on every row: translate each once
def _enum_label(text: str) -> str:
    if text.isupper():
        text = text.lower()
    return _tr(text.replace("_", " ").capitalize())


@lru_cache(maxsize=4096)
def _datetime_text(value: str) -> str:
    dt = local_datetime(value)
    return dt.strftime("%Y-%m-%d %H:%M") if dt else value


def format_value(fmt: str, value: Any, record: Mapping[str, Any] | None = None,
                 labels: Mapping[str, str] | None = None) -> str:
    if value is None or value == "":
        return ""
    if fmt == MONEY:
        try:
            amount = float(value)
        except (TypeError, ValueError):
            return str(value)
        currency = (record or {}).get("currency") or ""
        return f"{amount:,.2f} {currency}".strip()
    if fmt == NUMBER:
        try:
            return f"{float(value):,.6g}" if abs(float(value)) < 1e6 else f"{float(value):,.0f}"
        except (TypeError, ValueError):
            return str(value)
    if fmt == INT:
        try:
            return f"{int(value):,}"
        except (TypeError, ValueError):
            return str(value)
    if fmt == DATETIME:
        return _datetime_text(value) if isinstance(value, str) else str(value)
    if fmt == BOOL:
        return _tr("Yes") if value else _tr("No")
    if fmt == REF:
        return (labels or {}).get(str(value), str(value))
    if fmt == REFS:
        if isinstance(value, list):
            return ", ".join((labels or {}).get(str(v), str(v)) for v in value)
        return str(value)
    if fmt == LAYERS:
        if isinstance(value, list):
            return ", ".join(str(layer.get("name", layer.get("id", ""))) if isinstance(layer, dict) else str(layer)
                             for layer in value)
        return str(value)
    if fmt == ENUM:
        return enum_label(value)
    if fmt == LIST:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)
    return str(value)


C = Column
ITEMS = (
    C("name", "Name", width=230, editable=True),
    C("status", "Status", ENUM, width=80, editable=True),
    C("condition", "Condition", ENUM, width=100),
    C("estimated_value", "Value", MONEY, RIGHT, width=110, editable=True),
    C("currency", "Currency", width=70, visible=False),
    C("collection_id", "Collection", REF, width=170, ref="collections"),
    C("notes", "Notes", width=200, visible=False),
    C("created_at", "Created", DATETIME, width=130),
    C("updated_at", "Updated", DATETIME, width=130),
    C("id", "ID", width=200, visible=False),
)
COLLECTIONS = (
    C("name", "Name", width=240),
    C("description", "Description", width=320),
    C("item_count", "Items", INT, RIGHT, width=70),
    C("created_at", "Created", DATETIME, width=130),
    C("id", "ID", width=280, visible=False),
)
LISTINGS = (
    C("item_name", "Item", width=260),
    C("type", "Type", ENUM, width=70),
    C("price", "Price", MONEY, RIGHT, width=110),
    C("currency", "Currency", width=70, visible=False),
    C("collection_id", "Collection", REF, width=170, ref="collections"),
    C("created_at", "Listed", DATETIME, width=130),
    C("item_id", "Item ID", width=200, visible=False),
    C("id", "ID", width=200, visible=False),
)
def map_status(record: Mapping[str, Any]) -> str:
    """"Gone — last seen …" for a map Mapiry answered 404 for (see sync/known_maps.py), else ""."""
    if not record.get(GONE_AT):
        return ""
    seen = record.get(LAST_SEEN_AT)
    if seen:
        return _tr("Gone — last seen {0}").format(_datetime_text(str(seen)))
    return _tr("Gone since {0}").format(_datetime_text(str(record[GONE_AT])))


MAPS = (
    C("title", "Title", width=220, editable=True),
    C(GONE_AT, "Status", width=210, read=map_status, sortable=False),
    C("slug", "Slug", width=160, visible=False),
    C("city", "City", width=120),
    C("country", "Country", width=100),
    C("public", "Public", BOOL, CENTER, width=60),
    C("allowCloning", "Cloning", BOOL, CENTER, width=65, visible=False),
    C("style", "Style", ENUM, width=90),
    C("centerLat", "Lat", NUMBER, RIGHT, width=80, visible=False),
    C("centerLng", "Lng", NUMBER, RIGHT, width=80, visible=False),
    C("zoom", "Zoom", NUMBER, RIGHT, width=55, visible=False),
    C("description", "Description", width=240, visible=False),
    C("createdAt", "Created", DATETIME, width=130),
    C("updatedAt", "Updated", DATETIME, width=130),
    C("id", "ID", width=210, visible=False),
)
LOCATIONS = (
    C("name", "Name", width=220, editable=True),
    C("address", "Address", width=220),
    C("lat", "Lat", NUMBER, RIGHT, width=85),
    C("lng", "Lng", NUMBER, RIGHT, width=85),
    C("categoryId", "Category", REF, width=120, ref="categories"),
    C("tagIds", "Tags", REFS, width=140, sortable=False, ref="tags"),
    C("layers", "Layers", LAYERS, width=140, sortable=False),
    C("mapId", "Map", REF, width=150, ref="maps"),
    C("description", "Description", width=240, visible=False),
    C("createdAt", "Created", DATETIME, width=130, visible=False),
    C("updatedAt", "Updated", DATETIME, width=130),
    C("id", "ID", width=210, visible=False),
)
CATEGORIES = (
    C("name", "Name", width=200, editable=True),
    C("color", "Colour", COLOR, width=100),
    C("icon", "Icon", width=100),
    C("mapId", "Map", REF, width=180, ref="maps"),
    C("createdAt", "Created", DATETIME, width=130),
    C("id", "ID", width=210, visible=False),
)
TAGS = (
    C("name", "Name", width=200, editable=True),
    C("mapId", "Map", REF, width=180, ref="maps"),
    C("createdAt", "Created", DATETIME, width=130),
    C("id", "ID", width=210, visible=False),
)
LAYERS_COLS = (
    C("name", "Name", width=200, editable=True),
    C("color", "Colour", COLOR, width=100),
    C("order", "Order", INT, RIGHT, width=60),
    C("routeEnabled", "Route", BOOL, CENTER, width=60),
    C("routeShowByDefault", "Route shown", BOOL, CENTER, width=90, visible=False),
    C("mapId", "Map", REF, width=180, ref="maps"),
    C("createdAt", "Created", DATETIME, width=130),
    C("id", "ID", width=210, visible=False),
)
API_KEYS = (
    C("name", "Name", width=180),
    C("scope", "Scope", ENUM, width=100),
    C("prefix", "Prefix", width=150),
    C("createdAt", "Created", DATETIME, width=130),
    C("expiresAt", "Expires", DATETIME, width=130),
    C("lastUsedAt", "Last used", DATETIME, width=130),
    C("revokedAt", "Revoked", DATETIME, width=130),
    C("id", "ID", width=210, visible=False),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "items": ITEMS,
    "collections": COLLECTIONS,
    "listings": LISTINGS,
    "maps": MAPS,
    "locations": LOCATIONS,
    "categories": CATEGORIES,
    "tags": TAGS,
    "layers": LAYERS_COLS,
    "api_keys": API_KEYS,
}


class FilterSpec(Frozen):
    """A filter combo: which record field it filters, and where its choices come from."""

    __slots__ = ("key", "title", "ref", "ref_label", "values")
    key: str  # field passed to Cache.query_keys(filters={key: value})
    title: str
    ref: str | None  # choices are the rows of this resource (id -> label field)
    ref_label: str
    values: tuple[str, ...]  # fixed choices, else distinct values

    def __init__(self, key: str, title: str, ref: str | None = None, ref_label: str = "name",
                 values: tuple[str, ...] = ()) -> None:
        for name, value in zip(self.__slots__, (key, title, ref, ref_label, values), strict=True):
            object.__setattr__(self, name, value)

    def label(self) -> str:
        return _tr(self.title)


FILTERS: dict[str, tuple[FilterSpec, ...]] = {
    "items": (
        FilterSpec("status", "Status", values=("keep", "sell", "trade", "sold", "archived")),
        FilterSpec("collection_id", "Collection", ref="collections"),
    ),
    "listings": (FilterSpec("type", "Type", values=("sale", "trade")),),
    "locations": (
        FilterSpec("mapId", "Map", ref="maps", ref_label="title"),
        FilterSpec("categoryId", "Category", ref="categories"),
        FilterSpec("layers", "Layer", ref="layers"),
    ),
    "categories": (FilterSpec("mapId", "Map", ref="maps", ref_label="title"),),
    "tags": (FilterSpec("mapId", "Map", ref="maps", ref_label="title"),),
    "layers": (FilterSpec("mapId", "Map", ref="maps", ref_label="title"),),
    "api_keys": (FilterSpec("scope", "Scope", values=("READ_ONLY", "READ_WRITE")),),
}

"""Columns described once, as data (after Picard's and Electrum's column tables).

Each resource the window shows has a tuple of :class:`Column`, made from the resource
registry's fields (app/core/registry: title, format, alignment, width, visibility). The table
model, the detail pane, the clipboard copy and the CSV export all read these descriptions;
nothing else knows how a field is shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from PySide6.QtCore import Qt

from app.core import registry
from app.core.frozen import Frozen
from app.core.records import GONE_AT, LAST_SEEN_AT
from app.core.registry import (
    BOOL,
    COLOR,
    DATETIME,
    ENUM,
    GONE,
    INT,
    LAYERS,
    LIST,
    MONEY,
    NUMBER,
    REF,
    REFS,
    TEXT,
)
from app.core.registry import CENTER as CENTER_ALIGN
from app.core.registry import LEFT as LEFT_ALIGN
from app.core.registry import RIGHT as RIGHT_ALIGN
from app.ui.i18n import translator

# Formats a column may use: the registry's display formats, re-exported for the views.
__all__ = ["BOOL", "CENTER", "COLOR", "COLUMNS", "DATETIME", "ENUM", "FILTERS", "INT", "LAYERS", "LEFT", "LIST",
           "MONEY", "NUMBER", "REF", "REFS", "RIGHT", "TEXT", "Column", "FilterSpec", "Lookups", "enum_label",
           "format_value", "local_datetime"]

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter

Lookups = Mapping[str, Mapping[str, str]]  # resource -> id -> label


_tr = translator("columns")


class Column(Frozen):
    """One column of a table view: a field of the API record and how it is shown."""

    __slots__ = ("key", "title", "fmt", "align", "sortable", "editable", "visible", "width", "read", "ref",
                 "decimals")
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
    decimals: int | None  # NUMBER: fixed decimals (None: up to six significant digits)

    def __init__(self, key: str, title: str, fmt: str = TEXT, align: Qt.AlignmentFlag = LEFT,
                 sortable: bool = True, editable: bool = False, visible: bool = True, width: int = 120,
                 read: Callable[[Mapping[str, Any]], Any] | None = None, ref: str | None = None,
                 decimals: int | None = None) -> None:
        for name, value in zip(self.__slots__, (key, title, fmt, align, sortable, editable, visible, width,
                                                read, ref, decimals), strict=True):
            object.__setattr__(self, name, value)

    def label(self) -> str:
        return _tr(self.title)

    def value(self, record: Mapping[str, Any]) -> Any:
        if self.read is not None:
            return self.read(record)
        return record.get(self.key)

    def text(self, record: Mapping[str, Any], lookups: Lookups | None = None) -> str:
        return format_value(self.fmt, self.value(record), record,
                            lookups.get(self.ref, {}) if (lookups and self.ref) else None, self.decimals)

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
                 labels: Mapping[str, str] | None = None, decimals: int | None = None) -> str:
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
            if decimals is not None:
                return f"{float(value):,.{decimals}f}"
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


def map_status(record: Mapping[str, Any]) -> str:
    """"Gone — last seen …" for a map Mapiry answered 404 for (see sync/known_maps.py), else ""."""
    if not record.get(GONE_AT):
        return ""
    seen = record.get(LAST_SEEN_AT)
    if seen:
        return _tr("Gone — last seen {0}").format(_datetime_text(str(seen)))
    return _tr("Gone since {0}").format(_datetime_text(str(record[GONE_AT])))


_ALIGNMENT = {LEFT_ALIGN: LEFT, RIGHT_ALIGN: RIGHT, CENTER_ALIGN: CENTER}
# Formats whose text is computed from the whole record.
_READERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {GONE: map_status}


def _column(f: registry.Field) -> Column:
    """A table column from the registry's description of a field."""
    return Column(f.name, f.title, f.fmt, _ALIGNMENT[f.align], sortable=f.sortable, editable=f.editable,
                  visible=f.visible, width=f.width, read=_READERS.get(f.fmt),
                  ref=f.ref if f.fmt in (REF, REFS) else None, decimals=f.decimals)


COLUMNS: dict[str, tuple[Column, ...]] = {
    name: tuple(_column(f) for f in res.columns) for name, res in registry.RESOURCES.items() if res.columns
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


def _filter(f: registry.Field) -> FilterSpec:
    """A filter combo from the registry's description of a field: a reference's records, or its choices."""
    if f.ref is not None:
        return FilterSpec(f.name, f.label, ref=f.ref, ref_label=registry.RESOURCES[f.ref].label_field)
    return FilterSpec(f.name, f.label, values=f.choices)


FILTERS: dict[str, tuple[FilterSpec, ...]] = {
    name: tuple(_filter(f) for f in res.filters) for name, res in registry.RESOURCES.items() if res.filters
}

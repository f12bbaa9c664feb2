"""What Cabinet can write, per resource, and the same checks the services make (no Qt, no I/O).

The services decide what can be changed (docs/api-contract.md): InstaMapp items are created
and PATCHed, never deleted; collections, listings and the sales summary are read-only. Mapiry
maps, locations, categories, tags and layers are created, updated (partial PUT) and deleted;
API keys are created (the secret comes back once) and revoked.

``clean(resource, values)`` checks a form's values with the services' own limits and returns
the values to send plus one problem per field; ``changes()`` keeps only the fields that differ
from the cached record, so an edit sends only what changed. Problems are message templates
(``Problem.template`` with ``{placeholders}``) so the UI can translate them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.core.records import DEFAULT_CATEGORY_COLOR, ITEM_CONDITIONS, ITEM_STATUSES, KEY_SCOPES

# Field kinds a form shows.
TEXT, MULTILINE, CHOICE, NUMBER, INT, BOOL, COLOR, REF, REFS, DATETIME, CURRENCY = (
    "text", "multiline", "choice", "number", "int", "bool", "color", "ref", "refs", "datetime", "currency",
)
COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
MAP_STYLES = ("streets-v12", "outdoors-v12", "light-v11", "dark-v11", "satellite-streets-v12")


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the API's field name
    label: str  # untranslated; the UI shows it through tr()
    kind: str = TEXT
    required: bool = False
    low: float | None = None  # text: least length (after trimming); numbers: least value
    high: float | None = None  # text: most length; numbers: most value
    nullable: bool = False  # may be left empty (sent as null on an edit)
    choices: tuple[str, ...] = ()
    ref: str | None = None  # REF / REFS: the resource whose records are the choices
    default: Any = None  # what a new record's form starts with
    trim: bool = False
    separate: bool = False  # not part of the record's body (a location's layer memberships)
    hint: str = ""  # placeholder / help text (untranslated)


@dataclass(frozen=True)
class ResourceSpec:
    name: str
    service: str
    singular: str  # untranslated
    plural: str
    label_field: str
    fields: tuple[FieldSpec, ...] = ()
    can_create: bool = False
    can_edit: bool = False
    can_delete: bool = False
    map_scoped: bool = False
    delete_verb: str = "Delete"

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True)
class Problem:
    """One field's problem: a message template and its values (``str()`` gives the English text)."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**self.params)


F = FieldSpec

SPECS: dict[str, ResourceSpec] = {s.name: s for s in (
    ResourceSpec("items", "instamapp", "item", "items", "name", (
        F("collection_id", "Collection", REF, required=True, ref="collections"),
        F("name", "Name", required=True, low=1, high=200, trim=True),
        F("status", "Status", CHOICE, choices=ITEM_STATUSES, default="keep"),
        F("condition", "Condition", CHOICE, nullable=True, choices=ITEM_CONDITIONS),
        F("estimated_value", "Estimated value", NUMBER, nullable=True, low=0, hint="e.g. 120.50"),
        F("currency", "Currency", CURRENCY, default="USD", hint="ISO code, e.g. USD"),
        F("notes", "Notes", MULTILINE, high=2000, default=""),
    ), can_create=True, can_edit=True),
    ResourceSpec("collections", "instamapp", "collection", "collections", "name"),
    ResourceSpec("listings", "instamapp", "listing", "listings", "item_name"),
    ResourceSpec("maps", "mapiry", "map", "maps", "title", (
        F("title", "Title", required=True, low=1, high=200, trim=True),
        F("description", "Description", MULTILINE, high=2000, default=""),
        F("country", "Country", high=100, default=""),
        F("city", "City", high=100, default=""),
        F("public", "Public", BOOL, default=False, hint="Anyone with the link can see the map"),
        F("allowCloning", "Allow cloning", BOOL, default=True, hint="Others may copy the map"),
        F("style", "Style", TEXT, low=1, high=100, trim=True, choices=MAP_STYLES, default="streets-v12"),
        F("centerLat", "Centre latitude", NUMBER, nullable=True, low=-90, high=90, hint="-90 to 90"),
        F("centerLng", "Centre longitude", NUMBER, nullable=True, low=-180, high=180, hint="-180 to 180"),
        F("zoom", "Zoom", NUMBER, nullable=True, low=0, high=22, hint="0 to 22"),
    ), can_create=True, can_edit=True, can_delete=True),
    ResourceSpec("locations", "mapiry", "location", "locations", "name", (
        F("name", "Name", required=True, low=1, high=200, trim=True),
        F("lat", "Latitude", NUMBER, required=True, low=-90, high=90, hint="-90 to 90"),
        F("lng", "Longitude", NUMBER, required=True, low=-180, high=180, hint="-180 to 180"),
        F("description", "Description", MULTILINE, high=2000, default=""),
        F("address", "Address", high=500, default=""),
        F("categoryId", "Category", REF, nullable=True, ref="categories"),
        F("tagIds", "Tags", REFS, ref="tags", default=()),
        F("layerIds", "Layers", REFS, ref="layers", default=(), separate=True),
    ), can_create=True, can_edit=True, can_delete=True, map_scoped=True),
    ResourceSpec("categories", "mapiry", "category", "categories", "name", (
        F("name", "Name", required=True, low=1, high=100, trim=True),
        F("color", "Colour", COLOR, default=DEFAULT_CATEGORY_COLOR),
        F("icon", "Icon", high=100, default="", hint="an icon name, e.g. coffee"),
    ), can_create=True, can_edit=True, can_delete=True, map_scoped=True),
    ResourceSpec("tags", "mapiry", "tag", "tags", "name", (
        F("name", "Name", required=True, low=1, high=50, trim=True),
    ), can_create=True, can_edit=True, can_delete=True, map_scoped=True),
    ResourceSpec("layers", "mapiry", "layer", "layers", "name", (
        F("name", "Name", required=True, low=1, high=100, trim=True),
        F("color", "Colour", COLOR, default="#6366F1"),
        F("order", "Order", INT, nullable=True, low=0, high=10000, hint="empty: last"),
        F("routeEnabled", "Route", BOOL, default=False, hint="Connect the layer's locations as a route"),
        F("routeShowByDefault", "Show route", BOOL, default=False, hint="Show the route when the map opens"),
    ), can_create=True, can_edit=True, can_delete=True, map_scoped=True),
    ResourceSpec("api_keys", "mapiry", "API key", "API keys", "name", (
        F("name", "Name", required=True, low=1, high=100, trim=True, hint="e.g. Laptop backup script"),
        F("scope", "Scope", CHOICE, required=True, choices=KEY_SCOPES, default="READ_ONLY"),
        F("expiresAt", "Expires", DATETIME, nullable=True),
    ), can_create=True, can_delete=True, delete_verb="Revoke"),
)}
MAP_SCOPED = tuple(n for n, s in SPECS.items() if s.map_scoped)


def spec(resource: str) -> ResourceSpec | None:
    return SPECS.get(resource)


def can_create(resource: str) -> bool:
    s = SPECS.get(resource)
    return bool(s and s.can_create)


def can_edit(resource: str) -> bool:
    s = SPECS.get(resource)
    return bool(s and s.can_edit)


def can_delete(resource: str) -> bool:
    s = SPECS.get(resource)
    return bool(s and s.can_delete)


def record_label(resource: str, record: Mapping[str, Any]) -> str:
    """What a person calls a record: its name or title, else its id."""
    s = SPECS.get(resource)
    key = s.label_field if s else "name"
    return str(record.get(key) or record.get("name") or record.get("title") or record.get("id") or "")


# -- values -------------------------------------------------------------------------------
def form_values(resource: str, record: Mapping[str, Any] | None) -> dict[str, Any]:
    """The values a form starts with: the record's, or the defaults of a new one."""
    s = SPECS[resource]
    out: dict[str, Any] = {}
    for f in s.fields:
        if record is None:
            out[f.name] = list(f.default) if isinstance(f.default, tuple) else f.default
        elif f.name == "layerIds":
            out[f.name] = layer_ids(record)
        else:
            out[f.name] = record.get(f.name, f.default)
    return out


def layer_ids(location: Mapping[str, Any]) -> list[str]:
    """The ids of a location's layers (embedded layer objects or bare ids)."""
    out = []
    for layer in location.get("layers") or ():
        layer_id = layer.get("id") if isinstance(layer, Mapping) else layer
        if layer_id is not None:
            out.append(str(layer_id))
    return out


def _number(value: Any) -> float | None:
    """A finite number from a number or a typed text ("12.5", "12,5"); None when empty."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u2212", "-")
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    return float(text)  # ValueError for anything else


def _clean_one(f: FieldSpec, value: Any, now: datetime) -> tuple[Any, Problem | None]:
    if f.kind in (TEXT, MULTILINE, CHOICE, CURRENCY, COLOR):
        text = "" if value is None else str(value)
        if f.trim or f.kind in (CURRENCY, COLOR):
            text = text.strip()
        if f.kind == CHOICE and f.nullable and not text:
            return None, None
        if not text and f.required:
            return None, Problem("Enter a value.")
        if f.kind == CURRENCY:
            text = text.upper()
            if not CURRENCY_RE.match(text):
                return None, Problem("Enter a three-letter currency code such as USD.")
        elif f.kind == COLOR:
            if not COLOR_RE.match(text):
                return None, Problem("Enter a colour like #1A2B3C.")
            text = text.upper()
        elif f.kind == CHOICE and f.choices and text not in f.choices:
            return None, Problem("Choose one of: {choices}.", {"choices": ", ".join(f.choices)})
        low, high = int(f.low or 0), int(f.high) if f.high is not None else None
        if len(text) < low:
            return None, Problem("Enter a value.")
        if high is not None and len(text) > high:
            return None, Problem("At most {high} characters (now {count}).", {"high": high, "count": len(text)})
        return text, None
    if f.kind in (NUMBER, INT):
        try:
            number = _number(value)
        except ValueError:
            return None, Problem("Enter a number." if f.kind == NUMBER else "Enter a whole number.")
        if number is None:
            return None, (Problem("Enter a value.") if f.required else None)
        if not math.isfinite(number):
            return None, Problem("Enter a number.")
        if f.kind == INT and not number.is_integer():
            return None, Problem("Enter a whole number.")
        if (f.low is not None and number < f.low) or (f.high is not None and number > f.high):
            if f.high is None:
                return None, Problem("Enter {low:g} or more.", {"low": f.low})
            return None, Problem("Enter a value from {low:g} to {high:g}.", {"low": f.low, "high": f.high})
        if f.kind == INT:
            return int(number), None
        return (int(number) if number.is_integer() and isinstance(value, int) else number), None
    if f.kind == BOOL:
        return bool(value), None
    if f.kind == REF:
        ref = None if value in (None, "") else str(value)
        if ref is None and f.required:
            return None, Problem("Choose one.")
        return ref, None
    if f.kind == REFS:
        return list(dict.fromkeys(str(v) for v in (value or ()))), None
    if f.kind == DATETIME:
        if value in (None, ""):
            return None, None
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if when <= now:
            return None, Problem("Choose a time in the future.")
        return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"), None
    raise ValueError(f"unknown field kind {f.kind!r}")


def clean(resource: str, values: Mapping[str, Any], *, now: datetime | None = None
          ) -> tuple[dict[str, Any], dict[str, Problem]]:
    """Check a form's values as the service would; returns (values to send, problems by field)."""
    s = SPECS[resource]
    now = now or datetime.now(UTC)
    out: dict[str, Any] = {}
    problems: dict[str, Problem] = {}
    for f in s.fields:
        if f.name not in values:
            continue
        value, problem = _clean_one(f, values[f.name], now)
        if problem is not None:
            problems[f.name] = problem
        else:
            out[f.name] = value
    return out, problems


def _same(f: FieldSpec, old: Any, new: Any) -> bool:
    if f.kind == REFS:
        return set(old or ()) == set(new or ())
    if f.kind in (NUMBER, INT) and old is not None and new is not None:
        try:
            return float(old) == float(new)
        except (TypeError, ValueError):
            return False
    if f.kind == COLOR and isinstance(old, str) and isinstance(new, str):
        return old.upper() == new.upper()
    if f.kind in (TEXT, MULTILINE) and old is None and new == "":
        return True
    return bool(old == new)


def changes(resource: str, original: Mapping[str, Any], cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned fields whose value differs from the record (what a PATCH / PUT sends)."""
    s = SPECS[resource]
    out: dict[str, Any] = {}
    for f in s.fields:
        if f.name not in cleaned:
            continue
        old = layer_ids(original) if f.name == "layerIds" else original.get(f.name)
        if not _same(f, old, cleaned[f.name]):
            out[f.name] = cleaned[f.name]
    return out


def create_body(resource: str, cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """A create request's body: every value given, without empty optional ones and separate fields."""
    s = SPECS[resource]
    body = {}
    for f in s.fields:
        if f.separate or f.name not in cleaned:
            continue
        value = cleaned[f.name]
        if value is None or (f.kind == REFS and not value):
            continue
        body[f.name] = value
    return body


def split_separate(resource: str, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the record's body fields, the separately saved ones such as a location's layerIds)."""
    s = SPECS[resource]
    separate = {f.name for f in s.fields if f.separate}
    return ({k: v for k, v in fields.items() if k not in separate},
            {k: v for k, v in fields.items() if k in separate})


# -- derived records ------------------------------------------------------------------------
def listing_for(item: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """The marketplace listing InstaMapp shows for an item (contract: one per sell/trade item), or None."""
    status = item.get("status")
    if status not in ("sell", "trade"):
        return None
    item_id = str(item["id"])
    kind = "sale" if status == "sell" else "trade"
    listed = item.get("updated_at")
    if previous is not None and previous.get("type") == kind:
        listed = previous.get("created_at") or listed
    return {
        "object": "listing", "id": "lst_" + item_id.removeprefix("itm_"), "item_id": item_id,
        "item_name": item.get("name"), "type": kind,
        "price": item.get("estimated_value") if kind == "sale" else None,
        "currency": item.get("currency"), "collection_id": item.get("collection_id"), "created_at": listed,
    }


def without_secret(key: Mapping[str, Any]) -> dict[str, Any]:
    """An API key record as it may be kept: without the secret the create answer carries."""
    return {k: v for k, v in key.items() if k != "key"}

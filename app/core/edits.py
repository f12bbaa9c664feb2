"""What Cabinet can write, per resource, and the same checks the services make (no Qt, no I/O).

What can be changed, each form's fields and their rules are the resource registry's
(app/core/registry): this module applies them.

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

from app.core import registry
from app.core.registry import (
    BOOL,
    CHOICE,
    COLOR,
    CURRENCY,
    DATETIME,
    INT,
    MULTILINE,
    NUMBER,
    REF,
    REFS,
    TEXT,
    text_length,
)
from app.core.registry import Field as FieldSpec
from app.core.registry import Resource as ResourceSpec

__all__ = [
    "BOOL", "CHOICE", "COLOR", "COLOR_RE", "CURRENCY", "CURRENCY_RE", "DATETIME", "INT", "MAP_SCOPED", "MULTILINE",
    "NUMBER", "REF", "REFS", "SPECS", "TEXT", "FieldSpec", "Problem", "ResourceSpec",
]

COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Problem:
    """One field's problem: a message template and its values (``str()`` gives the English text)."""

    template: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template.format(**self.params)


# The resources shown in a table (whose rows the Edit menu acts on).
SPECS: dict[str, ResourceSpec] = {n: r for n, r in registry.RESOURCES.items()
                                  if r.view is not None and r.view.page == "table"}
MAP_SCOPED = registry.MAP_SCOPED


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
    for f in s.form:
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
        length = text_length(text)
        if length < low:
            return None, Problem("Enter a value.")
        if high is not None and length > high:
            return None, Problem("At most {high} characters (now {count}).", {"high": high, "count": length})
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
    for f in s.form:
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
    for f in s.form:
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
    for f in s.form:
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
    separate = {f.name for f in s.form if f.separate}
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

"""Undo and redo of the writes the APIs can take back (no Qt, no I/O).

A ``Change`` records one write the person made — an edit, a create, a delete of one or more
records — with what is needed to reverse it: the record before and after, the fields sent, and
for a deleted category, tag or layer the locations that referred to it. ``undo_steps`` and
``redo_steps`` turn a change into ``Step``s, each one write through the same path as the edit
dialogs: a PATCH/PUT back to the old values, a re-create with the old fields and memberships, a
delete of what was created. Where the API cannot take a write back (a deleted map, a created
InstaMapp item, an API key) the change says why instead (``not_undoable``).

``UndoStack`` is the history: push, undo, redo, bounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core import edits
from app.core.registry import referrer_keys

CREATE, UPDATE, DELETE = "create", "update", "delete"
MAX_CHANGES = 100

# Why a change cannot be taken back (untranslated; the UI shows them through tr()).
_CANNOT = {
    (DELETE, "maps"): "Mapiry cannot bring back a deleted map: its locations, categories, tags and layers "
                      "were deleted with it.",
    (CREATE, "items"): "InstaMapp's API cannot delete items, so creating one cannot be undone. "
                       "Set its status to Archived instead (Edit…, F2).",
    (CREATE, "api_keys"): "A new API key cannot be taken back: revoke it (Delete) if it is not wanted.",
    (DELETE, "api_keys"): "Mapiry cannot un-revoke an API key: create a new one.",
}
# A deleted category, tag or layer: the location field that pointed at it.
DEPENDENT_KEYS = referrer_keys("locations")


@dataclass
class Entry:
    """One record's part in a change. ``before``/``after``: the record as cached before and after
    the write; ``fields``: what an edit sent; ``dependents``: for a deleted category, tag or layer,
    the locations that referred to it (as they were)."""

    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    dependents: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Change:
    action: str  # CREATE, UPDATE or DELETE
    resource: str
    entries: list[Entry]

    def label(self) -> str:
        """"Edit location “Fábrica”", "Delete 3 tags" (untranslated words, the record's own name)."""
        spec = edits.spec(self.resource)
        singular, plural = (spec.singular, spec.plural) if spec else (self.resource, self.resource)
        verb = {CREATE: "Create", UPDATE: "Edit", DELETE: "Delete"}[self.action]
        if len(self.entries) == 1:
            record = self.entries[0].after or self.entries[0].before or {}
            return f"{verb} {singular} “{edits.record_label(self.resource, record)}”"
        return f"{verb} {len(self.entries)} {plural}"

    def not_undoable(self) -> str | None:
        """Why the API cannot take this change back, or None when it can."""
        return _CANNOT.get((self.action, self.resource))


@dataclass
class Step:
    """One write: ``save`` (``record`` None creates) or ``remove``. ``entry`` and ``slot`` say where
    the answer goes ("before" or "after" of that entry: a re-created record has a new id), and
    ``relink`` names a deleted category, tag or layer whose dependents are to be linked again to
    the re-created record."""

    kind: str  # "save" or "remove"
    resource: str
    record: dict[str, Any] | None
    fields: dict[str, Any] = field(default_factory=dict)
    map_id: str | None = None
    entry: Entry | None = None
    slot: str = ""
    relink: bool = False


def _create_values(resource: str, record: Mapping[str, Any]) -> dict[str, Any]:
    values = edits.form_values(resource, record)
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in values.items()}


def _old_values(resource: str, before: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
    values = edits.form_values(resource, before)
    return {k: values.get(k) for k in sent}


def undo_steps(change: Change) -> list[Step]:
    """The writes that take ``change`` back (raises ValueError when the API cannot)."""
    if change.not_undoable():
        raise ValueError(change.not_undoable())
    res = change.resource
    steps: list[Step] = []
    for entry in change.entries:
        if change.action == UPDATE:
            assert entry.before is not None and entry.after is not None
            steps.append(Step("save", res, entry.after, _old_values(res, entry.before, entry.fields)))
        elif change.action == CREATE:
            assert entry.after is not None
            steps.append(Step("remove", res, entry.after))
        else:
            assert entry.before is not None
            steps.append(Step("save", res, None, _create_values(res, entry.before),
                              map_id=entry.before.get("mapId"), entry=entry, slot="before",
                              relink=res in DEPENDENT_KEYS and bool(entry.dependents)))
    return steps


def redo_steps(change: Change) -> list[Step]:
    """The writes that make ``change`` again after it was undone."""
    res = change.resource
    steps: list[Step] = []
    for entry in change.entries:
        if change.action == UPDATE:
            steps.append(Step("save", res, entry.after, dict(entry.fields)))
        elif change.action == CREATE:
            assert entry.after is not None
            steps.append(Step("save", res, None, _create_values(res, entry.after),
                              map_id=entry.after.get("mapId"), entry=entry, slot="after"))
        else:
            steps.append(Step("remove", res, entry.before))
    return steps


def relink_fields(resource: str, new_id: str, location: Mapping[str, Any]) -> dict[str, Any]:
    """What a location that referred to a deleted category, tag or layer gets, to refer to the
    re-created one (``new_id``) again, keeping everything else it has now."""
    if resource == "categories":
        return {"categoryId": new_id}
    if resource == "tags":
        tags = [str(t) for t in location.get("tagIds") or ()]
        return {"tagIds": [*tags, new_id] if new_id not in tags else tags}
    layers = edits.layer_ids(location)
    return {"layerIds": [*layers, new_id] if new_id not in layers else layers}


class UndoStack:
    """The changes made, newest last; ``index`` is how many of them are in effect."""

    def __init__(self, limit: int = MAX_CHANGES) -> None:
        self.changes: list[Change] = []
        self.index = 0
        self.limit = limit

    def push(self, change: Change) -> None:
        del self.changes[self.index:]  # a new change drops what was undone
        self.changes.append(change)
        if len(self.changes) > self.limit:
            del self.changes[0]
        self.index = len(self.changes)

    def can_undo(self) -> bool:
        return self.index > 0

    def can_redo(self) -> bool:
        return self.index < len(self.changes)

    def next_undo(self) -> Change | None:
        return self.changes[self.index - 1] if self.can_undo() else None

    def next_redo(self) -> Change | None:
        return self.changes[self.index] if self.can_redo() else None

    def undone(self) -> None:
        """The newest change in effect was taken back."""
        self.index -= 1

    def redone(self) -> None:
        self.index += 1

    def drop_next_undo(self) -> None:
        """Forget the newest change in effect (one the API cannot take back, once said so)."""
        if self.can_undo():
            del self.changes[self.index - 1]
            self.index -= 1

    def clear(self) -> None:
        self.changes.clear()
        self.index = 0

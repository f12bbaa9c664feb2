"""Category, tag and layer columns: match names to the map's own, create the missing ones.

Names match case-insensitively after trimming (and collapsing inner whitespace). A plan
lists what the map has and what is missing; ``create_missing`` creates the missing ones
first (categories, tags, layers), after which every name resolves to an id. Rows then become
bulk payloads: category → ``categoryId``, tags → ``tagIds``; layers are memberships set after
creation (``layer_ids`` of the job row).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import ConflictError
from app.core.registry import RESOURCES
from app.importer.jobs import JobRow
from app.importer.ports import ImportClient
from app.importer.reconcile import row_fingerprint

# What a location refers to on its own map (categories, tags, layers), from the registry.
KINDS = tuple(f.ref for f in RESOURCES["locations"].form if f.ref and RESOURCES[f.ref].map_scoped)


def name_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


@dataclass
class SourceRow:
    """A valid row of the file, in the engine-neutral form the importer works with."""

    line: int
    name: str
    lat: float
    lng: float
    description: str | None = None
    address: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    layers: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        return row_fingerprint(self.name, self.lat, self.lng)

    @classmethod
    def from_valid_row(cls, row: Any) -> SourceRow:
        """From the CSV engine's ``ValidRow`` (app.core.csvimport.validate)."""
        layer = getattr(row, "layer", None)
        layers = list(getattr(row, "layers", None) or ([layer] if layer else []))
        return cls(line=row.line, name=row.name, lat=row.lat, lng=row.lng,
                   description=row.description or None, address=row.address or None,
                   category=row.category or None, tags=list(row.tags or []), layers=layers)


@dataclass
class TaxonomyPlan:
    """For each kind: name key → id on the map (None while missing) and the names as written."""

    map_id: str
    ids: dict[str, dict[str, str | None]] = field(default_factory=lambda: {k: {} for k in KINDS})
    names: dict[str, dict[str, str]] = field(default_factory=lambda: {k: {} for k in KINDS})
    created: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def missing(self, kind: str) -> list[str]:
        return [self.names[kind][k] for k, v in self.ids[kind].items() if v is None]

    @property
    def missing_categories(self) -> list[str]:
        return self.missing("categories")

    @property
    def missing_tags(self) -> list[str]:
        return self.missing("tags")

    @property
    def missing_layers(self) -> list[str]:
        return self.missing("layers")

    @property
    def has_missing(self) -> bool:
        return any(self.missing(k) for k in KINDS)

    def resolve(self, kind: str, name: str | None) -> str | None:
        if name is None or not str(name).strip():
            return None
        return self.ids[kind].get(name_key(name))

    def summary(self) -> dict[str, Any]:
        return {k: {"missing": self.missing(k), "created": list(self.created[k])} for k in KINDS}


class UsedNames:
    """The distinct category, tag and layer names rows use (first spelling wins), gathered a
    chunk of rows at a time."""

    def __init__(self) -> None:
        self.seen: dict[str, dict[str, str]] = {k: {} for k in KINDS}

    def add(self, rows: Iterable[SourceRow]) -> UsedNames:
        seen = self.seen
        for r in rows:
            if r.category and r.category.strip():
                seen["categories"].setdefault(name_key(r.category), r.category.strip())
            for t in r.tags:
                if t and t.strip():
                    seen["tags"].setdefault(name_key(t), t.strip())
            for layer in r.layers:
                if layer and layer.strip():
                    seen["layers"].setdefault(name_key(layer), layer.strip())
        return self

    def as_dict(self) -> dict[str, list[str]]:
        return {k: list(v.values()) for k, v in self.seen.items()}


def used_names(rows: Iterable[SourceRow]) -> dict[str, list[str]]:
    """The distinct category, tag and layer names the rows use (first spelling wins)."""
    return UsedNames().add(rows).as_dict()


async def _list(client: ImportClient, kind: str, map_id: str) -> list[dict[str, Any]]:
    return list(await client.read_all(kind, map_id))


async def plan_taxonomy(client: ImportClient, map_id: str, rows: Sequence[SourceRow]) -> TaxonomyPlan:
    """Match the rows' names to the map's categories, tags and layers (no request when unused)."""
    return await plan_taxonomy_names(client, map_id, used_names(rows))


async def plan_taxonomy_names(client: ImportClient, map_id: str, wanted: dict[str, list[str]]) -> TaxonomyPlan:
    """Match names (``used_names()``) to the map's categories, tags and layers."""
    plan = TaxonomyPlan(map_id)
    for kind in KINDS:
        if not wanted[kind]:
            continue
        have = {name_key(item.get("name", "")): item["id"] for item in await _list(client, kind, map_id)}
        for name in wanted[kind]:
            key = name_key(name)
            plan.names[kind][key] = name
            plan.ids[kind][key] = have.get(key)
    return plan


async def create_missing(client: ImportClient, map_id: str, plan: TaxonomyPlan) -> TaxonomyPlan:
    """Create the plan's missing categories, tags and layers on the map; fills in their ids."""
    for kind in KINDS:
        for key, ident in list(plan.ids[kind].items()):
            if ident is not None:
                continue
            name = plan.names[kind][key]
            try:
                item = await client.create_in_map(kind, map_id, {"name": name})
            except ConflictError:  # made meanwhile (tags are unique per map): use that one
                have = {name_key(i.get("name", "")): i["id"] for i in await _list(client, kind, map_id)}
                if key not in have:
                    raise
                plan.ids[kind][key] = have[key]
                continue
            plan.ids[kind][key] = item["id"]
            plan.created[kind].append(name)
    return plan


def build_job_rows(rows: Sequence[SourceRow], plan: TaxonomyPlan | None) -> list[JobRow]:
    """Bulk payloads for the rows; names the map does not have (and were not created) are left out."""
    out: list[JobRow] = []
    for r in rows:
        payload: dict[str, Any] = {"name": r.name.strip(), "lat": float(r.lat), "lng": float(r.lng)}
        if r.description:
            payload["description"] = r.description
        if r.address:
            payload["address"] = r.address
        layer_ids: list[str] = []
        if plan is not None:
            cat = plan.resolve("categories", r.category)
            if cat:
                payload["categoryId"] = cat
            tag_ids = _unique(plan.resolve("tags", t) for t in r.tags)
            if tag_ids:
                payload["tagIds"] = tag_ids
            layer_ids = _unique(plan.resolve("layers", x) for x in r.layers)
        out.append(JobRow(line=r.line, fingerprint=r.fingerprint, payload=payload, layer_ids=layer_ids))
    return out


def _unique(ids: Iterable[str | None]) -> list[str]:
    seen: list[str] = []
    for i in ids:
        if i and i not in seen:
            seen.append(i)
    return seen

"""The resource registry: every resource of every service Cabinet speaks, described once.

Each resource (``Resource``) names its service, its fields (``Field``: the API's field name,
kind, label, display format, the server's rules — required, lengths, ranges, choices — how
the cache keeps it and how a table shows it), its key, whether it belongs to a map, how it is
read, what may be written, and where the window shows it (``View``). Everything else is derived
from here: the cache's tables (storage/resources.py), what sync reads (sync/engine.py), the
edit forms and their checks (core/edits.py, ui/editing/), the CSV validator's limits
(core/csvimport/validate.py), the table columns and filters (ui/columns.py) and the sidebar
(ui/main_window.py). tests/unit/test_registry.py checks that nothing describes a resource twice.

Lengths are counted in UTF-16 code units (``text_length``), as the services (JavaScript) do.

How to add a resource
---------------------
1. Describe it: add a ``Resource(...)`` to the ``RESOURCES`` tuple of its service's module here
   (a new service: a new module beside ``instamapp.py`` with ``SERVICE`` and ``RESOURCES``, listed
   in ``_MODULES`` below). Give every field the API returns that the app stores, shows, edits or
   filters; name the table's ``columns``, the edit ``form``, the ``search`` text and the
   ``filters`` by field name; set ``reading`` (PAGED, LISTED, SINGLE or PER_SCOPE), the write
   capabilities and a ``View`` (sidebar group and title).
2. Give its service's adapter (services/<service>.py) the calls: ``read_page`` / ``read_all`` /
   ``read_one`` cover it through the adapter's dispatch table, and the write methods for what
   ``can_create`` / ``can_edit`` / ``can_delete`` allow.
That is all: the cache table (a schema component of its own for resources added after v1),
sync, the sidebar view, its table columns, filters and edit form follow from the entry.
"""

from __future__ import annotations

from . import instabot, instamapp, instawp, mapiry
from .model import (
    BOOL,
    CENTER,
    CHOICE,
    COLOR,
    CURRENCY,
    DATETIME,
    ENUM,
    GONE,
    INT,
    LAYERS,
    LEFT,
    LIST,
    LISTED,
    MONEY,
    MULTILINE,
    NUMBER,
    PAGED,
    PER_SCOPE,
    REF,
    REFS,
    RIGHT,
    SINGLE,
    TEXT,
    Field,
    Resource,
    Service,
    View,
    text_length,
)

__all__ = [
    "APP_SERVICES", "BOOL", "BULK_LIMIT", "CENTER", "CHOICE", "COLOR", "CURRENCY", "DATETIME", "ENUM", "GONE", "INT", "LAYERS", "LEFT",
    "LIST", "LISTED", "MAP_SCOPED", "MONEY", "MULTILINE", "NUMBER", "PAGED", "PER_SCOPE", "REF", "REFS",
    "RESOURCES", "RIGHT", "SERVICES", "SINGLE", "TEXT", "Field", "Resource", "Service", "View", "by_service",
    "resource", "scope_parent", "service_title", "text_length", "views",
]

_MODULES = (instamapp, mapiry, instabot, instawp)

SERVICES: dict[str, Service] = {m.SERVICE.name: m.SERVICE for m in _MODULES}
# The services the window, sync and the command line work with: those with a resource described.
APP_SERVICES: tuple[str, ...] = tuple(m.SERVICE.name for m in _MODULES if m.RESOURCES)
RESOURCES: dict[str, Resource] = {r.name: r for m in _MODULES for r in m.RESOURCES}
MAP_SCOPED: tuple[str, ...] = tuple(n for n, r in RESOURCES.items() if r.map_scoped)
BULK_LIMIT = mapiry.BULK_LIMIT


def resource(name: str) -> Resource:
    try:
        return RESOURCES[name]
    except KeyError:
        raise ValueError(f"unknown resource {name!r}; known: {', '.join(RESOURCES)}") from None


def by_service(service: str) -> tuple[Resource, ...]:
    """The resources of one service, in registry order."""
    return tuple(r for r in RESOURCES.values() if r.service == service)


def scope_parent(service: str) -> Resource | None:
    """The resource whose records scope the service's map-scoped ones (Mapiry: maps), if any."""
    return next((r for r in by_service(service) if r.reading == PER_SCOPE), None)


def service_title(service: str | None) -> str:
    """The display name of a service id ("mapiry" → "Mapiry")."""
    if not service:
        return "The service"
    known = SERVICES.get(service)
    return known.title if known is not None else service


def views() -> tuple[tuple[str, tuple[tuple[View, Resource], ...]], ...]:
    """The sidebar: (group, ((view, resource), ...)) in registry order, groups by first appearance."""
    groups: dict[str, list[tuple[View, Resource]]] = {}
    for res in RESOURCES.values():
        if res.view is not None:
            groups.setdefault(res.view.group, []).append((res.view, res))
    return tuple((group, tuple(entries)) for group, entries in groups.items())


def _check() -> None:
    """Refs point at described resources; names are unique across services."""
    for res in RESOURCES.values():
        if res.service not in SERVICES:
            raise ValueError(f"{res.name}: unknown service {res.service!r}")
        for f in res.fields.values():
            if f.ref is not None and f.ref not in RESOURCES:
                raise ValueError(f"{res.name}.{f.name}: refers to undescribed resource {f.ref!r}")
    if len(RESOURCES) != sum(len(m.RESOURCES) for m in _MODULES):
        raise ValueError("a resource name is used twice")


_check()

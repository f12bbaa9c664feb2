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
1. Describe it: append a ``Resource(...)`` to the ``RESOURCES`` tuple of its service's module
   here (``instamapp.py``, ``mapiry.py``). List every field the app stores, shows, edits or
   filters (``Field``: API name, label, kind; rules; ``column=`` to give it a cache column;
   ``title``/``width``/``visible`` for its table column), then name by field the table's
   ``columns``, the edit ``form``, the ``search`` text and the ``filters``. Set ``reading``
   (PAGED, LISTED, SINGLE or PER_SCOPE), ``map_scoped``, ``can_create/can_edit/can_delete``
   and a ``View(name, group, title)`` for the sidebar (a new group appears by itself).
2. Read it: in the service's adapter (``app/services/<service>.py``) add the documented call(s)
   and one branch in ``read_page`` / ``read_all`` / ``read_one`` (the one ``reading`` names)
   that calls them with the registry's resource name.
3. Write it (only if it may be written): add its branch to ``save`` / ``remove`` in
   ``app/sync/writes.py`` (Mapiry's map-scoped resources need none: ``create_in_map`` & co.).
Everything else follows: its cache table (a schema component of its own, "cache:<name>"),
sync, the sidebar view, the table columns, the filters and the edit form with its checks.
``tests/unit/test_registry.py`` and ``tests/gui/test_registry_views.py`` check the derivations.

A new service: a module here with ``SERVICE = Service(name, title, base_url, key_place, ...)``
and its ``RESOURCES``, listed in ``_MODULES`` below; an adapter (an ``ApiClient`` subclass
with ``service = SERVICE.name``) added to ``CLIENT_CLASSES`` in ``app/services/connect.py``.
Its settings tab (its Test connection needs a probe in ``app/services/probe.py``), keyring entry,
environment variables (``<NAME>_API_KEY``/``<NAME>_BASE_URL``),
status-bar entry and ``cabinet sync --service`` choice come from the registry.
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
    "referrer_keys", "resource", "scope_parent", "service_title", "text_length", "views",
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


def referrer_keys(resource: str) -> dict[str, str]:
    """For each map-scoped resource that ``resource``'s records refer to (a location's category,
    tags, layers): the cache filter that finds the records referring to one of them."""
    res = RESOURCES[resource]
    return {f.ref: res.filter_aliases.get(f.name.lower(), f.name) for f in res.form
            if f.ref is not None and RESOURCES[f.ref].map_scoped}


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

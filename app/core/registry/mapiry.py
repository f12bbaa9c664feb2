"""Mapiry REST API v1 (maps): maps, locations, categories, tags, layers, API keys.

The rules are the service's (seeds/002, docs/api-contract.md "Mapiry"). Maps, locations,
categories, tags and layers are created, updated (partial PUT) and deleted; API keys are
created (the secret comes back once) and revoked. Locations, categories, tags and layers
belong to a map (``map_scoped``); Mapiry has no endpoint that lists maps, so maps are read one
by one from the ids Cabinet knows (``PER_SCOPE``).
"""

from __future__ import annotations

from .model import (
    BOOL,
    CHOICE,
    COLOR,
    DATETIME,
    ENUM,
    GONE,
    INT,
    LAYERS,
    LISTED,
    MULTILINE,
    NUMBER,
    PER_SCOPE,
    REF,
    REFS,
    Field,
    Resource,
    Service,
    View,
)

SERVICE = Service("mapiry", "Mapiry", "https://mapiry.com/api/v1", "Mapiry's Account Settings → API Keys",
                  "Account Settings → API Keys", page_size_max=100, pages_counted=True)  # pageSize 1-100; pages say totalPages
GROUP = "Maps"

KEY_SCOPES: tuple[str, ...] = ("READ_ONLY", "READ_WRITE")
MAP_STYLES: tuple[str, ...] = ("streets-v12", "outdoors-v12", "light-v11", "dark-v11", "satellite-streets-v12")
DEFAULT_CATEGORY_COLOR = "#64748B"
# Cabinet's own marks on a cached map record (never sent to the API): the server answered 404
# for it since (ISO 8601, UTC), and when it was last seen there.
GONE_AT = "_cabinetGoneAt"
LAST_SEEN_AT = "_cabinetLastSeenAt"
# The table shows coordinates with this many decimals (about 0.1 m); the detail pane, copies and
# exports keep every stored digit.
COORDINATE_DECIMALS = 6
BULK_LIMIT = 100      # POST /maps/:mapId/locations/bulk: 1-100 locations, atomic

F = Field
_ID = F("id", "ID", column=True, width=210, visible=False)
_MAP = F("mapId", "Map", REF, ref="maps", column="map_id", width=180)
_CREATED = F("createdAt", "Created", DATETIME, column="created_at", width=130)
_UPDATED = F("updatedAt", "Updated", DATETIME, column="updated_at", width=130)
_COLOR = F("color", "Colour", COLOR, default="#6366F1", column=True, width=100)

RESOURCES = (
    Resource("maps", SERVICE.name, (
        _ID,
        F("title", "Title", required=True, low=1, high=200, trim=True, column=True, nocase=True, width=220,
          editable=True),
        # Cabinet's mark on a map Mapiry answered 404 for (app/sync/known_maps.py), shown as its status
        F(GONE_AT, "Status", fmt=GONE, width=270, sortable=False),
        F("slug", "Slug", column=True, width=160, visible=False),
        F("country", "Country", high=100, default="", column=True, width=100),
        F("city", "City", high=100, default="", column=True, width=120),
        F("public", "Public", BOOL, default=False, hint="Anyone with the link can see the map", column=True,
          width=60),
        F("style", "Style", low=1, high=100, trim=True, choices=MAP_STYLES, default="streets-v12", fmt=ENUM,
          column=True, width=90),
        F("userId", "User", column="user_id"),
        _CREATED, _UPDATED,
        F("description", "Description", MULTILINE, high=2000, default="", width=240, visible=False),
        F("allowCloning", "Allow cloning", BOOL, default=True, hint="Others may copy the map", title="Cloning",
          width=65, visible=False),
        F("centerLat", "Centre latitude", NUMBER, nullable=True, low=-90, high=90, hint="-90 to 90", title="Lat",
          width=90, visible=False, decimals=COORDINATE_DECIMALS),
        F("centerLng", "Centre longitude", NUMBER, nullable=True, low=-180, high=180, hint="-180 to 180",
          title="Lng", width=95, visible=False, decimals=COORDINATE_DECIMALS),
        F("zoom", "Zoom", NUMBER, nullable=True, low=0, high=22, hint="0 to 22", width=55, visible=False),
    ), singular="map", plural="maps", label_field="title", reading=PER_SCOPE,
        columns=("title", GONE_AT, "slug", "city", "country", "public", "allowCloning", "style", "centerLat", "centerLng",
                 "zoom", "description", "createdAt", "updatedAt", "id"),
        form=("title", "description", "country", "city", "public", "allowCloning", "style", "centerLat",
              "centerLng", "zoom"),
        search=("title", "slug", "description", "country", "city"),
        can_create=True, can_edit=True, can_delete=True, view=View("maps", GROUP, "Maps"),
        delete_note="Its locations, categories, tags and layers are deleted on Mapiry too."),
    Resource("locations", SERVICE.name, (
        _ID,
        F("mapId", "Map", REF, ref="maps", column="map_id", width=150),
        F("name", "Name", required=True, low=1, high=200, trim=True, column=True, nocase=True, width=220,
          editable=True),
        F("address", "Address", high=500, default="", column=True, nocase=True, width=220),
        F("lat", "Latitude", NUMBER, required=True, low=-90, high=90, hint="-90 to 90", column=True, title="Lat",
          width=90, decimals=COORDINATE_DECIMALS),
        F("lng", "Longitude", NUMBER, required=True, low=-180, high=180, hint="-180 to 180", column=True,
          title="Lng", width=95, decimals=COORDINATE_DECIMALS),
        F("categoryId", "Category", REF, nullable=True, ref="categories", column="category_id"),
        F("createdAt", "Created", DATETIME, column="created_at", width=130, visible=False),
        F("updatedAt", "Updated", DATETIME, column="updated_at", width=130, visible=False),  # room for the address
        F("description", "Description", MULTILINE, high=2000, default="", width=240, visible=False),
        F("tagIds", "Tags", REFS, ref="tags", default=(), width=140, sortable=False),
        F("layerIds", "Layers", REFS, ref="layers", default=(), separate=True),
        F("layers", "Layer", LAYERS, ref="layers", title="Layers", width=140, sortable=False),
    ), singular="location", plural="locations", map_scoped=True,
        columns=("name", "address", "lat", "lng", "categoryId", "tagIds", "layers", "mapId", "description",
                 "createdAt", "updatedAt", "id"),
        form=("name", "lat", "lng", "description", "address", "categoryId", "tagIds", "layerIds"),
        search=("name", "description", "address"), filters=("mapId", "categoryId", "layers"),
        can_create=True, can_edit=True, can_delete=True, view=View("locations", GROUP, "Locations"),
        # the memberships the cache keeps in tables of their own (storage/cache.py)
        filter_aliases={"layer_id": "layer_id", "layerid": "layer_id", "layer": "layer_id", "layers": "layer_id",
                        "layerids": "layer_id",
                        "tag_id": "tag_id", "tagid": "tag_id", "tagids": "tag_id"}),
    Resource("categories", SERVICE.name, (
        _ID, _MAP,
        F("name", "Name", required=True, low=1, high=100, trim=True, column=True, nocase=True, width=200,
          editable=True),
        F("color", "Colour", COLOR, default=DEFAULT_CATEGORY_COLOR, column=True, width=100),
        F("icon", "Icon", high=100, default="", hint="an icon name, e.g. coffee", column=True, indexed=False,
          width=100),
        _CREATED, _UPDATED,
    ), singular="category", plural="categories", map_scoped=True, reading=LISTED,
        columns=("name", "color", "icon", "mapId", "createdAt", "id"), form=("name", "color", "icon"),
        search=("name", "icon", "color"), filters=("mapId",),
        can_create=True, can_edit=True, can_delete=True, view=View("categories", GROUP, "Categories"),
        delete_note="Locations in it stay on the map, without a category."),
    Resource("tags", SERVICE.name, (
        _ID, _MAP,
        F("name", "Name", required=True, low=1, high=50, trim=True, column=True, nocase=True, width=200,
          editable=True),
        _CREATED, _UPDATED,
    ), singular="tag", plural="tags", map_scoped=True, reading=LISTED,
        columns=("name", "mapId", "createdAt", "id"), form=("name",), search=("name",), filters=("mapId",),
        can_create=True, can_edit=True, can_delete=True, view=View("tags", GROUP, "Tags"),
        delete_note="Locations keep everything else; only the tag goes."),
    Resource("layers", SERVICE.name, (
        _ID, _MAP,
        F("name", "Name", required=True, low=1, high=100, trim=True, column=True, nocase=True, width=200,
          editable=True),
        _COLOR,
        F("order", "Order", INT, nullable=True, low=0, high=10000, hint="empty: last", column="layer_order",
          width=60),
        F("routeEnabled", "Route", BOOL, default=False, hint="Connect the layer's locations as a route",
          column="route_enabled", width=60),
        F("routeShowByDefault", "Show route", BOOL, default=False, hint="Show the route when the map opens",
          column="route_show_by_default", title="Route shown", width=90, visible=False),
        _CREATED, _UPDATED,
    ), singular="layer", plural="layers", map_scoped=True, reading=LISTED,
        columns=("name", "color", "order", "routeEnabled", "routeShowByDefault", "mapId", "createdAt", "id"),
        form=("name", "color", "order", "routeEnabled", "routeShowByDefault"), search=("name", "color"),
        filters=("mapId",), can_create=True, can_edit=True, can_delete=True,
        view=View("layers", GROUP, "Layers"),
        delete_note="Locations stay on the map; they leave this layer."),
    Resource("api_keys", SERVICE.name, (
        _ID,
        F("name", "Name", required=True, low=1, high=100, trim=True, hint="e.g. Laptop backup script",
          column=True, nocase=True, width=180),
        F("scope", "Scope", CHOICE, required=True, choices=KEY_SCOPES, default="READ_ONLY", column="key_scope",
          width=100),
        F("prefix", "Prefix", column=True, width=150),
        _CREATED,
        F("expiresAt", "Expires", DATETIME, nullable=True, column="expires_at", width=130),
        F("lastUsedAt", "Last used", DATETIME, column="last_used_at", width=130),
        F("revokedAt", "Revoked", DATETIME, column="revoked_at", width=130),
    ), singular="API key", plural="API keys", reading=LISTED,
        columns=("name", "scope", "prefix", "createdAt", "expiresAt", "lastUsedAt", "revokedAt", "id"),
        form=("name", "scope", "expiresAt"), search=("name", "prefix"), filters=("scope",),
        can_create=True, can_delete=True, delete_verb="Revoke", view=View("api_keys", "Account", "Mapiry API keys"),
        delete_note="Programs using the key stop working at once.",
        read_only_note="Mapiry's API cannot change a key: revoke it and create a new one."),
)

"""InstaWP API v2: sites and templates (seeds/003, 004; docs/api-contract.md "InstaWP API v2").

Sites are created with a name (202 while InstaWP builds them: the app re-reads the site until it
is ready) and deleted; templates are read-only. Dates come as ``yyyy-MM-dd HH:mm:ss.SSS`` (UTC).
"""

from __future__ import annotations

from app.core import instawp as doc

from .model import CHOICE, DATETIME, INT, Field, Resource, Service, View

SERVICE = Service("instawp", "InstaWP", doc.DEFAULT_BASE_URL, "your InstaWP account's API tokens page",
                  page_size_max=doc.PER_PAGE_MAX, pages_counted=True)
GROUP = "Websites"

F = Field
_STAMPS = (F("created_at", "Created", DATETIME, column=True, width=140),
           F("updated_at", "Updated", DATETIME, column=True, width=140, visible=False))

SITES = Resource("sites", SERVICE.name, (
    F("id", "ID", INT, column=True, width=60, visible=False),
    F("name", "Site name", required=True, low=1, high=63, trim=True, column=True, nocase=True, width=180,
          hint="lowercase letters, digits and hyphens", editable=True),
    F("url", "Address", column=True, width=260),
    F("type", "Type", CHOICE, choices=doc.SITE_TYPES, column=True, width=90),
    F("status", "Status", CHOICE, choices=doc.SITE_STATUSES, column=True, width=90),
    F("template_id", "Template", INT, nullable=True, column=True, width=80, visible=False),
    F("wp_version", "WordPress", column=True, width=90),
    F("php_version", "PHP", column=True, width=60),
    *_STAMPS,
    ), singular="site", plural="sites",
        columns=("name", "url", "type", "status", "wp_version", "php_version", "created_at", "updated_at",
                 "template_id", "id"),
        form=("name",), search=("name", "url", "type", "status"), filters=("type", "status"),
        can_create=True, can_delete=True, view=View("sites", GROUP, "Sites"),
        delete_note="InstaWP deletes the site and everything on it; this cannot be undone.")
TEMPLATES = Resource("templates", SERVICE.name, (
    F("id", "ID", INT, column=True, width=60, visible=False),
    F("name", "Name", column=True, nocase=True, width=200),
    F("slug", "Slug", column=True, width=150),
    F("description", "Description", column=True, width=320),
    F("wp_version", "WordPress", column=True, width=90),
    F("php_version", "PHP", column=True, width=60),
    *_STAMPS,
    ), singular="template", plural="templates",
        columns=("name", "slug", "description", "wp_version", "php_version", "created_at", "updated_at", "id"),
        search=("name", "slug", "description"), view=View("templates", GROUP, "Templates"),
        read_only_note="InstaWP's API only reads templates: make them on InstaWP, then refresh (F5).")
RESOURCES = (SITES, TEMPLATES)

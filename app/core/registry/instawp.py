"""InstaWP API v2 (seeds/003, 004): the service. Its resources (sites, templates) join here (see
the package's docstring for the recipe)."""

from __future__ import annotations

from .model import Resource, Service

SERVICE = Service("instawp", "InstaWP", "https://app.instawp.io/api/v2", "your InstaWP account's API tokens page")

RESOURCES: tuple[Resource, ...] = ()

"""Instabot Server API (seeds/001): the service. Its resources join here (see the package's
docstring for the recipe); until it has one, the app connects to it nowhere but Settings' probe."""

from __future__ import annotations

from .model import Resource, Service

SERVICE = Service("instabot", "Instabot", "https://api.instabot.io/v1", "the Instabot portal's application settings")

RESOURCES: tuple[Resource, ...] = ()

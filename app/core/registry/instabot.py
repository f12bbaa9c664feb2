"""Instabot Server API (seeds/001; docs/api-contract.md "Instabot Server API").

The document names two calls: ``GET /`` (application name, API version) and ``GET /usersession``
(the signed-in user). Cabinet keeps what they return as one record, the connection, and makes
no call up; the adapter is ready for more (one method and one resource each).
"""

from __future__ import annotations

from app.core import instabot as doc

from .model import CHOICE, DATETIME, SINGLE, Field, Resource, Service, View

SERVICE = Service("instabot", "Instabot", doc.DEFAULT_BASE_URL, "the Instabot portal's application settings",
                  secrets=("master_key", "session_key"))
GROUP = "Instabot"

F = Field
CONNECTION = Resource("instabot_connection", SERVICE.name, (
    F("id", "ID", column=True, visible=False),
    F("applicationName", "Application", column=True, width=200),
    F("version", "API version", column=True, width=110),
    F("access", "Access", CHOICE, choices=doc.ACCESS_LEVELS, column=True, width=120),
    F("userName", "Signed in as", column=True, width=160),
    F("userId", "User ID", column=True, width=140, visible=False),
    F("email", "E-mail", column=True, width=200),
    F("createdAt", "Session since", DATETIME, column=True, width=140),
    ), singular="connection", plural="connections", label_field="applicationName", reading=SINGLE,
        columns=("applicationName", "version", "access", "userName", "email", "createdAt", "userId", "id"),
        view=View("instabot", GROUP, "Application"),
        read_only_note="This is what Instabot's documented calls return: the application, the API version "
                       "and, after a user sign-in (Settings), whose session it is.")
RESOURCES = (CONNECTION,)

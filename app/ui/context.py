"""``AppContext``: what the window and its parts work with, made and owned by the AppController.

The cache, the sync engine (and through it the service clients), the credentials, the
settings and the import manager are handed down in this one object instead of being reached
for. Each is typed by the protocol of the layer that owns it (``CacheStore``, ``Syncer``,
``ServiceClient``, ``ImportClient``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

if TYPE_CHECKING:  # the window's first paint loads none of these (httpx, keyring come after it)
    from app.importer.ports import ImportClient
    from app.services.client_base import ServiceClient
    from app.services.credentials import CredentialStore
    from app.storage import CacheStore
    from app.sync.engine import Syncer
    from app.ui.import_manager import ImportManager

ORGANISATION = "Cabinet"
APPLICATION = "Cabinet"


class AppContext:
    """The application's parts for the UI. ``engine`` is None until the services are set up
    (after the first paint) or when none is connected; ``import_manager`` is made by the window
    the first time an import needs it."""

    def __init__(self, cache: CacheStore, *, demo: bool = False, engine: Syncer | None = None,
                 credentials: CredentialStore | None = None) -> None:
        self.cache = cache
        self.demo = demo
        self.engine = engine
        self.credentials = credentials
        self.import_manager: ImportManager | None = None

    def client(self, service: str) -> ServiceClient | None:
        """The connected client of a service, or None."""
        return self.engine.client(service) if self.engine is not None else None

    def import_client(self) -> ImportClient | None:
        """The client imports use (Mapiry's), or None while it is not connected."""
        # start-up: httpx (under the adapters) loads after the first paint
        from app.importer.ports import IMPORT_SERVICE
        from app.services.mapiry import MapiryClient

        client = self.client(IMPORT_SERVICE)
        return client if isinstance(client, MapiryClient) else None

    @staticmethod
    def settings() -> QSettings:
        """The window's own settings (geometry, views, columns): QSettings, never secrets."""
        return QSettings(ORGANISATION, APPLICATION)

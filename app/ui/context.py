"""``AppContext``: what the window and its parts work with, made and owned by the AppController.

The cache, the sync engine (and through it the service clients), the credentials, the
settings and the import manager are handed down in this one object instead of being reached
for. Each is typed by the protocol of the layer that owns it (``CacheStore``, ``Syncer``,
``ServiceClient``, ``ImportClient``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from app.core import registry
from app.core.errors import AuthenticationError
from app.ui.empty_state import SyncFailure
from app.ui.i18n import translator

if TYPE_CHECKING:  # the window's first paint loads none of these (httpx, keyring come after it)
    from app.importer.ports import ImportClient
    from app.services.client_base import ServiceClient
    from app.services.credentials import CredentialStore
    from app.storage import CacheStore
    from app.sync.engine import Syncer, SyncReport
    from app.ui.import_manager import ImportManager

_tr = translator("AppContext")
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
        self.sync_errors: dict[str, SyncFailure] = {}  # resource -> why its last sync failed (this session)

    def client(self, service: str) -> ServiceClient | None:
        """The connected client of a service, or None."""
        return self.engine.client(service) if self.engine is not None else None

    # -- what the views' empty states ask (app/ui/empty_state.ServiceLink) ---------------------
    def service_connected(self, service: str) -> bool | None:
        """Whether ``service`` has a client; None until the services are set up."""
        return None if self.engine is None else self.client(service) is not None

    def sync_error(self, resource: str) -> SyncFailure | None:
        return self.sync_errors.get(resource)

    def note_sync(self, services: tuple[str, ...], report: SyncReport) -> None:
        """Keep why each resource of ``services`` failed in a finished sync (and forget old failures)."""
        for service in services:
            offline = service in report.offline
            whole = report.errors.get(service)
            for res in registry.by_service(service):
                own = next((e for k, e in report.errors.items()
                            if k == f"{service}:{res.name}" or k.startswith(f"{service}:{res.name}:")), None)
                if own is None and res.name not in report.counts:
                    own = whole  # a refused key stops the service's later resources
                if own is not None:
                    self.sync_errors[res.name] = SyncFailure(own.user_message(), isinstance(own, AuthenticationError))
                elif offline and res.name not in report.counts:
                    self.sync_errors[res.name] = SyncFailure(_tr("{0} could not be reached (offline).").format(
                        registry.SERVICES[service].title))
                else:
                    self.sync_errors.pop(res.name, None)

    def note_sync_failed(self, services: tuple[str, ...], why: str) -> None:
        """A sync that ended in an exception: ``why`` for every resource of ``services``."""
        for service in services:
            for res in registry.by_service(service):
                self.sync_errors[res.name] = SyncFailure(why)

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

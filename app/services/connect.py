"""A service's connection made whole: its key and base URL found, and the adapter made for it.

``load_connection`` reads the environment, then the session's or the keyring's key (see
credentials.py), then the saved base URL (config.py); ``make_client`` builds the adapter.
Imported when a connection is made, not on the way to the window's first paint.
"""

from __future__ import annotations

import os
from typing import Any

from app.core import registry
from app.services.client_base import ApiClient
from app.services.config import (
    Connection,
    MissingKeyError,
    check_service,
    env_api_key,
    env_base_url,
    load_base_url,
    read_connections,
    request_deadline,
)
from app.services.credentials import CredentialStore
from app.services.instabot import InstabotClient
from app.services.instamapp import InstaMappClient
from app.services.instawp import InstaWPClient
from app.services.mapiry import MapiryClient

# The adapter of each service (its class says which service it speaks).
CLIENT_CLASSES: dict[str, type[ApiClient]] = {
    cls.service: cls for cls in (InstaMappClient, MapiryClient, InstabotClient, InstaWPClient)}


def load_secrets(service: str, credentials: CredentialStore) -> dict[str, str]:
    """A service's further secrets (environment first, then this session, then the keyring)."""
    found: dict[str, str] = {}
    for secret in registry.SERVICES[service].secrets:
        value = os.environ.get(registry.SERVICES[service].secret_env(secret), "").strip() or credentials.get(
            registry.SERVICES[service].secret_id(secret))
        if value:
            found[secret] = value
    return found


def load_connection(service: str, credentials: CredentialStore | None = None) -> Connection:
    """The connection to use: key from env > session > keyring; URL from env > saved > default."""
    check_service(service)
    url = env_base_url(service)
    url_source = "env"
    if url is None:
        saved = read_connections().get(service)
        url = load_base_url(service)
        url_source = "saved" if isinstance(saved, dict) and saved.get("base_url") else "default"
    if credentials is None:
        credentials = CredentialStore()
    secrets = load_secrets(service, credentials)
    key = env_api_key(service)
    if key is not None:
        return Connection(service, url, key, "env", url_source, secrets)
    session = credentials.session_key(service)
    if session is not None:
        return Connection(service, url, session, "session", url_source, secrets)
    stored = credentials.keyring_key(service)
    if stored is not None:
        return Connection(service, url, stored, "keyring", url_source, secrets)
    return Connection(service, url, None, "none", url_source, secrets)


def make_client(conn: Connection, **http_kwargs: Any) -> ApiClient:
    """The adapter for a connection. Raises MissingKeyError when it has no key, BadSettingError
    for a bad CABINET_REQUEST_DEADLINE."""
    if not conn.api_key:
        raise MissingKeyError(conn.service)
    deadline = request_deadline()
    if deadline is not None:
        http_kwargs.setdefault("deadline", deadline)
    cls = CLIENT_CLASSES.get(conn.service)
    if cls is None:
        raise ValueError(f"unknown service {conn.service!r}")
    return cls(conn.base_url, conn.api_key, **conn.secrets, **http_kwargs)

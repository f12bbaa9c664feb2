"""Connection settings shared by the GUI and the command line (no Qt, no httpx at import).

Base URLs live in ``config_dir()/connections.json``; keys never do (see credentials.py).
The environment wins over stored values: INSTAMAPP_API_KEY, MAPIRY_API_KEY,
INSTAMAPP_BASE_URL, MAPIRY_BASE_URL.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from app.core import registry
from app.core.errors import CabinetError, service_name

APP_NAME = "Cabinet"
SERVICES = tuple(registry.SERVICES)
DEFAULT_BASE_URLS = {name: service.base_url for name, service in registry.SERVICES.items()}
# Where on each service's website a person makes an API key (for the settings' hints).
KEY_PLACES = {name: service.key_page for name, service in registry.SERVICES.items() if service.key_page}
KEY_ENV = {name: service.key_env for name, service in registry.SERVICES.items()}
URL_ENV = {name: service.url_env for name, service in registry.SERVICES.items()}
CONNECTIONS_FILE = "connections.json"
DEADLINE_ENV = "CABINET_REQUEST_DEADLINE"  # seconds one request may take in all (tests, slow links)


class MissingKeyError(CabinetError):
    """No API key is set for a service."""

    def __init__(self, service: str) -> None:
        self.service = service
        super().__init__(
            f"No {service_name(service)} API key is set. Add it in Settings (Ctrl+,) in the app, "
            f"or set the {KEY_ENV.get(service, 'API key')} environment variable."
        )


def check_service(service: str) -> str:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    return service


def _user_dir(env: str, kind: str) -> Path:
    """The folder named by ``env``, else the platform's user ``kind`` folder. Created."""
    override = os.environ.get(env)
    if override:
        path = Path(override).expanduser()
    else:
        import platformdirs  # start-up: only when no folder is named in the environment

        finder = {"data": platformdirs.user_data_dir, "config": platformdirs.user_config_dir,
                  "log": platformdirs.user_log_dir, "cache": platformdirs.user_cache_dir}[kind]
        path = Path(finder(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Where the cache lives: CABINET_DATA_DIR, else the platform's user data folder. Created."""
    return _user_dir("CABINET_DATA_DIR", "data")


def cache_dir() -> Path:
    """Where files that can be fetched again live (map tiles): CABINET_CACHE_DIR; else ``cache``
    in CABINET_DATA_DIR when that is set (as log_dir); else the platform's user cache folder.
    Created."""
    if not os.environ.get("CABINET_CACHE_DIR") and os.environ.get("CABINET_DATA_DIR"):
        path = data_dir() / "cache"
        path.mkdir(parents=True, exist_ok=True)
        return path
    return _user_dir("CABINET_CACHE_DIR", "cache")


def config_dir() -> Path:
    """Where settings live: CABINET_CONFIG_DIR, else the platform's user config folder. Created."""
    return _user_dir("CABINET_CONFIG_DIR", "config")


def log_dir() -> Path:
    """Where the log files go: CABINET_LOG_DIR; else ``logs`` in CABINET_DATA_DIR when that is set
    (tests and portable set-ups keep everything in one folder); else the platform's user log
    folder. Created."""
    if not os.environ.get("CABINET_LOG_DIR") and os.environ.get("CABINET_DATA_DIR"):
        path = data_dir() / "logs"
        path.mkdir(parents=True, exist_ok=True)
        return path
    return _user_dir("CABINET_LOG_DIR", "log")


class Connection:
    """A service's base URL and key, and where each came from (compared by value)."""

    __slots__ = ("service", "base_url", "api_key", "key_source", "url_source", "secrets")

    def __init__(self, service: str, base_url: str, api_key: str | None, key_source: str,
                 url_source: str = "default", secrets: dict[str, str] | None = None) -> None:
        self.secrets = dict(secrets or {})  # the service's further secrets by name (Instabot's master_key...)
        self.service = service
        self.base_url = base_url
        self.api_key = api_key
        self.key_source = key_source  # "env" | "keyring" | "session" | "none"
        self.url_source = url_source  # "env" | "saved" | "default"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    __hash__ = None  # type: ignore[assignment] - mutable, like the dataclass it was

    def __repr__(self) -> str:
        return (f"Connection(service={self.service!r}, base_url={self.base_url!r}, "
                f"api_key={'***' if self.api_key else None}, key_source={self.key_source!r})")

    @property
    def has_key(self) -> bool:
        return bool(self.api_key)


def _connections_path() -> Path:
    return config_dir() / CONNECTIONS_FILE


def read_connections() -> dict[str, Any]:
    try:
        data = json.loads(_connections_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def normalise_base_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    if not url:
        raise ValueError("the base URL is empty")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"the base URL must start with https:// (got {url!r})")
    return url


def _write_connections(data: dict[str, Any]) -> None:
    """Write connections.json atomically: base URLs and whether a key was saved, never a key."""
    clean: dict[str, dict[str, Any]] = {}
    for service, entry in data.items():
        if service not in SERVICES or not isinstance(entry, dict):
            continue
        kept: dict[str, Any] = {}
        if isinstance(entry.get("base_url"), str) and entry["base_url"]:
            kept["base_url"] = entry["base_url"]
        if entry.get("key_saved") is True:
            kept["key_saved"] = True
        if kept:
            clean[service] = kept
    import tempfile  # start-up: needed only when connections.json is written

    path = _connections_path()
    fd, tmp = tempfile.mkstemp(prefix=".connections-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(clean, fh, indent=2, sort_keys=True)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_base_url(service: str, url: str) -> None:
    """Store a service's base URL in connections.json (only URLs are ever written there)."""
    check_service(service)
    data = read_connections()
    entry = data.get(service) if isinstance(data.get(service), dict) else {}
    data[service] = {**entry, "base_url": normalise_base_url(url)}
    _write_connections(data)


def mark_key_saved(service: str, saved: bool) -> None:
    """Remember (without the key) that a key is in the keyring, so start-up needs no keyring call."""
    check_service(service)
    data = read_connections()
    entry = dict(data.get(service)) if isinstance(data.get(service), dict) else {}
    if saved:
        entry["key_saved"] = True
    else:
        entry.pop("key_saved", None)
    data[service] = entry
    _write_connections(data)


def has_saved_keys() -> bool:
    """True when a key was saved in the keyring for any service (a hint; the keyring decides)."""
    data = read_connections()
    return any(isinstance(data.get(s), dict) and data[s].get("key_saved") is True for s in SERVICES)


def load_base_url(service: str) -> str:
    """The saved base URL of a service, or its default (the environment is not consulted)."""
    check_service(service)
    entry = read_connections().get(service)
    if isinstance(entry, dict) and isinstance(entry.get("base_url"), str) and entry["base_url"].strip():
        return entry["base_url"].strip().rstrip("/")
    return DEFAULT_BASE_URLS[service]


def env_base_url(service: str) -> str | None:
    value = os.environ.get(URL_ENV[check_service(service)], "").strip()
    return value.rstrip("/") or None


def env_api_key(service: str) -> str | None:
    value = os.environ.get(KEY_ENV[check_service(service)], "").strip()
    return value or None


class BadSettingError(CabinetError, ValueError):
    """An environment variable holds a value Cabinet cannot use."""


def request_deadline() -> float | None:
    """The total deadline of one request from CABINET_REQUEST_DEADLINE (None when unset)."""
    raw = os.environ.get(DEADLINE_ENV, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.5 <= value <= 3600:
        raise BadSettingError(f"{DEADLINE_ENV}={raw!r} is not a number of seconds between 0.5 and 3600; "
                              f"fix it or unset it (the default is used then).")
    return value

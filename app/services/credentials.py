"""API keys in the OS keyring (service name "Cabinet"), or for this session only.

Keys are never written to a file by Cabinet: where no real keyring backend works (the fail
and null backends, the plaintext/file backends of keyrings.alt) ``set()`` refuses with
``KeyringUnavailable`` unless the caller asks for a session-only key, which lives in this
process's memory and is gone when it exits. Nothing here logs or formats a key.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from app.core import registry
from app.core.errors import CabinetError, service_name
from app.services import config
from app.services.diagnostics import remember_secret

KEYRING_SERVICE = "Cabinet"
USERNAMES = {name: f"{name}-api-key" for name in registry.SERVICES}
# A service's further secrets (Instabot's master key, a user's session key) by their credential id.
USERNAMES.update({service.secret_id(secret): f"{service.name}-{secret.replace('_', '-')}"
                  for service in registry.SERVICES.values() for secret in service.secrets})

# Backends that do not keep a secret safely (or at all).
_REFUSED_MODULE_PREFIXES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
_REFUSED_NAMES = ("PlaintextKeyring", "EncryptedKeyring", "UncryptedFileKeyring", "FileKeyring")


class KeyringUnavailable(CabinetError):
    """No working OS keyring: the key cannot be stored safely."""

    def __init__(self, detail: str = "") -> None:
        self.detail = detail
        super().__init__(
            "No system keyring is available on this computer, so Cabinet cannot save the API key "
            "safely. You can keep the key for this session only (it is forgotten when Cabinet "
            "closes), or set the INSTAMAPP_API_KEY / MAPIRY_API_KEY environment variables."
        )


def _username(service: str) -> str:
    try:
        return USERNAMES[service]
    except KeyError:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(USERNAMES)}") from None


def _backend_acceptable(backend: Any) -> bool:
    cls = type(backend)
    module = cls.__module__ or ""
    if module.startswith(_REFUSED_MODULE_PREFIXES) or cls.__name__ in _REFUSED_NAMES:
        return False
    # The chainer tries its backends in turn: acceptable only if it has some and all are.
    inner = getattr(backend, "backends", None)
    if module.startswith("keyring.backends.chainer") or (inner is not None and cls.__name__ == "ChainerBackend"):
        members = list(inner or [])
        return bool(members) and all(_backend_acceptable(b) for b in members)
    try:
        return float(getattr(cls, "priority", 1)) > 0
    except Exception:  # a backend whose priority raises is not viable
        return False


def _remember_saved(service: str, saved: bool) -> None:
    """Note in connections.json whether a service's API key is in the keyring (never the key itself)."""
    if service not in registry.SERVICES:  # a further secret: start-up does not depend on it
        return
    with contextlib.suppress(OSError):
        config.mark_key_saved(service, saved)


class CredentialStore:
    """API keys per service. Session-only keys are shared by every store in this process."""

    _session: dict[str, str] = {}
    _session_lock = threading.Lock()

    def __init__(self, backend: Any | None = None) -> None:
        self._backend = backend  # None: whatever keyring.get_keyring() says at the time

    def __repr__(self) -> str:
        with self._session_lock:
            held = sorted(self._session)
        return f"CredentialStore(backend={self.backend_name()!r}, session_keys_for={held!r})"

    # -- backend ------------------------------------------------------------------------------
    def _keyring(self) -> Any:
        if self._backend is not None:
            return self._backend
        import keyring  # start-up: the keyring loads after the window's first paint

        return keyring.get_keyring()

    def backend_name(self) -> str:
        try:
            cls = type(self._keyring())
        except Exception:
            return "none"
        return f"{cls.__module__}.{cls.__name__}"

    def available(self) -> bool:
        """True when a working keyring backend that is neither fail, null nor plaintext is set."""
        try:
            return _backend_acceptable(self._keyring())
        except Exception:  # keyring could not even be loaded
            return False

    # -- keys -----------------------------------------------------------------------------------
    def get(self, service: str) -> str | None:
        """The key for a service: the session value first, then the keyring."""
        session = self.session_key(service)
        return session if session is not None else self.keyring_key(service)

    def session_key(self, service: str) -> str | None:
        _username(service)
        with self._session_lock:
            return self._session.get(service)

    def keyring_key(self, service: str) -> str | None:
        username = _username(service)
        if not self.available():
            return None
        try:
            value = self._keyring().get_password(KEYRING_SERVICE, username)
        except Exception:  # a locked or broken keyring reads as "no key"
            return None
        remember_secret(value)
        return value or None

    def source(self, service: str) -> str:
        """Where get() finds the key: "session", "keyring" or "none"."""
        if self.session_key(service) is not None:
            return "session"
        return "keyring" if self.keyring_key(service) is not None else "none"

    def set(self, service: str, key: str, *, session_only: bool = False) -> None:
        """Keep a key: in the keyring, or (session_only) in memory for this process only."""
        username = _username(service)
        key = (key or "").strip()
        if not key:
            raise ValueError(f"the {service_name(service)} API key is empty")
        remember_secret(key)
        if session_only:
            with self._session_lock:
                self._session[service] = key
            return
        if not self.available():
            raise KeyringUnavailable()
        try:
            self._keyring().set_password(KEYRING_SERVICE, username, key)
        except Exception as exc:  # locked, dismissed prompt, D-Bus gone...
            raise KeyringUnavailable(type(exc).__name__) from None
        with self._session_lock:
            self._session.pop(service, None)
        _remember_saved(service, True)

    def delete(self, service: str) -> None:
        """Forget the key of a service, in the session and in the keyring."""
        username = _username(service)
        with self._session_lock:
            self._session.pop(service, None)
        _remember_saved(service, False)
        if not self.available():
            return
        # PasswordDeleteError: nothing was stored.
        with contextlib.suppress(Exception):
            self._keyring().delete_password(KEYRING_SERVICE, username)

    @classmethod
    def clear_session(cls) -> None:
        """Forget every session-only key (tests; "log out")."""
        with cls._session_lock:
            cls._session.clear()

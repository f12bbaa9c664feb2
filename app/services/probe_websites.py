"""'Test connection' for Instabot and InstaWP: what the keys give, found by reading only. No Qt.

- Instabot: ``GET /`` with the keys as they will be sent gives the application's name and the
  API version; a refused Authorization means the master or session key is wrong. With a user
  session key, ``GET /usersession`` says whose session it is. The access level is the one the
  server accepted: API key only, user session or master key.
- InstaWP: one-row reads of sites and templates; the server's message is kept as sent.

Results never hold a key, and their texts never repeat one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core import instabot as ib
from app.core.errors import ApiError, CabinetError, OfflineError, service_name
from app.services.instabot import InstabotClient
from app.services.instawp import InstaWPClient

TIMEOUT = 15.0


@dataclass
class WebsiteProbe:
    """The outcome of a connection test of Instabot or InstaWP."""

    ok: bool
    service: str
    summary: str
    error: CabinetError | None = None
    request_id: str | None = None
    application: str | None = None  # Instabot: applicationName
    version: str | None = None  # Instabot: API version
    access: str | None = None  # Instabot: one of core.instabot.ACCESS_LEVELS
    user: str | None = None  # Instabot: the session's user name
    sites: int | None = None  # InstaWP: how many sites the token sees
    templates: int | None = None  # InstaWP: how many templates
    message: str = ""  # InstaWP: the server's message, as sent

    def __repr__(self) -> str:
        return f"WebsiteProbe(ok={self.ok}, service={self.service!r}, summary={self.summary!r})"


def _failure(service: str, exc: CabinetError, *secrets: str | None) -> WebsiteProbe:
    if isinstance(exc, OfflineError):
        summary = f"Could not reach {service_name(service)}: check the base URL and your connection."
    else:
        summary = exc.user_message()
    for secret in secrets:
        if secret and len(secret.strip()) >= 4:
            summary = summary.replace(secret.strip(), "•••")
    rid = exc.request_id if isinstance(exc, ApiError) else None
    return WebsiteProbe(False, service, summary, error=exc, request_id=rid)


def _missing(service: str, what: str) -> WebsiteProbe:
    return WebsiteProbe(False, service, f"Enter the {service_name(service)} {what} to test the connection.")


async def probe_instabot(base_url: str, api_key: str, master_key: str | None = None,
                         session_key: str | None = None, **http_kwargs: Any) -> WebsiteProbe:
    """Application name, API version and the access the keys give; never raises."""
    if not api_key.strip():
        return _missing("instabot", "API key")
    http_kwargs.setdefault("deadline", TIMEOUT)
    http_kwargs.setdefault("max_retries", 0)
    try:
        async with InstabotClient(base_url.strip(), api_key, master_key=master_key, session_key=session_key,
                                  **http_kwargs) as client:
            info = await client.get_info()
            user = None
            if client.access == ib.ACCESS_USER_SESSION:
                session = await client.get_user_session()
                user = str(session.get("userName") or session.get("userId") or "") or None
            access = client.access
    except CabinetError as exc:
        return _failure("instabot", exc, api_key, master_key, session_key)
    application = str(info.get("applicationName") or "") or None
    version = str(info.get("version") or "") or None
    words = {ib.ACCESS_API_KEY: "API key only", ib.ACCESS_USER_SESSION: "user session",
             ib.ACCESS_MASTER_KEY: "master key"}
    summary = f"Connected to {application or 'Instabot'} (API {version or 'version unknown'}) — {words[access]}"
    return WebsiteProbe(True, "instabot", summary + (f" of {user}" if user else ""), application=application,
                        version=version, access=access, user=user)


async def probe_instawp(base_url: str, token: str, language: str | None = None,
                        **http_kwargs: Any) -> WebsiteProbe:
    """How many sites and templates the token sees, and the server's message; never raises."""
    if not token.strip():
        return _missing("instawp", "API token")
    http_kwargs.setdefault("deadline", TIMEOUT)
    http_kwargs.setdefault("max_retries", 0)
    try:
        async with InstaWPClient(base_url.strip(), token, language=language, **http_kwargs) as client:
            sites = await client.list_sites(per_page=1)
            templates = await client.list_templates(per_page=1)
    except CabinetError as exc:
        return _failure("instawp", exc, token)
    return WebsiteProbe(True, "instawp", f"Connected — {sites.total if sites.total is not None else '?'} sites, "
                        f"{templates.total if templates.total is not None else '?'} templates",
                        sites=sites.total, templates=templates.total)

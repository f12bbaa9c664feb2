"""Per-service sync state in the status bar: state, data age and rate-limit budget."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from app.core import registry
from app.ui.i18n import translator
from app.ui.palette import accent, follow_palette, set_sheet

if TYPE_CHECKING:  # httpx (under the services) loads after the first paint
    from app.services.client_base import ServiceClient
    from app.storage import CacheStore

# The services the window shows (status bar, Settings): those with resources in the registry.
SERVICE_TITLES = {name: registry.SERVICES[name].title for name in registry.APP_SERVICES}
# Resources whose last sync tells how old a service's data is.
SERVICE_RESOURCES = {name: tuple(r.name for r in registry.by_service(name)) for name in registry.APP_SERVICES}
STATES = ("idle", "synced", "syncing", "waiting", "offline", "error")
STATE_KINDS = {"idle": "idle", "synced": "ok", "syncing": "info", "waiting": "warning", "offline": "warning",
               "error": "error"}


_tr = translator("StatusBar")


def state_title(state: str) -> str:
    return {
        "idle": _tr("Cached"),
        "synced": _tr("Synced"),
        "syncing": _tr("Syncing"),
        "waiting": _tr("Waiting"),
        "offline": _tr("Offline"),
        "error": _tr("Error"),
    }.get(state, state)


def age_text(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return _tr("never synced")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    minutes = max(0, int((now - when).total_seconds() // 60))
    if minutes < 1:
        return _tr("last synced just now")
    if minutes < 60:
        return _tr("last synced {0} min ago").format(minutes)
    hours = minutes // 60
    if hours < 48:
        return _tr("last synced {0} h ago").format(hours)
    return _tr("last synced {0} days ago").format(hours // 24)


def last_synced(cache: CacheStore, service: str) -> datetime | None:
    """The newest sync time among the service's resources (map-scoped ones per known map)."""
    stamps: list[datetime] = []
    scopes = [""]
    if registry.scope_parent(service) is not None:
        with contextlib.suppress(Exception):  # an old cache without known maps still opens
            scopes += [str(m.get("id") or m.get("map_id") or "") for m in cache.known_maps()]
    for resource in SERVICE_RESOURCES.get(service, ()):
        for scope in scopes:
            try:
                when = cache.last_synced(resource, scope)
            except Exception:  # noqa: BLE001
                when = None
            if when is not None:
                stamps.append(when if when.tzinfo else when.replace(tzinfo=UTC))
    return max(stamps) if stamps else None


def rate_budget(client: ServiceClient) -> str:
    """"540/600 requests left" for the client's tightest bucket, or "" when unknown."""
    best = None
    for limit in client.rate_limits.snapshot().values():
        remaining, total = limit.remaining, limit.limit
        if remaining is None or not total:
            continue
        reset = limit.reset_at
        if reset is not None and reset < time.time():
            continue  # that window is over: the budget is full again
        if best is None or remaining / total < best[0] / best[1]:
            best = (remaining, total)
    if best is None:
        return ""
    return _tr("{0}/{1} requests left").format(best[0], best[1])


def countdown_text(until: float, now: float | None = None) -> str:
    """"12 s left (until 18:45:12)": what is left of a wait, and when it ends, in local time."""
    left = max(0, round(until - (time.time() if now is None else now)))
    try:
        end = datetime.fromtimestamp(until).strftime("%H:%M:%S" if left < 86_400 else "%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        end = "?"
    if left < 120:
        return _tr("{0} s left, until {1}").format(left, end)
    return _tr("{0} min left, until {1}").format(round(left / 60), end)


class ServiceStatus(QWidget):
    """One service's label in the status bar; during a rate-limit wait, a countdown with Cancel."""

    cancelRequested = Signal(str)  # the service whose wait the person cancelled

    def __init__(self, service: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.state = "idle"
        self.detail = ""
        self.age = ""
        self.budget = ""
        self.wait_until: float | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 0, 8, 0)
        lay.setSpacing(6)
        self.dot = QLabel("●")
        self.label = QLabel()
        self.cancel_button = QToolButton()
        self.cancel_button.setText(_tr("Cancel"))
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.setToolTip(_tr("Stop waiting and end this refresh"))
        self.cancel_button.clicked.connect(lambda: self.cancelRequested.emit(self.service))
        self.cancel_button.hide()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count_down)
        lay.addWidget(self.dot)
        lay.addWidget(self.label)
        lay.addWidget(self.cancel_button)
        self._render()
        follow_palette(self, self._render)

    def set_state(self, state: str, detail: str = "") -> None:
        if state != "waiting":
            self.wait_until = None
            self._tick.stop()
            self.cancel_button.hide()
        self.state = state
        self.detail = detail
        self._render()

    def start_countdown(self, until: float) -> None:
        """Show "Waiting (12 s left, until 18:45:12)", counting down each second, with Cancel."""
        self.wait_until = until
        self.cancel_button.show()
        self._tick.start()
        self.set_state("waiting", countdown_text(until))

    def _count_down(self) -> None:
        if self.wait_until is None:
            self._tick.stop()
            return
        self.set_state("waiting", countdown_text(self.wait_until))

    def set_age(self, text: str) -> None:
        self.age = text
        self._render()

    def set_budget(self, text: str) -> None:
        self.budget = text
        self._render()

    def text(self) -> str:
        return self.label.text()

    def _render(self) -> None:
        title = SERVICE_TITLES.get(self.service, self.service)
        parts = [f"{title}: {state_title(self.state)}"]
        if self.detail:
            parts[0] += f" ({self.detail})"
        if self.age:
            parts.append(self.age)
        if self.budget:
            parts.append(self.budget)
        text = " · ".join(parts)
        if text != self.label.text():  # progress reports arrive per page: touch only what changed
            self.label.setText(text)
            self.setToolTip(text)
        set_sheet(self.dot, f"color: {accent(STATE_KINDS.get(self.state, 'idle'))};")

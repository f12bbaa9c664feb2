"""Per-service sync state in the status bar: state, data age and rate-limit budget."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from app.core import registry
from app.ui.i18n import translator
from app.ui.palette import accent, follow_palette, set_sheet

if TYPE_CHECKING:  # httpx (under the services) loads after the first paint
    from PySide6.QtGui import QResizeEvent

    from app.services.client_base import ServiceClient
    from app.storage import CacheStore

# The services the window shows (status bar, Settings): those with resources in the registry.
SERVICE_TITLES = {name: registry.SERVICES[name].title for name in registry.APP_SERVICES}
# Resources whose last sync tells how old a service's data is.
SERVICE_RESOURCES = {name: tuple(r.name for r in registry.by_service(name)) for name in registry.APP_SERVICES}
# "unconnected": no key for the service yet (a first start): neutral, not a failure; "offline"
# and "error" are real failures of a connected service.
STATES = ("unconnected", "idle", "synced", "syncing", "waiting", "offline", "error")
STATE_KINDS = {"unconnected": "idle", "idle": "idle", "synced": "ok", "syncing": "info", "waiting": "warning",
               "offline": "warning", "error": "error"}


_tr = translator("StatusBar")


def state_title(state: str) -> str:
    return {
        "unconnected": _tr("Not connected"),
        "idle": _tr("Cached"),
        "synced": _tr("Synced"),
        "syncing": _tr("Syncing"),
        "waiting": _tr("Waiting"),
        "offline": _tr("Offline"),
        "error": _tr("Error"),
    }.get(state, state)


def age_text(when: datetime | None, now: datetime | None = None) -> str:
    """How old the data is, as the status bar says it: "2 min ago", "never synced"."""
    if when is None:
        return _tr("never synced")
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    minutes = max(0, int((now - when).total_seconds() // 60))
    if minutes < 1:
        return _tr("just now")
    if minutes < 60:
        return _tr("{0} min ago").format(minutes)
    hours = minutes // 60
    if hours < 48:
        return _tr("{0} h ago").format(hours)
    return _tr("{0} days ago").format(hours // 24)


def synced_text(when: datetime | None, now: datetime | None = None) -> str:
    """The tooltip's line: "Last synced 2 min ago (2026-03-01 18:40)", or "Never synced"."""
    if when is None:
        return _tr("Never synced")
    local = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone()
    return _tr("Last synced {0} ({1})").format(age_text(when, now), local.strftime("%Y-%m-%d %H:%M"))


def clock_text(seconds: float) -> str:
    """2:41 (or 1:02:41 beyond an hour) for a wait in seconds, rounded up."""
    total = max(0, int(seconds + 0.999))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


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


def wait_text(until: float, now: float | None = None) -> str:
    """"12 s left, until 18:45:12": what is left of a wait, and when it ends, in local time."""
    left = max(0, round(until - (time.time() if now is None else now)))
    try:
        end = datetime.fromtimestamp(until).strftime("%H:%M:%S" if left < 86_400 else "%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        end = "?"
    if left < 120:
        return _tr("{0} s left, until {1}").format(left, end)
    return _tr("{0} min left, until {1}").format(round(left / 60), end)


class ElidedLabel(QLabel):
    """One line of text that ends in "…" when it has less room than it needs, instead of being cut."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        if text != self._full:
            self._full = text
            self.updateGeometry()
            self._elide()

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + margins.left() + margins.right() + 2
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full[:3] + "…") + margins.left() + margins.right()
        return QSize(min(width, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        fits = self.fontMetrics().horizontalAdvance(self._full) <= width
        self.setText(self._full if fits else self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, width))


class ServiceStatus(QWidget):
    """One service in the status bar, short: "Mapiry ● Synced · 2 min ago" (elided when the bar is
    narrow); the tooltip has it all (what is syncing, when it last synced, the rate-limit budget).
    During a rate-limit wait, a countdown with Cancel."""

    cancelRequested = Signal(str)  # the service whose wait the person cancelled

    def __init__(self, service: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.state = "idle"
        self.detail = ""
        self.synced_at: datetime | None = None
        self.budget = ""
        self.wait_until: float | None = None
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 0, 8, 0)
        lay.setSpacing(4)
        self.name = QLabel(SERVICE_TITLES.get(service, service))
        self.dot = QLabel("●")
        self.label = ElidedLabel()
        self.cancel_button = QToolButton()
        self.cancel_button.setText(_tr("Cancel"))
        self.cancel_button.setAutoRaise(True)
        self.cancel_button.setToolTip(_tr("Stop waiting and end this refresh"))
        self.cancel_button.clicked.connect(lambda: self.cancelRequested.emit(self.service))
        self.cancel_button.hide()
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count_down)
        lay.addWidget(self.name)
        lay.addWidget(self.dot)
        lay.addWidget(self.label, 1)
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
        """Show "Waiting 1:52", counting down each second, with Cancel (the tooltip says until when)."""
        self.wait_until = until
        self.cancel_button.show()
        self._tick.start()
        self.set_state("waiting", wait_text(until))

    def _count_down(self) -> None:
        if self.wait_until is None:
            self._tick.stop()
            return
        self.set_state("waiting", wait_text(self.wait_until))

    def set_synced_at(self, when: datetime | None) -> None:
        """When the service's data was last synced (None: never); shown as its age."""
        self.synced_at = when
        self._render()

    def set_budget(self, text: str) -> None:
        """The rate-limit budget ("540/600 requests left"), for the tooltip."""
        self.budget = text
        self._render()

    def text(self) -> str:
        """Everything the item says, as its tooltip has it (the bar shows the short form)."""
        return self.toolTip()

    def short_text(self) -> str:
        """What the bar shows (before eliding): the name, then the state and the data's age."""
        return f"{self.name.text()} {self.label.full_text()}"

    def _render(self) -> None:
        title = SERVICE_TITLES.get(self.service, self.service)
        if self.state == "waiting" and self.wait_until is not None:
            short = _tr("Waiting {0}").format(clock_text(self.wait_until - time.time()))
        elif self.detail:
            short = f"{state_title(self.state)} ({self.detail})"
        else:
            short = f"{state_title(self.state)} · {age_text(self.synced_at)}"
        lines = [f"{title}: {state_title(self.state)}" + (f" ({self.detail})" if self.detail else ""),
                 synced_text(self.synced_at)]
        if self.budget:
            lines.append(self.budget)
        tip = "\n".join(lines)
        if short != self.label.full_text():  # progress reports arrive per page: touch only what changed
            self.label.set_full_text(short)
        if tip != self.toolTip():
            self.setToolTip(tip)
        self.dot.setText("○" if self.state == "unconnected" else "●")  # nothing there yet, not a failure
        set_sheet(self.dot, f"color: {accent(STATE_KINDS.get(self.state, 'idle'))};")

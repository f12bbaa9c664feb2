"""What a view says when it has nothing to show, and the one step that helps.

An empty cache has three causes a person can act on differently: the service has no key
(F5 cannot help: "Connect <Service>…" opens Settings on its tab), the last sync of the resource
failed (say why), or nothing was synced yet (F5). ``ServiceLink`` is what the view asks the
window about; ``AppContext`` answers it.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.core import registry
from app.ui.i18n import translator
from app.ui.palette import style_muted

_tr = translator("EmptyState")


class SyncFailure(NamedTuple):
    """Why the last sync of a resource failed, and whether the service refused the key (then a new
    key in Settings helps, F5 does not)."""

    why: str
    key_refused: bool = False


class ServiceLink(Protocol):
    """What an empty view needs to know about the services behind it."""

    def service_connected(self, service: str) -> bool | None:
        """Whether the service has a client; None while the services are still being set up."""
        ...

    def sync_error(self, resource: str) -> SyncFailure | None:
        """Why the last sync of ``resource`` failed (None when it did not, or none ran)."""
        ...


def empty_message(resource: str, link: ServiceLink | None) -> tuple[str, str | None]:
    """The text of ``resource``'s empty view, and the service to offer connecting (or None)."""
    service = registry.RESOURCES[resource].service
    title = registry.SERVICES[service].title
    connected = link.service_connected(service) if link is not None else None
    if connected is False:
        return (_tr("{0} is not connected, so there is nothing to show here yet. Connect it with an API key "
                    "from {1}.").format(title, registry.SERVICES[service].key_place), service)
    failure = link.sync_error(resource) if link is not None else None
    if failure is not None and failure.key_refused:
        return _tr("The last sync from {0} failed: {1}").format(title, failure.why), service
    if failure is not None:
        return _tr("The last sync from {0} failed: {1}\nPress F5 to try again.").format(title, failure.why), None
    return _tr("Nothing cached yet — press F5 to sync."), None


class EmptyState(QWidget):
    """A centred message, with a "Connect <Service>…" button when a key is what would help."""

    connectRequested = Signal(str)  # the service to open Settings on

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        self.service: str | None = None
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        style_muted(self.label, "font-size: 14px;")
        self.button = QPushButton()
        self.button.hide()
        self.button.clicked.connect(self._connect)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 40, 40, 40)
        layout.setSpacing(14)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def text(self) -> str:
        return self.label.text()

    def show_message(self, text: str, connect: str | None = None) -> None:
        """Say ``text``; with ``connect`` (a service), offer to connect it."""
        self.label.setText(text)
        self.service = connect
        if connect is not None:
            self.button.setText(_tr("Connect {0}…").format(registry.SERVICES[connect].title))
        self.button.setVisible(connect is not None)

    def show_resource(self, resource: str, link: ServiceLink | None) -> None:
        """The message for an empty cache of ``resource``."""
        self.show_message(*empty_message(resource, link))

    def _connect(self) -> None:
        if self.service is not None:
            self.connectRequested.emit(self.service)

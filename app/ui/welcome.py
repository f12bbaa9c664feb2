"""The first start, in the window: "Explore the demo" or "Connect my accounts".

Shown instead of the views when there are no keys and no cache. Connecting asks which
account to connect first and says where that service makes its keys; the window then opens
Settings on that service (which tests the key before it saves it) and, once Mapiry is
connected, goes on to bring the person's maps in (Maps → Add existing maps…).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCommandLinkButton,
    QFrame,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.services.config import KEY_PLACES
from app.ui.i18n import translator
from app.ui.settings_panel import SERVICE_TITLES

_tr = translator("WelcomePage")


class WelcomePage(QWidget):
    """Two ways in; the second one asks which service to connect first."""

    demoRequested = Signal()
    connectRequested = Signal(str)  # the service to open Settings on

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        card = QFrame()
        card.setObjectName("welcomeCard")
        card.setFixedWidth(620)
        card.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(card)
        column.setContentsMargins(28, 24, 28, 24)
        column.setSpacing(12)
        heading = QLabel(_tr("Welcome to Cabinet"))
        heading.setObjectName("welcomeHeading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        heading.setFont(font)
        column.addWidget(heading)
        intro = QLabel(_tr("Cabinet keeps your InstaMapp inventory and your Mapiry maps at hand in fast "
                           "tables, online and offline, and imports locations from CSV files."))
        intro.setWordWrap(True)
        column.addWidget(intro)

        self.steps = QStackedWidget()
        self.steps.setMinimumHeight(260)
        # Step 1: demo or own accounts
        first = QWidget()
        first_column = QVBoxLayout(first)
        first_column.setContentsMargins(0, 8, 0, 0)
        self.demo_button = QCommandLinkButton(
            _tr("Explore the demo"),
            _tr("Sample inventory and maps from a server built into Cabinet. Nothing you do touches a real "
                "account; connect yours whenever you like."))
        self.demo_button.setObjectName("exploreDemo")
        self.demo_button.clicked.connect(self.demoRequested.emit)
        self.connect_button = QCommandLinkButton(
            _tr("Connect my accounts"),
            _tr("Use your InstaMapp and Mapiry API keys. Cabinet keeps them in your system keyring, or "
                "for this session only where there is none; never in a file."))
        self.connect_button.setObjectName("connectAccounts")
        self.connect_button.clicked.connect(lambda: self.steps.setCurrentIndex(1))
        first_column.addWidget(self.connect_button)
        first_column.addWidget(self.demo_button)
        first_column.addStretch(1)
        self.steps.addWidget(first)

        # Step 2: which service first, and where its key is made
        second = QWidget()
        second_column = QVBoxLayout(second)
        second_column.setContentsMargins(0, 8, 0, 0)
        ask = QLabel(_tr("Which account do you want to connect first? You can add the others later in "
                         "Settings (Ctrl+,)."))
        ask.setWordWrap(True)
        second_column.addWidget(ask)
        self.service_buttons: dict[str, QCommandLinkButton] = {}
        for service, title in SERVICE_TITLES.items():
            place = KEY_PLACES.get(service)
            where = (_tr("Make a key on the {0} website: {1}.").format(title, place) if place
                     else _tr("Have your {0} key at hand.").format(title))
            button = QCommandLinkButton(
                title, where + " " + _tr("Then paste it in the next window; Cabinet tests it before it keeps it."))
            button.setObjectName(f"connect-{service}")
            button.clicked.connect(lambda _c=False, s=service: self.connectRequested.emit(s))
            second_column.addWidget(button)
            self.service_buttons[service] = button
        back = QPushButton(_tr("Back"))
        back.setObjectName("welcomeBack")
        back.clicked.connect(lambda: self.steps.setCurrentIndex(0))
        second_column.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)
        second_column.addStretch(1)
        self.steps.addWidget(second)
        column.addWidget(self.steps)

        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def show_start(self) -> None:
        self.steps.setCurrentIndex(0)

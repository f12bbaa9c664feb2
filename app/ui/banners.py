"""Strips at the top of the window: the demo-data banner and a non-modal notice bar."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from app.ui.i18n import translator
from app.ui.palette import follow_palette, set_sheet, tone

_tr = translator("Banners")


class DemoBanner(QFrame):
    """"Demo data" with a button that leads to connecting real accounts."""

    connectRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoBanner")
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 10, 6)
        self.label = QLabel(_tr("<b>Demo data</b> — you are looking at sample data from a local sandbox. "
                                "Nothing you do here touches a real account."))
        row.addWidget(self.label, 1)
        from PySide6.QtWidgets import QPushButton  # start-up: the banner is made in demo mode only

        self.connect_button = QPushButton(_tr("Connect your accounts…"))
        self.connect_button.clicked.connect(self.connectRequested.emit)
        row.addWidget(self.connect_button)
        follow_palette(self, self._restyle)

    def _restyle(self) -> None:
        t = tone("accent")
        set_sheet(self, f"#demoBanner {{ background: {t.background}; }} #demoBanner QLabel {{ color: {t.text}; }}"
                        f"#demoBanner QPushButton {{ background: {t.text}; color: {t.background}; border: none;"
                        " border-radius: 4px; padding: 4px 12px; font-weight: 600; }")


class NoticeBar(QFrame):
    """A message that stays until closed or replaced; never blocks the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.kind = "info"
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 5, 6, 5)
        self.label = QLabel()
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(_tr("Dismiss"))
        close.clicked.connect(self.hide)
        row.addWidget(close)
        self.hide()
        follow_palette(self, self._restyle)

    def _restyle(self) -> None:
        t = tone(self.kind)
        set_sheet(self, f"#noticeBar {{ background: {t.background}; border-bottom: 1px solid {t.border}; }}"
                        f"#noticeBar QLabel, #noticeBar QToolButton {{ color: {t.text}; }}")

    def text(self) -> str:
        return "" if self.isHidden() else self.label.text()

    def show_message(self, text: str, kind: str = "info") -> None:
        self.kind = kind
        self._restyle()
        self.label.setText(text)
        self.show()

"""Strips at the top of the window: the demo-data banner and a non-modal notice bar."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

KIND_STYLES = {
    "info": ("#eff6ff", "#1e3a8a", "#bfdbfe"),
    "warning": ("#fffbeb", "#78350f", "#fde68a"),
    "error": ("#fef2f2", "#7f1d1d", "#fecaca"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Banners", text)


class DemoBanner(QFrame):
    """"Demo data" with a button that leads to connecting real accounts."""

    connectRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoBanner")
        self.setStyleSheet(
            "#demoBanner { background: #4f46e5; } #demoBanner QLabel { color: white; }"
            "#demoBanner QPushButton { background: white; color: #3730a3; border: none; border-radius: 4px;"
            " padding: 4px 12px; font-weight: 600; }"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 10, 6)
        self.label = QLabel(_tr("<b>Demo data</b> — you are looking at sample data from a local sandbox. "
                                "Nothing you do here touches a real account."))
        row.addWidget(self.label, 1)
        from PySide6.QtWidgets import QPushButton  # the banner is made in demo mode only

        self.connect_button = QPushButton(_tr("Connect your accounts…"))
        self.connect_button.clicked.connect(self.connectRequested.emit)
        row.addWidget(self.connect_button)


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

    def text(self) -> str:
        return "" if self.isHidden() else self.label.text()

    def show_message(self, text: str, kind: str = "info") -> None:
        self.kind = kind
        bg, fg, border = KIND_STYLES.get(kind, KIND_STYLES["info"])
        self.setStyleSheet(f"#noticeBar {{ background: {bg}; border-bottom: 1px solid {border}; }}"
                           f"#noticeBar QLabel {{ color: {fg}; }}")
        self.label.setText(text)
        self.show()

"""One service's part of the settings dialog: its key, base URL and "Test connection"."""

from __future__ import annotations

import asyncio
import html
import os
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.services import config
from app.services.credentials import CredentialStore
from app.services.probe import INSTAMAPP_SCOPES, ProbeResult, local_date, probe
from app.services.probe_websites import WebsiteProbe
from app.ui.palette import style_tone
from app.ui.status import SERVICE_TITLES

RunTask = Callable[[Coroutine[Any, Any, Any]], Any]
TestResult = ProbeResult | WebsiteProbe


def default_run_task(coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
    """Start ``coro`` on the current (qasync) loop."""
    return asyncio.ensure_future(coro)


def _framed(parent: QWidget, name: str, compact: bool = False) -> tuple[QFrame, QLabel, QLabel]:
    """A frame holding an icon and a word-wrapped text: notices and test results."""
    frame = QFrame(parent)
    frame.setObjectName(name)
    layout = QHBoxLayout(frame)
    layout.setContentsMargins(*((8, 4, 8, 4) if compact else (10, 8, 10, 8)))
    layout.setSpacing(8 if compact else 10)
    icon = QLabel(frame)
    icon.setAlignment(Qt.AlignmentFlag.AlignTop)
    text = QLabel(frame)
    text.setWordWrap(True)
    layout.addWidget(icon)
    layout.addWidget(text, 1)
    return frame, icon, text


def notice(text: str, *, kind: str, parent: QWidget, compact: bool = False) -> QFrame:
    """A framed line of plain text with an icon: kind is "warning" or "info"."""
    frame, icon, label = _framed(parent, f"{kind}Notice", compact)
    style_tone(frame, "warning" if kind == "warning" else "info", f"QFrame#{kind}Notice", "border-radius: 4px;")
    pixmap = (
        QStyle.StandardPixmap.SP_MessageBoxWarning
        if kind == "warning"
        else QStyle.StandardPixmap.SP_MessageBoxInformation
    )
    size = 16 if compact else 24
    icon.setPixmap(frame.style().standardIcon(pixmap).pixmap(size, size))
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setObjectName("noticeText")
    return frame


class ServicePanel(QWidget):
    """The key, base URL and connection test of one service."""

    tested = Signal(object)  # the ProbeResult of a finished connection test

    def __init__(
        self,
        service: str,
        credentials: CredentialStore,
        keyring_ok: bool,
        run_task: RunTask,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self._credentials = credentials
        self._run_task = run_task
        self._task: asyncio.Task[Any] | None = None
        self._generation = 0
        self.last_result: TestResult | None = None
        self.setObjectName(f"{service}Panel")
        title = SERVICE_TITLES[service]

        self.saved_key = credentials.get(service)  # session value first, then the keyring
        self.saved_base_url = config.load_base_url(service)
        self.default_base_url = config.DEFAULT_BASE_URLS[service]

        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.setSpacing(10)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(8)
        self.form = form

        # API key, masked, with a show/hide toggle
        self.key_edit = QLineEdit(self.saved_key or "", self)
        self.key_edit.setObjectName("apiKey")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("Paste the key {0} showed you").format(title))
        self.key_edit.setClearButtonEnabled(True)
        self.key_edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.show_key = self._button(self.tr("S&how"), "showKey")
        self.show_key.setCheckable(True)
        self.show_key.setToolTip(self.tr("Show or hide the key"))
        self.show_key.toggled.connect(self._on_show_toggled)
        self._add_row(form, self.tr("API &key:"), self.key_edit, self.show_key)
        if service in config.KEY_PLACES:
            self.key_place = QLabel(self.tr("Make a key on the {0} website: {1}.").format(
                title, config.KEY_PLACES[service]), self)
            self.key_place.setObjectName("keyPlace")
            self.key_place.setWordWrap(True)
            form.addRow("", self.key_place)
        self.env_key_notice = self._env_notice(form, f"{service.upper()}_API_KEY")

        # Base URL, the default as placeholder
        url = "" if self.saved_base_url == self.default_base_url else self.saved_base_url
        self.url_edit = QLineEdit(url, self)
        self.url_edit.setObjectName("baseUrl")
        self.url_edit.setPlaceholderText(self.default_base_url)
        self.reset_url = self._button(self.tr("&Reset to default"), "resetUrl")
        self.reset_url.clicked.connect(self.url_edit.clear)
        self._add_row(form, self.tr("&Base URL:"), self.url_edit, self.reset_url)
        self.env_url_notice = self._env_notice(form, f"{service.upper()}_BASE_URL")
        # The buttons beside the fields share one width, so the fields end in line.
        width = max(self.show_key.sizeHint().width(), self.reset_url.sizeHint().width())
        self.show_key.setFixedWidth(width)
        self.reset_url.setFixedWidth(width)

        # Session-only storage, offered where no keyring works
        self.session_only = QCheckBox(self.tr("Keep the key for this s&ession only"), self)
        self.session_only.setObjectName("sessionOnly")
        self.session_only.setToolTip(
            self.tr(
                "The key is kept in memory and forgotten when Cabinet closes; it is never written to a file."
            )
        )
        self.session_only.setVisible(not keyring_ok)
        self.session_only.setChecked(not keyring_ok)
        form.addRow("", self.session_only)

        # Test connection: button, busy indicator, result
        self.test_button = self._button(self.tr("&Test connection"), "testConnection")
        self.test_button.clicked.connect(self.start_test)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("busy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedSize(110, 14)
        self.busy_label = QLabel(self.tr("Testing…"), self)
        test_row = QHBoxLayout()
        test_row.setSpacing(8)
        for widget in (self.test_button, self.busy, self.busy_label):
            test_row.addWidget(widget)
        test_row.addStretch(1)
        form.addRow("", test_row)
        outer.addLayout(form)
        self._set_busy(False)

        self.result_frame, self.result_icon, self.result_label = _framed(self, "result")
        self.result_frame.setVisible(False)
        self._restyle_result = style_tone(
            self.result_frame, lambda: "ok" if self.last_result is not None and self.last_result.ok else "error",
            "QFrame#result", "border-radius: 4px;")
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        outer.addWidget(self.result_frame)
        outer.addStretch(1)

        self.key_edit.textChanged.connect(self._values_changed)
        self.url_edit.textChanged.connect(self._values_changed)
        chain = (
            self.key_edit,
            self.show_key,
            self.url_edit,
            self.reset_url,
            self.session_only,
            self.test_button,
        )
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAutoDefault(False)  # Enter stays OK
        return button

    def _add_row(self, form: QFormLayout, label_text: str, field: QWidget, button: QWidget) -> None:
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(field, 1)
        row.addWidget(button)
        label = QLabel(label_text, self)
        label.setBuddy(field)
        form.addRow(label, row)

    def _env_notice(self, form: QFormLayout, variable: str) -> QFrame | None:
        """A notice under a field that an environment variable overrides."""
        if not os.environ.get(variable, "").strip():
            return None
        text = self.tr("Set by the environment variable {0}; it overrides what you save here.")
        frame = notice(text.format(variable), kind="info", parent=self, compact=True)
        form.addRow("", frame)
        return frame

    # ------------------------------------------------------------ values

    def typed_key(self) -> str:
        return self.key_edit.text().strip()

    def typed_base_url(self) -> str:
        return self.url_edit.text().strip().rstrip("/") or self.default_base_url

    def effective_base_url(self) -> str:
        """The address Cabinet will use: the environment's when it sets one (it overrides what is
        saved, as the notice says), else the typed one."""
        return config.env_base_url(self.service) or self.typed_base_url()

    def key_changed(self) -> bool:
        return self.typed_key() != (self.saved_key or "")

    def base_url_changed(self) -> bool:
        return self.typed_base_url() != self.saved_base_url.rstrip("/")

    # ------------------------------------------------------------ show / hide

    def _on_show_toggled(self, shown: bool) -> None:
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_key.setText(self.tr("&Hide") if shown else self.tr("S&how"))

    # ------------------------------------------------------------ connection test

    def is_testing(self) -> bool:
        return self._task is not None

    def start_test(self) -> None:
        if self._task is not None:
            return
        self._generation += 1
        generation = self._generation
        base_url, key = self.effective_base_url(), self.typed_key()
        self._set_busy(True)
        self.result_frame.setVisible(False)

        finished = False

        async def run() -> None:
            nonlocal finished
            try:
                result = await self.run_probe(base_url, key)
            finally:
                finished = True
                self._task = None
            if generation == self._generation:
                self.show_result(result)
                self.tested.emit(result)
            self._set_busy(False)

        task = self._run_task(run())
        if not finished:  # a run_task that ran it to the end already has nothing to keep
            self._task = task

    async def run_probe(self, base_url: str, key: str) -> TestResult:
        """The connection test of this service with the typed values."""
        return await probe(self.service, base_url, key)

    def cancel_test(self) -> None:
        task, self._task = self._task, None
        self._generation += 1
        if task is not None:
            task.cancel()

    def _set_busy(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy)
        self.busy.setVisible(busy)
        self.busy_label.setVisible(busy)

    def _values_changed(self) -> None:
        """A result describes the values it tested: once they change, it no longer applies."""
        self.last_result = None
        self.result_frame.setVisible(False)
        if self._task is not None:
            self._generation += 1  # the running test's result will not be shown

    def show_result(self, result: TestResult) -> None:
        self.last_result = result
        icon = (
            QStyle.StandardPixmap.SP_DialogApplyButton
            if result.ok
            else QStyle.StandardPixmap.SP_MessageBoxCritical
        )
        self.result_icon.setPixmap(self.style().standardIcon(icon).pixmap(24, 24))
        self._restyle_result()
        self.result_label.setText("<br>".join(self._details(result)))
        self.result_frame.setVisible(True)
        self._fit_window()

    def _fit_window(self) -> None:
        """Grow the window when the result needs more room than it has (never shrink it)."""
        window = self.window()
        layout = window.layout()
        if layout is not None:
            layout.activate()
        wanted = window.sizeHint().height()
        if window.isVisible() and window.height() < wanted:
            window.resize(window.width(), wanted)

    def _details(self, result: TestResult) -> list[str]:
        """The result's lines as escaped rich text: headline, then what the key may do."""
        esc = html.escape
        title = self.tr("Connected to {0}").format(SERVICE_TITLES[self.service])
        head = title if result.ok else self.tr("Connection test failed")
        out = [f"<b>{esc(head)}</b>"]
        if not result.ok or (self.service == "instamapp" and not result.scopes):
            summary = result.summary or (result.error.user_message() if result.error else "")
            rid_note = f" Request id: {result.request_id}."
            if result.request_id and summary.endswith(rid_note):  # shown on a line of its own
                summary = summary[: -len(rid_note)]
            out.append(esc(summary))
            if result.request_id:
                rid = esc(self.tr("Request id: {0}").format(result.request_id))
                out.append(rid)
        elif self.service == "instamapp":
            marks = [
                (f"<b>✓&nbsp;{esc(s)}</b>" if s in result.scopes else f"<s>✗&nbsp;{esc(s)}</s>")
                for s in INSTAMAPP_SCOPES
            ]
            out.append(esc(self.tr("This key may:")) + " " + " &nbsp; ".join(marks))
        else:
            meaning = {"READ_ONLY": self.tr("read only"), "READ_WRITE": self.tr("read and write")}
            access = esc(self.tr("Access: {0}").format(result.access or self.tr("unknown")))
            if result.access in meaning:
                access += f" ({esc(meaning[result.access])})"
            out.append(access)
            pro = self.tr("yes") if result.pro else self.tr("no")
            out.append(esc(self.tr("Pro subscription: {0}").format(pro)))
            if result.key_name:
                out.append(esc(self.tr("Key name: {0}").format(result.key_name)))
            expiry = local_date(result.expires_at) if result.expires_at else self.tr("never")
            out.append(esc(self.tr("Expires: {0}").format(expiry)))
        return out

    # ------------------------------------------------------------ saving

    def save(self) -> bool:
        """Store what changed; True when something did. Raises KeyringUnavailable."""
        changed = False
        if self.key_changed():
            key = self.typed_key()
            if key:
                self._credentials.set(self.service, key, session_only=self.session_only.isChecked())
            else:
                self._credentials.delete(self.service)
            self.saved_key = key or None
            changed = True
        if self.base_url_changed():
            config.save_base_url(self.service, self.typed_base_url())
            self.saved_base_url = self.typed_base_url()
            changed = True
        return changed

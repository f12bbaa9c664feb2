"""The settings panels of Instabot (API key + master key or a user's session) and InstaWP (token).

Instabot's document names no login call: "signing in" takes the user session key a person got
when they logged in as a user, checks it with ``GET /usersession`` and keeps it like any secret
(keyring, or this session only). The access choice decides which Authorization Cabinet sends.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from app.core import instabot as ib
from app.core.registry import instabot as instabot_registry
from app.core.registry import instawp as instawp_registry
from app.services.credentials import CredentialStore
from app.services.probe_websites import WebsiteProbe, probe_instabot, probe_instawp
from app.ui.settings_panel import RunTask, ServicePanel, TestResult

MASTER_SECRET = instabot_registry.SERVICE.secret_id("master_key")
SESSION_SECRET = instabot_registry.SERVICE.secret_id("session_key")


def _head(panel: ServicePanel, result: TestResult, title: str) -> list[str]:
    head = panel.tr("Connected to {0}").format(title) if result.ok else panel.tr("Connection test failed")
    out = [f"<b>{html.escape(head)}</b>"]
    if not result.ok:
        out.append(html.escape(result.summary))
    return out


class InstaWPPanel(ServicePanel):
    """InstaWP: the API token, the base URL and a test that counts sites and templates."""

    async def run_probe(self, base_url: str, key: str) -> WebsiteProbe:
        return await probe_instawp(base_url, key)  # X-localization: the language Cabinet runs in

    def _details(self, result: TestResult) -> list[str]:
        out = _head(self, result, "InstaWP")
        if result.ok and isinstance(result, WebsiteProbe):
            out.append(html.escape(self.tr("Sites: {0} · Templates: {1}").format(
                result.sites if result.sites is not None else "?",
                result.templates if result.templates is not None else "?")))
        return out


class InstabotPanel(ServicePanel):
    """Instabot: API key, base URL, and the access: API key only, master key or a user's session."""

    def __init__(self, service: str, credentials: CredentialStore, keyring_ok: bool, run_task: RunTask,
                 parent: QWidget | None = None) -> None:
        super().__init__(service, credentials, keyring_ok, run_task, parent)
        self.saved_master = credentials.get(MASTER_SECRET)
        self.saved_session = credentials.get(SESSION_SECRET)
        self.signed_in_as: str | None = None
        row = self.form.getWidgetPosition(self.session_only)[0]

        self.access_buttons = QButtonGroup(self)
        choice = QHBoxLayout()
        for level, text in ((ib.ACCESS_API_KEY, self.tr("API key &only")),
                            (ib.ACCESS_MASTER_KEY, self.tr("&Master key")),
                            (ib.ACCESS_USER_SESSION, self.tr("&User sign-in"))):
            button = QRadioButton(text, self)
            button.setObjectName(f"access_{level}")
            self.access_buttons.addButton(button)
            choice.addWidget(button)
        choice.addStretch(1)
        self.form.insertRow(row, self.tr("Access:"), choice)

        self.master_edit = self._secret_edit("masterKey", self.saved_master,
                                             self.tr("The master API key from the Instabot portal"))
        self.form.insertRow(row + 1, self.tr("Ma&ster key:"), self.master_edit)

        self.session_edit = self._secret_edit("sessionKey", self.saved_session,
                                              self.tr("The user session key you got when you logged in"))
        self.sign_in = self._button(self.tr("Sign &in"), "signIn")
        self.sign_in.clicked.connect(self.start_sign_in)
        self.sign_out = self._button(self.tr("Sign o&ut"), "signOut")
        self.sign_out.clicked.connect(self.do_sign_out)
        session_row = QHBoxLayout()
        session_row.addWidget(self.session_edit, 1)
        session_row.addWidget(self.sign_in)
        session_row.addWidget(self.sign_out)
        session_label = QLabel(self.tr("Session &key:"), self)
        session_label.setBuddy(self.session_edit)
        self.form.insertRow(row + 2, session_label, session_row)
        self.session_status = QLabel(self)
        self.session_status.setObjectName("sessionStatus")
        self.session_status.setWordWrap(True)
        self.form.insertRow(row + 3, "", self.session_status)

        initial = (ib.ACCESS_MASTER_KEY if self.saved_master else
                   ib.ACCESS_USER_SESSION if self.saved_session else ib.ACCESS_API_KEY)
        self.access_button(initial).setChecked(True)
        self.access_buttons.buttonToggled.connect(self._access_changed)
        self.master_edit.textChanged.connect(self._values_changed)
        self.session_edit.textChanged.connect(self._session_typed)
        self._access_changed()
        if self.saved_session:
            self.session_status.setText(self.tr("A user session key is saved."))

    def _secret_edit(self, name: str, value: str | None, placeholder: str) -> QLineEdit:
        edit = QLineEdit(value or "", self)
        edit.setObjectName(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setPlaceholderText(placeholder)
        edit.setClearButtonEnabled(True)
        return edit

    def access_button(self, level: str) -> QRadioButton:
        button = self.findChild(QRadioButton, f"access_{level}")
        assert isinstance(button, QRadioButton)
        return button

    # ------------------------------------------------------------ values

    def access(self) -> str:
        for level in ib.ACCESS_LEVELS:
            if self.access_button(level).isChecked():
                return level
        return ib.ACCESS_API_KEY

    def typed_master(self) -> str | None:
        return self.master_edit.text().strip() or None if self.access() == ib.ACCESS_MASTER_KEY else None

    def typed_session(self) -> str | None:
        return self.session_edit.text().strip() or None if self.access() == ib.ACCESS_USER_SESSION else None

    def _access_changed(self, *args: object) -> None:
        access = self.access()
        self.master_edit.setEnabled(access == ib.ACCESS_MASTER_KEY)
        for widget in (self.session_edit, self.sign_in, self.sign_out):
            widget.setEnabled(access == ib.ACCESS_USER_SESSION)
        self._values_changed()

    def _session_typed(self) -> None:
        self.signed_in_as = None
        self.session_status.setText("")
        self._values_changed()

    def key_changed(self) -> bool:
        return (super().key_changed() or self.typed_master() != (self.saved_master or None)
                or self.typed_session() != (self.saved_session or None))

    # ------------------------------------------------------------ sign in / out, test

    async def run_probe(self, base_url: str, key: str) -> WebsiteProbe:
        return await probe_instabot(base_url, key, master_key=self.typed_master(), session_key=self.typed_session())

    def start_sign_in(self) -> None:
        if not self.session_edit.text().strip():
            self.session_status.setText(self.tr("Paste the user session key first."))
            return
        self.session_status.setText(self.tr("Signing in…"))
        self.start_test()

    def do_sign_out(self) -> None:
        self.session_edit.clear()
        self.signed_in_as = None
        self.session_status.setText(self.tr("Signed out: the session key is forgotten when you press OK."))

    def show_result(self, result: TestResult) -> None:
        if isinstance(result, WebsiteProbe) and self.access() == ib.ACCESS_USER_SESSION:
            self.signed_in_as = result.user if result.ok else None
            self.session_status.setText(
                self.tr("Signed in as {0}.").format(result.user or self.tr("a user")) if result.ok
                else self.tr("Not signed in."))
        super().show_result(result)

    def _details(self, result: TestResult) -> list[str]:
        out = _head(self, result, "Instabot")
        if result.ok and isinstance(result, WebsiteProbe):
            words = {ib.ACCESS_API_KEY: self.tr("API key only (a limited set of calls)"),
                     ib.ACCESS_USER_SESSION: self.tr("user session"),
                     ib.ACCESS_MASTER_KEY: self.tr("master key (administrative access)")}
            lines = [self.tr("Application: {0}").format(result.application or self.tr("unknown")),
                     self.tr("API version: {0}").format(result.version or self.tr("unknown")),
                     self.tr("Access: {0}").format(words.get(result.access or "", self.tr("unknown")))]
            if result.user:
                lines.append(self.tr("Signed in as: {0}").format(result.user))
            out.extend(html.escape(line) for line in lines)
        return out

    # ------------------------------------------------------------ saving

    def save(self) -> bool:
        changed = super().save()
        session_only = self.session_only.isChecked()
        for secret, typed, saved in ((MASTER_SECRET, self.typed_master(), self.saved_master),
                                     (SESSION_SECRET, self.typed_session(), self.saved_session)):
            if typed == (saved or None):
                continue
            if typed:
                self._credentials.set(secret, typed, session_only=session_only)
            else:
                self._credentials.delete(secret)
            changed = True
        self.saved_master, self.saved_session = self.typed_master(), self.typed_session()
        return changed


PANELS: dict[str, type[ServicePanel]] = {instabot_registry.SERVICE.name: InstabotPanel,
                                         instawp_registry.SERVICE.name: InstaWPPanel}

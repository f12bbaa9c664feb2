"""The settings dialog: the API key and base URL of each service, and "Test connection".

Keys live only in the OS keyring (through :class:`CredentialStore`); where no keyring
works the dialog says so and offers to keep a key for this session only. It never writes
a key to a file. Base URLs go to the connection settings (``config.save_base_url``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import InsecureUrlError
from app.services.credentials import CredentialStore, KeyringUnavailable
from app.services.http import check_base_url
from app.ui.palette import style_accent
from app.ui.settings_panel import (
    SERVICE_TITLES,
    RunTask,
    ServicePanel,
    default_run_task,
    notice,
)
from app.ui.settings_websites import PANELS


class SettingsDialog(QDialog):
    """API keys and base URLs of InstaMapp and Mapiry. OK saves, Cancel discards."""

    connectionsChanged = Signal()

    def __init__(
        self,
        credentials: CredentialStore,
        parent: QWidget | None = None,
        *,
        run_task: RunTask | None = None,
        test_before_save: bool = False,
    ) -> None:
        super().__init__(parent)
        # OK tests every new key first and saves only what passed (the first-start path).
        self.test_before_save = test_before_save
        self._accept_pending = False  # OK was pressed and waits for the tests it started
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Connections"))
        self.setMinimumWidth(620)
        self._credentials = credentials
        try:
            self.keyring_ok = bool(credentials.available())
        except Exception:  # noqa: BLE001 - a keyring that cannot even say is not available
            self.keyring_ok = False
        run = run_task or default_run_task

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 14, 14, 14)
        layout.setSpacing(10)

        intro_text = self.tr("Cabinet reads your inventory and maps through each service's API.")
        if self.keyring_ok:
            intro_text += " " + self.tr("Keys are kept in your system keyring, never in a file.")
        intro = QLabel(intro_text, self)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.keyring_warning: QFrame | None = None
        if not self.keyring_ok:
            self.keyring_warning = notice(
                self.tr(
                    "No system keyring is available, so Cabinet cannot store API keys on this computer. "
                    "You can keep a key for this session only: it is forgotten when Cabinet closes. "
                    "Cabinet never writes keys to a file."
                ),
                kind="warning",
                parent=self,
            )
            layout.addWidget(self.keyring_warning)

        self.tabs = QTabWidget(self)
        self.panels: dict[str, ServicePanel] = {}
        for service in SERVICE_TITLES:
            panel_class = PANELS.get(service, ServicePanel)  # Instabot and InstaWP have panels of their own
            panel = panel_class(service, credentials, self.keyring_ok, run, self.tabs)
            panel.tested.connect(self._tested)
            self.panels[service] = panel
            tab_title = "&" + SERVICE_TITLES[service]
            self.tabs.addTab(panel, tab_title)
        layout.addWidget(self.tabs, 1)

        self.save_error = QLabel(self)
        self.save_error.setObjectName("saveError")
        self.save_error.setWordWrap(True)
        style_accent(self.save_error, "error")
        self.save_error.setVisible(False)
        layout.addWidget(self.save_error)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)  # Enter = OK, whichever field has the focus
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.panels["instamapp"].key_edit.setFocus()

    # ------------------------------------------------------------ accessors for callers and tests

    def panel(self, service: str) -> ServicePanel:
        return self.panels[service]

    def is_testing(self) -> bool:
        return any(p.is_testing() for p in self.panels.values())

    def show_service(self, service: str) -> None:
        """Bring a service's tab to the front, its key field focused."""
        panel = self.panels[service]
        self.tabs.setCurrentWidget(panel)
        panel.key_edit.setFocus()

    def _untested(self) -> list[ServicePanel]:
        """Panels whose new key has not passed a connection test (when OK must test first)."""
        if not self.test_before_save:
            return []
        return [p for p in self.panels.values()
                if p.key_changed() and p.typed_key() and (p.last_result is None or not p.last_result.ok)]

    def _tested(self, _result: object) -> None:
        if not self.test_before_save or self.is_testing() or not self._accept_pending:
            return
        self._accept_pending = False
        failed = [p for p in self._untested() if p.last_result is not None]
        if failed:
            self.tabs.setCurrentWidget(failed[0])
            self._show_save_error(self.tr(
                "The {0} key did not pass the connection test (see above). Correct it, or clear it to "
                "connect the other service only.").format(SERVICE_TITLES[failed[0].service]))
            return
        self.accept()

    # ------------------------------------------------------------ OK / Cancel

    def accept(self) -> None:
        untested = self._untested()
        if untested:
            if self._accept_pending:  # OK again while its tests run
                return
            self._accept_pending = True
            if any(p.last_result is not None for p in untested):  # tested already, and failed
                self._tested(None)
                return
            self.save_error.setVisible(False)
            for panel in untested:
                panel.start_test()
            return
        problem = self._unsaveable()
        changed = False
        if problem is None:
            for service, panel in self.panels.items():
                try:
                    changed = panel.save() or changed
                except (KeyringUnavailable, OSError, ValueError) as exc:
                    problem = service, self._save_failure(service, exc)
                    break
        if problem is not None:
            service, text = problem
            self.tabs.setCurrentWidget(self.panels[service])
            self._show_save_error(text)
        else:
            self._stop_tests()
            super().accept()
        if changed:
            self.connectionsChanged.emit()

    def _save_failure(self, service: str, exc: Exception) -> str:
        name = SERVICE_TITLES[service]
        if isinstance(exc, KeyringUnavailable):
            self.panels[service].session_only.setVisible(True)
            return self.tr(
                "The system keyring refused to store the {0} key. Tick “Keep the key for this session "
                "only” to use it until Cabinet closes, or try again."
            ).format(name)
        if isinstance(exc, OSError):
            return self.tr(
                "Cabinet could not save the {0} base URL: its settings folder is not writable."
            ).format(name)
        return self.tr("The {0} key or base URL cannot be saved: {1}").format(name, str(exc))

    def _unsaveable(self) -> tuple[str, str] | None:
        """A value typed that cannot be kept: a bad address, or no keyring and no session-only."""
        for service, panel in self.panels.items():
            if panel.base_url_changed():
                try:
                    check_base_url(panel.typed_base_url())
                except InsecureUrlError as exc:
                    return service, exc.user_message()
            if self.keyring_ok:
                continue
            if panel.key_changed() and panel.typed_key() and not panel.session_only.isChecked():
                return service, self.tr(
                    "No system keyring is available to store the {0} key. Tick “Keep the key for this "
                    "session only” to use it until Cabinet closes."
                ).format(SERVICE_TITLES[service])
        return None

    def _show_save_error(self, text: str) -> None:
        self.save_error.setText(text)
        self.save_error.setVisible(True)

    def reject(self) -> None:
        self._accept_pending = False
        self._stop_tests()
        super().reject()

    def _stop_tests(self) -> None:
        for panel in self.panels.values():
            panel.cancel_test()


__all__ = ["ServicePanel", "SettingsDialog"]

"""The main window's data modes: the welcome page, and switching between the demo and the real
accounts in the running window (a part of MainWindow, kept in its own module)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction

from app.ui.context import APPLICATION, AppContext
from app.ui.i18n import translator

if TYPE_CHECKING:
    from app.ui.welcome import WelcomePage

DEMO_CHOSEN = "start/demoChosen"  # QSettings: the person chose the demo at a first start


_tr = translator("MainWindow")


def window_title(demo: bool) -> str:
    """"Cabinet", or "Demo data" in demo mode: the platform adds the application's display name
    ("Cabinet") after a title that is not already it, so the title bar reads "Demo data — Cabinet"."""
    return _tr("Demo data") if demo else APPLICATION


class WindowModes:
    """Mixed into MainWindow (which provides the attributes used here)."""

    welcome: WelcomePage | None = None

    def _build_mode_actions(self) -> QAction:
        self.demo_action = QAction(self)  # type: ignore[arg-type]
        self.demo_action.setText(_tr("Explore the &demo"))
        self.demo_action.setToolTip(_tr("Show sample data from a server built into Cabinet"))
        self.demo_action.triggered.connect(lambda _c=False: self.explore_demo())
        self.demo_action.setEnabled(not self.demo)
        return self.demo_action

    # -- the welcome page ---------------------------------------------------------------------
    def show_welcome(self) -> WelcomePage:
        """The first start: the welcome page instead of the views (no modal dialogs)."""
        # start-up: the welcome page loads only on a first start, not on the way to every first paint
        from app.ui.welcome import WelcomePage

        if self.welcome is None:
            page = WelcomePage()
            page.demoRequested.connect(self.explore_demo)
            page.connectRequested.connect(lambda service: self.open_settings(service, test_before_save=True))
            self._column.insertWidget(self._column.indexOf(self.splitter), page, 1)
            self.welcome = page
        self.splitter.hide()
        self.welcome.show_start()
        self.welcome.show()
        return self.welcome

    def hide_welcome(self) -> None:
        if self.welcome is not None:
            self.welcome.hide()
            self._column.removeWidget(self.welcome)
            self.welcome.deleteLater()
            self.welcome = None
        self.splitter.show()

    def showing_welcome(self) -> bool:
        return self.welcome is not None and self.welcome.isVisible()

    # -- demo and real in one running window ---------------------------------------------------
    def explore_demo(self) -> None:
        """File/Help → Explore the demo, or the welcome page: ask the controller to switch."""
        AppContext.settings().setValue(DEMO_CHOSEN, True)
        self.demoRequested.emit()

    def switch_data(self, cache: Any, *, demo: bool) -> None:
        """Show another cache (the demo's or the real accounts'): every page built on the old one
        goes, the title and banner follow. The controller has stopped the old services first."""
        self.hide_welcome()
        current = self.current_view_name()
        self.save_settings()
        for page in list(self.pages.values()):
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages.clear()
        if self.context.import_manager is not None:
            self.statusBar().removeWidget(self.import_status)
            self.import_status.deleteLater()
            self.context.import_manager.deleteLater()
            self.context.import_manager = None
        self.cache = self.context.cache = cache
        self.demo = self.context.demo = demo
        self.context.engine = None
        self.context.sync_errors.clear()  # the other mode's failures are not this one's
        self._sync_task = None  # the controller stopped it; the new mode's first sync comes next
        self.setWindowTitle(window_title(demo))
        self.demo_banner.setVisible(demo)
        self.demo_action.setEnabled(not demo)
        for service in self.service_status:
            self.set_service_state(service, "idle", "")
        self.show_view(current)
        self.update_status()
        self.show_message(_tr("Showing the demo data.") if demo else _tr("Showing your own accounts."))

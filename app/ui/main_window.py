"""Cabinet's main window: sidebar, table views over the cache, detail pane, status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core import registry
from app.ui import tasks
from app.ui.banners import DemoBanner, NoticeBar
from app.ui.cache_dialog import CacheRepair
from app.ui.context import AppContext
from app.ui.i18n import translator
from app.ui.maps_actions import MapsActions
from app.ui.status import SERVICE_TITLES, ServiceStatus, last_synced, rate_budget
from app.ui.views import TablePage
from app.ui.window_modes import WindowModes, window_title

if TYPE_CHECKING:  # only what the first paint needs is imported on the way to it
    import asyncio

    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QDialog, QWizard

    from app.services.client_base import ServiceClient
    from app.services.credentials import CredentialStore
    from app.storage import CacheStore
    from app.sync.engine import Syncer, SyncProgress, SyncReport
    from app.ui.import_manager import ImportManager

DROP_SUFFIXES = (".csv", ".tsv", ".txt")

# Views that show no resource of the registry: (group, view name, title).
EXTRA_VIEWS = (("Maps", "imports", "Imports"),)


def _sidebar() -> tuple[tuple[str, tuple[tuple[str, str | None, str], ...]], ...]:
    """(group title, [(view name, resource or None, title)]), in sidebar order: the registry's
    views (a table page for each "table" view), then the extra ones at the end of their group."""
    groups: dict[str, list[tuple[str, str | None, str]]] = {}
    for group, entries in registry.views():
        groups[group] = [(view.name, res.name if view.page == "table" else None, view.title)
                         for view, res in entries]
    for group, name, title in EXTRA_VIEWS:
        groups.setdefault(group, []).append((name, None, title))
    return tuple((group, tuple(views)) for group, views in groups.items())


VIEWS = _sidebar()
VIEW_NAMES = tuple(name for _g, views in VIEWS for name, _r, _t in views)
DEFAULT_VIEW = "items"
DEFAULT_SIZE = (1240, 660)  # with its frame, the window fits a 1280×720 screen
NAME_ROLE = Qt.ItemDataRole.UserRole + 10


_tr = translator("MainWindow")


def app_settings() -> QSettings:
    return AppContext.settings()


def _keys(standard: QKeySequence.StandardKey, *extra: str) -> list[QKeySequence]:
    """The platform's keys for a standard action, then ``extra`` ones it does not already have."""
    keys = list(QKeySequence.keyBindings(standard))
    for text in extra:
        key = QKeySequence(text)
        if key not in keys:
            keys.append(key)
    return keys


class MainWindow(WindowModes, QMainWindow):
    """Browse everything in the cache; refresh it through the SyncEngine when there is one."""

    csvDropped = Signal(str)  # a dropped .csv/.tsv/.txt file, for the import wizard
    viewChanged = Signal(str)  # the current view's name
    syncFinished = Signal(object)  # the SyncReport of a refresh that landed
    settingsClosed = Signal(int)  # the settings dialog's result
    pageBuilt = Signal(str, object)  # a view's name and its page, once built
    demoRequested = Signal()  # Explore the demo (File, Help, the welcome page): the controller switches

    def __init__(self, cache: CacheStore, *, sync_engine: Syncer | None = None,
                 credentials: CredentialStore | None = None, demo: bool = False, context: AppContext | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The controller hands its context down; a window made on its own (tests) makes one.
        self.context = context if context is not None else AppContext(
            cache, demo=demo, engine=sync_engine, credentials=credentials)
        self.cache = self.context.cache
        self.demo = self.context.demo
        self.pages: dict[str, QWidget] = {}
        self._sync_task: asyncio.Task[Any] | None = None
        self._settings_dialog: QDialog | None = None
        self._import_wizard: QWizard | None = None
        self.edit_actions: QObject | None = None  # app/ui/editing's EditActions, installed after the first paint
        self.setWindowTitle(window_title(self.demo))
        self._quit_confirmed = False
        self.setAcceptDrops(True)
        self.resize(*DEFAULT_SIZE)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self._column = column
        self._demo_banner: DemoBanner | None = None
        if self.demo:  # the banner is made only where it shows (or when asked for)
            self.demo_banner  # noqa: B018 - the property builds it
        self.notice = NoticeBar()
        column.addWidget(self.notice)

        self.sidebar = QTreeWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setHeaderHidden(True)
        self.sidebar.setRootIsDecorated(False)
        self.sidebar.setIndentation(12)
        self.sidebar.setMinimumWidth(150)
        self.sidebar.setStyleSheet("QTreeWidget#sidebar { border: none; padding-top: 6px; }"
                                   "QTreeWidget#sidebar::item { padding: 4px 2px; }")
        self._sidebar_items: dict[str, QTreeWidgetItem] = {}
        for group, views in VIEWS:
            top = QTreeWidgetItem([_tr(group)])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self.sidebar.addTopLevelItem(top)
            for name, _resource, title in views:
                child = QTreeWidgetItem([_tr(title)])
                child.setData(0, NAME_ROLE, name)
                top.addChild(child)
                self._sidebar_items[name] = child
            top.setExpanded(True)
        self.sidebar.currentItemChanged.connect(self._sidebar_changed)

        self.stack = QStackedWidget()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([190, 1090])
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        self.service_status: dict[str, ServiceStatus] = {}
        for service in SERVICE_TITLES:
            self._add_service_status(service)
        tasks.reporter().error.connect(self.show_error)
        # A cache that breaks while in use: the Rebuild dialog.
        self.cache_repair = CacheRepair(self, lambda: self.cache, self.show_error)
        self.csvDropped.connect(self.open_import_wizard)

        self._build_actions()
        self._age_timer = QTimer(self)
        self._age_timer.setInterval(30_000)
        self._age_timer.timeout.connect(self.update_status)
        self._age_timer.start()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(250)
        self._refresh_timer.timeout.connect(lambda: self.reload_views())

        settings = app_settings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter_state = settings.value("window/splitter")
        if splitter_state is not None:
            self.splitter.restoreState(splitter_state)
        last = str(settings.value("window/lastView", DEFAULT_VIEW))
        self.show_view(last if last in VIEW_NAMES else DEFAULT_VIEW)
        for service in self.service_status:
            if self.client(service) is None:
                self.set_service_state(service, "unconnected")
        self.update_status()

    @property
    def demo_banner(self) -> DemoBanner:
        """The "Demo data" strip at the top (shown in demo mode only)."""
        if self._demo_banner is None:
            banner = DemoBanner()
            banner.connectRequested.connect(lambda: self.open_settings(test_before_save=True))
            banner.setVisible(self.demo)
            self._column.insertWidget(0, banner)
            self._demo_banner = banner
        return self._demo_banner

    # -- actions ----------------------------------------------------------------------
    def _action(self, text: str, slot: Any, shortcuts: list[QKeySequence | str] | None = None) -> QAction:
        action = QAction(self)  # (text, parent) would make PySide load QIcon to rule out (icon, text)
        action.setText(_tr(text))
        if shortcuts:
            action.setShortcuts([QKeySequence(s) if isinstance(s, str) else s for s in shortcuts])
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        menubar = self.menuBar()
        file_menu = menubar.addMenu(_tr("&File"))
        self.import_action = self._action("&Import CSV…", self.open_import_wizard, ["Ctrl+I"])
        file_menu.addAction(self.import_action)
        self.maps_actions = MapsActions(self, file_menu)
        self.export_action = self._action("&Export view…", self.export_view, ["Ctrl+E"])
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        self.settings_action = self._action("&Settings…", self.open_settings,
                                            _keys(QKeySequence.StandardKey.Preferences, "Ctrl+,"))
        file_menu.addAction(self.settings_action)
        file_menu.addAction(self._build_mode_actions())
        file_menu.addSeparator()
        self.quit_action = self._action("&Quit", self.close, _keys(QKeySequence.StandardKey.Quit, "Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(self.quit_action)
        edit_menu = menubar.addMenu(_tr("&Edit"))
        self.copy_action = QAction(self)
        self.copy_action.setText(_tr("&Copy selected rows"))
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        # The table handles Ctrl+C itself; the menu entry shows the key and works from the menu.
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_selection)
        edit_menu.addAction(self.copy_action)
        self.find_action = self._action("&Find", self.focus_search, _keys(QKeySequence.StandardKey.Find, "Ctrl+F"))
        edit_menu.addAction(self.find_action)
        # New… (Ctrl+N), Edit… (F2, Return, double-click), Delete… (Del): app/ui/editing, loaded
        # right after the first paint; then self.edit_actions (its .controller: the EditController).
        # start-up: loaded on first use, not on the way to the first paint
        from app.ui.editing import install_later

        install_later(self, edit_menu)
        view_menu = menubar.addMenu(_tr("&View"))
        self.refresh_action = self._action("&Refresh", self.refresh,
                                           _keys(QKeySequence.StandardKey.Refresh, "F5", "Ctrl+R"))
        view_menu.addAction(self.refresh_action)
        self.detail_action = self._action("&Detail pane", self.toggle_detail, ["F9"])
        self.detail_action.setCheckable(True)
        self.detail_action.setChecked(app_settings().value("window/detailPane", True, type=bool))
        view_menu.addAction(self.detail_action)
        self.columns_menu = view_menu.addMenu(_tr("&Columns"))
        self.columns_menu.aboutToShow.connect(self._fill_columns_menu)
        from app.ui import window_manners

        views = [(name, title) for _g, group in VIEWS for name, _r, title in group]
        self.manners = window_manners.install(self, views, self.show_view, view_menu, self.sidebar, NAME_ROLE,
                                              common_actions=[self.refresh_action])
        table_views = [name for _g, group in VIEWS for name, resource, _t in group if resource]
        self.manners.help_menu.insertAction(self.manners.about_action, self.demo_action)
        self.manners.view_actions = {name: [self.export_action] for name in table_views}
        self.manners.view_actions["maps"][:0] = [self.maps_actions.add_action, self.maps_actions.remove_action]
        self.manners.view_actions["locations"].insert(0, self.import_action)
        self.manners.view_actions["imports"] = [self.import_action]

    def _fill_columns_menu(self) -> None:
        self.columns_menu.clear()
        page = self.current_page()
        if isinstance(page, TablePage):
            for action in page.table.column_menu().actions():
                action.setParent(self.columns_menu)
                self.columns_menu.addAction(action)

    # -- views ------------------------------------------------------------------------
    def current_view_name(self) -> str:
        item = self.sidebar.currentItem()
        name = item.data(0, NAME_ROLE) if item is not None else None
        return str(name) if name else DEFAULT_VIEW

    def current_page(self) -> QWidget | None:
        return self.pages.get(self.current_view_name())

    def page(self, name: str) -> QWidget:
        """The page of a view, built the first time it is asked for."""
        if name not in self.pages:
            resource = next(r for _g, views in VIEWS for n, r, _t in views if n == name)
            title = next(t for _g, views in VIEWS for n, _r, t in views if n == name)
            if name == "imports":
                # start-up: loaded on first use, not on the way to the first paint
                from app.ui.imports_view import ImportsView

                widget: QWidget = ImportsView(self.cache, self.import_manager())
            elif resource is None:
                from app.ui.sales_view import SalesView

                widget = SalesView(self.cache, self.context)
                widget.connectRequested.connect(self._connect_service)
            else:
                page = TablePage(self.cache, name, resource, _tr(title), service_link=self.context)
                page.connectRequested.connect(self._connect_service)
                if resource == "locations":  # the map beside the table, before the splitters are restored
                    from app.ui.map.locations_map import attach

                    attach(page, self)
                page.restore_state(app_settings())
                page.set_detail_visible(self.detail_action.isChecked())
                page.exportSelectionRequested.connect(lambda: self.export_view(selection=True))
                widget = page
            self.pages[name] = widget
            self.stack.addWidget(widget)
            if isinstance(widget, TablePage):  # Tab goes sidebar → search → filters → table → detail
                QWidget.setTabOrder(self.sidebar, widget.search)
            self.pageBuilt.emit(name, widget)
        return self.pages[name]

    def _connect_service(self, service: str) -> None:
        """An empty view's "Connect <Service>…": Settings on that service's tab, the key tested before it is kept."""
        self.open_settings(service, test_before_save=True)

    def show_view(self, name: str) -> None:
        if name not in VIEW_NAMES:
            raise ValueError(f"unknown view {name!r}")
        item = self._sidebar_items[name]
        if self.sidebar.currentItem() is not item:
            self.sidebar.setCurrentItem(item)  # calls _sidebar_changed
        else:
            self._activate(name)

    def _sidebar_changed(self, current: QTreeWidgetItem | None, _previous: Any) -> None:
        name = current.data(0, NAME_ROLE) if current is not None else None
        if name:
            self._activate(str(name))

    def _activate(self, name: str) -> None:
        page = self.page(name)
        if isinstance(page, TablePage):
            page.ensure_loaded()
        self.stack.setCurrentWidget(page)
        self.export_action.setEnabled(isinstance(page, TablePage))
        self.viewChanged.emit(name)

    def reload_views(self, resource: str | None = None, select_id: str | None = None) -> None:
        """Bring every page built so far in step with the cache (after a write, an import batch, a
        map added or removed, a sync), in place: selections stay, and ``select_id`` — a record of
        ``resource`` just created — becomes the selected row of that resource's page."""
        if self.cache.closed:
            return  # a refresh that was due when the window and its cache closed
        for page in self.pages.values():
            if isinstance(page, TablePage):
                page.refresh(select_id if select_id is not None and page.resource == resource else None)
            else:
                page.reload()  # type: ignore[attr-defined]
        self.update_status()

    def refresh_soon(self) -> None:
        """reload_views() once, shortly: a burst of changes (import batches) costs one refresh."""
        self._refresh_timer.start()

    def toggle_detail(self) -> None:
        """View → Detail pane (F9): show or collapse every view's detail pane (remembered)."""
        visible = self.detail_action.isChecked()
        for page in self.pages.values():
            if isinstance(page, TablePage):
                page.set_detail_visible(visible)
        app_settings().setValue("window/detailPane", visible)

    # -- keyboard helpers -------------------------------------------------------------
    def focus_search(self) -> None:
        page = self.current_page()
        if isinstance(page, TablePage):
            page.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            page.search.selectAll()

    def copy_selection(self) -> str:
        page = self.current_page()
        return page.copy_selection() if isinstance(page, TablePage) else ""

    # -- messages & status ------------------------------------------------------------
    def show_message(self, text: str, kind: str = "info") -> None:
        self.notice.show_message(text, kind)
        self.statusBar().showMessage(text, 10_000)

    def show_error(self, text: str) -> None:
        self.show_message(text, "error")

    def set_service_state(self, service: str, state: str, detail: str = "") -> None:
        """Show a service's sync state (status.STATES): "unconnected", "idle", "synced", "syncing", "waiting",
        "offline" or "error"."""
        widget = self.service_status.get(service) or self._add_service_status(service)
        widget.set_state(state, detail)

    def _add_service_status(self, service: str) -> ServiceStatus:
        widget = ServiceStatus(service)
        widget.cancelRequested.connect(self.cancel_refresh)
        self.service_status[service] = widget
        self.statusBar().addPermanentWidget(widget)
        return widget

    def cancel_refresh(self) -> None:
        """Cancel a running refresh (a rate-limit countdown's Cancel): the cache keeps what it had."""
        if self._sync_task is None or self._sync_task.done():
            return
        self._sync_task.cancel()
        for widget in self.service_status.values():
            if widget.state in ("syncing", "waiting"):
                widget.set_state("idle")
        self.statusBar().showMessage(_tr("Refresh cancelled; the cached data is shown."), 6000)
        self.update_status()

    def status_text(self, service: str) -> str:
        return self.service_status[service].text()

    def update_status(self) -> None:
        for service, widget in self.service_status.items():
            widget.set_synced_at(last_synced(self.cache, service))
            client = self.client(service)
            widget.set_budget(rate_budget(client) if client is not None else "")

    def client(self, service: str) -> ServiceClient | None:
        """The service's client, or None when it is not connected."""
        return self.context.client(service)

    @property
    def sync_engine(self) -> Syncer | None:
        return self.context.engine

    @property
    def credentials(self) -> CredentialStore | None:
        return self.context.credentials

    # -- refresh ----------------------------------------------------------------------
    def set_sync_engine(self, sync_engine: Syncer | None, credentials: CredentialStore | None = None) -> None:
        """Attach (or replace) the SyncEngine once the services are set up after the first paint."""
        self.context.engine = sync_engine
        if credentials is not None:
            self.context.credentials = credentials
        for service in self.service_status:
            connected = self.client(service) is not None
            if self.service_status[service].state in ("unconnected", "offline", "idle"):
                self.set_service_state(service, "idle" if connected else "unconnected")
        self.update_status()
        for page in self.pages.values():  # an empty view says whether its service is connected
            if isinstance(page, TablePage):
                page.show_state()
            else:
                page.reload()  # type: ignore[attr-defined]

    def refresh(self) -> None:
        """F5 / Ctrl+R: sync from the services in the background, then reload the views."""
        engine = self.sync_engine
        services = tuple(s for s in self.service_status if self.client(s) is not None)
        if engine is None or not services:  # (a sync of nothing would call every service "Synced")
            self.show_message(_tr("No account is connected, so there is nothing to refresh from. "
                                  "Connect your accounts in Settings (Ctrl+,)."))
            return
        if self._sync_task is not None and not self._sync_task.done():
            self.statusBar().showMessage(_tr("A refresh is already running…"), 4000)
            return
        for service in services:
            self.set_service_state(service, "syncing")
        self._sync_task = tasks.run_task(
            engine.sync(services, progress=self._on_progress),
            on_done=lambda report: self._sync_done(services, report),
            on_error=lambda exc: self._sync_failed(services, exc),
            progress_label=_tr("Syncing"),
        )

    def _on_progress(self, progress: SyncProgress) -> None:
        """Only a "syncing" report shows Syncing with its progress; "offline" and "error" show
        that state for the service, "done" (one resource finished) changes nothing."""
        service, state, resource = progress.service, progress.state, progress.resource
        if state == "done":
            return
        if state == "waiting" and progress.until is not None:
            (self.service_status.get(service) or self._add_service_status(service)).start_countdown(progress.until)
            return
        if state == "rate_limited":  # a wait longer than the sync may wait: not started
            self.set_service_state(service, "error", _tr("rate limited"))
            return
        if state in ("offline", "error"):
            self.set_service_state(service, state, resource if state == "error" else "")
            return
        total, done = progress.total, progress.done
        detail = f"{resource} {done}/{total}" if total else f"{resource} {done}"
        self.set_service_state(service, "syncing", detail.strip())

    def _sync_done(self, services: tuple[str, ...], report: SyncReport) -> None:
        self.context.note_sync(services, report)
        offline = set(report.offline)
        errors = dict(report.errors)
        for service in services:
            service_errors = [e for k, e in errors.items() if str(k).split(":")[0].split("/")[0] == service
                              or str(k).startswith(service)]
            if service in offline:
                self.set_service_state(service, "offline")
            elif service_errors:
                self.set_service_state(service, "error")
                if not self.cache_repair.intercept(service_errors[0]):
                    self.show_error(tasks.error_text(service_errors[0]))
            else:
                self.set_service_state(service, "synced")
        if offline:
            names = ", ".join(SERVICE_TITLES.get(s, s) for s in sorted(offline))
            self.show_message(_tr("{0}: offline. Showing the cached data; press F5 to try again.").format(names),
                              "warning")
        elif report.gone:
            self.show_message(_tr(
                "{0} map(s) are gone from Mapiry (deleted, or no longer shared with this key). They are "
                "marked gone in the Maps view; their cached locations stay until you remove them "
                "(Maps → right-click → Remove map from Cabinet).").format(len(report.gone)), "warning")
        self.reload_views()
        self.syncFinished.emit(report)

    def _sync_failed(self, services: tuple[str, ...], exc: BaseException) -> None:
        self.context.note_sync_failed(services, tasks.error_text(exc))
        self.reload_views()  # the empty views say why
        for service in services:
            self.set_service_state(service, "error")
        if not self.cache_repair.intercept(exc):
            self.show_error(_tr("Refresh failed: {0}").format(tasks.error_text(exc)))
        self.update_status()

    # -- settings ---------------------------------------------------------------------
    def open_settings(self, service: str | None = None, *, test_before_save: bool = False) -> Any:
        """Settings (Ctrl+,), on ``service``'s tab when given; ``test_before_save``: OK tests new keys."""
        try:
            # start-up: loaded on first use, not on the way to the first paint
            from app.ui.settings_dialog import SettingsDialog
        except ImportError:
            self.show_message(_tr("The settings dialog is not available in this build."), "error")
            return None
        dialog = SettingsDialog(self.credentials, parent=self, test_before_save=test_before_save)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(self.settingsClosed.emit)
        self._settings_dialog = dialog
        if service is not None:
            dialog.show_service(service)
        dialog.open()
        return dialog

    # -- export -----------------------------------------------------------------------
    def export_view(self, path: str | None = None, *, raw: bool = False, selection: bool = False) -> int:
        """File → Export view… (Ctrl+E): every row of the current view's query as the view shows
        them — names, not ids; labels, not codes — or, chosen in the file dialog, the raw API
        fields; ``selection``: the selected rows only (the row menu)."""
        page = self.current_page()
        if not isinstance(page, TablePage):
            self.show_message(_tr("This view has no table to export."))
            return 0
        if path is None:
            # start-up: loaded on first use, not on the way to the first paint
            from pathlib import Path

            from PySide6.QtWidgets import QFileDialog

            suggested = str(Path.home() / f"{page.name}.csv")
            shown, machine = _tr("CSV as shown (*.csv)"), _tr("CSV with the raw API fields (*.csv)")
            path, chosen = QFileDialog.getSaveFileName(self, _tr("Export view"), suggested, f"{shown};;{machine}")
            if not path:
                return 0
            raw = chosen == machine
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            count = page.export_csv(path, raw=raw, selection=selection)
        except OSError as exc:
            self.show_error(_tr("Could not write {0}: {1}").format(path, exc.strerror or exc))
            return 0
        finally:
            QApplication.restoreOverrideCursor()
        self.statusBar().showMessage(_tr("Exported {0} rows to {1}").format(f"{count:,}", path), 8000)
        return count

    # -- CSV import -------------------------------------------------------------------
    def sync_task(self) -> asyncio.Task[Any] | None:
        """The refresh in flight or last run (None before the first)."""
        return self._sync_task

    def import_manager(self) -> ImportManager:
        """The ImportManager that owns running imports (made the first time it is needed)."""
        if self.context.import_manager is None:
            # start-up: the importer loads when the first import needs it, not before the first paint
            from app.ui.import_manager import ImportManager, ImportStatusLabel

            manager = ImportManager(self.cache, self.context.import_client, parent=self)
            self.context.import_manager = manager
            self.import_status = ImportStatusLabel(manager)
            self.statusBar().addPermanentWidget(self.import_status)
            # Each batch that lands shows in the views (one refresh per burst), as does the end.
            manager.landed.connect(lambda _map_id: self.refresh_soon())
            manager.jobFinished.connect(lambda *_a: self.refresh_soon())
        return self.context.import_manager

    def open_import_wizard(self, path: str | None = None) -> Any:
        """File → Import CSV…, a dropped file, or `cabinet FILE.csv`: the wizard on the Locations
        view, targeting the map chosen in its map filter."""
        # start-up: loaded on first use, not on the way to the first paint
        from app.ui.import_wizard import ImportWizard

        self.show_view("locations")
        page = self.page("locations")
        combo = page.filter_combos.get("mapId") if isinstance(page, TablePage) else None
        map_id = combo.currentData() if combo is not None else None
        wizard = ImportWizard(self.cache, self.context.import_client, self.import_manager(),
                              path=path or None, map_id=map_id, parent=self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._import_wizard = wizard
        wizard.show()
        return wizard

    # -- drag & drop ------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        self.handle_dropped_paths(paths)
        event.acceptProposedAction()

    def handle_dropped_paths(self, paths: list[str]) -> None:
        # start-up: loaded on first use, not on the way to the first paint
        from pathlib import Path

        rejected = []
        for path in paths:
            if Path(path).suffix.lower() in DROP_SUFFIXES:
                self.csvDropped.emit(path)
            else:
                rejected.append(Path(path).name)
        if rejected:
            self.show_message(
                _tr("“{0}” can't be imported: Cabinet imports locations from CSV, TSV and TXT files "
                    "(comma, semicolon, tab or pipe separated).").format(", ".join(rejected)),
                "warning",
            )

    def _quit_now(self) -> None:
        self._quit_confirmed = True
        self.close()

    # -- state ------------------------------------------------------------------------
    def save_settings(self) -> None:
        settings = app_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("window/lastView", self.current_view_name())
        for page in self.pages.values():
            if isinstance(page, TablePage):
                page.save_state(settings)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._refresh_timer.stop()  # no refresh after the window (and then its cache) closed
        from app.ui import quit_guard  # start-up: loaded when the window first closes

        under_way = [] if self._quit_confirmed else quit_guard.imports_under_way(self.context.import_manager)
        if under_way:
            event.ignore()
            quit_guard.ask(self.context.import_manager, under_way, self, self._quit_now)
            return
        self.save_settings()
        # start-up: loaded on first use, not on the way to the first paint
        import contextlib

        with contextlib.suppress(RuntimeError, TypeError):
            tasks.reporter().error.disconnect(self.show_error)
        self.cache_repair.detach()
        super().closeEvent(event)

"""One page per table view: search, filter combos, the lazy table and the detail pane."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core import edits, registry
from app.ui.columns import COLUMNS, FILTERS, Column, FilterSpec, enum_label
from app.ui.detail_pane import DetailPane
from app.ui.empty_state import EmptyState, ServiceLink
from app.ui.i18n import translator
from app.ui.palette import style_muted
from app.ui.table_model import FIRST_ROWS, CacheTableModel
from app.ui.table_view import ResourceTable

if TYPE_CHECKING:  # only what the first paint needs is imported on the way to it
    from PySide6.QtCore import QPoint, QSettings
    from PySide6.QtGui import QAction, QShowEvent
    from PySide6.QtWidgets import QMenu, QToolButton

    from app.storage import CacheStore


_tr = translator("TablePage")
DETAIL_WIDTH = 240  # px: the detail pane's width until the person drags it (F9 collapses it)


class _AfterFirstPaint(QObject):
    """Calls ``callback`` once, in the event-loop pass after ``widget``'s first paint (so after
    that whole frame), then goes away."""

    def __init__(self, widget: QWidget, callback: Any) -> None:
        super().__init__(widget)
        self._callback = callback
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and obj is self.parent():
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self._fire)
        return False

    def _fire(self) -> None:
        self._callback()
        self.deleteLater()


class TablePage(QWidget):
    """The page of one resource."""

    countChanged = Signal(int, int)  # rows shown, rows cached
    exportSelectionRequested = Signal()  # the row menu's "Export selected rows…"
    connectRequested = Signal(str)  # the empty state's "Connect <Service>…": open Settings on that service

    def __init__(self, cache: CacheStore, name: str, resource: str, title: str,
                 columns: Sequence[Column] | None = None, filters: Sequence[FilterSpec] | None = None,
                 service_link: ServiceLink | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self.service_link = service_link  # whether the service is connected, why its sync failed
        self.name = name
        self.resource = resource
        self.title = title
        # A query reads a screenful of keys first; the rest follow from a worker thread.
        self.model = CacheTableModel(cache, resource, columns or COLUMNS[resource], self, first_rows=FIRST_ROWS)
        self.model.keysLoaded.connect(self._keys_loaded)
        self.filter_specs = tuple(filters if filters is not None else FILTERS.get(resource, ()))
        self.total = 0

        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 6)
        outer.setSpacing(6)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(_tr("Search {0}…  (Ctrl+F)").format(title.lower()))
        self.search.setMinimumWidth(180)
        bar.addWidget(self.search, 2)
        self.filter_combos: dict[str, QComboBox] = {}
        for spec in self.filter_specs:
            combo = QComboBox()
            combo.setObjectName(f"filter-{spec.key}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMinimumContentsLength(8)
            combo.addItem(_tr("All: {0}").format(spec.label()), None)
            combo.setToolTip(spec.label())
            combo.currentIndexChanged.connect(self._filters_changed)
            self.filter_combos[spec.key] = combo
            bar.addWidget(combo)
        bar.addStretch(1)
        self._bar = bar
        self.count_label = QLabel()
        style_muted(self.count_label)
        bar.addWidget(self.count_label)
        outer.addLayout(bar)

        self.table = ResourceTable(self.model)
        self.table.copyRequested.connect(self.copy_selection)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        self.empty_state = EmptyState()
        self.empty_state.connectRequested.connect(self.connectRequested)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_state)

        self.detail = DetailPane()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName(f"splitter-{name}")
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 1)  # the table takes what the window gains
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([1000, DETAIL_WIDTH])
        self.splitter.setChildrenCollapsible(True)
        outer.addWidget(self.splitter, 1)

        # Tab: search → filters → table → detail pane (the arrows move in the table).
        self.detail.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # focus there scrolls it with the keys
        chain = [self.search, *self.filter_combos.values(), self.table, self.detail]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        # Right-click on rows: the actions that apply (the window's editing code adds its own).
        self.menu_hooks: list[Callable[[QMenu], None]] = []
        self.context_menu: QMenu | None = None  # the last row menu shown
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._row_menu)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(0)  # coalesces the keystrokes of one event-loop pass
        self._search_timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self._loaded = False
        self._choices_loaded = False
        self._first_paint_hook: _AfterFirstPaint | None = None

    def add_bar_widget(self, widget: QWidget) -> None:
        """Put a widget in the bar above the table, before the row count (the map's modes)."""
        self._bar.insertWidget(self._bar.indexOf(self.count_label), widget)

    # -- state ------------------------------------------------------------------------
    def restore_state(self, settings: QSettings) -> None:
        header_state = settings.value(f"views/{self.name}/header")
        if header_state is not None:
            self.table.restore_header(header_state)
        # The widths are the person's only once they sized a column; until then they are fitted anew.
        self.table.sized_by_person = settings.value(f"views/{self.name}/columnsSized", False, type=bool)
        splitter_state = settings.value(f"views/{self.name}/splitter")
        if splitter_state is not None:
            self.splitter.restoreState(splitter_state)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue(f"views/{self.name}/header", self.table.header_state())
        settings.setValue(f"views/{self.name}/columnsSized", self.table.sized_by_person)
        settings.setValue(f"views/{self.name}/splitter", self.splitter.saveState())

    @property
    def loaded(self) -> bool:
        """The page has read the cache at least once."""
        return self._loaded

    def ensure_loaded(self) -> None:
        if not self._loaded:
            self._loaded = True
            self.reload()

    def reload(self) -> None:
        """Re-read the cache: counts, filter choices, reference labels and the rows."""
        self._loaded = True
        self.total = self.cache.count(self.resource)
        self._load_lookups()
        if self._choices_loaded or self.window().isVisible():
            self.model.hold_rest = False
            self._load_filter_choices()
        else:  # the filter choices are not needed for the first paint: fill them right after it
            QTimer.singleShot(0, self._first_choices)
            if self._first_paint_hook is None:
                # Every key past the first screenful is read once the page has painted, so the
                # worker thread does not compete with the first paint.
                self.model.hold_rest = True
                self._first_paint_hook = _AfterFirstPaint(self, self._after_first_paint)
        # The search text and filters may have been chosen before the page first loaded.
        self.model.search = self.search.text()
        self.model.filters = self.current_filters()
        self.model.requery()
        self._after_query()

    def refresh(self, select_id: str | None = None) -> None:
        """Bring the page in step with the cache after a write, an import or a sync, in place:
        counts, labels and filter choices are read again, changed rows repaint, the selected row
        stays selected and in view; ``select_id`` (a record just created) becomes the selection."""
        if not self._loaded:
            return  # read afresh when first shown
        self.total = self.cache.count(self.resource)
        self._load_lookups()
        self._load_filter_choices()  # a new map appears in the map filter; the query keeps its filters
        self.model.search = self.search.text()
        self.model.refresh()
        if select_id is not None:
            self.select_id(select_id)
        current = self.table.currentIndex()
        if current.isValid():
            self.table.scrollTo(current)
        self._after_query()

    def select_id(self, record_id: str) -> bool:
        """Select the row of a record (and scroll to it); False when the query leaves it out."""
        row = self.model.row_of(self.cache.key_for_id(self.resource, record_id))
        if row is None:
            return False
        index = self.model.index(row, 0)
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        return True

    def _first_choices(self) -> None:
        if self.cache.closed:
            return  # the window and its cache were closed before this deferred call came
        if not self._choices_loaded:
            self._choices_loaded = True
            self._load_filter_choices()

    def _after_first_paint(self) -> None:
        self._first_paint_hook = None
        if not self.cache.closed:
            self.model.release_rest()

    # -- search & filters -------------------------------------------------------------
    def apply_search(self) -> None:
        self._search_timer.stop()
        self.model.set_query(search=self.search.text())
        self._after_query()

    def current_filters(self) -> dict[str, Any]:
        out = {}
        for key, combo in self.filter_combos.items():
            value = combo.currentData()
            if value is not None:
                out[key] = value
        return out

    def _filters_changed(self, _index: int = 0) -> None:
        if not self._loaded:
            return
        self.model.set_query(filters=self.current_filters())
        self._after_query()

    def _load_lookups(self) -> None:
        refs: dict[str, str] = {}
        for col in self.model.columns:
            if col.ref:
                refs[col.ref] = registry.RESOURCES[col.ref].label_field
        for spec in self.filter_specs:
            if spec.ref:
                refs[spec.ref] = spec.ref_label
        lookups = {}
        for ref, label_field in refs.items():
            rows = self.cache.rows_for_keys(ref, self.cache.query_keys(ref, sort=label_field))
            lookups[ref] = {str(r.get("id")): str(r.get(label_field) or r.get("id")) for r in rows}
        self.model.set_lookups(lookups)

    def _load_filter_choices(self) -> None:
        self._choices_loaded = True
        for spec in self.filter_specs:
            combo = self.filter_combos[spec.key]
            current = combo.currentData()
            if spec.ref:
                choices = list(self.model.lookups.get(spec.ref, {}).items())
            else:
                found = [str(v) for v in self.cache.distinct(self.resource, spec.key)]
                ordered = [v for v in spec.values if v in found] + [v for v in found if v not in spec.values]
                choices = [(v, enum_label(v)) for v in ordered]
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for value, label in choices:
                combo.addItem(label, value)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
        self.model.filters = self.current_filters()

    def _after_query(self) -> None:
        # Lay the view out for the new rows now, so the next paint is the only one (else Qt
        # paints once with the old scroll range and again after its delayed layout).
        self.table.executeDelayedItemsLayout()
        self._show_state()
        self._show_detail(self.selected_record())

    def _show_state(self) -> None:
        """The table or the empty-state text, and the row count."""
        shown = self.model.rowCount()
        if self.total == 0:
            self.empty_state.show_resource(self.resource, self.service_link)
            self.stack.setCurrentWidget(self.empty_state)
        elif shown == 0:
            self.empty_state.show_message(_tr("No {0} match the search and filters.").format(self.title.lower()))
            self.stack.setCurrentWidget(self.empty_state)
        else:
            self.stack.setCurrentWidget(self.table)
        if not self.model.keys_complete:  # the first rows are in, the rest are being counted
            text = _tr("{0}+ of {1} rows").format(f"{shown:,}", f"{self.total:,}")
        elif shown == self.total:
            text = _tr("1 row") if shown == 1 else _tr("{0} rows").format(f"{shown:,}")
        else:
            text = _tr("{0} of {1} rows").format(f"{shown:,}", f"{self.total:,}")
        if text != self.count_label.text():
            self.count_label.setText(text)
        if self.model.keys_complete:
            self.countChanged.emit(shown, self.total)
        if self.table.needs_fit:  # a view not fitted to its rows yet (they came with a first sync)
            QTimer.singleShot(0, self.table, self.table.fit_when_ready)  # once they are laid out

    def show_state(self) -> None:
        """Say again what the page shows (a service connected or not, a sync that failed)."""
        if self._loaded:
            self._show_state()

    def _keys_loaded(self, _count: int) -> None:
        self._show_state()

    # -- selection, copy, export ------------------------------------------------------
    def _row_changed(self, current: Any, _previous: Any) -> None:
        self._show_detail(self.model.record(current.row()) if current.isValid() else None)

    def _show_detail(self, record: dict[str, Any] | None) -> None:
        title = edits.record_label(self.resource, record) if record else ""
        self.detail.show_record(record, self.model.columns, self.model.lookups, title=title)

    def selected_record(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        return self.model.record(index.row()) if index.isValid() else None

    def copy_selection(self) -> str:
        rows = self.table.selected_rows()
        if not rows:
            return ""
        records = [r for r in (self.model.record(row) for row in rows) if r is not None]
        # start-up: loaded on first use, not on the way to the first paint
        from PySide6.QtGui import QGuiApplication

        from app.ui.export import tsv_text

        text = tsv_text(self.table.visible_columns(), records, self.model.lookups)
        QGuiApplication.clipboard().setText(text)
        return text

    def export_csv(self, path: str, *, raw: bool = False, selection: bool = False) -> int:
        """Every row of the view's query (the search and filters applied; ``selection``: the
        selected rows only) as the view shows them, or with ``raw`` every field as the API gave it."""
        # start-up: loaded on first use, not on the way to the first paint
        from app.ui.export import write_csv

        self.ensure_loaded()
        if selection:
            records: Any = [r for r in (self.model.record(i) for i in self.table.selected_rows()) if r is not None]
        else:
            records = self.model.iter_records()
        columns = self.model.columns if raw else self.table.visible_columns()
        return write_csv(path, columns, records, self.model.lookups, raw=raw)

    # -- the row menu ---------------------------------------------------------------------
    def row_menu(self) -> QMenu:
        """The menu of the selected rows: copy, export, then what the hooks add (edit, delete, undo…)."""
        # start-up: loaded on first use, not on the way to the first paint
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        count = len(self.table.selected_rows())
        copy = menu.addAction(_tr("&Copy") if count <= 1 else _tr("&Copy {0} rows").format(count))
        copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        copy.triggered.connect(lambda _c=False: self.copy_selection())
        export = menu.addAction(_tr("E&xport selected rows…"))
        export.triggered.connect(lambda _c=False: self.exportSelectionRequested.emit())
        for action in (copy, export):
            action.setEnabled(count > 0)
        for hook in self.menu_hooks:
            hook(menu)
        return menu

    def _row_menu(self, pos: QPoint) -> None:
        self.menu_at(pos).popup(self.table.viewport().mapToGlobal(pos))

    def menu_at(self, pos: QPoint) -> QMenu:
        """The row menu for a right-click at ``pos`` (viewport coordinates): the row under the
        pointer becomes the selection unless it is selected already, as desktops do."""
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row()):
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.table.selectionModel().setCurrentIndex(index, flags)  # right-click selects, as desktops do
        menu = self.row_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.context_menu = menu
        return menu

    # -- layout -------------------------------------------------------------------------
    def set_detail_visible(self, visible: bool) -> None:
        self.detail.setVisible(visible)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.table, self.table.fit_when_ready)  # once laid out at its real width

    def add_tool_action(self, action: QAction) -> QToolButton:
        """A button for ``action`` on the page's bar, after the search and filters."""
        from PySide6.QtWidgets import QToolButton  # start-up: not needed for the first paint

        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._bar.insertWidget(self._bar.count() - 2, button)  # before the stretch and the row count
        return button

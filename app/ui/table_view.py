"""The table of one resource's page: its look, its columns (shown, hidden, fitted, remembered) and Ctrl+C."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.ui.column_fit import WHOLE, share_width, title_key
from app.ui.columns import Column
from app.ui.table_model import CacheTableModel

if TYPE_CHECKING:  # only what the first paint needs is imported on the way to it
    from PySide6.QtCore import QByteArray, QPoint
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QMenu


class ResourceTable(QTableView):
    """The rows of a :class:`CacheTableModel`: whole-row selection, uniform rows, movable and
    hideable columns (right-click on the header), Tab leaving the table, and Ctrl+C asking
    its page to copy the selected rows (``copyRequested``)."""

    copyRequested = Signal()

    def __init__(self, model: CacheTableModel) -> None:
        super().__init__()
        self.cache_model = model
        self.setModel(model)
        # The resource's title column (the registry's label field) stretches over the spare width.
        key = title_key(model.resource)
        self.title_section = next((i for i, c in enumerate(model.columns) if c.key == key), None)
        self.sized_by_person = False  # the person dragged a column's width: fit_columns() no longer runs
        self._fitted = False
        self._sizing = 0  # >0 while the code itself sizes columns (not the person)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setShowGrid(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setTabKeyNavigation(False)  # Tab leaves the table; the arrows move in it
        vheader = self.verticalHeader()
        vheader.setVisible(False)
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        header.setResizeContentsPrecision(10)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        for i, col in enumerate(model.columns):
            header.resizeSection(i, col.width)
            header.setSectionHidden(i, not col.visible)
        self._apply_stretch()
        header.sectionResized.connect(self._section_resized)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copyRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    # -- the header's saved state ---------------------------------------------------------
    def restore_header(self, state: QByteArray) -> bool:
        """Put back the column order, widths, hidden columns and sort saved by ``header_state``;
        the model sorts as the restored indicator says. False when the state does not fit."""
        header = self.horizontalHeader()
        self._sizing += 1
        try:
            if not header.restoreState(state):
                return False
        finally:
            self._sizing -= 1
        self._apply_stretch()  # a state saved by an older Cabinet stretched the last column
        header.setSortIndicatorShown(True)
        section = header.sortIndicatorSection()
        columns = self.cache_model.columns
        if 0 <= section < len(columns) and columns[section].sortable:
            self.cache_model.sort_key = columns[section].key
            self.cache_model.descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        else:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        return True

    def header_state(self) -> QByteArray:
        return self.horizontalHeader().saveState()

    # -- columns ------------------------------------------------------------------------
    def visible_columns(self) -> list[Column]:
        """The shown columns in the order the person arranged them."""
        header = self.horizontalHeader()
        logical = [header.logicalIndex(v) for v in range(header.count())]
        return [self.cache_model.columns[i] for i in logical if not header.isSectionHidden(i)]

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.selectionModel().selectedRows()})

    def _apply_stretch(self) -> None:
        """The title column stretches, the others keep the width they are given (or the last
        column stretches when the title column is hidden or the resource has none)."""
        header = self.horizontalHeader()
        self._sizing += 1
        try:
            for i in range(header.count()):
                mode = QHeaderView.ResizeMode.Stretch if i == self.title_section else QHeaderView.ResizeMode.Interactive
                if header.sectionResizeMode(i) != mode:
                    header.setSectionResizeMode(i, mode)
            header.setStretchLastSection(self.title_section is None or header.isSectionHidden(self.title_section))
        finally:
            self._sizing -= 1

    def _section_resized(self, section: int, old: int, new: int) -> None:
        if self._sizing or section == self.title_section or not old or not new or not self.isVisible():
            return  # the code's own sizing, the stretching title, a column hidden or shown
        if self.horizontalHeader().sectionResizeMode(section) == QHeaderView.ResizeMode.Interactive:
            self.sized_by_person = True

    def fit_when_ready(self) -> None:
        """Fit the columns to the table's width, unless the person sized them: once the window is
        shown, and again when the first rows arrive (a first sync), fitted to them."""
        if not self.needs_fit or not self.window().isVisible() or self.viewport().width() <= 0:
            return
        self.executeDelayedItemsLayout()
        rows = self.cache_model.rowCount() > 0 and self.isVisible()  # rows on screen to measure
        self._fitted = rows
        self.fit_columns(rows)

    @property
    def needs_fit(self) -> bool:
        """Not fitted to rows yet, and not sized by the person."""
        return not (self.sized_by_person or self._fitted)

    def fit_columns(self, rows: bool = True) -> None:
        """Each column beside the title as wide as its content (numbers and dates whole, text up
        to its registry width), giving way from the right when they do not all fit; the title
        column takes the rest (app/ui/column_fit). ``rows``: measure the rows on screen (else
        the registry's widths stand for the content)."""
        header = self.horizontalHeader()
        columns = self.cache_model.columns
        order = sorted((i for i in range(header.count()) if not header.isSectionHidden(i) and i != self.title_section),
                       key=header.visualIndex)
        wants = []
        for i in order:
            content = max(self.sizeHintForColumn(i), header.sectionSizeHint(i)) if rows else columns[i].width
            whole = columns[i].fmt in WHOLE
            wants.append((i, content if whole else min(content, max(columns[i].width, header.sectionSizeHint(i))),
                          whole))
        title_shown = self.title_section is not None and not header.isSectionHidden(self.title_section)
        widths = share_width(wants, self.viewport().width(), title_shown=title_shown)
        self._sizing += 1
        try:
            for i, width in widths.items():
                header.resizeSection(i, width)
        finally:
            self._sizing -= 1

    def column_menu(self) -> QMenu:
        """A checkable entry per column: shown or hidden."""
        # start-up: loaded on first use, not on the way to the first paint
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        header = self.horizontalHeader()
        for i, col in enumerate(self.cache_model.columns):
            action = menu.addAction(col.label())
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(i))
            action.toggled.connect(lambda on, i=i: self.set_column_visible(i, on))
        return menu

    def set_column_visible(self, index: int, visible: bool) -> None:
        header = self.horizontalHeader()
        if not visible and header.count() - header.hiddenSectionCount() <= 1:
            return  # keep at least one column
        self._sizing += 1
        try:
            header.setSectionHidden(index, not visible)
            if visible and header.sectionSize(index) < 20:
                header.resizeSection(index, self.cache_model.columns[index].width)
        finally:
            self._sizing -= 1
        self._apply_stretch()

    def _header_menu(self, pos: QPoint) -> None:
        self.column_menu().popup(self.horizontalHeader().mapToGlobal(pos))

"""The table of one resource's page: its look, its columns (shown, hidden, fitted, remembered) and Ctrl+C."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.ui.columns import BOOL, DATETIME, INT, MONEY, NUMBER, Column
from app.ui.table_model import CacheTableModel

if TYPE_CHECKING:  # only what the first paint needs is imported on the way to it
    from PySide6.QtCore import QByteArray, QPoint
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QMenu


_MIN_COLUMN = 72  # px: the narrowest fit_columns() makes a text column
_WHOLE = (NUMBER, MONEY, INT, DATETIME, BOOL)  # columns fit_columns() leaves room for their whole text


class ResourceTable(QTableView):
    """The rows of a :class:`CacheTableModel`: whole-row selection, uniform rows, movable and
    hideable columns (right-click on the header), Tab leaving the table, and Ctrl+C asking
    its page to copy the selected rows (``copyRequested``)."""

    copyRequested = Signal()

    def __init__(self, model: CacheTableModel) -> None:
        super().__init__()
        self.cache_model = model
        self.setModel(model)
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
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        for i, col in enumerate(model.columns):
            header.resizeSection(i, col.width)
            header.setSectionHidden(i, not col.visible)
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
        if not header.restoreState(state):
            return False
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

    def fit_columns(self) -> None:
        """Narrow the shown columns until they all fit the table's width (a first start, before
        the person has sized them): numbers and dates keep room for their whole text, the text
        columns give up the rest in proportion to their width."""
        header = self.horizontalHeader()
        shown = [i for i in range(header.count()) if not header.isSectionHidden(i)]
        available = self.viewport().width() - 2
        widths = {i: header.sectionSize(i) for i in shown}
        excess = sum(widths.values()) - available
        if not shown or excess <= 0 or available <= 0:
            return
        columns = self.cache_model.columns
        least = {i: min(widths[i], max(self.sizeHintForColumn(i), header.sectionSizeHint(i))
                        if columns[i].fmt in _WHOLE else _MIN_COLUMN) for i in shown}
        slack = sum(widths[i] - least[i] for i in shown)
        share = min(1.0, excess / slack) if slack > 0 else 0.0
        for i in shown:
            header.resizeSection(i, widths[i] - int((widths[i] - least[i]) * share + 0.999))

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
        header.setSectionHidden(index, not visible)
        if visible and header.sectionSize(index) < 20:
            header.resizeSection(index, self.cache_model.columns[index].width)

    def _header_menu(self, pos: QPoint) -> None:
        self.column_menu().popup(self.horizontalHeader().mapToGlobal(pos))

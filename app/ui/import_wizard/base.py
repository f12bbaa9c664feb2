"""What every wizard page shares: background work, an error line and small widgets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWizardPage,
)

from app.importer.ports import ImportClient
from app.importer.wizard_state import ImportState
from app.storage import CacheStore
from app.ui import tasks
from app.ui.i18n import translator
from app.ui.import_manager import ImportManager
from app.ui.palette import style_tone


class WizardHost(Protocol):
    """What a page needs of the wizard that holds it (the wizard imports the pages, not back)."""

    cache: CacheStore
    manager: ImportManager
    state: ImportState

    def client(self) -> ImportClient | None: ...

    def next(self) -> None: ...


tr = translator("ImportWizard")


def message_label(kind: str = "error") -> QLabel:
    """A wrapped label for errors ("error") or warnings ("warning"), hidden while empty."""
    label = QLabel()
    label.setObjectName(f"{kind}Label")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    style_tone(label, kind, "QLabel")
    label.setVisible(False)
    return label


def show_text(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def make_table(min_height: int = 160) -> QTableWidget:
    table = QTableWidget()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(22)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setMinimumHeight(min_height)
    return table


def fill_table(table: QTableWidget, headers: Sequence[str], rows: Sequence[Sequence[Any]],
               row_labels: Sequence[str] | None = None, max_width: int = 260) -> None:
    table.clear()
    table.setColumnCount(len(headers))
    table.setRowCount(len(rows))
    table.setHorizontalHeaderLabels(list(headers))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else str(value))
            item.setToolTip(item.text() if len(item.text()) > 30 else "")
            table.setItem(r, c, item)
    if row_labels is not None:
        table.setVerticalHeaderLabels(list(row_labels))
    table.resizeColumnsToContents()
    for c in range(table.columnCount()):
        if table.columnWidth(c) > max_width:
            table.setColumnWidth(c, max_width)


class WizardPage(QWizardPage):
    """A page that can run background work and show its errors."""

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__()
        self.wiz = wizard
        self.error_label = message_label("error")
        self._busy = 0
        self._generation = 0

    @property
    def state(self) -> ImportState:
        return self.wiz.state

    def busy(self) -> bool:
        return self._busy > 0

    def run(self, coro: Coroutine[Any, Any, Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None) -> asyncio.Task[Any]:
        """Run work on the event loop; a newer run() makes the older result stale (dropped)."""
        self._generation += 1
        generation = self._generation
        self._busy += 1
        show_text(self.error_label, "")
        self.completeChanged.emit()

        def done(result: Any) -> None:
            self._busy -= 1
            if generation == self._generation:
                on_done(result)
            self.completeChanged.emit()

        def failed(exc: BaseException) -> None:
            self._busy -= 1
            if generation == self._generation:
                (on_error or self.show_error)(exc)
            self.completeChanged.emit()

        return tasks.run_task(coro, on_done=done, on_error=failed)

    def in_thread(self, func: Callable[..., Any], *args: Any, on_done: Callable[[Any], None],
                  on_error: Callable[[BaseException], None] | None = None) -> asyncio.Task[Any]:
        """Run a blocking function in a worker thread (the window stays responsive)."""
        return self.run(asyncio.to_thread(func, *args), on_done, on_error)

    def show_error(self, exc: BaseException | str) -> None:
        show_text(self.error_label, exc if isinstance(exc, str) else tasks.error_text(exc))

"""Maps → Add existing maps…: paste map ids or addresses, each is checked and added.

Mapiry has no endpoint that lists a person's maps, so this is how the maps they already have
come into Cabinet. The checking and registering is app/sync/known_maps.py; this dialog shows
one result line per entry as it arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.client_base import ServiceClient
from app.storage import CacheStore
from app.sync import known_maps as K
from app.ui import tasks
from app.ui.i18n import translator

OUTCOME_TEXT = {
    K.ADDED: "Added",
    K.KNOWN: "Already known",
    K.NOT_FOUND: "Not found",
    K.NO_ACCESS: "No access",
    K.INVALID: "Not a map id or address",
    K.OFFLINE: "Mapiry could not be reached",
    K.FAILED: "Failed",
}
OUTCOME_HINT = {
    K.NOT_FOUND: "Mapiry has no map with this id that your key can see: it was deleted, or it belongs to "
                 "another account.",
    K.NO_ACCESS: "The key cannot read this map. Check its scope and your Pro subscription in Settings.",
    K.OFFLINE: "Check the connection and try again; nothing was added.",
}


_tr = translator("AddMapsDialog")


class AddMapsDialog(QDialog):
    """Paste, Add, read the result of each line; add more or close."""

    mapsAdded = Signal(list)  # the ids of the maps added (emitted once per run with any added)

    def __init__(self, cache: CacheStore, client: Callable[[], ServiceClient | None], parent: QWidget | None = None,
                 open_settings: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addMapsDialog")
        self.setWindowTitle(_tr("Add existing maps"))
        self.resize(680, 520)
        self.cache = cache
        self._client = client
        self._open_settings = open_settings
        self.results: list[K.MapCheck] = []
        self.task: Any = None

        layout = QVBoxLayout(self)
        intro = QLabel(_tr(
            "Mapiry has no list of your maps for Cabinet to read, so tell it which maps to bring in. "
            "Paste map ids or map addresses (copy them from your browser's address bar on the map's "
            "page) — one per line, or separated by spaces or commas. Each one is checked with Mapiry "
            "before it is added."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.input = QPlainTextEdit()
        self.input.setObjectName("mapRefs")
        self.input.setPlaceholderText("https://mapiry.com/maps/clxyz…\nclabc…, cldef…")
        self.input.setTabChangesFocus(True)
        self.input.setMaximumHeight(130)
        self.input.textChanged.connect(self._update_buttons)
        layout.addWidget(self.input)

        self.table = QTableWidget(0, 3)
        self.table.setObjectName("addMapsResults")
        self.table.setHorizontalHeaderLabels([_tr("Entry"), _tr("Result"), _tr("Map")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 260)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.summary = QLabel()
        self.summary.setObjectName("addMapsSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        self.buttons = QDialogButtonBox()
        self.add_button = QPushButton(_tr("&Add maps"))
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.start)
        self.buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.settings_button: QPushButton | None = None
        if open_settings is not None:
            self.settings_button = QPushButton(_tr("Connect Mapiry…"))
            self.settings_button.clicked.connect(open_settings)
            self.buttons.addButton(self.settings_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update_buttons()

    # -- state -------------------------------------------------------------------------
    def client(self) -> Any:
        return self._client()

    def is_running(self) -> bool:
        return self.task is not None and not self.task.done()

    def _update_buttons(self) -> None:
        connected = self.client() is not None
        self.add_button.setEnabled(connected and not self.is_running() and bool(self.input.toPlainText().strip()))
        if self.settings_button is not None:
            self.settings_button.setVisible(not connected)
        if not connected:
            self.summary.setText(_tr("Mapiry is not connected: add your Mapiry API key in Settings first."))

    # -- running -----------------------------------------------------------------------
    def start(self) -> Any:
        """Check and add what is in the box (results appear line by line)."""
        client = self.client()
        text = self.input.toPlainText()
        if client is None or not text.strip() or self.is_running():
            return None
        self.table.setRowCount(0)
        self.results = []
        self.summary.setText(_tr("Checking {0} entr(ies) with Mapiry…").format(len(K.split_refs(text))))
        self.task = tasks.run_task(K.add_maps(self.cache, client, text, on_result=self._show_result),
                                   on_done=self._done, on_error=self._failed)
        self._update_buttons()
        return self.task

    def _show_result(self, result: K.MapCheck) -> None:
        self.results.append(result)
        row = self.table.rowCount()
        self.table.insertRow(row)
        title = result.title or (result.map_id or "")
        cells = [result.ref, _tr(OUTCOME_TEXT[result.outcome]), title]
        tip = _tr(OUTCOME_HINT[result.outcome]) if result.outcome in OUTCOME_HINT else result.detail
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(tip or text)
            if col == 1 and not result.ok:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.table.setItem(row, col, item)
        self.table.scrollToBottom()

    def _done(self, results: list[K.MapCheck]) -> None:
        counts: dict[str, int] = {}
        for result in results:
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        parts = [f"{n} {_tr(OUTCOME_TEXT[o]).lower()}" for o, n in counts.items()]
        problems = [r for r in results if not r.ok]
        text = ", ".join(parts) + "."
        if problems:
            hints = {_tr(OUTCOME_HINT[r.outcome]) for r in problems if r.outcome in OUTCOME_HINT}
            text += " " + " ".join(sorted(hints))
            # Leave the entries that did not go in, to correct and try again.
            self.input.setPlainText("\n".join(r.ref for r in problems))
        else:
            self.input.clear()
        self.summary.setText(text)
        added = [r.map_id for r in results if r.outcome == K.ADDED and r.map_id]
        self._update_buttons()
        if added:
            self.mapsAdded.emit(added)

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(_tr("Adding maps stopped: {0}").format(tasks.error_text(exc)))
        self._update_buttons()

    def reject(self) -> None:
        if self.is_running():
            self.task.cancel()
        super().reject()


__all__ = ["AddMapsDialog"]

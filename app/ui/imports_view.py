"""The Imports view: every import job with its state and progress; pause, resume, cancel."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.importer import jobs as J
from app.importer.jobs import JobInfo
from app.importer.runner import JobProgress
from app.ui.i18n import translator
from app.ui.import_manager import ImportManager, state_title
from app.ui.palette import style_muted
from app.ui.status import clock_text

if TYPE_CHECKING:
    from app.storage import CacheStore

JOB_ROLE = Qt.ItemDataRole.UserRole + 20


_tr = translator("ImportsView")


COLUMNS = ("File", "Map", "State", "Batches", "Created", "Rejected", "Skipped", "Started")


class ImportsView(QWidget):
    """A table of import jobs, kept current by the ImportManager's signals."""

    def __init__(self, cache: CacheStore, manager: ImportManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self.manager = manager
        self.title_label = QLabel(_tr("Imports"))
        font = self.title_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title_label.setFont(font)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("importsTable")
        self.table.setHorizontalHeaderLabels([_tr(c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.empty_label = QLabel(_tr("No imports yet. Drop a CSV file on the window, or use File → Import CSV… "
                                      "(Ctrl+I)."))
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        style_muted(self.empty_label, "padding: 24px;")
        self.pause_button = QPushButton(_tr("&Pause"))
        self.resume_button = QPushButton(_tr("&Resume"))
        self.cancel_button = QPushButton(_tr("&Cancel import"))
        self.pause_button.clicked.connect(lambda: self._act(self.manager.pause))
        self.resume_button.clicked.connect(lambda: self._act(self.manager.resume))
        self.cancel_button.clicked.connect(lambda: self._act(self.manager.cancel))
        buttons = QHBoxLayout()
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.title_label)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        manager.jobsChanged.connect(self.reload)
        manager.progress.connect(self._on_progress)
        manager.tick.connect(self._tick)
        self.reload()

    # -- data -------------------------------------------------------------------------
    def job_ids(self) -> list[str]:
        return [str(self.table.item(r, 0).data(JOB_ROLE)) for r in range(self.table.rowCount())]

    def selected_job(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return str(self.table.item(rows[0].row(), 0).data(JOB_ROLE)) if rows else None

    def select_job(self, job_id: str) -> None:
        for row, ident in enumerate(self.job_ids()):
            if ident == job_id:
                self.table.selectRow(row)

    def state_text(self, job_id: str) -> str:
        for row, ident in enumerate(self.job_ids()):
            if ident == job_id:
                return self.table.item(row, 2).text()
        return ""

    def reload(self) -> None:
        selected = self.selected_job()
        jobs = self.manager.jobs()
        self.table.setRowCount(len(jobs))
        for row, info in enumerate(jobs):
            self._fill_row(row, info)
        self.table.setVisible(bool(jobs))
        self.empty_label.setVisible(not jobs)
        if selected is not None:
            self.select_job(selected)
        self._update_buttons()

    def _map_title(self, map_id: str) -> str:
        # known_maps() reads every row at once: no statement stays open to hold a read lock
        # while the import job commits to the same database.
        try:
            titles = {str(m["id"]): m.get("title") for m in self.cache.known_maps()}
        except Exception:  # noqa: BLE001 - a cache without the map still lists the job
            titles = {}
        return str(titles.get(map_id) or map_id)

    def _fill_row(self, row: int, info: JobInfo) -> None:
        started = datetime.fromtimestamp(info.created_at).strftime("%Y-%m-%d %H:%M")
        values = [info.name or Path(info.file_path).name or info.id, self._map_title(info.map_id),
                  self._state(info.state, info.id, info.error),
                  f"{info.batches_confirmed}/{info.batches_total}", f"{info.rows_created:,}/{info.total_rows:,}",
                  f"{info.rejected:,}", f"{info.skipped:,}", started]
        for col, value in enumerate(values):
            item = self.table.item(row, col)
            if item is None:  # a new cell; an existing one is updated in place (the table owns it)
                item = QTableWidgetItem()
                self.table.setItem(row, col, item)
            item.setText(value)
            if col == 0:
                item.setData(JOB_ROLE, info.id)
                item.setToolTip(info.file_path)
            if col == 2 and info.error:
                item.setToolTip(info.error)
            if col >= 3:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def _state(self, state: str, job_id: str, error: str | None = None) -> str:
        text = state_title(state)
        event = self.manager.last.get(job_id)
        if state == J.WAITING and event is not None and event.wait_until:
            text += " · " + _tr("next batch in {0}").format(clock_text(event.wait_until - self.manager.clock()))
        if state == J.FAILED and error:
            text += f": {error}"
        if state not in J.FINISHED_STATES:
            holder = self.manager.held_elsewhere(job_id)
            if holder is not None:  # the command line (or another window) runs it
                since = datetime.fromtimestamp(holder.acquired_at).strftime("%H:%M")
                text += " · " + _tr("run by {0} since {1}").format(holder.owner.describe(), since)
        return text

    def _on_progress(self, event: JobProgress) -> None:
        for row, ident in enumerate(self.job_ids()):
            if ident == event.job_id:
                info = self.manager.job(ident)
                if info is not None:
                    self._fill_row(row, info)
                self._update_buttons()
                return
        self.reload()

    def _tick(self) -> None:
        """The manager's second: redraw the countdowns of waiting jobs."""
        for row, ident in enumerate(self.job_ids()):
            event = self.manager.last.get(ident)
            if event is not None and event.state == J.WAITING:
                info = self.manager.job(ident)
                if info is not None:
                    self.table.item(row, 2).setText(self._state(info.state, ident, info.error))

    # -- actions ----------------------------------------------------------------------
    def _act(self, action: Any) -> None:
        job_id = self.selected_job()
        if job_id is not None:
            action(job_id)
            self.reload()

    def _update_buttons(self) -> None:
        job_id = self.selected_job()
        info = self.manager.job(job_id) if job_id else None
        running = job_id is not None and self.manager.is_running(job_id)
        state = info.state if info is not None else None
        self.pause_button.setEnabled(running and state in (J.RUNNING, J.WAITING, J.QUEUED))
        elsewhere = job_id is not None and not running and self.manager.held_elsewhere(job_id) is not None
        self.resume_button.setEnabled(info is not None and not info.finished and not elsewhere
                                      and (state == J.PAUSED or state == J.FAILED or not running))
        self.cancel_button.setEnabled(info is not None and not info.finished and not elsewhere)

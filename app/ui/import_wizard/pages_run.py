"""The last three steps: the target map, the import itself, and the summary."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWizard,
)

from app.importer import jobs as J
from app.importer.filejob import plan_map
from app.importer.ports import ImportClient
from app.importer.runner import JobProgress, JobSummary
from app.importer.taxonomy import create_missing
from app.importer.wizard_state import TargetPlan
from app.ui.import_manager import state_title
from app.ui.import_wizard.base import WizardHost, WizardPage, message_label, show_text, tr
from app.ui.status import clock_text


class TargetPage(WizardPage):
    """Where the rows go: a known map or a new one; defaults; skip and create options."""

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(wizard)
        self.setTitle(tr("Choose the map"))
        self.setSubTitle(tr("Import into one of your maps, or create a new one."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, tr("&Import"))
        self.existing_radio = QRadioButton(tr("&Existing map:"))
        self.new_radio = QRadioButton(tr("&New map:"))
        group = QButtonGroup(self)
        group.addButton(self.existing_radio)
        group.addButton(self.new_radio)
        self.map_combo = QComboBox()
        self.map_combo.setObjectName("targetMap")
        self.map_combo.setMinimumContentsLength(28)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(tr("Title of the new map"))
        self.create_button = QPushButton(tr("&Create map"))
        self.create_button.clicked.connect(self.create_map)
        grid = QGridLayout()
        grid.addWidget(self.existing_radio, 0, 0)
        grid.addWidget(self.map_combo, 0, 1, 1, 2)
        grid.addWidget(self.new_radio, 1, 0)
        grid.addWidget(self.title_edit, 1, 1)
        grid.addWidget(self.create_button, 1, 2)
        grid.setColumnStretch(1, 1)

        self.category_combo = QComboBox()
        self.layer_combo = QComboBox()
        defaults = QFormLayout()
        defaults.addRow(tr("Default &category:"), self.category_combo)
        defaults.addRow(tr("Default &layer:"), self.layer_combo)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.skip_box = QCheckBox()
        self.skip_box.setChecked(True)
        self.create_box = QCheckBox(tr("Create the missing categories, tags and layers first"))
        self.create_box.setChecked(True)
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        self.missing_label.setContentsMargins(22, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addSpacing(6)
        layout.addLayout(defaults)
        layout.addSpacing(6)
        layout.addWidget(self.status_label)
        layout.addWidget(self.skip_box)
        layout.addWidget(self.create_box)
        layout.addWidget(self.missing_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)

        self.map_combo.currentIndexChanged.connect(lambda _i: self._map_chosen())
        self.existing_radio.toggled.connect(self._mode_changed)
        self.title_edit.textChanged.connect(lambda _t: self._mode_changed())
        self._categories: list[dict[str, Any]] = []
        self._layers: list[dict[str, Any]] = []
        self._checked_map: str | None = None

    # -- maps ------------------------------------------------------------------------
    def initializePage(self) -> None:
        wanted = self.state.map_id or self.map_combo.currentData()
        self.map_combo.blockSignals(True)
        self.map_combo.clear()
        for known in self.wiz.cache.known_maps():
            self.map_combo.addItem(str(known.get("title") or known["id"]), known["id"])
        self.map_combo.blockSignals(False)
        has_maps = self.map_combo.count() > 0
        (self.existing_radio if has_maps else self.new_radio).setChecked(True)
        if wanted is not None and self.map_combo.findData(wanted) >= 0:
            self.map_combo.setCurrentIndex(self.map_combo.findData(wanted))
        self._checked_map = None
        self._mode_changed()

    def _mode_changed(self, *_args: object) -> None:
        existing = self.existing_radio.isChecked()
        self.map_combo.setEnabled(existing)
        self.title_edit.setEnabled(not existing)
        self.create_button.setEnabled(not existing and bool(self.title_edit.text().strip()) and not self.busy())
        if existing:
            self._map_chosen()
        else:
            self.state.map_id = None
            self._checked_map = None
            self._show_plan(None)
        self.completeChanged.emit()

    def create_map(self) -> None:
        title = self.title_edit.text().strip()
        client = self.wiz.client()
        if not title or client is None:
            self.show_error(tr("Mapiry is not connected: connect it in Settings (Ctrl+,) first.")
                            if client is None else tr("Give the new map a title."))
            return
        self.status_label.setText(tr("Creating the map “{0}”…").format(title))
        self.create_button.setEnabled(False)
        self.run(client.create_map(title), self._created)

    def _created(self, created: dict[str, Any]) -> None:
        map_id = str(created["id"])
        self.wiz.cache.add_known_map(map_id, "created")
        self.wiz.cache.upsert("maps", created)
        self.map_combo.blockSignals(True)
        self.map_combo.addItem(str(created.get("title") or map_id), map_id)
        self.map_combo.setCurrentIndex(self.map_combo.count() - 1)
        self.map_combo.blockSignals(False)
        self.title_edit.clear()
        self.existing_radio.setChecked(True)
        self._map_chosen()

    def _map_chosen(self) -> None:
        map_id = self.map_combo.currentData()
        if not self.existing_radio.isChecked() or map_id is None or map_id == self._checked_map:
            return
        self.state.map_id = str(map_id)
        self.state.target = None
        self._checked_map = str(map_id)
        client = self.wiz.client()
        if client is None:
            self.show_error(tr("Mapiry is not connected: connect it in Settings (Ctrl+,) first."))
            return
        self.status_label.setText(tr("Reading the map: its categories, layers and locations…"))
        self._show_plan(None)
        self.run(self._fetch(client, str(map_id)), self._fetched)

    async def _fetch(self, client: ImportClient, map_id: str) -> tuple[list[dict], list[dict], TargetPlan]:
        check = self.state.check
        if check is None:
            raise ValueError("the rows are not checked yet")
        categories = await client.read_all("categories", map_id)
        layers = await client.read_all("layers", map_id)
        plan = await plan_map(client, map_id, check)
        target = await asyncio.to_thread(self.state.count_existing, map_id, plan)  # a pass over the file
        return categories, layers, target

    def _fetched(self, result: tuple[list[dict], list[dict], TargetPlan]) -> None:
        self._categories, self._layers, plan = result
        self.state.target = plan
        for combo, items in ((self.category_combo, self._categories), (self.layer_combo, self._layers)):
            combo.clear()
            combo.addItem(tr("— none —"), None)
            for item in items:
                combo.addItem(str(item.get("name") or item["id"]), item["id"])
        self._show_plan(plan)

    def _show_plan(self, plan: TargetPlan | None) -> None:
        ready = plan is not None
        for widget in (self.category_combo, self.layer_combo):
            widget.setEnabled(ready)
        if plan is None:
            self.skip_box.setVisible(False)
            self.create_box.setVisible(False)
            self.missing_label.setVisible(False)
            if not self.busy():
                self.status_label.setText("")
            return
        rows = self.state.check.valid if self.state.check is not None else 0
        self.status_label.setText(tr("{0} rows will be imported into “{1}”.").format(
            f"{rows:,}", self.map_combo.currentText()))
        existing = plan.existing
        self.skip_box.setText(tr("&Skip the {0} rows already on this map").format(f"{existing:,}"))
        self.skip_box.setVisible(existing > 0)
        tax = plan.plan.taxonomy
        parts = [(tr("Categories"), tax.missing_categories), (tr("Tags"), tax.missing_tags),
                 (tr("Layers"), tax.missing_layers)]
        missing = [f"{title}: {', '.join(names)}" for title, names in parts if names]
        self.create_box.setVisible(bool(missing))
        self.missing_label.setText(tr("Not on the map yet — {0}").format("; ".join(missing)) if missing else "")
        self.missing_label.setVisible(bool(missing))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        plan = self.state.target
        return not self.busy() and plan is not None and plan.map_id == self.state.map_id

    def validatePage(self) -> bool:
        self.state.skip_existing = self.skip_box.isChecked() and self.skip_box.isVisible()
        self.state.create_missing = self.create_box.isChecked() and self.create_box.isVisible()
        pick = {c["id"]: c for c in self._categories}
        self.state.default_category = pick.get(self.category_combo.currentData())
        pick = {x["id"]: x for x in self._layers}
        self.state.default_layer = pick.get(self.layer_combo.currentData())
        return True


class ImportPage(WizardPage):
    """The job at work: progress, batches, the countdown to the next batch, pause/resume/cancel."""

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(wizard)
        self.setTitle(tr("Importing"))
        self.setSubTitle(tr("You can close this window: the import goes on, and the Imports view shows it."))
        self.state_label = QLabel()
        self.state_label.setObjectName("importState")
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(True)
        self.batches_label = QLabel()
        self.rows_label = QLabel()
        self.countdown_label = QLabel()
        self.countdown_label.setObjectName("countdown")
        self.countdown_label.setWordWrap(True)
        self.pause_button = QPushButton(tr("&Pause"))
        self.resume_button = QPushButton(tr("&Resume"))
        self.cancel_button = QPushButton(tr("Cancel &import"))
        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.resume_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        form = QFormLayout()
        form.addRow(tr("Batches sent:"), self.batches_label)
        form.addRow(tr("Rows created:"), self.rows_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addWidget(self.progress_bar)
        layout.addLayout(form)
        layout.addWidget(self.countdown_label)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.progress: JobProgress | None = None
        self.summary: JobSummary | None = None
        self._set_buttons(None)

    @property
    def job_id(self) -> str | None:
        return self.state.job_id

    def initializePage(self) -> None:
        self.wiz.manager.progress.connect(self._on_progress)
        self.wiz.manager.jobFinished.connect(self._on_finished)
        self.wiz.manager.tick.connect(self._tick)
        if self.state.job_id is not None:
            return
        self.state_label.setText(tr("Preparing the import…"))
        client = self.wiz.client()
        if client is None or self.state.target is None:
            self.show_error(tr("Mapiry is not connected: connect it in Settings (Ctrl+,) first."))
            return
        self.run(self._create(client), self._created)

    async def _create(self, client: ImportClient) -> str:
        state = self.state
        target = state.target
        if target is None:
            raise ValueError("the map is not checked yet")
        state.defaults()  # the default category and layer count as on the map
        if state.create_missing and target.plan.taxonomy.has_missing:
            await create_missing(client, target.map_id, target.plan.taxonomy)
        return await asyncio.to_thread(self._store_job)  # the file's rows, streamed into the job

    def _store_job(self) -> str:
        store = self.wiz.manager.store.reopen()  # this worker thread's own
        try:
            return self.state.create_job(store)
        finally:
            store.close()

    def _created(self, job_id: str) -> None:
        self.state.job_id = job_id
        info = self.wiz.manager.job(job_id)
        if info is not None:
            self.progress = JobProgress(job_id, info.state, info.batches_confirmed, info.batches_total,
                                        info.rows_created, info.total_rows, info.rejected)
            self._render()
        self.wiz.manager.start(job_id, self.wiz.client())

    def _on_progress(self, event: JobProgress) -> None:
        if event.job_id != self.state.job_id:
            return
        self.progress = event
        self._render()

    def _on_finished(self, job_id: str, summary: JobSummary) -> None:
        if job_id != self.state.job_id:
            return
        self.summary = summary
        if summary.error:
            self.show_error(summary.error)
        self._render()
        self.completeChanged.emit()
        if summary.state == J.DONE:
            self.wiz.next()

    def _tick(self) -> None:
        if self.progress is not None and self.progress.state == J.WAITING:
            self._render_countdown(self.progress)

    def _render(self) -> None:
        event = self.progress
        if event is None:
            return
        state = self.summary.state if self.summary is not None else event.state
        self.state_label.setText(f"<b>{state_title(state)}</b> — {self.state.file_name}")
        self.progress_bar.setRange(0, max(1, event.rows_total))
        self.progress_bar.setValue(event.rows_created)
        self.progress_bar.setFormat(tr("%p% — {0} of {1} rows").format(f"{event.rows_created:,}",
                                                                        f"{event.rows_total:,}"))
        self.batches_label.setText(tr("{0} of {1}").format(event.batches_sent, event.batches_total))
        self.rows_label.setText(tr("{0} of {1}").format(f"{event.rows_created:,}", f"{event.rows_total:,}"))
        self._render_countdown(event)
        self._set_buttons(state)

    def _render_countdown(self, event: JobProgress) -> None:
        if event.state != J.WAITING or not event.wait_until or self.summary is not None:
            self.countdown_label.setText("")
            return
        client = self.wiz.client()
        bucket = client.rate_limits.get("bulk") if client is not None else None
        limit = bucket.limit if bucket is not None else None
        self.countdown_label.setText(tr("Next batch in {0} — Mapiry allows {1} bulk requests an hour.").format(
            clock_text(event.wait_until - self.wiz.manager.clock()), limit or 20))

    def _set_buttons(self, state: str | None) -> None:
        active = state in (J.QUEUED, J.RUNNING, J.WAITING, J.PAUSED) and self.summary is None
        self.pause_button.setEnabled(active and state != J.PAUSED)
        self.resume_button.setEnabled(active and state == J.PAUSED)
        self.cancel_button.setEnabled(active)

    def pause(self) -> None:
        if self.state.job_id:
            self.wiz.manager.pause(self.state.job_id)

    def resume(self) -> None:
        if self.state.job_id:
            self.wiz.manager.resume(self.state.job_id)

    def cancel(self) -> None:
        if self.state.job_id:
            self.wiz.manager.cancel(self.state.job_id)

    def isComplete(self) -> bool:
        return self.summary is not None

class SummaryPage(WizardPage):
    """What the job did: created, skipped, rejected; the rejected rows can be exported."""

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(wizard)
        self.setTitle(tr("Import finished"))
        self.setSubTitle(tr("What the import did. The Imports view keeps this job's record."))
        self.headline = QLabel()
        self.headline.setObjectName("summaryHeadline")
        self.headline.setWordWrap(True)
        self.created_label = QLabel()
        self.skipped_label = QLabel()
        self.rejected_label = QLabel()
        form = QFormLayout()
        form.addRow(tr("Created:"), self.created_label)
        form.addRow(tr("Skipped (already on the map):"), self.skipped_label)
        form.addRow(tr("Rejected:"), self.rejected_label)
        self.note = message_label("info")
        self.export_button = QPushButton(tr("&Export rejected rows…"))
        self.export_button.clicked.connect(lambda: self.export_rejected())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.summary: JobSummary | None = None

    def initializePage(self) -> None:
        if self.state.job_id is None:
            return
        summary = self.wiz.manager.summary(self.state.job_id)
        self.summary = summary
        self.headline.setText(tr("<b>{0}</b>: {1}").format(self.state.file_name, state_title(summary.state)))
        self.created_label.setText(f"{summary.created:,}")
        self.skipped_label.setText(f"{summary.skipped:,}")
        self.rejected_label.setText(f"{len(summary.rejected):,}")
        show_text(self.note, tr("Export the rejected rows to fix them and import the file again.")
                  if summary.rejected else "")
        if summary.error:
            self.show_error(summary.error)
        self.export_button.setEnabled(bool(summary.rejected))

    def export_rejected(self, path: str | None = None) -> int:
        if self.summary is None:
            return 0
        if path is None:
            src = Path(self.state.path or "import.csv")
            path, _filter = QFileDialog.getSaveFileName(self, tr("Export rejected rows"),
                                                        str(src.with_name(src.stem + "-rejected.csv")),
                                                        tr("CSV files (*.csv)"))
            if not path:
                return 0
        rows = self.state.rejected_rows_of_job(self.summary.rejected)
        try:
            return self.state.write_rejected(path, rows)
        except OSError as exc:
            self.show_error(tr("Could not write {0}: {1}").format(path, exc.strerror or exc))
            return 0

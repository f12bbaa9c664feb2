"""The owner of running import jobs: an import goes on when the wizard that started it closes.

``ImportManager`` holds one JobRunner per running job on the GUI's (qasync) event loop and
re-emits its progress as Qt signals; the status bar label and the Imports view listen to
them. ``resume_unfinished()`` continues, at start, the jobs a close or a crash interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from app.importer import jobs as J
from app.importer.jobs import JobInfo, JobStore
from app.importer.lease import Holder, JobHeldError, LeaseLostError
from app.importer.ports import ClientProvider, ImportClient
from app.importer.runner import JobProgress, JobRunner, JobSummary, summarize
from app.storage import CacheStore
from app.ui import tasks
from app.ui.i18n import translator
from app.ui.status import clock_text

ACTIVE_STATES = (J.QUEUED, J.RUNNING, J.WAITING, J.PAUSED)


_tr = translator("ImportManager")


def state_title(state: str) -> str:
    return {
        J.QUEUED: _tr("Queued"), J.RUNNING: _tr("Importing"), J.WAITING: _tr("Waiting for the rate limit"),
        J.PAUSED: _tr("Paused"), J.CANCELLED: _tr("Cancelled"), J.FAILED: _tr("Failed"), J.DONE: _tr("Done"),
    }.get(state, state)


class ImportManager(QObject):
    """Runs import jobs in the background and reports their progress."""

    progress = Signal(object)  # JobProgress
    jobFinished = Signal(str, object)  # job id, JobSummary
    jobsChanged = Signal()  # a job was added, started, finished or changed state
    # Once a second while a job waits for the rate limit: the one clock every countdown on the
    # screen (status bar, Imports view, wizard) redraws from, so they all move together.
    tick = Signal()
    landed = Signal(str)  # map id: created locations of a batch are in the cache

    def __init__(self, cache: CacheStore, client: ClientProvider, parent: QObject | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self.clock = clock  # the time every countdown is measured against
        self.cache = cache
        self._client = client
        self.store = JobStore(cache.state)
        self._runners: dict[str, JobRunner] = {}
        self._tasks: dict[str, Any] = {}
        self.last: dict[str, JobProgress] = {}
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick.emit)
        self.jobsChanged.connect(self._update_ticker)

    def waiting(self) -> bool:
        """Whether a running job waits for the rate limit (a countdown is on the screen)."""
        return any(self.last.get(j) is not None and self.last[j].state == J.WAITING for j in self.running_jobs())

    def _update_ticker(self) -> None:
        if self.waiting():
            if not self._ticker.isActive():
                self._ticker.start()
        else:
            self._ticker.stop()

    # -- clients ----------------------------------------------------------------------
    def set_client(self, client: ClientProvider) -> None:
        """Where the Mapiry client comes from (it returns None while Mapiry is not connected)."""
        self._client = client

    def client(self) -> ImportClient | None:
        return self._client()

    # -- jobs -------------------------------------------------------------------------
    def jobs(self) -> list[JobInfo]:
        return self.store.list_jobs()

    def job(self, job_id: str) -> JobInfo | None:
        return self.store.get_job(job_id)

    def summary(self, job_id: str) -> JobSummary:
        return summarize(self.store, job_id)

    def is_running(self, job_id: str) -> bool:
        task = self._tasks.get(job_id)
        return task is not None and not task.done()

    def running_jobs(self) -> list[str]:
        return [job_id for job_id in self._tasks if self.is_running(job_id)]

    def runner(self, job_id: str) -> JobRunner | None:
        return self._runners.get(job_id) if self.is_running(job_id) else None

    def start(self, job_id: str, client: ImportClient | None = None) -> JobRunner:
        """Run a stored job (from its first unconfirmed batch) until it ends."""
        existing = self.runner(job_id)
        if existing is not None:
            return existing
        client = client if client is not None else self.client()
        if client is None:
            raise RuntimeError(_tr("Mapiry is not connected: connect it in Settings to run imports."))
        runner = JobRunner(self.store, client, job_id, progress=self._on_progress, landed=self._landed)
        self._runners[job_id] = runner
        self._tasks[job_id] = tasks.run_task(
            runner.run(),
            on_done=lambda summary: self._finished(job_id, summary),
            on_error=lambda exc: self._failed(job_id, exc),
        )
        self.jobsChanged.emit()
        return runner

    def pause(self, job_id: str) -> None:
        runner = self.runner(job_id)
        if runner is not None:
            runner.pause()

    def resume(self, job_id: str) -> None:
        """Resume a paused runner, or start a stored job that is not running (paused, failed)."""
        runner = self.runner(job_id)
        if runner is not None:
            runner.resume()
            return
        info = self.store.get_job(job_id)
        if info is not None and not info.finished:
            self.start(job_id)

    def cancel(self, job_id: str) -> None:
        runner = self.runner(job_id)
        if runner is not None:
            runner.cancel()
            return
        info = self.store.get_job(job_id)
        if info is not None and not info.finished:
            self.store.set_job_state(job_id, J.CANCELLED)
            self.jobsChanged.emit()

    def resume_unfinished(self) -> list[str]:
        """Continue the jobs a close or a crash interrupted (paused and failed ones wait for the
        person), leaving alone those another process runs (the command line, another window)."""
        started = []
        for info in self.store.list_jobs((J.QUEUED, J.RUNNING, J.WAITING)):
            if not self.is_running(info.id) and self.store.lease_holder(info.id) is None:
                self.start(info.id)
                started.append(info.id)
        return started

    def held_elsewhere(self, job_id: str) -> Holder | None:
        """Who runs the job when another process does (None when nobody does, or this app)."""
        return None if self.is_running(job_id) else self.store.lease_holder(job_id)

    async def shutdown(self) -> None:
        """Stop the running tasks (their jobs go on at the next start) and close the store."""
        running = [t for t in self._tasks.values() if not t.done()]
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        self._tasks.clear()
        self._runners.clear()
        with contextlib.suppress(Exception):
            self.store.close()

    # -- callbacks --------------------------------------------------------------------
    def _landed(self, map_id: str, locations: list[dict[str, Any]]) -> None:
        """A batch's locations, as Mapiry answered: into the cache, so the views show them now."""
        for location in locations:
            if location.get("id") is not None:
                self.cache.upsert("locations", location, scope=map_id)
        self.landed.emit(map_id)

    def _on_progress(self, event: JobProgress) -> None:
        previous = self.last.get(event.job_id)
        self.last[event.job_id] = event
        self.progress.emit(event)
        if previous is None or previous.state != event.state:
            self.jobsChanged.emit()

    def _finished(self, job_id: str, summary: JobSummary) -> None:
        self._runners.pop(job_id, None)
        self.jobFinished.emit(job_id, summary)
        self.jobsChanged.emit()

    def _failed(self, job_id: str, exc: BaseException) -> None:
        self._runners.pop(job_id, None)
        if isinstance(exc, JobHeldError | LeaseLostError):
            # Another process runs the job: its state is theirs to write; say who.
            self.jobsChanged.emit()
            tasks.reporter().error.emit(exc.user_message())
            return
        with contextlib.suppress(Exception):
            self.store.set_job_state(job_id, J.FAILED, error=tasks.error_text(exc))
        self.jobFinished.emit(job_id, summarize(self.store, job_id))
        self.jobsChanged.emit()
        tasks.reporter().error.emit(_tr("The import failed: {0}").format(tasks.error_text(exc)))


class ImportStatusLabel(QLabel):
    """The status bar's line about running imports, with the countdown to the next batch."""

    def __init__(self, manager: ImportManager, parent: QWidget | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        super().__init__(parent)
        self.manager = manager
        self._clock = clock
        self.setObjectName("importStatus")
        self.setContentsMargins(8, 0, 8, 0)
        manager.tick.connect(self.refresh)
        manager.progress.connect(lambda _event: self.refresh())
        manager.jobsChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        running = [self.manager.last.get(j) for j in self.manager.running_jobs()]
        events = [e for e in running if e is not None and e.state not in J.FINISHED_STATES]
        if not events:
            self.setText("")
            self.setVisible(False)
            return
        event = events[0]
        text = _tr("Import: {0}/{1} batches, {2} rows created").format(
            event.batches_sent, event.batches_total, f"{event.rows_created:,}")
        if event.state == J.WAITING and event.wait_until:
            text += " · " + _tr("next batch in {0}").format(clock_text(event.wait_until - (self._clock or self.manager.clock)()))
        elif event.state == J.PAUSED:
            text += " · " + _tr("paused")
        if len(events) > 1:
            text += " " + _tr("(+{0} more)").format(len(events) - 1)
        self.setText(text)
        self.setVisible(True)

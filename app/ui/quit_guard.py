"""Quitting with an import running or waiting: say so, and offer to keep it for the next start.

An import job lives in the state database and goes on at the next start from its first
unconfirmed batch (ImportManager.resume_unfinished), so "keep it" costs nothing; "stop it"
cancels the job first. The question is a window-modal box opened with ``open()``: the close
is refused at once and made again once the person has answered.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from app.importer import jobs as J
from app.ui.i18n import translator

if TYPE_CHECKING:
    from app.importer.jobs import JobInfo
    from app.ui.import_manager import ImportManager

UNDER_WAY = (J.QUEUED, J.RUNNING, J.WAITING)


_tr = translator("QuitGuard")


def imports_under_way(manager: ImportManager | None) -> list[JobInfo]:
    """The jobs this session is running, or that wait for their next batch."""
    running = set(manager.running_jobs()) if manager is not None else set()
    if manager is None or not running:
        return []
    return [info for info in manager.jobs() if info.id in running and info.state in UNDER_WAY]


def describe(infos: list[JobInfo]) -> str:
    lines = []
    for info in infos[:5]:
        name = info.name or Path(info.file_path).name or info.id
        lines.append(_tr("“{0}”: {1} of {2} rows sent").format(name, f"{info.rows_created:,}",
                                                               f"{info.total_rows:,}"))
    if len(infos) > 5:
        lines.append(_tr("and {0} more").format(len(infos) - 5))
    return "\n".join(lines)


class QuitQuestion(QMessageBox):
    """Keep the import(s) for the next start (the default), stop them, or stay."""

    def __init__(self, infos: list[JobInfo], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("quitQuestion")
        self.setIcon(QMessageBox.Icon.Question)
        self.setWindowTitle(_tr("An import is under way"))
        self.setText(_tr("An import is still under way. Quit anyway?") if len(infos) == 1 else
                     _tr("{0} imports are still under way. Quit anyway?").format(len(infos)))
        self.setInformativeText(describe(infos) + "\n\n" + _tr(
            "Cabinet can keep the import and go on at its next start, from the first batch Mapiry has "
            "not confirmed: nothing is sent twice and no row is lost."))
        self.keep_button = self.addButton(_tr("&Keep it for next start and quit"), QMessageBox.ButtonRole.AcceptRole)
        self.stop_button = self.addButton(_tr("&Stop the import and quit"), QMessageBox.ButtonRole.DestructiveRole)
        self.stay_button = self.addButton(_tr("&Don't quit"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.keep_button)
        self.setEscapeButton(self.stay_button)


def ask(manager: ImportManager, infos: list[JobInfo], parent: QWidget,
        quit_now: Callable[[], None]) -> QuitQuestion:
    """Open the question; on "keep" or "stop" (after cancelling the jobs) call ``quit_now``."""
    box = QuitQuestion(infos, parent)

    def answered() -> None:
        clicked = box.clickedButton()
        if clicked is box.keep_button:
            quit_now()
        elif clicked is box.stop_button:
            # A running job stops after the request in flight is answered (bounded by the HTTP
            # deadlines) and is then recorded as cancelled: quit once every one has.
            pending = {info.id for info in infos if manager.is_running(info.id)}

            def job_ended(job_id: str, _summary: object) -> None:
                pending.discard(job_id)
                if not pending:
                    manager.jobFinished.disconnect(job_ended)
                    quit_now()

            if pending:
                manager.jobFinished.connect(job_ended)
            for info in infos:
                manager.cancel(info.id)
            if not pending:
                quit_now()

    box.finished.connect(lambda _r: answered())
    box.open()
    return box

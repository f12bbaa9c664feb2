"""Edit → Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z, Ctrl+Y) over the EditController's history.

The history and what reverses each change live in app.core.undo (no Qt); here the steps are
sent through the same writes as the edit dialogs (the API first, then the cache from its
answer), and the views are told what changed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from app.core import edits
from app.core.undo import Change, Step, UndoStack, redo_steps, relink_fields, undo_steps
from app.services.client_base import ServiceClient
from app.storage import CacheStore
from app.sync import writes
from app.ui import tasks
from app.ui.i18n import translator

_tr = translator("Undo")


async def run_steps(steps: list[Step], client: ServiceClient, cache: CacheStore) -> None:
    """Send the steps one by one (each reads the record as the cache holds it now)."""
    for step in steps:
        current = None
        if step.record is not None:
            current = cache.get(step.resource, str(step.record["id"])) or dict(step.record)
        if step.kind == "remove":
            assert current is not None
            await writes.remove(step.resource, client, cache, current)
            continue
        answer = await writes.save(step.resource, client, cache, step.fields, record=current, map_id=step.map_id)
        if step.entry is not None and step.slot:
            setattr(step.entry, step.slot, edits.without_secret(answer))
        if step.relink and step.entry is not None:
            for location in step.entry.dependents:
                now = cache.get("locations", str(location["id"]))
                if now is not None:
                    fields = relink_fields(step.resource, str(answer["id"]), now)
                    await writes.save("locations", client, cache, fields, record=now)


class UndoActions(QObject):
    """The Undo and Redo actions of a window's EditController."""

    def __init__(self, controller: Any, window: Any, menu: QMenu | None = None) -> None:
        super().__init__(controller)
        self.controller = controller
        self.stack: UndoStack = controller.history
        self.task: Any = None
        self.undo_action = QAction(_tr("&Undo"), self)
        self.undo_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        redo_keys = [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]
        redo_keys += [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo) if k not in redo_keys]
        self.redo_action = QAction(_tr("&Redo"), self)
        self.redo_action.setShortcuts(redo_keys)
        self.undo_action.triggered.connect(lambda _c=False: self.undo())
        self.redo_action.triggered.connect(lambda _c=False: self.redo())
        if window is not None:
            window.addAction(self.undo_action)
            window.addAction(self.redo_action)
        self.add_to_menu(menu)
        controller.historyChanged.connect(self.update)
        self.update()

    def add_to_menu(self, menu: QMenu | None) -> None:
        """Undo and Redo at the top of ``menu`` (once)."""
        if menu is None or self.undo_action in menu.actions():
            return
        first = menu.actions()[0] if menu.actions() else None
        menu.insertAction(first, self.undo_action)
        menu.insertAction(first, self.redo_action)
        if first is not None:
            menu.insertSeparator(first)

    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def update(self) -> None:
        undo, redo = self.stack.next_undo(), self.stack.next_redo()
        self.undo_action.setEnabled(undo is not None and not self.busy())
        self.redo_action.setEnabled(redo is not None and not self.busy())
        self.undo_action.setText(_tr("&Undo {0}").format(_tr(undo.label())) if undo else _tr("&Undo"))
        self.redo_action.setText(_tr("&Redo {0}").format(_tr(redo.label())) if redo else _tr("&Redo"))

    def undo(self) -> Any:
        change = self.stack.next_undo()
        if change is None:
            self.controller.notify(_tr("There is nothing to undo."))
            return None
        reason = change.not_undoable()
        if reason is not None:
            self.controller.notify(_tr("“{0}” cannot be undone. {1} Undo now goes on with the change before it.")
                                   .format(_tr(change.label()), _tr(reason)), "warning")
            self.stack.drop_next_undo()
            self.update()
            return None
        return self._run(change, undo_steps(change), self.stack.undone, _tr("Undone: {0}."))

    def redo(self) -> Any:
        change = self.stack.next_redo()
        if change is None:
            self.controller.notify(_tr("There is nothing to redo."))
            return None
        return self._run(change, redo_steps(change), self.stack.redone, _tr("Redone: {0}."))

    def _run(self, change: Change, steps: list[Step], moved: Any, done_text: str) -> Any:
        if self.busy():
            return None
        client = self.controller.ready_client(change.resource)
        if client is None:
            return None

        def finished(_result: Any) -> None:
            moved()
            self.controller.changed(change.resource)
            self.controller.notify(done_text.format(_tr(change.label())))
            self.update()

        def failed(exc: BaseException) -> None:
            self.controller.changed(change.resource)  # some steps may have gone through
            self.controller.notify(_tr("Could not undo or redo “{0}”: {1}").format(
                _tr(change.label()), tasks.error_text(exc)), "error")
            self.update()

        self.task = tasks.run_task(run_steps(steps, client, self.controller.cache), on_done=finished,
                                   on_error=failed, progress_label=_tr("Undoing…"))
        self.update()
        return self.task

"""EditController: every create, edit and delete the window offers, as far as the APIs allow.

Each write goes to the API first (``tasks.run_task``, never blocking the window; the dialog's
OK button shows the request running), then into the cache from the API's answer, then
``changed(resource)`` so the views re-read the cache. A failed request keeps the dialog open
with everything typed, and says why with the error's ``user_message()``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core import edits, registry
from app.core.errors import ApiError, ConflictError, service_name
from app.core.undo import CREATE, DELETE, DEPENDENT_KEYS, UPDATE, Change, Entry, UndoStack
from app.services.client_base import ServiceClient
from app.storage import CacheStore
from app.sync import sites, writes
from app.ui import tasks
from app.ui.editing.dialogs import RecordDialog, SecretDialog, confirm_box
from app.ui.editing.fields import Choice
from app.ui.editing.host import EditHost
from app.ui.i18n import translator
from app.ui.views import TablePage

ClientFn = Callable[[str], ServiceClient | None]
ChangedFn = Callable[[str], None]
_MAX_NAMED = 10


_tr = translator("EditController")


class EditController(QObject):
    """Creates, edits and deletes records through the service clients, then updates the cache."""

    saved = Signal(str, str)  # resource, record id (after the cache holds the API's answer)
    deleted = Signal(str, int, int)  # resource, deleted, asked
    historyChanged = Signal()  # a change was added to the undo history

    def __init__(self, window: EditHost | None = None, *, parent: QWidget | None = None,
                 cache: CacheStore | None = None,
                 client: ClientFn | None = None, changed: ChangedFn | None = None,
                 current_map: Callable[[str], str | None] | None = None,
                 notify: Callable[[str, str], None] | None = None) -> None:
        super().__init__(parent if parent is not None else window)
        self.window = window
        self.parent_widget: QWidget | None = parent if parent is not None else window
        self.cache = cache if cache is not None else window.context.cache
        self._client_fn: ClientFn = client if client is not None else window.context.client
        self._changed: ChangedFn = changed if changed is not None else (lambda _r: window.reload_views())
        self._current_map = current_map
        self._notify = notify
        self.dialog: RecordDialog | None = None  # the last dialog opened (tests, screenshots)
        self.confirmation: QMessageBox | None = None
        self.secret_dialog: SecretDialog | None = None
        self.task: Any = None
        self.messages: list[tuple[str, str]] = []
        self.history = UndoStack()  # what Edit → Undo / Redo walk (app/ui/editing/undo.py)
        self.following_sites: set[str] = set()  # InstaWP sites being created that Cabinet re-reads

    # -- capabilities -------------------------------------------------------------------------
    @staticmethod
    def can_create(resource: str) -> bool:
        return edits.can_create(resource)

    @staticmethod
    def can_edit(resource: str) -> bool:
        return edits.can_edit(resource)

    @staticmethod
    def can_delete(resource: str) -> bool:
        return edits.can_delete(resource)

    def client(self, service: str) -> ServiceClient | None:
        return self._client_fn(service)

    @staticmethod
    def offline_text(service: str) -> str:
        return _tr("Offline: changes need a connection. Connect {0} in Settings (Ctrl+,), "
                   "or check the connection and try again.").format(service_name(service))

    def notify(self, text: str, kind: str = "info") -> None:
        self.messages.append((kind, text))
        if self._notify is not None:
            self._notify(text, kind)
        elif self.window is not None:
            self.window.show_message(text, kind)

    # -- context ------------------------------------------------------------------------------
    def current_map_id(self, resource: str, record: Mapping[str, Any] | None = None) -> str | None:
        """The map of a new map-scoped record: the record's, the view's map filter, else the only map."""
        if record is not None and record.get("mapId"):
            return str(record["mapId"])
        if self._current_map is not None:
            found = self._current_map(resource)
            if found:
                return found
        if self.window is not None:
            page = self.window.pages.get(resource)
            if isinstance(page, TablePage):
                combo = page.filter_combos.get("mapId")
                if combo is not None and combo.currentData():
                    return str(combo.currentData())
                selected = page.selected_record()
                if selected and selected.get("mapId"):
                    return str(selected["mapId"])
        maps = self.cache.known_maps()
        return str(maps[0]["id"]) if len(maps) == 1 else None

    def map_choices(self) -> list[Choice]:
        return [Choice(str(m["id"]), str(m.get("title") or m["id"])) for m in self.cache.known_maps()]

    def choices(self, resource: str, map_id: str | None) -> list[Choice]:
        """The records a form's reference fields choose from (from the cache)."""
        if resource == "collections":
            rows = self.cache.all_rows("collections")
        elif map_id:
            rows = self.cache.all_rows(resource, scope=map_id)
        else:
            return []
        if resource == "layers":
            rows.sort(key=lambda r: (r.get("order") if isinstance(r.get("order"), int) else 0, str(r.get("name"))))
        else:
            rows.sort(key=lambda r: str(r.get("name") or "").casefold())
        colored = "color" in registry.resource(resource).fields
        return [Choice(str(r["id"]), str(r.get("name") or r["id"]), r.get("color") if colored else None)
                for r in rows]

    # -- create / edit ------------------------------------------------------------------------
    def _refuse(self, resource: str, verb: str) -> None:
        spec = edits.spec(resource)
        described = registry.RESOURCES.get(resource)
        reason = described.read_only_note if described is not None else ""
        what = _tr(spec.plural) if spec else resource
        self.notify(_tr(reason) if reason else _tr("{0} cannot be {1} through the API.").format(what, verb),
                    "warning")

    def changed(self, resource: str) -> None:
        """Tell the views that ``resource`` changed in the cache."""
        self._changed(resource)

    def ready_client(self, resource: str) -> Any:
        """The client for a write on ``resource``, or None after saying why there is none."""
        return self._ready(resource)

    def _remember(self, change: Change) -> None:
        self.history.push(change)
        self.historyChanged.emit()

    def _ready(self, resource: str) -> Any:
        """The client for a write, or None after saying why there is none."""
        spec = edits.spec(resource)
        assert spec is not None
        client = self.client(spec.service)
        if client is None:
            self.notify(self.offline_text(spec.service), "warning")
        return client

    def create(self, resource: str, map_id: str | None = None) -> RecordDialog | None:
        """Open the form of a new record (nothing is sent until OK)."""
        if not self.can_create(resource):
            self._refuse(resource, _tr("created"))
            return None
        if self._ready(resource) is None:
            return None
        spec = edits.spec(resource)
        assert spec is not None
        if resource == "items" and not self.cache.count("collections"):
            self.notify(_tr("There is no collection to put the item in. InstaMapp's API cannot create "
                            "collections: make one on InstaMapp, then refresh (F5)."), "warning")
            return None
        if spec.map_scoped and not self.cache.known_maps():
            self.notify(_tr("Add a map first: create one in the Maps view (Ctrl+N there)."), "warning")
            return None
        dialog = RecordDialog(spec, None, choices=self.choices, maps=self.map_choices(),
                              map_id=map_id or self.current_map_id(resource), parent=self.parent_widget)
        return self._open(dialog)

    def edit(self, resource: str, record: Mapping[str, Any] | None) -> RecordDialog | None:
        """Open the form of an existing record; OK sends only the fields that changed."""
        if record is None:
            self.notify(_tr("Select a row to edit."))
            return None
        if not self.can_edit(resource):
            self._refuse(resource, _tr("changed"))
            return None
        if self._ready(resource) is None:
            return None
        spec = edits.spec(resource)
        assert spec is not None
        fresh = self.cache.get(resource, str(record.get("id"))) or dict(record)
        dialog = RecordDialog(spec, fresh, choices=self.choices, maps=self.map_choices(),
                              parent=self.parent_widget)
        return self._open(dialog)

    def _open(self, dialog: RecordDialog) -> RecordDialog:
        dialog.submitted.connect(lambda values, d=dialog: self.submit(d, values))
        self.dialog = dialog
        dialog.open()
        return dialog

    def submit(self, dialog: RecordDialog, values: dict[str, Any]) -> Any:
        """Send a dialog's cleaned values (only the changed ones for an edit)."""
        spec = dialog.spec
        client = self.client(spec.service)
        if client is None:
            dialog.fail(self.offline_text(spec.service))
            return None
        record = dialog.record
        fields = edits.changes(spec.name, record, values) if record is not None else values
        if record is not None and not fields:
            dialog.finish()
            self.notify(_tr("Nothing changed."))
            return None
        dialog.set_busy(True, _tr("Creating…") if record is None else _tr("Saving…"))
        self.task = tasks.run_task(
            writes.save(spec.name, client, self.cache, fields, record=record, map_id=dialog.map_id),
            on_done=lambda answer: self._saved(dialog, answer, creating=record is None, before=record,
                                               fields=fields),
            on_error=lambda exc: self._save_failed(dialog, exc),
        )
        return self.task

    def _saved(self, dialog: RecordDialog, answer: dict[str, Any], *, creating: bool,
               before: Mapping[str, Any] | None = None, fields: Mapping[str, Any] | None = None) -> None:
        spec = dialog.spec
        dialog.finish()
        entry = Entry(before=dict(before) if before is not None else None, after=edits.without_secret(answer),
                      fields=dict(fields or {}))
        self._remember(Change(CREATE if creating else UPDATE, spec.name, [entry]))
        self._changed(spec.name)
        label = edits.record_label(spec.name, answer)
        text = (_tr("Created {0} “{1}”.") if creating else _tr("Saved {0} “{1}”.")).format(_tr(spec.singular), label)
        if isinstance(answer, sites.SiteAnswer):  # InstaWP's own words, and maybe still being created
            text = _tr("Site “{0}”: {1}").format(label, answer.message) if answer.message else text
            if not answer.ready:
                self.follow_site(answer)
        self.notify(text)
        if spec.name == "api_keys" and creating:
            self.show_secret(answer)
        self.saved.emit(spec.name, str(answer.get("id", "")))

    def follow_site(self, site: Mapping[str, Any]) -> Any:
        """Re-read a site InstaWP is still creating until it is ready (the view follows each answer)."""
        client = self.client("instawp")
        if client is None:
            return None
        name = edits.record_label(sites.RESOURCE, site)
        self.following_sites.add(str(site.get("id")))

        def done(ready: dict[str, Any]) -> None:
            self.following_sites.discard(str(site.get("id")))
            self._changed(sites.RESOURCE)
            self.notify(_tr("The site “{0}” is ready: {1}").format(name, ready.get("url") or ""))

        def failed(exc: BaseException) -> None:
            self.following_sites.discard(str(site.get("id")))
            self.notify(tasks.error_text(exc), "error")

        return tasks.run_task(
            sites.wait_until_ready(sites.instawp(client), self.cache, dict(site),
                                   on_update=lambda _s: self._changed(sites.RESOURCE)),
            on_done=done, on_error=failed)

    def _save_failed(self, dialog: RecordDialog, exc: BaseException) -> None:
        spec = dialog.spec
        if isinstance(exc, writes.PartialSaveError):
            dialog.become_edit(exc.record)  # OK now retries the memberships, not a second create
            self._changed(spec.name)
        cause = exc.cause if isinstance(exc, writes.PartialSaveError) else exc
        problems: dict[str, str] = {}
        if isinstance(cause, ApiError):
            names = {f.name for f in spec.form}
            for detail in cause.details:
                if isinstance(detail, dict) and detail.get("field") in names:
                    problems.setdefault(str(detail["field"]), str(detail.get("message") or ""))
        text = tasks.error_text(exc)
        if isinstance(cause, ConflictError) and spec.name == "tags":
            problems["name"] = _tr("A tag with that name already exists on this map.")
            text = _tr("A tag with that name already exists on this map. Choose a different name.")
        dialog.fail(text, problems)
        if not dialog.isVisible():  # closed while the request ran: say it where it can be seen
            self.notify(text, "error")

    def show_secret(self, key: Mapping[str, Any]) -> SecretDialog:
        """The new key's secret, once. Nothing else keeps it (cache, settings and logs never see it)."""
        dialog = SecretDialog(key, parent=self.parent_widget)
        self.secret_dialog = dialog
        dialog.open()
        return dialog

    # -- delete -------------------------------------------------------------------------------
    def delete(self, resource: str, records: Sequence[Mapping[str, Any] | None]) -> QMessageBox | None:
        """Ask once, naming what goes; then delete one by one, stopping at the first error."""
        rows = [dict(r) for r in records if r]
        spec = edits.spec(resource)
        if not self.can_delete(resource) or spec is None:
            self._refuse(resource, _tr("deleted"))
            return None
        if not rows:
            self.notify(_tr("Select the rows to delete."))
            return None
        if resource == "api_keys":
            rows = [r for r in rows if not r.get("revokedAt")]
            if not rows:
                self.notify(_tr("The selected keys are already revoked."))
                return None
        if self._ready(resource) is None:
            return None
        box = confirm_box(self.parent_widget, *self._confirm_texts(spec, rows))
        box.finished.connect(lambda _r, b=box: self._confirmed(b, resource, rows))
        self.confirmation = box
        box.open()
        return box

    def _confirm_texts(self, spec: edits.ResourceSpec, rows: list[dict[str, Any]]) -> tuple[str, str, str, str]:
        verb = _tr(spec.delete_verb)
        names = [edits.record_label(spec.name, r) for r in rows]
        if len(rows) == 1:
            text = _tr("{0} the {1} “{2}”?").format(verb, _tr(spec.singular), names[0])
        else:
            shown = "\n".join(f"• {n}" for n in names[:_MAX_NAMED])
            more = len(names) - _MAX_NAMED
            if more > 0:
                shown += "\n" + _tr("… and {0} more").format(more)
            text = _tr("{0} these {1} {2}?").format(verb, len(rows), _tr(spec.plural)) + "\n\n" + shown
        note = spec.delete_note
        detail = " ".join(t for t in (_tr(note) if note else "", _tr("This cannot be undone.")) if t)
        title = _tr("{0} {1}").format(verb, _tr(spec.plural if len(rows) > 1 else spec.singular))
        return title, text, _tr("{0}").format(verb), detail

    def _confirmed(self, box: QMessageBox, resource: str, rows: list[dict[str, Any]]) -> None:
        if box.clickedButton() is not getattr(box, "confirm_button", None):
            return
        self.delete_now(resource, rows)

    def delete_now(self, resource: str, rows: Sequence[Mapping[str, Any]]) -> Any:
        """Delete without asking (the confirmation's answer, or a caller that asked already)."""
        spec = edits.spec(resource)
        assert spec is not None
        client = self._ready(resource)
        if client is None:
            return None
        rows = [dict(r) for r in rows]

        entries: list[Entry] = []

        async def run() -> tuple[int, BaseException | None, str]:
            done = 0
            for row in rows:
                entry = Entry(before=dict(self.cache.get(resource, str(row["id"])) or row),
                              dependents=self._dependents(resource, row))
                try:
                    await writes.remove(resource, client, self.cache, row)
                except Exception as exc:  # noqa: BLE001 - stop at the first error and report it
                    return done, exc, edits.record_label(resource, row)
                entries.append(entry)
                done += 1
            return done, None, ""

        def finished(result: tuple[int, BaseException | None, str]) -> None:
            if entries:
                self._remember(Change(DELETE, resource, entries))
            self._deleted(spec, len(rows), first, *result)

        first = edits.record_label(resource, rows[0]) if rows else ""
        self.task = tasks.run_task(run(), on_done=finished,
                                   progress_label=_tr("{0} {1}…").format(_tr(spec.delete_verb), _tr(spec.plural)))
        return self.task

    def _dependents(self, resource: str, record: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The cached locations that refer to a category, tag or layer about to be deleted."""
        key = DEPENDENT_KEYS.get(resource)
        if key is None:
            return []
        keys = self.cache.query_keys("locations", filters={"scope": str(record.get("mapId") or ""),
                                                           key: str(record["id"])})
        return self.cache.rows_for_keys("locations", keys)

    def _deleted(self, spec: edits.ResourceSpec, asked: int, first: str, done: int,
                 error: BaseException | None, failed_on: str) -> None:
        if done:
            self._changed(spec.name)
        past = _tr("Revoked") if spec.delete_verb == "Revoke" else _tr("Deleted")
        what = _tr(spec.singular) if asked == 1 else _tr(spec.plural)
        if error is None:
            if asked == 1:
                self.notify(_tr("{0} the {1} “{2}”.").format(past, what, first))
            else:
                self.notify(_tr("{0} {1} {2}.").format(past, asked, what))
        else:
            self.notify(_tr("{0} {1} of {2} {3}; stopped at “{4}”: {5}").format(
                past, done, asked, _tr(spec.plural), failed_on, tasks.error_text(error)), "error")
        self.deleted.emit(spec.name, done, asked)

"""The edit dialogs: one form for every writable resource, the API key's one-time secret, and
the delete confirmation. The dialogs only show and check values; EditController sends them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import edits
from app.core.edits import Problem, ResourceSpec
from app.ui.columns import enum_label
from app.ui.editing.fields import Choice, make_field, read_value, set_ref_choices, write_value
from app.ui.i18n import translator
from app.ui.palette import style_accent, style_muted, style_tone

ChoicesFn = Callable[[str, str | None], Sequence[Choice]]  # (resource, map id) -> choices



_tr = translator("EditDialog")


def problem_text(problem: Problem | str) -> str:
    if isinstance(problem, Problem):
        return _tr(problem.template).format(**problem.params)
    return str(problem)


class RecordDialog(QDialog):
    """Create or edit one record. OK checks the values with the services' limits (inline
    messages), then emits ``submitted`` with the cleaned values; the dialog stays open, busy,
    until the controller calls ``finish()`` or ``fail()``."""

    submitted = Signal(dict)

    def __init__(self, spec: ResourceSpec, record: Mapping[str, Any] | None = None, *,
                 choices: ChoicesFn | None = None, maps: Sequence[Choice] = (), map_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.record: dict[str, Any] | None = dict(record) if record is not None else None
        self._choices = choices or (lambda _r, _m: [])
        self.map_id = str(self.record.get("mapId")) if self.record and self.record.get("mapId") else map_id
        self.busy = False
        self.setObjectName(f"edit-{spec.name}")
        self.setModal(True)
        self.setMinimumWidth(460)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        self.form_box = QWidget()
        self.form = QFormLayout(self.form_box)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(6)
        outer.addWidget(self.form_box)

        self.widgets: dict[str, QWidget] = {}
        self.error_labels: dict[str, QLabel] = {}
        self._error_rows: dict[str, int] = {}
        self.map_combo: QComboBox | None = None
        if spec.map_scoped:
            self.map_combo = QComboBox()
            self.map_combo.setObjectName("field-map")
            for choice in maps:
                self.map_combo.addItem(choice.label, choice.value)
            if self.map_id and self.map_combo.findData(self.map_id) < 0:
                self.map_combo.addItem(self.map_id, self.map_id)
            self.map_combo.setCurrentIndex(max(self.map_combo.findData(self.map_id), 0))
            self.map_combo.setEnabled(self.record is None)  # a record stays on its map
            self.map_combo.currentIndexChanged.connect(self._map_changed)
            self._add_row("map", _tr("Map"), self.map_combo)
            if self.record is None:
                self.map_id = self.map_combo.currentData()

        for f in spec.form:
            widget = make_field(f)
            widget.setObjectName(f"field-{f.name}")
            self.widgets[f.name] = widget
            self._add_row(f.name, _tr(f.label), widget)
        self._fill_refs(initial=True)
        for f in spec.form:
            if f.kind not in (edits.REF, edits.REFS):
                write_value(f, self.widgets[f.name], edits.form_values(spec.name, self.record)[f.name])

        self.message = QLabel()
        self.message.setObjectName("formMessage")
        style_tone(self.message, "error", "QLabel#formMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setVisible(False)
        outer.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_text = _tr("Create") if self.record is None else _tr("Save")
        self.ok_button.setText(self.ok_text)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

        what = _tr(spec.singular)
        if self.record is None:
            self.setWindowTitle(_tr("New {0}").format(what))
        else:
            self.setWindowTitle(_tr("Edit {0} “{1}”").format(what, edits.record_label(spec.name, self.record)))
        first = next(iter(self.widgets.values()), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- layout -----------------------------------------------------------------------------
    def _add_row(self, key: str, label: str, widget: QWidget) -> None:
        name = QLabel(label)
        name.setBuddy(widget)
        self.form.addRow(name, widget)
        error = QLabel()
        error.setObjectName(f"error-{key}")
        error.setWordWrap(True)
        style_accent(error, "error")
        self.form.addRow("", error)
        self.error_labels[key] = error
        self._error_rows[key] = self.form.rowCount() - 1
        self.form.setRowVisible(self._error_rows[key], False)

    def _fill_refs(self, initial: bool = False) -> None:
        start = edits.form_values(self.spec.name, self.record)
        for f in self.spec.form:
            if f.kind not in (edits.REF, edits.REFS) or not f.ref:
                continue
            widget = self.widgets[f.name]
            scope = self.map_id if self.spec.map_scoped else None
            options = list(self._choices(f.ref, scope))
            current = start[f.name] if initial else read_value(f, widget)
            if f.kind == edits.REF:
                set_ref_choices(widget, options, f.nullable, current)  # type: ignore[arg-type]
            else:
                widget.set_choices(options, current if initial else [])  # type: ignore[attr-defined]

    def _map_changed(self, _index: int) -> None:
        if self.map_combo is not None:
            self.map_id = self.map_combo.currentData()
            self._fill_refs()

    # -- values -----------------------------------------------------------------------------
    def widget(self, name: str) -> QWidget:
        return self.widgets[name]

    def values(self) -> dict[str, Any]:
        return {f.name: read_value(f, self.widgets[f.name]) for f in self.spec.form}

    def set_values(self, values: Mapping[str, Any]) -> None:
        for f in self.spec.form:
            if f.name in values:
                write_value(f, self.widgets[f.name], values[f.name])

    def cleaned(self) -> tuple[dict[str, Any], dict[str, Problem]]:
        values, problems = edits.clean(self.spec.name, self.values())
        if self.spec.map_scoped and not self.map_id:
            problems["map"] = Problem("Choose a map (add one in the Maps view first).")
        return values, problems

    # -- submit, busy, errors ---------------------------------------------------------------
    def submit(self) -> None:
        if self.busy:
            return
        values, problems = self.cleaned()
        self.show_problems(problems)
        if problems:
            self.show_message(_tr("Correct the marked fields."))
            first = next((k for k in [*self.error_labels] if k in problems), None)
            target = self.map_combo if first == "map" else self.widgets.get(first or "")
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.show_message("")
        self.submitted.emit(values)

    def show_problems(self, problems: Mapping[str, Problem | str]) -> None:
        for key, label in self.error_labels.items():
            problem = problems.get(key)
            label.setText(problem_text(problem) if problem is not None else "")
            self.form.setRowVisible(self._error_rows[key], problem is not None)

    def problems(self) -> dict[str, str]:
        """The inline messages shown now, by field (for tests and screen readers)."""
        return {k: lbl.text() for k, lbl in self.error_labels.items() if lbl.text()}

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_busy(self, busy: bool, text: str | None = None) -> None:
        self.busy = busy
        self.form_box.setEnabled(not busy)
        self.ok_button.setEnabled(not busy)
        self.ok_button.setText((text or _tr("Saving…")) if busy else self.ok_text)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def fail(self, text: str, problems: Mapping[str, Problem | str] | None = None) -> None:
        """The request failed: say why, keep every value, let the person try again."""
        self.set_busy(False)
        self.show_problems(problems or {})
        self.show_message(text)

    def become_edit(self, record: Mapping[str, Any]) -> None:
        """The record now exists (a create half succeeded): OK saves changes to it from here on."""
        self.record = dict(record)
        if self.map_combo is not None:
            self.map_combo.setEnabled(False)
        self.ok_text = _tr("Save")
        self.ok_button.setText(self.ok_text)
        self.setWindowTitle(_tr("Edit {0} “{1}”").format(_tr(self.spec.singular),
                                                         edits.record_label(self.spec.name, self.record)))

    def finish(self) -> None:
        self.set_busy(False)
        self.accept()


class SecretDialog(QDialog):
    """Shows a new API key's secret once, with a Copy button. The text is wiped on close."""

    def __init__(self, key: Mapping[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("api-key-secret")
        self.setWindowTitle(_tr("New API key “{0}”").format(key.get("name") or ""))
        self.setModal(True)
        self.setMinimumWidth(520)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 12)
        outer.setSpacing(10)
        warning = QLabel(_tr("<b>Copy this key now.</b> Mapiry shows it only once, and Cabinet does not keep "
                             "it: when this window closes, the key cannot be shown again. If you lose it, "
                             "revoke it and create a new one."))
        warning.setObjectName("secretWarning")
        warning.setWordWrap(True)
        style_tone(warning, "warning", "QLabel#secretWarning", "border-radius: 4px; padding: 8px;")
        outer.addWidget(warning)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        row = QHBoxLayout()
        self.secret_field = QLineEdit(str(key.get("key") or ""))
        self.secret_field.setObjectName("secret")
        self.secret_field.setReadOnly(True)
        self.secret_field.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.secret_field.setMinimumWidth(340)
        self.copy_button = QPushButton(_tr("&Copy"))
        self.copy_button.clicked.connect(self.copy)
        row.addWidget(self.secret_field, 1)
        row.addWidget(self.copy_button)
        form.addRow(_tr("Key"), row)
        form.addRow(_tr("Scope"), QLabel(enum_label(key.get("scope") or "")))
        expires = key.get("expiresAt")
        form.addRow(_tr("Expires"), QLabel(str(expires) if expires else _tr("never")))
        outer.addLayout(form)
        self.copied = QLabel()
        style_muted(self.copied)
        outer.addWidget(self.copied)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        outer.addWidget(buttons)
        self.finished.connect(self._wipe)
        self.copy_button.setDefault(True)
        self.copy_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.secret_field.text())
        self.copied.setText(_tr("Copied to the clipboard. Paste it where it is needed, then clear the clipboard."))

    def _wipe(self, _result: int = 0) -> None:
        self.secret_field.setText("")


def confirm_box(parent: QWidget | None, title: str, text: str, action: str, detail: str = "") -> QMessageBox:
    """A warning box with ``action`` (destructive) and Cancel, Cancel being the default."""
    box = QMessageBox(parent)
    box.setObjectName("confirmDelete")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    if detail:
        box.setInformativeText(detail)
    box.confirm_button = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)  # type: ignore[attr-defined]
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box

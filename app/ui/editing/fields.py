"""One input widget per field kind of app.core.edits (value in, value out)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)

from app.core import edits, registry
from app.core.edits import FieldSpec
from app.ui.columns import enum_label
from app.ui.i18n import translator

_tr = translator("EditDialog")


class Choice(NamedTuple):
    value: str
    label: str
    color: str | None = None


def color_icon(color: str | None, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color) if color and QColor.isValidColorName(color) else QColor(0, 0, 0, 0))
    return QIcon(pixmap)


class ColorField(QWidget):
    """A colour swatch button (opens QColorDialog) beside the #RRGGBB text."""

    changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.button = QToolButton()
        self.button.setObjectName("colorSwatch")
        self.button.setToolTip(_tr("Choose a colour…"))
        self.button.setAccessibleName(_tr("Choose a colour"))
        self.button.setFixedSize(28, 24)
        self.button.clicked.connect(self.pick)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("#RRGGBB")
        self.edit.setMaximumWidth(110)
        self.edit.textChanged.connect(self._text_changed)
        row.addWidget(self.button)
        row.addWidget(self.edit)
        row.addStretch(1)
        self.picker: QColorDialog | None = None
        self.setFocusProxy(self.edit)

    def _text_changed(self, text: str) -> None:
        valid = bool(edits.COLOR_RE.match(text.strip()))
        color = text.strip() if valid else "transparent"
        self.button.setStyleSheet(f"QToolButton#colorSwatch {{ background-color: {color}; "
                                  "border: 1px solid rgba(0,0,0,110); border-radius: 4px; }")
        self.changed.emit(text)

    def pick(self) -> QColorDialog:
        start = QColor(self.value()) if QColor.isValidColorName(self.value()) else QColor("#64748B")
        self.picker = QColorDialog(start, self)
        self.picker.setWindowTitle(_tr("Choose a colour"))
        self.picker.colorSelected.connect(lambda c: self.set_value(c.name(QColor.NameFormat.HexRgb).upper()))
        self.picker.open()
        return self.picker

    def value(self) -> str:
        return self.edit.text().strip()

    def set_value(self, value: Any) -> None:
        self.edit.setText(str(value or ""))


class ChecklistField(QListWidget):
    """Checkable choices (tags, layers); the value is the list of checked ids."""

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_text = empty_text
        self.setMaximumHeight(120)
        self.setUniformItemSizes(True)
        self.itemActivated.connect(self._toggle)

    def _toggle(self, item: QListWidgetItem) -> None:
        if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
            checked = item.checkState() == Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def set_choices(self, choices: Sequence[Choice], checked: Sequence[str] = ()) -> None:
        keep = set(checked)
        self.clear()
        if not choices:
            item = QListWidgetItem(self.empty_text)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)
            return
        for choice in choices:
            item = QListWidgetItem(choice.label)
            item.setData(Qt.ItemDataRole.UserRole, choice.value)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Checked if choice.value in keep else Qt.CheckState.Unchecked)
            if choice.color:
                item.setIcon(color_icon(choice.color))
                item.setToolTip(choice.color)
            self.addItem(item)

    def value(self) -> list[str]:
        out = []
        for i in range(self.count()):
            item = self.item(i)
            if item.checkState() == Qt.CheckState.Checked and item.data(Qt.ItemDataRole.UserRole):
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def set_value(self, values: Sequence[str]) -> None:
        wanted = set(values or ())
        for i in range(self.count()):
            item = self.item(i)
            if item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                on = item.data(Qt.ItemDataRole.UserRole) in wanted
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


class ExpiryField(QWidget):
    """"Expires" check box and a local date and time; the value is an aware datetime or None."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox(_tr("on"))
        self.check.setToolTip(_tr("Unchecked: the key never expires"))
        self.when = QDateTimeEdit()
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setDateTime(QDateTime.currentDateTime().addDays(90))
        self.when.setEnabled(False)
        self.check.toggled.connect(self.when.setEnabled)
        row.addWidget(self.check)
        row.addWidget(self.when, 1)
        self.setFocusProxy(self.check)

    def value(self) -> datetime | None:
        if not self.check.isChecked():
            return None
        return self.when.dateTime().toPython().astimezone(UTC)

    def set_value(self, value: Any) -> None:
        if isinstance(value, str) and value:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        elif isinstance(value, datetime):
            when = value
        else:
            self.check.setChecked(False)
            return
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        self.check.setChecked(True)
        self.when.setDateTime(QDateTime(when.astimezone()))

    def set_in(self, delta: timedelta) -> None:
        self.set_value(datetime.now(UTC) + delta)


def make_field(f: FieldSpec) -> QWidget:
    """The input widget of one field."""
    hint = _tr(f.hint) if f.hint else ""
    if f.kind == edits.MULTILINE:
        box = QPlainTextEdit()
        box.setTabChangesFocus(True)
        box.setFixedHeight(72)
        box.setPlaceholderText(hint)
        return box
    if f.kind == edits.CHOICE or (f.kind == edits.TEXT and f.choices):
        combo = QComboBox()
        if f.kind == edits.TEXT:
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        if f.nullable:
            combo.addItem(_tr("— none —"), None)
        for value in f.choices:
            combo.addItem(enum_label(value) if f.kind == edits.CHOICE else value, value)
        return combo
    if f.kind == edits.REF:
        return QComboBox()
    if f.kind == edits.REFS:
        ref = registry.RESOURCES.get(f.ref or "")
        if ref is not None and ref.map_scoped:
            return ChecklistField(_tr("No {0} on this map yet.").format(_tr(ref.plural)))
        return ChecklistField(_tr("Nothing to choose from."))
    if f.kind == edits.BOOL:
        return QCheckBox(hint)
    if f.kind == edits.COLOR:
        return ColorField()
    if f.kind == edits.DATETIME:
        return ExpiryField()
    line = QLineEdit()
    if f.kind in (edits.NUMBER, edits.INT):
        line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        line.setMaximumWidth(200)
        optional = _tr("optional") if f.nullable else ""
        line.setPlaceholderText(", ".join(t for t in (hint, optional) if t))
    elif f.kind == edits.CURRENCY:
        line.setMaximumWidth(80)
        line.setPlaceholderText("USD")
        line.setToolTip(hint)
    else:
        line.setPlaceholderText(hint)
    return line


def set_ref_choices(combo: QComboBox, choices: Sequence[Choice], nullable: bool, current: Any) -> None:
    combo.blockSignals(True)
    combo.clear()
    if nullable:
        combo.addItem(_tr("— none —"), None)
    elif not choices:
        combo.addItem(_tr("— nothing to choose from —"), None)
    for choice in choices:
        if choice.color:
            combo.addItem(color_icon(choice.color), choice.label, choice.value)
        else:
            combo.addItem(choice.label, choice.value)
    index = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(index, 0))
    combo.blockSignals(False)


def read_value(f: FieldSpec, widget: QWidget) -> Any:
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        if widget.isEditable():
            return widget.currentText()
        return widget.currentData()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, ColorField | ChecklistField | ExpiryField):
        return widget.value()
    if isinstance(widget, QLineEdit):
        return widget.text()
    raise TypeError(type(widget).__name__)


def write_value(f: FieldSpec, widget: QWidget, value: Any) -> None:
    if isinstance(widget, QPlainTextEdit):
        widget.setPlainText("" if value is None else str(value))
    elif isinstance(widget, QComboBox):
        if widget.isEditable():
            widget.setCurrentText("" if value is None else str(value))
        else:
            index = widget.findData(value)
            if index < 0 and value is not None and f.kind == edits.CHOICE:
                widget.addItem(enum_label(value), value)  # a value newer than this build knows
                index = widget.count() - 1
            widget.setCurrentIndex(max(index, 0))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, ColorField | ChecklistField | ExpiryField):
        widget.set_value(value)
    elif isinstance(widget, QLineEdit):
        if value is None:
            widget.setText("")
        elif isinstance(value, float) and value.is_integer() and f.kind == edits.NUMBER and abs(value) < 1e15:
            widget.setText(f"{value:g}" if abs(value) < 1e6 else str(int(value)))
        else:
            widget.setText(str(value))

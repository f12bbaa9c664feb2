"""The detail pane: every field of the selected row, with colour swatches for layers."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.ui.columns import COLOR, DATETIME, LAYERS, Column, Lookups, format_value
from app.ui.export import shown_text
from app.ui.i18n import translator
from app.ui.palette import style_muted

_tr = translator("DetailPane")


def swatch(color: str, size: int = 14) -> QLabel:
    """A small square of ``color`` with a thin border."""
    label = QLabel()
    label.setObjectName("swatch")
    label.setFixedSize(size, size)
    valid = QColor.isValidColorName(color)
    label.setStyleSheet(
        f"background-color: {color if valid else 'transparent'}; border: 1px solid rgba(128,128,128,160); border-radius: 3px;"
    )
    label.setToolTip(color)
    label.setProperty("swatchColor", color)
    return label


class DetailPane(QScrollArea):
    """Shows one record: its known columns first (formatted), then any other field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(200)
        self._record: dict[str, Any] | None = None
        self._body = QWidget()
        self._layout = QVBoxLayout(self._body)
        self.show_record(None)

    @property
    def record(self) -> dict[str, Any] | None:
        return self._record

    def _clear(self) -> None:
        """A fresh body each time; the scroll area deletes the old one."""
        self._body = QWidget()
        self._layout = QVBoxLayout(self._body)
        self._layout.setContentsMargins(14, 12, 14, 12)
        self.setWidget(self._body)

    def field_texts(self) -> dict[str, str]:
        """The texts shown, by field name (for tests and accessibility)."""
        out: dict[str, str] = {}
        for label in self._body.findChildren(QLabel):
            key = label.property("fieldKey")
            if key:
                out[str(key)] = label.text()
        return out

    def other_fields(self) -> dict[str, str]:
        """The texts of the "Other fields" section, by field name."""
        return {str(label.property("fieldKey")): label.text() for label in self._body.findChildren(QLabel)
                if label.property("otherField")}

    def swatch_colors(self) -> list[str]:
        return [str(w.property("swatchColor")) for w in self._body.findChildren(QLabel, "swatch")
                if w.property("swatchColor")]

    def show_record(self, record: Mapping[str, Any] | None, columns: Sequence[Column] = (),
                    lookups: Lookups | None = None, title: str = "") -> None:
        if record is None and self._record is None and self._body.property("empty"):
            return  # already showing the hint
        self._clear()
        self._record = dict(record) if record is not None else None
        if record is None:
            self._body.setProperty("empty", True)
            hint = QLabel(_tr("Select a row to see all its fields."))
            hint.setWordWrap(True)
            style_muted(hint)
            self._layout.addWidget(hint)
            self._layout.addStretch(1)
            return
        heading = QLabel(title or str(record.get("name") or record.get("title") or record.get("item_name") or ""))
        heading.setObjectName("detailHeading")
        heading.setWordWrap(True)
        heading.setStyleSheet("font-size: 15px; font-weight: 600; padding-bottom: 6px;")
        self._layout.addWidget(heading)
        from PySide6.QtWidgets import QFormLayout  # start-up: the empty pane of the first paint has none

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        known = {"object"}
        for col in columns:
            known.add(col.key)
            form.addRow(self._name_label(col.label()), self._field_widget(col, record, lookups))
        # Every other field the service sent (one Cabinet has no column for, or one it does not
        # know at all), under its own name, as it came.
        others = [(key, value) for key, value in record.items() if key not in known]
        if others:
            heading = QLabel(_tr("Other fields"))
            heading.setObjectName("otherFieldsHeading")
            heading.setStyleSheet("font-weight: 600; padding-top: 8px;")
            form.addRow(heading)
            for key, value in others:
                label = self._text_label(key, _plain(value))
                label.setProperty("otherField", True)
                form.addRow(self._name_label(key), label)
        self._layout.addLayout(form)
        self._layout.addStretch(1)

    @staticmethod
    def _name_label(text: str) -> QLabel:
        label = QLabel(text)
        style_muted(label)
        return label

    @staticmethod
    def _text_label(key: str, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setProperty("fieldKey", key)
        return label

    def _field_widget(self, col: Column, record: Mapping[str, Any], lookups: Lookups | None) -> QWidget:
        value = col.value(record)
        if col.fmt == LAYERS and isinstance(value, list) and value:
            return self._layers_widget(col.key, value)
        if col.fmt == COLOR and isinstance(value, str) and value:
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(swatch(value))
            row.addWidget(self._text_label(col.key, value), 1)
            return box
        text = shown_text(col, record, lookups)  # a coordinate with every digit stored
        if col.fmt == DATETIME and value:
            text = f"{text}  ({value})"
        return self._text_label(col.key, text or "—")

    def _layers_widget(self, key: str, layers: list[Any]) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(3)
        names = []
        for layer in layers:
            if not isinstance(layer, Mapping):
                names.append(str(layer))
                col.addWidget(QLabel(str(layer)))
                continue
            row = QHBoxLayout()
            row.setSpacing(6)
            color = str(layer.get("color") or "")
            row.addWidget(swatch(color))
            name = str(layer.get("name") or layer.get("id") or "")
            names.append(name)
            text = QLabel(f"{name}  <span style='color: gray'>{color}</span>")
            text.setProperty("layerName", name)
            row.addWidget(text, 1)
            col.addLayout(row)
        summary = QLabel(format_value(LAYERS, layers))
        summary.setProperty("fieldKey", key)
        summary.setVisible(False)
        col.addWidget(summary)
        return box


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return _tr("Yes") if value else _tr("No")
    return str(value)

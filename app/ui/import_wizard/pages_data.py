"""The first three steps: the file and how it is read, the column mapping, the checks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app.core.csvimport import FIELDS, CsvOptions, InvalidRow
from app.importer.filejob import FileCheck
from app.importer.wizard_state import DELIMITER_CHOICES, ENCODINGS, FileHead
from app.ui.import_wizard.base import (
    WizardHost,
    WizardPage,
    fill_table,
    make_table,
    message_label,
    show_text,
    tr,
)
from app.ui.import_wizard.preview_map import PreviewMap


def encoding_title(name: str) -> str:
    return {
        "utf-8": tr("UTF-8"), "utf-8-sig": tr("UTF-8 with byte-order mark"), "utf-16": tr("UTF-16"),
        "utf-16-le": tr("UTF-16 (little-endian)"), "utf-16-be": tr("UTF-16 (big-endian)"),
        "cp1252": tr("Windows-1252 (Western)"), "latin-1": tr("Latin-1 (ISO 8859-1)"),
        "iso8859-1": tr("Latin-1 (ISO 8859-1)"), "iso8859-15": tr("Latin-9 (ISO 8859-15)"),
        "mac-roman": tr("Mac Roman"),
    }.get(name, name)


def delimiter_title(delimiter: str) -> str:
    return {",": tr("Comma  ,"), ";": tr("Semicolon  ;"), "\t": tr("Tab"), "|": tr("Pipe  |")}.get(
        delimiter, repr(delimiter))


def field_title(field_name: str) -> str:
    return {
        "name": tr("Name"), "lat": tr("Latitude"), "lng": tr("Longitude"), "wkt": tr("WKT point"),
        "description": tr("Description"), "address": tr("Address"), "category": tr("Category"),
        "tags": tr("Tags"), "layer": tr("Layer"),
    }[field_name]


class FilePage(WizardPage):
    """Pick a file; see what was detected and a preview; override any of it."""

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(wizard)
        self.setTitle(tr("Choose the file"))
        self.setSubTitle(tr("Cabinet detects how the file is written. Check the preview and change "
                            "anything that looks wrong."))
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText(tr("No file chosen"))
        self.browse_button = QPushButton(tr("&Browse…"))
        self.browse_button.clicked.connect(self.browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)

        self.detected_label = QLabel()
        self.detected_label.setObjectName("detectedLabel")
        self.detected_label.setWordWrap(True)
        self.encoding_combo = QComboBox()
        for name in ENCODINGS:
            self.encoding_combo.addItem(encoding_title(name), name)
        self.delimiter_combo = QComboBox()
        for delimiter in DELIMITER_CHOICES:
            self.delimiter_combo.addItem(delimiter_title(delimiter), delimiter)
        self.decimal_comma_box = QCheckBox(tr("Decimal comma (12,5 instead of 12.5)"))
        self.header_box = QCheckBox(tr("The first row holds the column titles"))
        options = QGridLayout()
        options.setHorizontalSpacing(12)
        options.addWidget(QLabel(tr("&Encoding:")), 0, 0)
        options.addWidget(self.encoding_combo, 0, 1)
        options.addWidget(QLabel(tr("&Delimiter:")), 0, 2)
        options.addWidget(self.delimiter_combo, 0, 3)
        options.addWidget(self.decimal_comma_box, 1, 1)
        options.addWidget(self.header_box, 1, 3)
        options.setColumnStretch(1, 1)
        options.setColumnStretch(3, 1)
        for i, buddy in ((0, self.encoding_combo), (2, self.delimiter_combo)):
            label = options.itemAtPosition(0, i).widget()
            if isinstance(label, QLabel):
                label.setBuddy(buddy)

        self.preview_label = QLabel(tr("Preview"))
        self.preview = make_table()
        self.preview.setObjectName("filePreview")
        layout = QVBoxLayout(self)
        layout.addLayout(path_row)
        layout.addWidget(self.detected_label)
        layout.addLayout(options)
        layout.addWidget(self.error_label)
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview, 1)

        self.encoding_combo.activated.connect(self._options_changed)
        self.delimiter_combo.activated.connect(self._options_changed)
        self.decimal_comma_box.toggled.connect(self._options_changed)
        self.header_box.toggled.connect(self._options_changed)
        self._set_controls_enabled(False)

    # -- loading ---------------------------------------------------------------------
    def browse(self) -> None:
        start = str(Path(self.state.path).parent) if self.state.path else str(Path.home())
        path, _filter = QFileDialog.getOpenFileName(
            self, tr("Import CSV"), start, tr("CSV files (*.csv *.tsv *.txt);;All files (*)"))
        if path:
            self.load(path)

    def load(self, path: str) -> None:
        self.path_edit.setText(path)
        self.detected_label.setText(tr("Reading {0}…").format(Path(path).name))
        self.state.parsed = None
        self._set_controls_enabled(False)
        self.in_thread(self.state.load, path, on_done=self._show, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.detected_label.setText("")
        self.preview.clear()
        self.preview.setRowCount(0)
        self.preview.setColumnCount(0)
        self.show_error(exc)

    def _options_changed(self, *_args: object) -> None:
        if not self.state.path or self.state.parsed is None:
            return
        options = CsvOptions(encoding=self.encoding_combo.currentData(),
                             delimiter=self.delimiter_combo.currentData(),
                             decimal_comma=self.decimal_comma_box.isChecked(),
                             has_header=self.header_box.isChecked())
        self.detected_label.setText(tr("Reading the file again…"))
        self.in_thread(self.state.parse_with, options, on_done=self._reparsed, on_error=self._failed)

    def _reparsed(self, parsed: FileHead) -> None:
        self.state.set_parsed(parsed)
        self._show(parsed)

    # -- showing ---------------------------------------------------------------------
    def _set_controls_enabled(self, enabled: bool) -> None:
        for widget in (self.encoding_combo, self.delimiter_combo, self.decimal_comma_box, self.header_box):
            widget.setEnabled(enabled)

    def _select(self, combo: QComboBox, value: str, title: str) -> None:
        index = combo.findData(value)
        if index < 0:
            combo.addItem(title, value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def _show(self, parsed: FileHead) -> None:
        detected = self.state.detected
        for widget in (self.encoding_combo, self.delimiter_combo, self.decimal_comma_box, self.header_box):
            widget.blockSignals(True)
        self._select(self.encoding_combo, parsed.encoding, encoding_title(parsed.encoding))
        self._select(self.delimiter_combo, parsed.delimiter, delimiter_title(parsed.delimiter))
        if detected is not None:  # mark what was detected, so an override can be undone
            for combo, value in ((self.encoding_combo, detected.encoding), (self.delimiter_combo, detected.delimiter)):
                for i in range(combo.count()):
                    base = combo.itemText(i).removesuffix(tr(" (detected)"))
                    combo.setItemText(i, base + (tr(" (detected)") if combo.itemData(i) == value else ""))
        self.decimal_comma_box.setChecked(parsed.decimal_comma)
        self.header_box.setChecked(parsed.has_header)
        for widget in (self.encoding_combo, self.delimiter_combo, self.decimal_comma_box, self.header_box):
            widget.blockSignals(False)
        self._set_controls_enabled(True)
        facts = [encoding_title(parsed.encoding), tr("{0}-separated").format(parsed.delimiter_name),
                 tr("decimal comma") if parsed.decimal_comma else tr("decimal point"),
                 tr("header row") if parsed.has_header else tr("no header row")]
        self.detected_label.setText(tr("<b>{0}</b> — {1} records: {2}.").format(
            self.state.file_name, f"{parsed.count:,}", ", ".join(facts)))
        records = self.state.preview_records()
        width = max([parsed.width] + [len(f) for _line, f in records])
        headers = parsed.header + [tr("column {0}").format(i + 1) for i in range(parsed.width, width)]
        fill_table(self.preview, headers, [f for _line, f in records], [str(line) for line, _f in records])
        self.preview_label.setText(tr("Preview of the first {0} records (line numbers on the left)").format(
            len(records)))
        self.completeChanged.emit()

    def initializePage(self) -> None:
        if self.state.parsed is None and self.state.path and not self.busy():
            self.load(self.state.path)

    def isComplete(self) -> bool:
        return not self.busy() and self.state.parsed is not None and bool(self.state.parsed.count)


class MappingPage(WizardPage):
    """Which column feeds which field: guessed, and a combo per field to change it."""

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(wizard)
        self.setTitle(tr("Match the columns"))
        self.setSubTitle(tr("Tell Cabinet which column holds the name and the coordinates (latitude and "
                            "longitude, or a WKT point). The other fields are optional."))
        self.combos: dict[str, QComboBox] = {}
        form_left, form_right = QFormLayout(), QFormLayout()
        for i, field_name in enumerate(FIELDS):
            combo = QComboBox()
            combo.setObjectName(f"map-{field_name}")
            combo.setMinimumContentsLength(14)
            combo.activated.connect(lambda _i, f=field_name: self._changed(f))
            self.combos[field_name] = combo
            (form_left if i < 5 else form_right).addRow(field_title(field_name) + ":", combo)
        forms = QHBoxLayout()
        forms.addLayout(form_left, 1)
        forms.addSpacing(24)
        forms.addLayout(form_right, 1)
        self.problem_label = message_label("warning")
        self.preview = make_table()
        self.preview.setObjectName("mappingPreview")
        layout = QVBoxLayout(self)
        layout.addLayout(forms)
        layout.addWidget(self.problem_label)
        layout.addWidget(QLabel(tr("How the first rows will be imported")))
        layout.addWidget(self.preview, 1)

    def initializePage(self) -> None:
        parsed = self.state.parsed
        if parsed is None:
            return
        for combo in self.combos.values():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(tr("— not used —"), None)
            for index, title in enumerate(parsed.header):
                combo.addItem(title, index)
            combo.blockSignals(False)
        self._refresh()

    def _changed(self, field_name: str) -> None:
        self.state.set_column(field_name, self.combos[field_name].currentData())
        self._refresh()

    def set_column(self, field_name: str, title_or_index: str | int | None) -> None:
        """Choose a field's column like a person would (by title or 0-based index)."""
        combo = self.combos[field_name]
        index = 0 if title_or_index is None else (
            combo.findText(title_or_index) if isinstance(title_or_index, str) else combo.findData(title_or_index))
        if index < 0:
            raise ValueError(f"no column {title_or_index!r}")
        combo.setCurrentIndex(index)
        self._changed(field_name)

    def _refresh(self) -> None:
        mapping = self.state.mapping
        if mapping is None:
            return
        for field_name, combo in self.combos.items():
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(getattr(mapping, field_name))))
            combo.blockSignals(False)
        problem = self.state.mapping_problem()
        show_text(self.problem_label, tr("Cannot import yet: {0}.").format(problem) if problem else "")
        shown = ["name", *(("wkt",) if mapping.uses_wkt else ()),
                 *[f for f in FIELDS if f != "name" and getattr(mapping, f) is not None and f != "wkt"]]
        headers = [field_title(f) for f in shown] + [tr("Problem")]
        rows = []
        for row in self.state.mapped_preview():
            if isinstance(row, InvalidRow):
                rows.append([""] * len(shown) + [row.error])
                continue
            values = []
            for f in shown:
                if f == "wkt":
                    values.append(f"{row.lat:g}, {row.lng:g}")
                elif f == "tags":
                    values.append(", ".join(row.tags))
                else:
                    value = getattr(row, f, None)
                    values.append(f"{value:.6g}" if isinstance(value, float) else value)
            rows.append([*values, ""])
        lines = [str(r.line) for r in self.state.mapped_preview()]
        fill_table(self.preview, headers, rows, lines)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.state.mapping is not None and self.state.mapping_problem() is None


class ValidationPage(WizardPage):
    """Every row checked: how many are good, which are not and why, and the swap warning."""

    def __init__(self, wizard: WizardHost) -> None:
        super().__init__(wizard)
        self.setTitle(tr("Check the rows"))
        self.setSubTitle(tr("Every row is checked before anything is sent. Rows with problems are left out; "
                            "export them to fix and import them again."))
        self.summary_label = QLabel()
        self.summary_label.setObjectName("validationSummary")
        self.summary_label.setWordWrap(True)
        self.swap_label = message_label("warning")
        self.swap_label.setObjectName("swapWarning")
        self.swap_button = QPushButton(tr("&Swap them"))
        self.swap_button.setObjectName("swapButton")
        self.swap_button.setToolTip(tr("Read the latitude column as longitude and the longitude column as latitude"))
        self.swap_button.clicked.connect(self.swap_coordinates)
        self.swap_button.setVisible(False)
        self.map = PreviewMap()
        self.map.setMinimumHeight(220)
        self.sample_label = QLabel()
        self.sample_label.setObjectName("mapSample")
        self.sample_label.setWordWrap(True)
        self.bad_table = make_table()
        self.bad_table.setObjectName("badRows")
        self.more_label = QLabel()
        self.more_label.setObjectName("moreBadRows")
        self.export_button = QPushButton(tr("&Export rejected rows…"))
        self.export_button.clicked.connect(lambda: self.export_rejected())
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        swap_row = QHBoxLayout()
        swap_row.addWidget(self.swap_label, 1)
        swap_row.addWidget(self.swap_button)
        layout.addLayout(swap_row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.map, 2)
        layout.addWidget(self.sample_label)
        layout.addWidget(self.bad_table, 1)
        buttons.insertWidget(0, self.more_label)
        layout.addLayout(buttons)

    def initializePage(self) -> None:
        self.summary_label.setText(tr("Checking every row…"))
        show_text(self.swap_label, "")
        self.bad_table.setRowCount(0)
        self.export_button.setEnabled(False)
        self.swap_button.setVisible(False)
        self.map.set_existing(self.wiz.cache, self.state.map_id)
        show_text(self.sample_label, "")
        show_text(self.more_label, "")
        if self.state.check is not None:
            self._show(self.state.check)
            return
        self.in_thread(self.state.validate, on_done=self._checked)

    def _checked(self, check: FileCheck) -> None:
        self.state.check = check
        self.state.target = None
        self._show(check)

    def _show(self, result: FileCheck) -> None:
        good, bad = result.valid, result.invalid_count
        text = tr("<b>{0}</b> of {1} rows are ready to import.").format(f"{good:,}", f"{result.rows:,}")
        if bad:
            text += " " + tr("<b>{0}</b> rows have problems and will be left out.").format(f"{bad:,}")
        if not good:
            text += " " + tr("There is nothing to import: go back and check the columns.")
        self.summary_label.setText(text)
        warnings = "<br>".join(f"⚠ {w[0].upper()}{w[1:]}." for w in result.warnings)
        show_text(self.swap_label, warnings)
        mapping = self.state.mapping
        self.swap_button.setVisible(result.swapped and mapping is not None and not mapping.uses_wkt)
        self.map.show_rows(result.sample)
        show_text(self.sample_label, tr("The map shows the first {0} of the {1} rows ready to import.").format(
            f"{len(result.sample):,}", f"{good:,}") if good > len(result.sample) else "")
        shown, more = self.state.shown_invalid()
        fill_table(self.bad_table, [tr("Line"), tr("Problem"), tr("Row as read")],
                   [[r.line, r.error, " | ".join(r.fields)] for r in shown], max_width=420)
        show_text(self.more_label, tr("… and {0} more rows with problems: export them to see them all.").format(
            f"{more:,}") if more else "")
        self.bad_table.verticalHeader().setVisible(False)
        self.bad_table.setVisible(bad > 0)
        self.export_button.setEnabled(bad > 0)
        self.completeChanged.emit()

    def swap_coordinates(self) -> None:
        """Read the latitude column as longitude and the other way round, and check again."""
        mapping = self.state.mapping
        if mapping is None or mapping.lat is None or mapping.lng is None:
            return
        self.state.set_mapping(mapping.with_overrides(lat=mapping.lng, lng=mapping.lat))
        self.initializePage()

    def export_rejected(self, path: str | None = None) -> int:
        """Write the bad rows with their line and reason; asks where when no path is given."""
        if path is None:
            suggested = str(Path(self.state.path).with_name(Path(self.state.path).stem + "-rejected.csv"))
            path, _filter = QFileDialog.getSaveFileName(self, tr("Export rejected rows"), suggested,
                                                        tr("CSV files (*.csv)"))
            if not path:
                return 0
        try:
            return self.state.write_rejected(path)
        except OSError as exc:
            self.show_error(tr("Could not write {0}: {1}").format(path, exc.strerror or exc))
            return 0

    def isComplete(self) -> bool:
        return not self.busy() and self.state.check is not None and self.state.check.valid > 0

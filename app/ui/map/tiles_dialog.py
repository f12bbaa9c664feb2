"""The map's "Online tiles…" dialog: off by default; an XYZ address and its attribution."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services.tiles import check_template
from app.ui.i18n import translator
from app.ui.map.tiles import TileSettings
from app.ui.palette import style_accent, style_muted

_tr = translator("TilesDialog")


class TilesDialog(QDialog):
    def __init__(self, current: TileSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("Online map tiles"))
        self.enabled = QCheckBox(_tr("Show online map tiles over the offline basemap"))
        self.enabled.setChecked(current.enabled)
        self.template = QLineEdit(current.template)
        self.template.setPlaceholderText("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
        self.attribution = QLineEdit(current.attribution)
        self.problem = QLabel()
        style_accent(self.problem, "error")
        self.problem.setWordWrap(True)
        note = QLabel(_tr("Tiles are kept on disk and shown from there when offline. Only the tiles a view "
                          "shows are downloaded, two at a time, and kept at least seven days, as the "
                          "OpenStreetMap tile usage policy asks."))
        note.setWordWrap(True)
        style_muted(note)
        form = QFormLayout()
        form.addRow(self.enabled)
        form.addRow(_tr("Tile address:"), self.template)
        form.addRow(_tr("Attribution:"), self.attribution)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def settings(self) -> TileSettings:
        return TileSettings(self.enabled.isChecked(), self.template.text().strip(), self.attribution.text().strip())

    def accept(self) -> None:
        try:
            check_template(self.template.text())
        except ValueError as exc:
            self.problem.setText(_tr("This tile address cannot be used: {0}.").format(exc))
            return
        if self.enabled.isChecked() and not self.attribution.text().strip():
            self.problem.setText(_tr("Say whose tiles these are (the attribution is shown on the map)."))
            return
        super().accept()

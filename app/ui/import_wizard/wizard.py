"""The CSV import wizard: file → columns → checks → map → import → summary."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QWidget, QWizard

from app.importer.ports import ClientProvider, ImportClient
from app.importer.wizard_state import ImportState
from app.storage import CacheStore
from app.ui.import_manager import ImportManager
from app.ui.import_wizard.base import tr
from app.ui.import_wizard.pages_data import FilePage, MappingPage, ValidationPage
from app.ui.import_wizard.pages_run import ImportPage, SummaryPage, TargetPage

PAGE_NAMES = ("file", "mapping", "validation", "target", "import", "summary")


class ImportWizard(QWizard):
    """Imports a CSV file into a Mapiry map.

    ``client`` returns the Mapiry client (None when not connected); the import job runs in
    ``manager``, so it goes on when the wizard is closed.
    """

    def __init__(self, cache: CacheStore, client: ClientProvider, manager: ImportManager, path: str | None = None,
                 map_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self._client = client
        self.manager = manager
        self.state = ImportState(map_id=map_id)
        self.setWindowTitle(tr("Import CSV"))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setMinimumSize(QSize(820, 600))
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.validation_page = ValidationPage(self)
        self.target_page = TargetPage(self)
        self.import_page = ImportPage(self)
        self.summary_page = SummaryPage(self)
        self.page_ids: dict[str, int] = {}
        for name, page in zip(PAGE_NAMES, (self.file_page, self.mapping_page, self.validation_page,
                                           self.target_page, self.import_page, self.summary_page), strict=True):
            self.page_ids[name] = self.addPage(page)
        self.currentIdChanged.connect(self._page_changed)
        if path:
            self.state.path = str(path)
            self.file_page.load(str(path))

    def client(self) -> ImportClient | None:
        return self._client()

    def page_named(self, name: str) -> Any:
        return self.page(self.page_ids[name])

    def current_page_name(self) -> str:
        return next((n for n, i in self.page_ids.items() if i == self.currentId()), "")

    def _page_changed(self, _page_id: int) -> None:
        running = self.current_page_name() == "import"
        self.setButtonText(QWizard.WizardButton.CancelButton, tr("&Close") if running else tr("Cancel"))

    def keyPressEvent(self, event: Any) -> None:
        # Escape closes; Enter must not press Next while an import is being prepared.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.current_page_name() == "import":
            return
        super().keyPressEvent(event)

"""The CSV import wizard (QWizard); its rules live in app.core.csvimport and app.importer."""

from app.importer.wizard_state import ImportState
from app.ui.import_wizard.wizard import PAGE_NAMES, ImportWizard

__all__ = ["PAGE_NAMES", "ImportState", "ImportWizard"]

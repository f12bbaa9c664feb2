"""The one translation helper: each module makes its own `_tr` for its translation context.

`_tr = translator("MainWindow")` gives `_tr(text) == QCoreApplication.translate("MainWindow", text)`;
the context names are the ones the modules have always used, so translation files keep matching.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication


def translator(context: str) -> Callable[[str], str]:
    """A function translating a user-visible text in the translation context `context`."""

    def translate(text: str) -> str:
        return QCoreApplication.translate(context, text)

    return translate

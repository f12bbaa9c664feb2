"""The shared translation helper asks Qt with the module's own context, as the helpers it replaced did."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QTranslator

from app.ui.i18n import translator


class _Marking(QTranslator):
    """Translates every text of the "MainWindow" context to "<context>|<text>", nothing else."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        return f"{context}|{source}" if context == "MainWindow" else None  # None: no translation

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


def test_a_translator_translates_in_its_context(qapp: Any) -> None:
    marking = _Marking()
    assert QCoreApplication.installTranslator(marking)
    try:
        assert translator("MainWindow")("&Quit") == "MainWindow|&Quit"
        assert translator("StatusBar")("&Quit") == "&Quit"  # no translation there: the text itself
    finally:
        QCoreApplication.removeTranslator(marking)
    assert translator("MainWindow")("&Quit") == "&Quit"

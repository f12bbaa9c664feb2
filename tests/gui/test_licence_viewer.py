"""About → Licences…: the full licence texts, read-only and searchable (app.licenses behind it).
The same viewer runs in the bundle, whose extra texts (the interpreter's, the system libraries')
tests/packaging/test_bundle.py checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.help_dialogs import AboutDialog, LicenceViewer


@pytest.fixture
def viewer(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LicenceViewer]:
    monkeypatch.setenv("CABINET_DATA_DIR", str(tmp_path / "data"))
    about = AboutDialog()
    qtbot.addWidget(about)
    about.show()
    qtbot.mouseClick(about.licences_button, Qt.MouseButton.LeftButton)
    opened = about.licence_viewer
    assert opened is not None
    qtbot.waitUntil(opened.isVisible, timeout=5000)
    yield opened  # while About, its parent, lives
    about.close()


def _normal(name: str) -> str:
    return name.lower().replace("_", "-")


def test_about_opens_the_texts_of_cabinet_and_qt(viewer: LicenceViewer, tmp_path: Path) -> None:
    names = viewer.shown_names()
    assert names[:2] == ["cabinet", "Qt"]
    assert {"pyside6-essentials", "shiboken6", "httpx", "keyring", "qasync"} <= {_normal(n) for n in names}
    assert viewer.text.isReadOnly()
    shown = viewer.text.toPlainText()  # Cabinet's own is the one shown first
    assert "MIT License" in shown and "Permission is hereby granted" in shown

    viewer.select("Qt")
    shown = viewer.text.toPlainText()
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in shown and "Version 3, 29 June 2007" in shown
    assert "GNU GENERAL PUBLIC LICENSE" in shown  # the GPL text the LGPL builds on
    assert "LGPL-3.0-only" in shown  # the notice: what Cabinet uses it under, where the source is
    viewer.select("PySide6_Essentials")  # PySide6's wheels carry no text: Qt's stand for it
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in viewer.text.toPlainText()
    viewer.select("httpx")
    assert "Copyright" in viewer.text.toPlainText() and "BSD" in viewer.text.toPlainText()
    viewer.grab().save(str(tmp_path / "licences.png"))


def test_the_search_keeps_the_components_whose_text_has_the_words(viewer: LicenceViewer, qtbot: QtBot) -> None:
    everything = viewer.shown_names()
    qtbot.keyClicks(viewer.search, "lesser GENERAL")
    kept = {_normal(n) for n in viewer.shown_names()}
    assert {"qt", "pyside6-essentials", "shiboken6"} <= kept
    assert "cabinet" not in kept and "httpx" not in kept
    assert viewer.text.textCursor().selectedText().casefold() == "lesser"  # the first match, selected
    first = viewer.text.textCursor().position()
    qtbot.keyClick(viewer.search, Qt.Key.Key_Return)  # Enter: the next match
    assert viewer.text.textCursor().selectedText().casefold() == "lesser"
    assert viewer.text.textCursor().position() > first

    viewer.search.clear()
    assert viewer.shown_names() == everything
    qtbot.keyClicks(viewer.search, "no such words anywhere")
    assert viewer.shown_names() == [] and viewer.text.toPlainText() == ""

"""Text stays readable in a light and in a dark palette: the contrast of every label's text with
what is drawn behind it, measured in the rendered window (WCAG ratio, at least 4.5:1)."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.services.credentials import CredentialStore
from app.storage import Cache
from app.ui import palette as pal
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog
from tests.gui.conftest import fill
from tests.gui.looping import drive, in_loop, show

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


_ROLES = ("Window", "WindowText", "Base", "AlternateBase", "Text", "Button", "ButtonText", "Highlight",
          "HighlightedText", "PlaceholderText", "Mid", "Light", "Dark", "ToolTipBase", "ToolTipText")
_LIGHT = ("#efefef", "#1f1f1f", "#ffffff", "#f5f5f5", "#1f1f1f", "#efefef", "#1f1f1f", "#2563eb", "#ffffff",
          "#7f7f7f", "#b8b8b8", "#ffffff", "#9f9f9f", "#ffffdc", "#1f1f1f")
_DARK = ("#2b2b2b", "#e6e6e6", "#1e1e1e", "#262626", "#e6e6e6", "#353535", "#e6e6e6", "#3b82f6", "#0b0b0b",
         "#6f6f6f", "#4a4a4a", "#505050", "#1a1a1a", "#3a3a3a", "#e6e6e6")


def _palette(colours: tuple[str, ...]) -> QPalette:
    p = QPalette()
    for role, colour in zip(_ROLES, colours, strict=True):
        p.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    return p


def light_palette() -> QPalette:
    return _palette(_LIGHT)


def dark_palette() -> QPalette:
    return _palette(_DARK)


PALETTES = {"light": light_palette, "dark": dark_palette}


@pytest.fixture
def app_palette(qapp: QApplication) -> Iterator[Any]:
    previous = QPalette(qapp.palette())

    def use(name: str) -> None:
        qapp.setPalette(PALETTES[name]())

    try:
        yield use
    finally:
        qapp.setPalette(previous)


def text_contrast(image: QImage, widget: QWidget, origin: QWidget) -> float:
    """The contrast of a widget's text with its background, from the pixels of ``image`` (a grab of
    ``origin``): the background is the commonest colour in the widget's rectangle, the text the
    colour that differs most from it."""
    ratio = image.devicePixelRatio()
    top_left = widget.mapTo(origin, QPoint(0, 0))
    rect = QRect(int(top_left.x() * ratio), int(top_left.y() * ratio), int(widget.width() * ratio),
                 int(widget.height() * ratio)).intersected(image.rect())
    if rect.isEmpty():
        return 21.0
    part = image.copy(rect).convertToFormat(QImage.Format.Format_RGB32)
    pixels = array("I", bytes(part.constBits())[: part.width() * part.height() * 4])
    counts = Counter(pixels)
    background = QColor.fromRgb(counts.most_common(1)[0][0])
    return max(pal.contrast(QColor.fromRgb(rgb), background) for rgb in counts)


def text_labels(root: QWidget) -> list[QLabel]:
    return [label for label in root.findChildren(QLabel)
            if label.isVisibleTo(root) and label.text().strip() and label.width() > 4 and label.height() > 4]


def check(root: QWidget, name: str, minimum: float = pal.MIN_CONTRAST) -> list[str]:
    """Every visible label of ``root`` (a top-level window) measured; returns what fails."""
    image = root.grab().toImage()
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(str(SHOTS / f"contrast-{name}.png"))
    failures = []
    labels = text_labels(root)
    assert labels, f"{name}: no text found to measure"
    for label in labels:
        measured = text_contrast(image, label, root)
        if measured < minimum:
            failures.append(f"{name}: {label.objectName() or type(label.parent()).__name__} "
                            f"“{label.text()[:40]}” {measured:.2f}:1")
    return failures


def test_tones_and_accents_meet_the_ratio_in_both_palettes() -> None:
    for make in PALETTES.values():
        p = make()
        for kind in ("info", "warning", "error", "ok", "accent"):
            t = pal.tone(kind, p)
            assert pal.contrast(QColor(t.text), QColor(t.background)) >= pal.MIN_CONTRAST, (kind, t)
        for kind in ("ok", "error", "warning", "info", "idle"):
            assert pal.contrast(QColor(pal.accent(kind, p)), p.color(QPalette.ColorRole.Window)) >= 4.5
        assert pal.contrast(QColor(pal.muted(p)), p.color(QPalette.ColorRole.Window)) >= 4.5
        assert pal.contrast(QColor(pal.readable("#f59e0b", p, QPalette.ColorRole.Base)),
                            p.color(QPalette.ColorRole.Base)) >= 4.5


@pytest.mark.parametrize("first", ["light", "dark"])
def test_every_label_is_readable_in_light_and_dark(first: str, app_palette: Any, loop: Any, tmp_path: Path,
                                                   sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window is built in one palette and then switched to the other while it runs (as a
    desktop switching to dark mode does); both are measured."""
    monkeypatch.setenv("CABINET_CONFIG_DIR", str(tmp_path / "config"))
    app_palette(first)
    cache = Cache(tmp_path / "cache.sqlite3")
    fill(cache, sales=True)
    window = MainWindow(cache, demo=True)
    dialog = SettingsDialog(CredentialStore(), parent=window)
    try:
        window.resize(1280, 720)
        show(loop, window)
        failures: list[str] = []
        second = "dark" if first == "light" else "light"
        for name in (first, second):
            app_palette(name)
            in_loop(loop, lambda: None)
            states = ("synced", "syncing", "offline", "error", "idle")
            for i, view in enumerate(("items", "locations", "sales", "imports", "layers")):
                window.show_view(view)
                page = window.current_page()
                if view in ("items", "locations", "layers"):
                    page.table.selectRow(0)
                kind = ("info", "warning", "error")[i % 3]
                window.show_message(f"A {kind} notice for the {view} view.", kind)
                for j, status in enumerate(window.service_status.values()):
                    status.set_state(states[(i + j) % len(states)])
                in_loop(loop, lambda: None)
                failures += check(window, f"{name}-{view}")
            # The settings dialog's Test connection result, both outcomes, over real HTTP.
            show(loop, dialog)
            panel = dialog.panel("mapiry")
            dialog.tabs.setCurrentWidget(panel)
            for key in (sandbox.info["mapiry"]["keys"]["read_write"], "mk_live_not_a_real_key_000000"):
                panel.url_edit.setText(sandbox.mapiry_url)
                panel.key_edit.setText(key)
                in_loop(loop, panel.test_button.click)
                drive(loop, lambda p=panel: not p.is_testing() and p.result_frame.isVisible())
                outcome = "ok" if panel.last_result.ok else "failed"
                failures += check(dialog, f"{name}-settings-{outcome}")
            dialog.hide()
        assert not failures, "\n".join(failures)
    finally:
        dialog.close()
        window.close()
        cache.close()


def test_no_hard_coded_white_or_black_in_the_ui() -> None:
    root = Path(__file__).resolve().parents[2] / "app" / "ui"
    # The map canvas draws its markers in the map's own colours (a white outline reads on any
    # basemap), not text on the window's palette.
    drawn = {"markers.py", "render.py"}
    banned = ("white", "black", "#fff\"", "#ffffff", "#000\"", "#000000", "Qt.GlobalColor.white",
              "Qt.GlobalColor.black", "palette(placeholder-text)")
    hits = [f"{path.name}: {word}" for path in root.rglob("*.py") for word in banned
            if path.name not in drawn and word in path.read_text(encoding="utf-8")]
    assert not hits, hits
    assert Qt.GlobalColor.white  # the names above are Qt's

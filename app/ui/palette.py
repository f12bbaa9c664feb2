"""Colours that stay readable in a light and a dark palette.

Nothing in the window hard-codes a text colour against an unknown background: a strip (the
notice bar, a banner, a test result) takes a *tone* — background, text and border chosen as a
set for the current palette's lightness — and text on the window's own background takes an
*accent* made readable against that background. ``follow_palette`` re-applies a widget's
colours when the palette changes while the app runs (a desktop switching to dark mode).
WCAG's contrast ratio is the measure: body text at least 4.5:1.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

MIN_CONTRAST = 4.5  # WCAG AA, body text
# Secondary text is softer than the text: its thin antialiased strokes keep a margin above the minimum.
MUTED_CONTRAST = 5.5

# kind -> (light palette, dark palette), each (background, text, border)
_TONES: dict[str, tuple[tuple[str, str, str], tuple[str, str, str]]] = {
    "info": (("#eff6ff", "#1e3a8a", "#bfdbfe"), ("#172554", "#dbeafe", "#1e40af")),
    "warning": (("#fffbeb", "#78350f", "#fde68a"), ("#422006", "#fef3c7", "#92400e")),
    "error": (("#fef2f2", "#7f1d1d", "#fecaca"), ("#450a0a", "#fee2e2", "#991b1b")),
    "ok": (("#f0fdf4", "#14532d", "#bbf7d0"), ("#052e16", "#dcfce7", "#166534")),
    "accent": (("#4338ca", "#eef2ff", "#3730a3"), ("#312e81", "#e0e7ff", "#4338ca")),
}
# The hue of a kind's words on the window's own background (made readable by readable()).
_HUES = {"ok": "#16a34a", "error": "#dc2626", "warning": "#d97706", "info": "#2563eb", "idle": "#64748b"}


class Tone:
    """A strip's colours: background, text and border, as #rrggbb."""

    __slots__ = ("background", "text", "border")

    def __init__(self, background: str, text: str, border: str) -> None:
        self.background, self.text, self.border = background, text, border

    def __repr__(self) -> str:
        return f"Tone({self.background!r}, {self.text!r}, {self.border!r})"


def current() -> QPalette:
    return QGuiApplication.palette()


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of an opaque colour."""
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours, 1.0 to 21.0."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or current()
    return luminance(palette.color(QPalette.ColorRole.Window)) < 0.2


def tone(kind: str, palette: QPalette | None = None) -> Tone:
    light, dark = _TONES.get(kind, _TONES["info"])
    return Tone(*(dark if is_dark(palette) else light))


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved a fraction ``t`` of the way to ``b``."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t, a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t)


def readable(colour: QColor | str, palette: QPalette | None = None,
             role: QPalette.ColorRole = QPalette.ColorRole.Window, minimum: float = MIN_CONTRAST) -> str:
    """``colour``, moved toward the palette's text colour just as far as it takes to read it on
    the palette's ``role`` background with at least ``minimum`` contrast."""
    palette = palette or current()
    background = palette.color(role)
    text = palette.color(QPalette.ColorRole.WindowText if role == QPalette.ColorRole.Window
                         else QPalette.ColorRole.Text)
    start = QColor(colour)
    for step in range(11):
        candidate = _mix(start, text, step / 10)
        if contrast(candidate, background) >= minimum:
            return candidate.name()
    return text.name()


def accent(kind: str, palette: QPalette | None = None,
           role: QPalette.ColorRole = QPalette.ColorRole.Window) -> str:
    """The colour of a kind's words ("ok", "error", "warning", "info", "idle") on the window."""
    return readable(_HUES.get(kind, _HUES["idle"]), palette, role)


def muted(palette: QPalette | None = None, role: QPalette.ColorRole = QPalette.ColorRole.Window) -> str:
    """Secondary text (hints, counts, field names): softer than the text, still readable."""
    palette = palette or current()
    background = palette.color(role)
    text_role = QPalette.ColorRole.WindowText if role == QPalette.ColorRole.Window else QPalette.ColorRole.Text
    return readable(_mix(palette.color(text_role), background, 0.45), palette, role, MUTED_CONTRAST)


class _Watcher(QObject):
    """Hears the application's palette change once and tells every follower (Qt sends
    ApplicationPaletteChange to the application, not to widgets a style sheet has styled)."""

    changed = Signal()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ApplicationPaletteChange and watched is QCoreApplication.instance():
            # A widget with a style sheet keeps the palette it was polished with: polish again.
            for widget in QApplication.allWidgets():
                sheet = widget.styleSheet()
                if sheet:
                    widget.setStyleSheet("")
                    widget.setStyleSheet(sheet)
            self.changed.emit()
        return False


_watcher: _Watcher | None = None


def _palette_watcher() -> _Watcher:
    global _watcher
    app = QCoreApplication.instance()
    if _watcher is None or not shiboken6.isValid(_watcher) or _watcher.parent() is not app:
        _watcher = _Watcher(app)
        app.installEventFilter(_watcher)
    return _watcher


class _Follower(QObject):
    def __init__(self, widget: QWidget, render: Callable[[], None]) -> None:
        super().__init__(widget)  # goes with the widget, and its connection with it
        self._render = render
        _palette_watcher().changed.connect(self._changed)

    def _changed(self) -> None:
        self._render()


def follow_palette(widget: QWidget, render: Callable[[], None]) -> None:
    """Call ``render`` now and whenever the application's palette changes."""
    render()
    _Follower(widget, render)


def set_sheet(widget: QWidget, sheet: str) -> None:
    """Set a style sheet only when it differs (a re-set re-polishes the widget and its children)."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)


def style_muted(widget: QWidget, extra: str = "") -> None:
    """Secondary text that follows the palette (``extra``: more CSS declarations)."""
    follow_palette(widget, lambda: set_sheet(widget, f"color: {muted()}; {extra}".strip()))


def style_accent(widget: QWidget, kind: str, extra: str = "") -> None:
    """A kind's words ("error", "ok"…) on the window's background, following the palette."""
    follow_palette(widget, lambda: set_sheet(widget, f"color: {accent(kind)}; {extra}".strip()))


def style_tone(widget: QWidget, kind: str | Callable[[], str], selector: str,
               extra: str = "border-radius: 4px; padding: 6px 8px;") -> Callable[[], None]:
    """A boxed message (a label or frame named by ``selector``) in a kind's tone, following the
    palette; ``kind`` may be a callable for a box whose kind changes: call the returned function
    after it changed."""
    def render() -> None:
        t = tone(kind() if callable(kind) else kind)
        set_sheet(widget, f"{selector} {{ background: {t.background}; color: {t.text};"
                          f" border: 1px solid {t.border}; {extra} }}"
                          f"{selector} QLabel {{ background: transparent; border: none; color: {t.text}; }}")

    follow_palette(widget, render)
    return render

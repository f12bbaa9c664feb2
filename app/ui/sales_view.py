"""The Sales view: the InstaMapp sales summary as figures and a bar chart (QPainter)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QStackedLayout, QVBoxLayout, QWidget

from app.core import registry
from app.ui.columns import local_datetime
from app.ui.empty_state import EmptyState, ServiceLink
from app.ui.i18n import translator
from app.ui.palette import current, follow_palette, readable, set_sheet, style_muted

if TYPE_CHECKING:
    from app.storage import CacheStore

# The resource this view shows: the registry's one with a "summary" page.
RESOURCE = next(r.name for r in registry.RESOURCES.values() if r.view is not None and r.view.page == "summary")
FIGURES = (
    ("gross", "Gross sales", "#2563eb"),
    ("fees", "Fees", "#f59e0b"),
    ("net_payout", "Net payout", "#16a34a"),
    ("refunds", "Refunds", "#dc2626"),
    ("disputes", "Disputes", "#7c3aed"),
)


_tr = translator("SalesView")


def money(value: Any, currency: str) -> str:
    try:
        return f"{float(value):,.2f} {currency}".strip()
    except (TypeError, ValueError):
        return "—"


class BarChart(QWidget):
    """Horizontal bars, one per figure, scaled to the largest value."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[tuple[str, float, str, str]] = []  # label, value, colour, value text
        self.setMinimumHeight(200)

    def set_bars(self, bars: list[tuple[str, float, str, str]]) -> None:
        self.bars = bars
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, 40 * max(len(self.bars), 5) + 20)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = painter.fontMetrics()
        label_w = max((fm.horizontalAdvance(b[0]) for b in self.bars), default=0) + 16
        value_w = max((fm.horizontalAdvance(b[3]) for b in self.bars), default=0) + 16
        top = 10.0
        bar_h = 22.0
        gap = 16.0
        area_w = max(10.0, self.width() - label_w - value_w - 20)
        peak = max((abs(b[1]) for b in self.bars), default=0.0) or 1.0
        text_color = self.palette().color(self.foregroundRole())
        track = QColor(text_color)
        track.setAlpha(22)
        for i, (label, value, color, value_text) in enumerate(self.bars):
            y = top + i * (bar_h + gap)
            painter.setPen(text_color)
            painter.drawText(QRectF(0, y, label_w - 8, bar_h),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(QRectF(label_w, y, area_w, bar_h), 4, 4)
            painter.setBrush(QColor(color))
            width = area_w * abs(value) / peak
            if width > 0:
                painter.drawRoundedRect(QRectF(label_w, y, max(width, 3.0), bar_h), 4, 4)
            painter.setPen(text_color)
            painter.drawText(QRectF(label_w + area_w + 8, y, value_w, bar_h),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), value_text)
        painter.end()


class SalesView(QWidget):
    @staticmethod
    def _style_card(card: QFrame, name: QLabel, color: str) -> None:
        palette = current()
        set_sheet(card, f"#salesCard {{ border: 1px solid {palette.color(QPalette.ColorRole.Mid).name()};"
                        f" border-radius: 8px; background: {palette.color(QPalette.ColorRole.Base).name()}; }}")
        set_sheet(name, f"color: {readable(color, palette, QPalette.ColorRole.Base)}; font-weight: 600;")

    def __init__(self, cache: CacheStore, service_link: ServiceLink | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cache = cache
        self.service_link = service_link
        self.summary: dict[str, Any] | None = None
        self._stack = QStackedLayout(self)
        self.empty_state = EmptyState()
        self.connectRequested = self.empty_state.connectRequested  # "Connect InstaMapp…": open Settings there
        self._stack.addWidget(self.empty_state)

        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.setSpacing(14)
        heading = QLabel(_tr("Sales summary"))
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        outer.addWidget(heading)
        self.period_label = QLabel()
        style_muted(self.period_label)
        outer.addWidget(self.period_label)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        self.figure_labels: dict[str, QLabel] = {}
        cards = [*FIGURES, ("orders", "Orders", "#475569")]
        for i, (key, title, color) in enumerate(cards):
            card = QFrame()
            card.setObjectName("salesCard")
            lay = QVBoxLayout(card)
            lay.setContentsMargins(14, 10, 14, 10)
            name = QLabel(_tr(title))
            follow_palette(card, lambda card=card, name=name, color=color: self._style_card(card, name, color))
            value = QLabel("—")
            font = QFont(value.font())
            font.setPointSizeF(font.pointSizeF() * 1.5)
            font.setBold(True)
            value.setFont(font)
            value.setProperty("figure", key)
            lay.addWidget(name)
            lay.addWidget(value)
            self.figure_labels[key] = value
            grid.addWidget(card, i // 3, i % 3)
        outer.addLayout(grid)
        self.chart = BarChart()
        outer.addWidget(self.chart, 1)
        self._stack.addWidget(page)
        self.reload()

    def figures(self) -> dict[str, str]:
        return {key: label.text() for key, label in self.figure_labels.items()}

    def reload(self) -> None:
        summary = self.cache.sales_summary()
        self.summary = dict(summary) if summary else None
        if not summary:
            self.empty_state.show_resource(RESOURCE, self.service_link)
            self._stack.setCurrentIndex(0)
            return
        self._show(summary)
        self._stack.setCurrentIndex(1)

    def _show(self, summary: Mapping[str, Any]) -> None:
        currency = str(summary.get("currency") or "")
        bars = []
        for key, title, color in FIGURES:
            text = money(summary.get(key), currency)
            self.figure_labels[key].setText(text)
            try:
                value = float(summary.get(key) or 0)
            except (TypeError, ValueError):
                value = 0.0
            bars.append((_tr(title), value, color, text))
        orders = summary.get("orders")
        self.figure_labels["orders"].setText(f"{int(orders):,}" if isinstance(orders, (int, float)) else "—")
        self.chart.set_bars(bars)
        start = local_datetime(summary.get("period_start"))
        end = local_datetime(summary.get("period_end"))
        if start and end:
            self.period_label.setText(_tr("Period: {0} – {1}").format(start.strftime("%Y-%m-%d"),
                                                                        end.strftime("%Y-%m-%d")))
        else:
            self.period_label.setText("")

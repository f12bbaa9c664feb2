"""A desktop app's manners in the table views: Tab order, right-click menus on rows, a default
window that fits 1280×720 with every view's main columns in sight, a detail pane that collapses
and stays collapsed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.storage import Cache
from app.ui.main_window import DEFAULT_SIZE, VIEW_NAMES, MainWindow
from app.ui.views import TablePage
from tests.gui.looping import drive, in_loop, show

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _window(loop: Any, cache: Cache) -> MainWindow:
    window = MainWindow(cache)
    show(loop, window)
    in_loop(loop, window.activateWindow)
    drive(loop, lambda: QApplication.activeWindow() is window, timeout=5)
    drive(loop, lambda: getattr(window, "edit_actions", None) is not None)
    return window


def _tab(loop: Any, backwards: bool = False) -> QWidget:
    widget = QApplication.focusWidget()
    key = Qt.Key.Key_Backtab if backwards else Qt.Key.Key_Tab
    mods = Qt.KeyboardModifier.ShiftModifier if backwards else Qt.KeyboardModifier.NoModifier
    in_loop(loop, QTest.keyClick, widget, key, mods)
    return QApplication.focusWidget()


def test_tab_and_shift_tab_walk_sidebar_search_filters_table_detail(loop: Any, cache: Cache) -> None:
    window = _window(loop, cache)
    try:
        window.show_view("locations")
        page = window.current_page()
        in_loop(loop, window.sidebar.setFocus, Qt.FocusReason.TabFocusReason)
        expected = [page.search, *page.filter_combos.values(), page.table, page.detail]
        seen = [_tab(loop) for _ in expected]
        assert seen == expected, [w.objectName() or type(w).__name__ for w in seen]
        back = [_tab(loop, backwards=True) for _ in expected]
        assert back == [*reversed(expected[:-1]), window.sidebar]
        # In the table the arrows move between rows; Tab never stays in it.
        in_loop(loop, page.table.setFocus, Qt.FocusReason.TabFocusReason)
        in_loop(loop, page.table.selectRow, 0)
        assert _tab(loop) is page.detail
    finally:
        window.close()


def test_row_menus_offer_what_applies(loop: Any, cache: Cache) -> None:
    window = _window(loop, cache)
    try:
        window.show_view("locations")
        page: TablePage = window.current_page()
        rect = page.table.visualRect(page.model.index(1, 0))
        menu = in_loop(loop, page.menu_at, rect.center())  # what a right-click there pops up
        assert page.table.selected_rows() == [1]  # right-click selected the row under the pointer
        texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
        assert texts[:2] == ["Copy", "Export selected rows…"]
        assert "Edit…" in texts and "Delete…" in texts and any(t.startswith("New location") for t in texts)
        SHOTS.mkdir(parents=True, exist_ok=True)
        menu.grab().save(str(SHOTS / "row-menu.png"))
        menu.close()
        # A read-only view offers no edit actions.
        window.show_view("collections")
        page = window.current_page()
        in_loop(loop, page.table.selectRow, 0)
        texts = [a.text().replace("&", "") for a in page.row_menu().actions() if not a.isSeparator()]
        assert texts == ["Copy", "Export selected rows…"]
    finally:
        window.close()


def test_the_default_window_fits_1280x720_with_every_main_column_in_sight(loop: Any, cache: Cache) -> None:
    window = _window(loop, cache)
    try:
        assert (window.width(), window.height()) == DEFAULT_SIZE
        assert window.width() <= 1280 and window.height() + 40 <= 720  # with a title bar
        SHOTS.mkdir(parents=True, exist_ok=True)
        for name in VIEW_NAMES:
            page = window.page(name)
            window.show_view(name)
            if not isinstance(page, TablePage):
                continue
            in_loop(loop, lambda: None)  # the columns are fitted once the page is laid out
            window.grab().save(str(SHOTS / f"fit-{name}.png"))
            header = page.table.horizontalHeader()
            width = page.table.viewport().width()
            for i, col in enumerate(page.model.columns):
                if col.visible:
                    assert not header.isSectionHidden(i)
                    right = header.sectionViewportPosition(i) + header.sectionSize(i)
                    assert right <= width + 1, f"{name}: {col.key} ends at {right} of {width}"
                    assert header.sectionSize(i) >= 40, f"{name}: {col.key} too narrow"
            window.grab().save(str(SHOTS / f"fit-{name}.png"))
    finally:
        window.close()


def test_the_detail_pane_collapses_and_stays_collapsed(loop: Any, cache: Cache) -> None:
    window = _window(loop, cache)
    try:
        page = window.current_page()
        assert page.detail.isVisible()
        in_loop(loop, window.detail_action.trigger)
        assert not page.detail.isVisible()
        other = window.page("tags")
        window.show_view("tags")
        assert not other.detail.isVisible()
    finally:
        window.close()
    again = _window(loop, cache)
    try:
        assert not again.detail_action.isChecked() and not again.current_page().detail.isVisible()
        in_loop(loop, again.detail_action.trigger)
        assert again.current_page().detail.isVisible()
    finally:
        again.close()

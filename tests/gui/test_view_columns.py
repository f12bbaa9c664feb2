"""Columns at the default window size: the title column takes the spare width, numbers and dates
show whole, nothing runs past the table's edge; the person's widths are kept between runs; the
detail pane starts narrow and F9 collapses it."""

from __future__ import annotations

from pathlib import Path

import qasync
from PySide6.QtCore import Qt

from app.storage import Cache
from app.ui.column_fit import FLOOR, TITLE_SHARE, WHOLE, title_key
from app.ui.main_window import DEFAULT_SIZE, VIEW_NAMES, MainWindow
from app.ui.views import DETAIL_WIDTH, TablePage
from tests.gui.looping import in_loop, show


def _window(qtbot, qloop: qasync.QEventLoop, cache: Cache) -> MainWindow:
    window = MainWindow(cache)
    qtbot.addWidget(window)
    window.resize(*DEFAULT_SIZE)
    show(qloop, window)
    return window


def _open(qloop: qasync.QEventLoop, window: MainWindow, view: str) -> TablePage:
    in_loop(qloop, window.show_view, view)
    in_loop(qloop, lambda: None)  # the deferred fit, once the page is laid out
    page = window.current_page()
    assert isinstance(page, TablePage)
    return page


def _shown(page: TablePage) -> list[int]:
    header = page.table.horizontalHeader()
    return [i for i in range(header.count()) if not header.isSectionHidden(i)]


def test_every_view_gives_its_title_the_spare_width_at_the_default_size(
        qtbot, qloop: qasync.QEventLoop, cache: Cache, tmp_path: Path) -> None:
    window = _window(qtbot, qloop, cache)
    checked = []
    for view in VIEW_NAMES:
        if not isinstance(window.page(view), TablePage):
            continue
        page = _open(qloop, window, view)
        if page.model.rowCount() == 0:
            continue
        table, header = page.table, page.table.horizontalHeader()
        window.grab().save(str(tmp_path / f"{view}.png"))
        title = table.title_section
        assert title is not None and page.model.columns[title].key == title_key(page.resource)
        assert header.sectionResizeMode(title) == header.ResizeMode.Stretch
        width = table.viewport().width()
        assert sum(header.sectionSize(i) for i in _shown(page)) <= width + 1, view  # nothing past the edge
        texts = [i for i in _shown(page) if i != title and page.model.columns[i].fmt not in WHOLE]
        # The title keeps its share, unless every text column beside it already gave way to the floor.
        assert header.sectionSize(title) >= TITLE_SHARE * width - 1 or all(
            header.sectionSize(i) <= FLOOR for i in texts), view
        for i in _shown(page):
            if page.model.columns[i].fmt in WHOLE:  # numbers and dates whole: as wide as their text
                assert header.sectionSize(i) >= table.sizeHintForColumn(i), (view, page.model.columns[i].key)
        assert 0 < page.detail.width() <= DETAIL_WIDTH + 10, view
        checked.append(view)
    assert {"items", "collections", "locations", "layers", "api_keys"} <= set(checked)


def test_the_detail_pane_collapses_and_the_title_takes_its_room(qtbot, qloop: qasync.QEventLoop,
                                                                cache: Cache) -> None:
    window = _window(qtbot, qloop, cache)
    page = _open(qloop, window, "items")
    header = page.table.horizontalHeader()
    before = header.sectionSize(page.table.title_section)
    in_loop(qloop, window.detail_action.trigger)  # View → Detail pane (F9)
    in_loop(qloop, lambda: None)
    assert not page.detail.isVisible()
    assert header.sectionSize(page.table.title_section) >= before + DETAIL_WIDTH - 20
    in_loop(qloop, window.detail_action.trigger)
    assert page.detail.isVisible()


def _items_run(qtbot, qloop: qasync.QEventLoop, cache: Cache) -> tuple[MainWindow, TablePage]:
    """A run of the window (QSettings kept from the runs before), on the Items view."""
    window = _window(qtbot, qloop, cache)
    return window, _open(qloop, window, "items")


def test_widths_are_fitted_each_run_until_the_person_sizes_them_then_kept(
        qtbot, qloop: qasync.QEventLoop, cache: Cache) -> None:
    window, page = _items_run(qtbot, qloop, cache)
    header = page.table.horizontalHeader()
    status = next(i for i, c in enumerate(page.model.columns) if c.key == "status")
    fitted = header.sectionSize(status)
    assert not page.table.sized_by_person
    in_loop(qloop, window.close)  # saves the header, and that the person sized nothing

    window, page = _items_run(qtbot, qloop, cache)
    header = page.table.horizontalHeader()
    assert not page.table.sized_by_person and header.sectionSize(status) == fitted  # fitted again
    in_loop(qloop, header.resizeSection, status, fitted + 57)  # as a drag of its edge does
    assert page.table.sized_by_person
    in_loop(qloop, header.setSortIndicator, status, Qt.SortOrder.DescendingOrder)
    in_loop(qloop, window.close)

    window, page = _items_run(qtbot, qloop, cache)
    header = page.table.horizontalHeader()
    assert page.table.sized_by_person and header.sectionSize(status) == fitted + 57  # the person's width
    assert header.sortIndicatorSection() == status
    in_loop(qloop, window.close)

"""Each view driven like a person would: sorting, search as you type, filters, details, sales, columns."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QHeaderView

from app.storage import Cache
from app.ui.main_window import MainWindow
from app.ui.views import TablePage
from tests.gui.conftest import LAYERS_A, MAP_A, MAP_B


def make_window(qtbot, cache: Cache, **kwargs: Any) -> MainWindow:
    window = MainWindow(cache, **kwargs)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(20)  # the first event-loop passes: filter choices are filled right after the first paint
    return window


def names(page: TablePage, key: str = "name") -> list[str]:
    col = page.model.column_index(key)
    return [page.model.data(page.model.index(r, col)) for r in range(page.model.rowCount())]


def click_header(qtbot, page: TablePage, key: str) -> None:
    header: QHeaderView = page.table.horizontalHeader()
    section = page.model.column_index(key)
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_sorting_by_clicking_a_column_header(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    page = window.pages["items"]
    click_header(qtbot, page, "estimated_value")
    first = page.table.horizontalHeader().sortIndicatorOrder()
    values = [page.model.record(r)["estimated_value"] for r in range(5)]
    known = [v for v in values if v is not None]
    assert None in (values[0], values[-1])  # the item without a value sits at one end
    if first == Qt.SortOrder.AscendingOrder:
        assert known == [45.25, 80.0, 250.0, 1200.5]
    else:
        assert known == [1200.5, 250.0, 80.0, 45.25]
    click_header(qtbot, page, "estimated_value")
    assert page.table.horizontalHeader().sortIndicatorOrder() != first
    again = [page.model.record(r)["estimated_value"] for r in range(5)]
    assert [v for v in again if v is not None] == list(reversed(known))
    click_header(qtbot, page, "name")
    shown = names(page)
    assert sorted(shown, key=str.casefold) in (shown, list(reversed(shown)))


def test_a_single_row_is_counted_as_one_row(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    window.show_view("api_keys")
    page = window.pages["api_keys"]
    assert page.model.rowCount() == 1 and page.count_label.text() == "1 row"


def test_search_filters_as_you_type(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    page = window.pages["items"]
    qtbot.keyClicks(page.search, "fet")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert names(page) == ["Boba Fett rocket"]
    assert page.count_label.text() == "1 of 5 rows"
    qtbot.keyClicks(page.search, "zzz")
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.empty_state, timeout=3000)
    assert "No items match" in page.empty_state.text()
    page.search.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=3000)
    assert page.stack.currentWidget() is page.table


def test_item_filters_status_and_collection(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    page = window.pages["items"]
    status = page.filter_combos["status"]
    labels = [status.itemText(i) for i in range(status.count())]
    assert labels == ["All: Status", "Keep", "Sell", "Trade", "Archived"]  # only statuses the data has
    status.setCurrentIndex(status.findData("sell"))
    assert sorted(names(page)) == ["Boba Fett rocket", "Twin Mill redline"]
    coll = page.filter_combos["collection_id"]
    assert [coll.itemText(i) for i in range(coll.count())] == ["All: Collection", "Hot Wheels", "Star Wars"]
    coll.setCurrentIndex(coll.findText("Hot Wheels"))
    assert names(page) == ["Twin Mill redline"]
    status.setCurrentIndex(0)
    assert sorted(names(page)) == ["Beatnik Bandit", "Twin Mill redline"]


def test_location_filters_map_category_layer(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    window.show_view("locations")
    page = window.pages["locations"]
    assert page.model.rowCount() == 4
    maps = page.filter_combos["mapId"]
    assert [maps.itemText(i) for i in range(maps.count())] == ["All: Map", "Berlin bakeries", "Coffee in Lisbon"]
    maps.setCurrentIndex(maps.findData(MAP_B))
    assert names(page) == ["Albatross"]
    maps.setCurrentIndex(maps.findData(MAP_A))
    assert sorted(names(page)) == ["Copenhagen Coffee Lab", "Fábrica Coffee", "Hello Kristof"]
    category = page.filter_combos["categoryId"]
    category.setCurrentIndex(category.findText("Roastery"))
    assert names(page) == ["Hello Kristof"]
    category.setCurrentIndex(0)
    layer = page.filter_combos["layers"]
    layer.setCurrentIndex(layer.findText("Favourites"))
    assert names(page) == ["Fábrica Coffee"]
    layer.setCurrentIndex(layer.findText("To visit"))
    assert sorted(names(page)) == ["Copenhagen Coffee Lab", "Fábrica Coffee"]
    # the map column shows titles, not ids
    assert page.model.data(page.model.index(0, page.model.column_index("mapId"))) == "Coffee in Lisbon"


def test_detail_pane_shows_every_field_and_layer_colours(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    window.show_view("locations")
    page = window.pages["locations"]
    assert page.detail.record is None
    row = names(page).index("Fábrica Coffee")
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.table.visualRect(page.model.index(row, 0)).center())
    assert page.detail.record["id"] == "cloc1"
    texts = page.detail.field_texts()
    assert texts["name"] == "Fábrica Coffee"
    assert texts["categoryId"] == "Café"
    assert texts["tagIds"] == "wifi"
    assert texts["mapId"] == "Coffee in Lisbon"
    assert texts["description"] == "desc 1"
    assert texts["address"] == "Street 1"
    assert page.detail.swatch_colors() == [LAYERS_A[0]["color"], LAYERS_A[1]["color"]]
    assert texts["layers"] == "Favourites, To visit"
    # another row: the pane follows the selection
    other = names(page).index("Albatross")
    page.table.selectRow(other)
    assert page.detail.field_texts()["name"] == "Albatross"
    assert page.detail.swatch_colors() == ["#22AA55"]


def test_detail_pane_for_an_item(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    page = window.pages["items"]
    page.table.selectRow(names(page).index("Boba Fett rocket"))
    texts = page.detail.field_texts()
    assert texts["estimated_value"] == "1,200.50 USD"
    assert texts["collection_id"] == "Star Wars"
    assert texts["notes"] == "note 2"
    assert texts["status"] == "Sell"
    assert "2026-01-02T12:00:00Z" in texts["created_at"]


def test_sales_view_shows_figures_and_a_chart(qtbot, sales_cache: Cache) -> None:
    window = make_window(qtbot, sales_cache)
    window.show_view("sales")
    sales = window.pages["sales"]
    assert sales.figures() == {"gross": "1,520.00 USD", "fees": "152.00 USD", "net_payout": "1,318.00 USD",
                               "refunds": "40.00 USD", "disputes": "10.00 USD", "orders": "12"}
    bars = [(label, value) for label, value, _color, _text in sales.chart.bars]
    assert bars == [("Gross sales", 1520.0), ("Fees", 152.0), ("Net payout", 1318.0), ("Refunds", 40.0),
                    ("Disputes", 10.0)]
    image = sales.chart.grab().toImage()
    assert image.width() > 100
    colours = {image.pixelColor(x, 21).name() for x in range(0, image.width(), 3)}
    assert "#2563eb" in colours  # the gross bar is painted


def test_hidden_columns_and_widths_survive_a_new_window(qtbot, cache: Cache) -> None:
    first = make_window(qtbot, cache)
    page = first.pages["items"]
    menu = page.table.column_menu()
    condition = next(a for a in menu.actions() if a.text() == "Condition")
    assert condition.isChecked()
    condition.trigger()  # uncheck: hide
    assert page.table.horizontalHeader().isSectionHidden(page.model.column_index("condition"))
    notes = next(a for a in menu.actions() if a.text() == "Notes")
    notes.trigger()  # show a column hidden by default
    page.table.horizontalHeader().resizeSection(0, 311)
    assert [c.key for c in page.table.visible_columns()] == ["name", "status", "estimated_value", "collection_id",
                                                       "notes", "created_at", "updated_at"]
    first.close()
    second = make_window(qtbot, cache)
    again = second.pages["items"]
    header = again.table.horizontalHeader()
    assert header.isSectionHidden(again.model.column_index("condition"))
    assert not header.isSectionHidden(again.model.column_index("notes"))
    assert header.sectionSize(0) == 311
    # and restoring it brings it back
    next(a for a in again.table.column_menu().actions() if a.text() == "Condition").trigger()
    assert not header.isSectionHidden(again.model.column_index("condition"))
    assert header.sectionSize(again.model.column_index("condition")) > 20


def test_sort_order_survives_a_new_window(qtbot, cache: Cache) -> None:
    first = make_window(qtbot, cache)
    first.pages["items"].table.sortByColumn(first.pages["items"].model.column_index("name"),
                                            Qt.SortOrder.DescendingOrder)
    first.close()
    second = make_window(qtbot, cache)
    assert names(second.pages["items"]) == sorted(names(second.pages["items"]), key=str.casefold, reverse=True)


def test_layers_and_categories_views_show_swatches(qtbot, cache: Cache) -> None:
    window = make_window(qtbot, cache)
    for view in ("layers", "categories"):
        window.show_view(view)
        page = window.pages[view]
        col = page.model.column_index("color")
        colours = {page.model.data(page.model.index(r, col), Qt.ItemDataRole.DecorationRole).name().upper()
                   for r in range(page.model.rowCount())}
        expected = {"layers": {"#FF5733", "#3366FF", "#22AA55"}, "categories": {"#8B4513", "#64748B", "#D4A017"}}
        assert colours == expected[view]
    window.show_view("maps")
    maps = window.pages["maps"]
    assert sorted(names(maps, "title")) == ["Berlin bakeries", "Coffee in Lisbon"]
    public = maps.model.column_index("public")
    assert sorted(maps.model.data(maps.model.index(r, public)) for r in range(2)) == ["No", "Yes"]



def test_a_search_typed_before_the_page_loads_still_applies(qtbot, cache: Cache) -> None:
    window = MainWindow(cache)
    qtbot.addWidget(window)
    page = window.page("listings")  # built, not yet shown or loaded
    assert not page.loaded
    page.search.setText("x-wing")
    page.ensure_loaded()
    assert [r["item_name"] for r in page.model.iter_records()] == ["X-Wing Fighter"]

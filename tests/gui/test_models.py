"""The lazy cache-backed table model and the column descriptions."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from app.storage import Cache
from app.ui.columns import COLUMNS, DATETIME, MONEY, format_value
from app.ui.table_model import BLOCK_SIZE, RAW_ROLE, CacheTableModel


def _texts(model: CacheTableModel, key: str) -> list[str]:
    col = model.column_index(key)
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_items_model_reads_rows_and_formats(qtbot, cache: Cache) -> None:
    model = CacheTableModel(cache, "items", COLUMNS["items"])
    model.set_lookups({"collections": {"c0000000-0000-4000-8000-000000000001": "Star Wars"}})
    model.requery()
    assert model.rowCount() == 5
    assert model.columnCount() == len(COLUMNS["items"])
    row = _texts(model, "name").index("Boba Fett rocket")
    assert model.data(model.index(row, model.column_index("estimated_value"))) == "1,200.50 USD"
    assert model.data(model.index(row, model.column_index("collection_id"))) == "Star Wars"
    assert model.data(model.index(row, model.column_index("condition"))) == "Loose mint"
    assert model.data(model.index(row, model.column_index("status")), RAW_ROLE) == "sell"
    align = model.data(model.index(row, model.column_index("estimated_value")), Qt.ItemDataRole.TextAlignmentRole)
    assert align & int(Qt.AlignmentFlag.AlignRight)
    # roles the model does not handle answer None
    assert model.data(model.index(row, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(row, 0), Qt.ItemDataRole.SizeHintRole) is None
    assert model.data(QModelIndex()) is None
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    assert model.headerData(0, Qt.Orientation.Vertical) is None


def test_sort_search_and_filters_run_in_the_cache(qtbot, cache: Cache) -> None:
    model = CacheTableModel(cache, "items", COLUMNS["items"])
    model.requery()
    model.sort(model.column_index("estimated_value"), Qt.SortOrder.DescendingOrder)
    values = [model.data(model.index(r, model.column_index("estimated_value")), RAW_ROLE)
              for r in range(model.rowCount())]
    assert values == [1200.5, 250.0, 80.0, 45.25, None]
    model.sort(model.column_index("name"), Qt.SortOrder.AscendingOrder)
    assert _texts(model, "name") == sorted(_texts(model, "name"), key=str.casefold)
    model.set_query(search="REDLINE")
    assert _texts(model, "name") == ["Twin Mill redline"]
    model.set_query(search="", filters={"status": "sell"})
    assert sorted(_texts(model, "name")) == ["Boba Fett rocket", "Twin Mill redline"]
    model.set_query(filters={"status": "sell", "collection_id": "c0000000-0000-4000-8000-000000000002"})
    assert _texts(model, "name") == ["Twin Mill redline"]


def test_rows_load_lazily_in_blocks(qtbot, tmp_path) -> None:
    big = Cache(tmp_path / "big.sqlite3")
    try:
        big.replace_all("items", [
            {"id": f"itm_{i:020d}", "name": f"Thing {i:05d}", "status": "keep", "collection_id": "c",
             "currency": "USD", "estimated_value": i, "created_at": "2026-01-01T00:00:00Z"}
            for i in range(5000)
        ])
        model = CacheTableModel(big, "items", COLUMNS["items"])
        calls: list[int] = []
        original = big.rows_for_keys

        def counting(resource, keys):
            calls.append(len(keys))
            return original(resource, keys)

        big.rows_for_keys = counting  # type: ignore[method-assign]
        model.requery()
        assert model.rowCount() == 5000
        assert calls == []  # nothing read until a row is asked for
        assert model.data(model.index(4999, 0)) == "Thing 04999"
        assert model.data(model.index(4998, 0)) == "Thing 04998"
        assert calls == [5000 - (4999 // BLOCK_SIZE) * BLOCK_SIZE]
        assert model.loaded_blocks() == 1
        assert len(list(model.iter_records())) == 5000  # export path reads everything
    finally:
        big.close()


def test_colour_column_has_a_swatch(qtbot, cache: Cache) -> None:
    model = CacheTableModel(cache, "layers", COLUMNS["layers"])
    model.set_query(sort_key="name")
    col = model.column_index("color")
    assert model.data(model.index(0, col)) == "#FF5733"
    swatch = model.data(model.index(0, col), Qt.ItemDataRole.DecorationRole)
    assert isinstance(swatch, QColor) and swatch.name().upper() == "#FF5733"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is None


def test_dates_are_shown_in_local_time() -> None:
    stamp = "2026-03-01T12:34:00Z"
    expected = datetime(2026, 3, 1, 12, 34, tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    assert format_value(DATETIME, stamp) == expected
    assert format_value(MONEY, 3.5, {"currency": "EUR"}) == "3.50 EUR"
    assert format_value(MONEY, None, {"currency": "EUR"}) == ""


def test_editable_is_a_column_flag_off_by_default(qtbot, cache: Cache) -> None:
    model = CacheTableModel(cache, "items", COLUMNS["items"])
    model.requery()
    status = model.index(0, model.column_index("status"))
    assert not model.flags(status) & Qt.ItemFlag.ItemIsEditable
    model.allow_edit = True
    assert model.flags(status) & Qt.ItemFlag.ItemIsEditable
    assert not model.flags(model.index(0, model.column_index("created_at"))) & Qt.ItemFlag.ItemIsEditable

# ruff: noqa: F811 - pytest fixtures imported from test_editing_support
"""Values as they are, against a real sandbox: coordinates with six decimals in the table,
right-aligned in figures of one width, and with every stored digit in the detail pane, Ctrl+C and
exports; Ctrl+E exports what the view shows (names, labels, the filter, all rows) or, chosen,
the raw API fields."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication

from app.sync.engine import SyncEngine
from app.ui.views import TablePage
from tests.gui.looping import drive, in_loop
from tests.gui.test_editing_support import Env, env  # noqa: F401

LAT, LNG = 35.6812367891, 139.76712345678


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _locations(env: Env, map_id: str) -> TablePage:
    env.window.show_view("locations")
    page: TablePage = env.window.current_page()
    combo = page.filter_combos["mapId"]
    in_loop(env.loop, combo.setCurrentIndex, combo.findData(map_id))
    drive(env.loop, lambda: page.model.keys_complete)
    return page


def test_coordinates_show_six_decimals_and_carry_every_digit(env: Env, tmp_path: Path) -> None:
    map_id = env.srv.info["mapiry"]["maps"][0]
    category = env.cache.all_rows("categories", scope=map_id)[0]
    env.run(env.mapiry.create_location(map_id, name="Precise spot", lat=LAT, lng=LNG, categoryId=category["id"]))
    env.run(SyncEngine(env.cache, env.instamapp, env.mapiry).sync())
    in_loop(env.loop, env.window.reload_views)
    page = _locations(env, map_id)
    row = next(i for i in range(page.model.rowCount()) if page.model.record(i)["name"] == "Precise spot")
    lat_col, lng_col = page.model.column_index("lat"), page.model.column_index("lng")
    assert page.model.index(row, lat_col).data() == "35.681237"
    assert page.model.index(row, lng_col).data() == "139.767123"
    align = Qt.AlignmentFlag(page.model.index(row, lat_col).data(Qt.ItemDataRole.TextAlignmentRole))
    assert align & Qt.AlignmentFlag.AlignRight
    # Figures of one width: with six decimals, right alignment puts every decimal point in line.
    font = page.model.index(row, lat_col).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont)
    metrics = QFontMetrics(font)
    widths = {metrics.horizontalAdvance(str(page.model.index(r, lat_col).data()).split(".")[1])
              for r in range(page.model.rowCount())}
    assert len(widths) == 1

    in_loop(env.loop, page.table.selectRow, row)
    texts = page.detail.field_texts()
    assert texts["lat"] == repr(LAT) and texts["lng"] == repr(LNG)
    copied = in_loop(env.loop, page.copy_selection)
    assert copied == QGuiApplication.clipboard().text()
    header, line = copied.splitlines()
    cells = dict(zip(header.split("\t"), line.split("\t"), strict=True))
    assert cells["Lat"] == repr(LAT) and cells["Lng"] == repr(LNG)
    assert cells["Category"] == category["name"]  # the name, not the id
    assert cells["Map"] == next(m["title"] for m in env.cache.all_rows("maps") if m["id"] == map_id)


def test_export_writes_what_the_view_shows_or_the_raw_fields(env: Env, tmp_path: Path) -> None:
    map_id = max(env.srv.info["mapiry"]["maps"], key=lambda m: env.cache.count("locations", scope=m))
    page = _locations(env, map_id)
    shown = page.model.rowCount()
    assert 0 < shown < env.cache.count("locations")  # the map filter applies
    out = tmp_path / "locations.csv"
    assert in_loop(env.loop, env.window.export_view, str(out)) == shown
    rows = _read(out)
    assert rows[0] == [c.label() for c in page.table.visible_columns()]
    assert len(rows) == shown + 1  # every row of the query, not only those painted
    title = next(m["title"] for m in env.cache.all_rows("maps") if m["id"] == map_id)
    map_at = rows[0].index("Map")
    assert {r[map_at] for r in rows[1:]} == {title}
    lat_at = rows[0].index("Lat")
    stored = {repr(float(r["lat"])) for r in env.cache.all_rows("locations", scope=map_id)}
    assert {r[lat_at] for r in rows[1:]} == stored

    raw = tmp_path / "locations-raw.csv"
    assert in_loop(env.loop, lambda: env.window.export_view(str(raw), raw=True)) == shown
    raw_rows = _read(raw)
    assert "id" in raw_rows[0] and "mapId" in raw_rows[0]
    assert {r[raw_rows[0].index("mapId")] for r in raw_rows[1:]} == {map_id}

    # Items: labels, not codes; names of collections, not ids.
    env.window.show_view("items")
    items = env.window.current_page()
    out = tmp_path / "items.csv"
    count = in_loop(env.loop, env.window.export_view, str(out))
    rows = _read(out)
    assert count == env.cache.count("items") == len(rows) - 1
    status = rows[0].index("Status")
    assert {r[status] for r in rows[1:]} <= {"Keep", "Sell", "Trade", "Sold", "Archived"}
    collections = {c["name"] for c in env.cache.all_rows("collections")}
    assert {r[rows[0].index("Collection")] for r in rows[1:]} <= collections
    assert items.model.rowCount() == count

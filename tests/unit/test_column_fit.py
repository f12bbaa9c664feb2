"""How the columns beside the title share a table's width (app/ui/column_fit, Qt-free)."""

from __future__ import annotations

from app.core import registry
from app.ui.column_fit import FLOOR, TITLE_SHARE, share_width, title_key


def test_room_enough_keeps_every_wanted_width() -> None:
    wants = [(1, 70, False), (2, 90, True), (3, 120, True)]
    assert share_width(wants, 900, title_shown=True) == {1: 70, 2: 90, 3: 120}


def test_text_columns_give_way_from_the_right_and_whole_ones_never() -> None:
    wants = [(1, 200, False), (2, 75, True), (3, 75, True), (4, 140, False), (5, 150, False), (6, 118, True)]
    widths = share_width(wants, 700, title_shown=True)
    assert widths[2] == widths[3] == 75 and widths[6] == 118  # numbers and dates whole
    assert widths[5] == FLOOR and widths[4] == FLOOR  # the rightmost text gave way first...
    assert widths[1] == 102  # ...then the next, only as far as needed:
    assert sum(widths.values()) == 700 - int(700 * TITLE_SHARE)  # the title keeps its share


def test_nothing_below_the_floor_even_when_it_cannot_fit() -> None:
    wants = [(1, 100, False), (2, 400, True)]
    assert share_width(wants, 300, title_shown=True) == {1: FLOOR, 2: 400}


def test_a_hidden_title_leaves_all_the_width_to_the_others() -> None:
    wants = [(1, 300, False), (2, 300, False)]
    assert share_width(wants, 600, title_shown=False) == {1: 300, 2: 300}


def test_the_title_column_is_the_registry_label_field() -> None:
    assert title_key("items") == "name" and title_key("maps") == "title" and title_key("listings") == "item_name"
    for name, res in registry.RESOURCES.items():
        if res.columns:
            assert title_key(name) in {f.name for f in res.columns}, name

"""How a table's columns share its width until the person sizes them.

The resource's title column (the registry's label field: an item's name, a map's title)
stretches: it takes whatever width the other columns leave, and grows and shrinks with the
window. The others are as wide as their content (the rows on screen and the header): numbers,
money, dates and yes/no whole, other text up to the width the registry gives the field. When
they do not all fit beside the title's share, text columns give way from the right (the
registry orders a resource's columns by importance), each down to ``FLOOR``.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.core import registry
from app.core.registry import BOOL, DATETIME, INT, MONEY, NUMBER

FLOOR = 60  # px: the narrowest a text column is made to give way to
TITLE_SHARE = 0.3  # of the table's width, kept for the title column before the others give way
WHOLE = (NUMBER, MONEY, INT, DATETIME, BOOL)  # formats whose text is always shown whole


def title_key(resource: str) -> str:
    """The field a resource's rows are named by: the column that stretches."""
    return registry.RESOURCES[resource].label_field


def share_width(wants: Sequence[tuple[int, int, bool]], available: int, *, title_shown: bool) -> dict[int, int]:
    """The widths of the columns beside the title: ``wants`` is (section, wanted width, whole)
    for each shown column in the order they appear, ``available`` the table's width. Whole
    columns keep their width; the others give way from the right until the title keeps its share."""
    widths = {section: want for section, want, _whole in wants}
    room = available - (int(available * TITLE_SHARE) if title_shown else 0)
    excess = sum(widths.values()) - room
    for section, want, whole in reversed(wants):
        if excess <= 0:
            break
        if whole:
            continue
        give = min(excess, max(0, want - FLOOR))
        widths[section] = want - give
        excess -= give
    return widths

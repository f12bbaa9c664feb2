"""Formula-safe CSV cells: what Cabinet writes is never run by a spreadsheet.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some also a tab
or a carriage return) as a formula: ``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``. Every
CSV Cabinet writes passes its cells through ``neutralise()``, which puts a ``'`` in front
of such a cell (spreadsheets show the text as it was). Plain numbers (``-12.5``, ``+3``,
``-1,5e3``) are left alone, so coordinates stay numbers.

Cabinet's own importer reads such a cell back with ``restore()``, so a rejected-rows file
imports cleanly after it is fixed. The pair is exact: ``restore(neutralise(x)) == x`` for
every text, because a cell that already starts with ``'`` followed by a trigger gets a
second ``'`` too.
"""

from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def _runnable(cell: str) -> bool:
    return cell.startswith(TRIGGERS) and _NUMBER.fullmatch(cell) is None


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet will show it and never run it."""
    if not cell:
        return cell
    if _runnable(cell) or (cell[0] == QUOTE and _runnable(cell.lstrip(QUOTE))):
        return QUOTE + cell
    return cell


def restore(cell: str) -> str:
    """The text ``neutralise()`` was given (cells it did not change come back as they are)."""
    if len(cell) > 1 and cell[0] == QUOTE and _runnable(cell.lstrip(QUOTE)):
        return cell[1:]
    return cell


def neutralise_row(cells: list[str]) -> list[str]:
    return [neutralise(c) for c in cells]

"""What leaves a table view — the clipboard (Ctrl+C), a CSV file (Ctrl+E) — and what the detail
pane shows: the view's texts (names, not ids; labels, not codes), except that numbers keep every
digit stored (the table rounds coordinates to 6 decimals; a copy carries the full value)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from app.core.csvsafe import neutralise, neutralise_row
from app.ui.columns import NUMBER, Column, Lookups


def shown_text(col: Column, record: Mapping[str, Any], lookups: Lookups | None = None) -> str:
    """A field as the view shows it, with a number's full stored value."""
    if col.fmt == NUMBER:
        value = col.value(record)
        if isinstance(value, float):
            return repr(value)  # the shortest text that reads back as the same float
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return col.text(record, lookups)


def write_csv(path: str | Path, columns: Sequence[Column], records: Iterable[Mapping[str, Any]],
              lookups: Lookups | None = None, *, raw: bool = False) -> int:
    """CSV of ``records``; returns the row count. As shown (the default): the columns' titles and
    the texts the view shows. ``raw``: the API's field names and values (lists and objects as
    JSON), for programs. Every cell is formula-safe (core/csvsafe.py)."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(neutralise_row([c.key if raw else c.label() for c in columns]))
        for record in records:
            if raw:
                writer.writerow([neutralise(c.export_value(record)) for c in columns])
            else:
                writer.writerow([neutralise(shown_text(c, record, lookups)) for c in columns])
            count += 1
    return count


def _cell(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def tsv_text(columns: Sequence[Column], records: Iterable[Mapping[str, Any]], lookups: Lookups | None = None) -> str:
    """Tab-separated text as shown: a header line of titles, then one line per record."""
    lines = ["\t".join(_cell(c.label()) for c in columns)]
    for record in records:
        lines.append("\t".join(_cell(shown_text(c, record, lookups)) for c in columns))
    return "\n".join(lines) + "\n"

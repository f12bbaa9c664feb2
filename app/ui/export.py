"""Write the current table view (its query, all rows, its visible columns) to CSV or text."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from app.core.csvsafe import neutralise, neutralise_row
from app.ui.columns import Column, Lookups


def write_csv(path: str | Path, columns: Sequence[Column], records: Iterable[Mapping[str, Any]]) -> int:
    """CSV with the API's field names as the header; lists/objects as JSON; every cell formula-safe
    (core/csvsafe.py). Returns the row count."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(neutralise_row([c.key for c in columns]))
        for record in records:
            writer.writerow([neutralise(c.export_value(record)) for c in columns])
            count += 1
    return count


def _cell(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def tsv_text(columns: Sequence[Column], records: Iterable[Mapping[str, Any]], lookups: Lookups | None = None) -> str:
    """Tab-separated text as shown: a header line of titles, then one line per record."""
    lines = ["\t".join(_cell(c.label()) for c in columns)]
    for record in records:
        lines.append("\t".join(_cell(c.text(record, lookups)) for c in columns))
    return "\n".join(lines) + "\n"

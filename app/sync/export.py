"""Write cached records as CSV (columns = the API's field names; cells formula-safe) or JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from app.core.csvsafe import neutralise, neutralise_row


def columns_of(rows: Iterable[dict[str, Any]]) -> list[str]:
    """Every field that occurs, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def cell(value: Any) -> str:
    """A CSV cell: lists/objects and booleans as JSON, None as empty, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, bool | list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def write_export(fh: TextIO, rows: list[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        json.dump(rows, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
        return
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}")
    cols = columns_of(rows)
    writer = csv.writer(fh, lineterminator="\n")
    if cols:
        writer.writerow(neutralise_row(cols))
    for row in rows:
        writer.writerow([neutralise(cell(row.get(c))) for c in cols])

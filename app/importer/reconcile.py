"""Row fingerprints, and reconciliation of batches whose outcome is unknown.

A row's fingerprint is its normalised name and its coordinates to 6 decimals. A batch whose
request went out with no answer back (or that was found in state "sending" after a crash) is
matched against the map's locations before anything is sent again: the rows found get their
location ids, the rows not found are sent again. The same index finds the rows of a file that
are already on the map ("skip existing").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.core.csvimport.validate import row_fingerprint
from app.importer.ports import ImportClient

__all__ = ["Existing", "MapIndex", "find_existing", "index_map", "location_fingerprint", "match_batch",
           "row_fingerprint"]


def location_fingerprint(loc: dict[str, Any]) -> str | None:
    try:
        return row_fingerprint(loc["name"], loc["lat"], loc["lng"])
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class MapIndex:
    """Locations of a map by fingerprint, ids in the map's order (oldest first)."""

    ids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    total: int = 0

    def add(self, fingerprint: str, loc_id: str) -> None:
        self.ids[fingerprint].append(loc_id)
        self.total += 1

    def count(self, fingerprint: str) -> int:
        return len(self.ids.get(fingerprint, ()))

    def take(self, fingerprint: str) -> str | None:
        """Remove and return one id with this fingerprint (None when there is none left)."""
        ids = self.ids.get(fingerprint)
        return ids.pop(0) if ids else None


async def index_map(
    client: ImportClient,
    map_id: str,
    *,
    only: set[str] | None = None,
    exclude_ids: set[str] | frozenset[str] = frozenset(),
    page_size: int = 100,
) -> MapIndex:
    """Read every location of the map (general bucket) into a fingerprint index.

    ``only`` keeps just those fingerprints; ``exclude_ids`` leaves those locations out.
    """
    index = MapIndex()
    async for loc in client.iter_locations(map_id, page_size=page_size):
        loc_id = loc.get("id")
        if not loc_id or loc_id in exclude_ids:
            continue
        fp = location_fingerprint(loc)
        if fp is None or (only is not None and fp not in only):
            continue
        index.add(fp, loc_id)
    return index


@dataclass
class Existing:
    """Which rows of a file are already on the map (a multiset match by fingerprint)."""

    skip: list[int]  # positions (in the given sequence) of rows already on the map
    matched_ids: list[str]  # the map's locations they matched

    @property
    def count(self) -> int:
        return len(self.skip)


def find_existing(fingerprints: Sequence[str], index: MapIndex) -> Existing:
    """Rows whose fingerprint is on the map, as many times as the map has it.

    A file with the same place twice, imported into a map that has it once, skips one of the
    two: the second import of any file onto its own result skips every row.
    """
    left = {fp: list(ids) for fp, ids in index.ids.items()}
    skip: list[int] = []
    matched: list[str] = []
    for pos, fp in enumerate(fingerprints):
        ids = left.get(fp)
        if ids:
            matched.append(ids.pop(0))
            skip.append(pos)
    return Existing(skip, matched)


def match_batch(rows: Iterable[tuple[int, str]], index: MapIndex) -> tuple[dict[int, str], list[int]]:
    """Match (idx, fingerprint) pairs of a batch: ({idx: location id} found, [idx] missing).

    Consumes the ids it matches from ``index``, so several batches reconciled against one
    index never claim the same location twice.
    """
    found: dict[int, str] = {}
    missing: list[int] = []
    for idx, fp in rows:
        loc_id = index.take(fp)
        if loc_id is None:
            missing.append(idx)
        else:
            found[idx] = loc_id
    return found, missing

"""A file of any size becomes an import job without its rows ever being held in memory.

The file is read as a stream up to three times, each pass in constant memory:

1. ``check_file``: every row checked (usage errors before any request), the category, tag
   and layer names it uses, its invalid rows, and its sha256;
2. ``count_existing``: how many rows the map already has (only when the map is not empty);
3. ``create_file_job``: the job's rows written to the state database a chunk at a time,
   with the rows already on the map left out when asked.

The map's own locations are indexed once (``index_map``): memory follows the map, not the file.
Of the invalid rows only the first ``KEPT_INVALID`` are kept; the others are counted, and read
again from the file when the job stores them (``FileCheck.invalid_rows``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.csvimport import (
    CheckedStream,
    ColumnMapping,
    CsvOptions,
    InvalidRow,
    ValidRow,
    check_stream,
    file_fingerprint,
    open_input,
)
from app.importer.jobs import JobRow, JobStore
from app.importer.ports import ImportClient
from app.importer.reconcile import MapIndex, index_map
from app.importer.taxonomy import SourceRow, TaxonomyPlan, UsedNames, build_job_rows, plan_taxonomy_names

KEPT_INVALID = 1_000  # invalid rows kept in memory (shown); the rest are read again when needed


@dataclass
class FileCheck:
    """What the first pass learnt: how to read the file again, and what is in it."""

    path: str
    options: CsvOptions  # as detected: the next passes read the file the same way
    mapping: ColumnMapping
    columns: dict[str, str]  # field -> the column's title
    rows: int
    valid: int
    invalid: list[InvalidRow]
    warnings: list[str]
    names: dict[str, list[str]]
    fingerprint: str
    swapped: bool = False  # latitude and longitude look swapped (see ``warnings``)
    sample: list[ValidRow] = field(default_factory=list)  # the first valid rows, when asked for
    invalid_count: int = 0  # every invalid row; ``invalid`` holds the first KEPT_INVALID

    def invalid_rows(self) -> Iterator[InvalidRow]:
        """Every invalid row in file order: those kept, or the file read again (a pass, as a stream)."""
        if self.invalid_count <= len(self.invalid):
            yield from self.invalid
            return
        with open_input(self.path) as fh:
            checked = check_stream(fh, self.options, mapping=self.mapping, keep_invalid=False)
            for _valid, invalid in checked.chunks():
                yield from invalid

    def rejected(self) -> Iterator[dict[str, Any]]:
        return ({"line": r.line, "error": r.error, "row": r.fields} for r in self.invalid_rows())


def _source_rows(valid: list[Any]) -> list[SourceRow]:
    return [SourceRow.from_valid_row(r) for r in valid]


def check_file(path: str | Path, options: CsvOptions, columns: dict[str, str] | None, *,
               mapping: ColumnMapping | None = None, keep_valid: int = 0) -> FileCheck:
    """Pass 1. Raises NotAFileError/OSError for the file and CsvImportError for its contents.

    ``mapping`` gives the columns (the wizard's choice) instead of guessing them with
    ``columns`` overriding; the first ``keep_valid`` valid rows are kept (``sample``)."""
    with open_input(path) as fh:
        checked: CheckedStream = check_stream(fh, options, columns or None, mapping=mapping, keep_valid=keep_valid,
                                              keep_invalid=False)
        names = UsedNames()
        kept: list[InvalidRow] = []
        invalid_count = 0
        for valid, invalid in checked.chunks():
            names.add(_source_rows(valid))
            invalid_count += len(invalid)
            kept.extend(invalid[:KEPT_INVALID - len(kept)])
        result = checked.result()
        detected = checked.options
        mapping = checked.mapping
        titles = mapping.names(checked.parsed.header)
    with open_input(path) as fh:
        fingerprint = file_fingerprint(fh)
    return FileCheck(str(path), detected, mapping, titles, result.rows, result.valid_count, kept,
                     list(result.warnings), names.as_dict(), fingerprint, result.swapped, list(result.valid),
                     invalid_count)


def valid_chunks(check: FileCheck) -> Iterator[list[SourceRow]]:
    """The file's valid rows again, a chunk at a time (passes 2 and 3)."""
    with open_input(check.path) as fh:
        checked = check_stream(fh, check.options, mapping=check.mapping, keep_invalid=False)
        for valid, _invalid in checked.chunks():
            if valid:
                yield _source_rows(valid)


@dataclass
class MapPlan:
    """The map as it is before the import: its locations by fingerprint, and its taxonomy."""

    index: MapIndex
    taxonomy: TaxonomyPlan
    baseline_ids: list[str] = field(default_factory=list)


async def plan_map(client: ImportClient, map_id: str, check: FileCheck) -> MapPlan:
    """Read the map once (general bucket): its locations and the taxonomy the file names."""
    index = await index_map(client, map_id)
    taxonomy = await plan_taxonomy_names(client, map_id, check.names)
    return MapPlan(index, taxonomy, [i for ids in index.ids.values() for i in ids])


def _copy(index: MapIndex) -> MapIndex:
    fresh = MapIndex()
    for fp, ids in index.ids.items():
        fresh.ids[fp] = list(ids)
    fresh.total = index.total
    return fresh


def count_existing(check: FileCheck, plan: MapPlan) -> int:
    """Pass 2: how many of the file's rows the map already has (each map location counts once)."""
    if not plan.index.total:
        return 0
    left = _copy(plan.index)
    return sum(1 for chunk in valid_chunks(check) for row in chunk if left.take(row.fingerprint) is not None)


class _Rows:
    """Pass 3's rows as job rows, leaving out those already on the map when asked."""

    def __init__(self, check: FileCheck, plan: MapPlan, skip_existing: bool, defaults: dict[str, str]) -> None:
        self.check, self.plan = check, plan
        self.category, self.layer = defaults.get("category"), defaults.get("layer")
        self.left = _copy(plan.index) if skip_existing and plan.index.total else None
        self.skipped = 0

    def __iter__(self) -> Iterator[JobRow]:
        for chunk in valid_chunks(self.check):
            keep = chunk
            if self.left is not None:
                left = self.left
                keep = [r for r in chunk if left.take(r.fingerprint) is None]
                self.skipped += len(chunk) - len(keep)
            for row in keep:
                if self.category and not row.category:
                    row.category = self.category
                if self.layer and not row.layers:
                    row.layers = [self.layer]
            yield from build_job_rows(keep, self.plan.taxonomy)


def create_file_job(store: JobStore, check: FileCheck, plan: MapPlan, map_id: str, *,
                    skip_existing: bool, meta: dict[str, Any], defaults: dict[str, str] | None = None) -> str:
    """Pass 3: store the job (state ``queued``) in one transaction; returns its id. ``defaults``
    names the category (``"category"``) and layer (``"layer"``) of rows that name none."""
    rows = _Rows(check, plan, skip_existing, defaults or {})
    options = dict(meta.get("options") or {})
    options["taxonomy"] = plan.taxonomy.summary()
    return store.create_job(
        map_id=map_id, rows=rows, rejected=check.rejected(), file_path=check.path,
        file_fingerprint=check.fingerprint, mapping=meta.get("mapping") or dict(check.columns),
        options=options, skipped=lambda: rows.skipped, baseline_ids=plan.baseline_ids,
    )

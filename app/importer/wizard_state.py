"""The wizard's state and rules, without Qt: what was read, how it is mapped, what is sent.

Pages show this object and call its methods; the slow ones (``load``, ``parse_with``,
``validate``, ``count_existing``, ``create_job``) are plain functions the pages run in a worker
thread. The file is never held: like ``cabinet import`` (importer/filejob.py) it is streamed
once per step, in constant memory. What is kept are its first records (the previews and the
mapping's guess), its counts, the first valid rows (the map preview), its invalid rows and the
map's plan; the job's rows go from the file straight into the state database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from app.core.csvimport import (
    FIELDS,
    ColumnMapping,
    CsvOptions,
    CsvStream,
    InvalidRow,
    ParsedCsv,
    Record,
    Validator,
    ValidRow,
    guess_mapping,
    open_csv,
    open_input,
    write_rejected,
)
from app.importer.filejob import KEPT_INVALID, FileCheck, MapPlan, check_file, count_existing, create_file_job
from app.importer.jobs import JobStore
from app.importer.taxonomy import name_key

PREVIEW_ROWS = 20
MAPPING_SAMPLE = 200
MAP_SAMPLE = 5_000  # valid rows drawn on the check page's map (the first ones of the file)
SHOWN_INVALID = KEPT_INVALID  # invalid rows listed on the check page (the rest are counted, and exported)
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "iso8859-15", "mac-roman")
DELIMITER_CHOICES = (",", ";", "\t", "|")


class FileHead(ParsedCsv):
    """A file read once as a stream: how it is written, its first records (``records``: the first
    MAPPING_SAMPLE data records only) and how many it has (``count``)."""

    __slots__ = ("count",)

    def __init__(self, stream: CsvStream, records: list[Record], count: int) -> None:
        super().__init__(stream.encoding, stream.delimiter, stream.has_header, stream.decimal_comma, stream.header,
                         records, stream.options)
        self.count = count

    @property
    def read_as(self) -> CsvOptions:
        """Every setting as read: the same file read again with these reads the same."""
        return CsvOptions(encoding=self.encoding, delimiter=self.delimiter, decimal_comma=self.decimal_comma,
                          has_header=self.has_header)


def read_head(path: str, options: CsvOptions) -> FileHead:
    """Read the whole file as a stream (constant memory), keeping its first records."""
    with open_input(path) as fh:
        stream = open_csv(fh, options)
        chunks = stream.chunks()
        records: list[Record] = []
        count = 0
        for chunk in chunks:
            count += len(chunk)
            if len(records) < MAPPING_SAMPLE:
                records.extend(chunk[:MAPPING_SAMPLE - len(records)])
    return FileHead(stream, records, count)


@dataclass
class TargetPlan:
    """The chosen map as the import sees it: its plan (filejob.plan_map) and the file's rows already on it."""

    map_id: str
    plan: MapPlan
    existing: int


@dataclass
class ImportState:
    path: str = ""
    options: CsvOptions = field(default_factory=CsvOptions)
    parsed: FileHead | None = None
    detected: FileHead | None = None  # the first, all-detected read (to label the detected choices)
    mapping: ColumnMapping | None = None
    check: FileCheck | None = None
    map_id: str | None = None
    target: TargetPlan | None = None
    default_category: dict[str, Any] | None = None
    default_layer: dict[str, Any] | None = None
    skip_existing: bool = True
    create_missing: bool = True
    job_id: str | None = None

    # -- file --------------------------------------------------------------------------
    def load(self, path: str) -> FileHead:
        """Read a file with everything detected (blocking: run it in a thread)."""
        parsed = read_head(path, CsvOptions())
        self.path = str(path)
        self.options = CsvOptions()
        self.detected = parsed
        self.parsed = None
        self.set_parsed(parsed)
        return parsed

    def parse_with(self, options: CsvOptions) -> FileHead:
        """Read the file again with some options forced (blocking; does not change the state)."""
        if not self.path:
            raise ValueError("no file is loaded")
        return read_head(self.path, options)

    def set_parsed(self, parsed: FileHead) -> None:
        """A new read of the file: the mapping is guessed again and the checks are out of date."""
        changed_columns = self.parsed is None or self.parsed.header != parsed.header
        self.parsed = parsed
        self.options = parsed.options
        if changed_columns or self.mapping is None:
            self.mapping = self.guess()
        self.check = None
        self.target = None

    @property
    def file_name(self) -> str:
        return Path(self.path).name if self.path else ""

    @property
    def fingerprint(self) -> str:
        return self.check.fingerprint if self.check is not None else ""

    def preview_records(self, count: int = PREVIEW_ROWS) -> list[tuple[int, list[str]]]:
        if self.parsed is None:
            return []
        return [(r.line, list(r.fields)) for r in self.parsed.records[:count]]

    # -- mapping -----------------------------------------------------------------------
    def guess(self) -> ColumnMapping:
        parsed = self.parsed
        if parsed is None:
            return ColumnMapping()
        sample = [r.fields for r in parsed.records[:MAPPING_SAMPLE]]
        return guess_mapping(parsed.header if parsed.has_header else None, sample)

    def set_column(self, field_name: str, index: int | None) -> ColumnMapping:
        """Map a field to a column (None: not used); the column leaves any other field."""
        if field_name not in FIELDS:
            raise ValueError(f"unknown field {field_name!r}")
        mapping = (self.mapping or ColumnMapping()).with_overrides(**{field_name: index})
        self.set_mapping(mapping)
        return mapping

    def set_mapping(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        self.check = None
        self.target = None

    def mapping_problem(self) -> str | None:
        return (self.mapping or ColumnMapping()).problem()

    def mapped_preview(self, count: int = PREVIEW_ROWS) -> list[ValidRow | InvalidRow]:
        """The first records as the mapping reads them, valid or not, in file order."""
        if self.parsed is None or self.mapping is None:
            return []
        validator = Validator(self.mapping, self.parsed.decimal_comma)
        validator.feed(self.parsed.records[:count])
        rows: list[ValidRow | InvalidRow] = [*validator.valid, *validator.invalid]
        return sorted(rows, key=lambda r: r.line)

    # -- validation --------------------------------------------------------------------
    def validate(self) -> FileCheck:
        """Check every row as a stream (blocking: run it in a thread). Does not change the state."""
        if self.parsed is None or self.mapping is None:
            raise ValueError("no file is loaded")
        return check_file(self.path, self.parsed.read_as, None, mapping=self.mapping, keep_valid=MAP_SAMPLE)

    def shown_invalid(self) -> tuple[list[InvalidRow], int]:
        """The invalid rows to list (at most SHOWN_INVALID) and how many more there are."""
        if self.check is None:
            return [], 0
        shown = self.check.invalid[:SHOWN_INVALID]
        return shown, max(0, self.check.invalid_count - len(shown))

    def write_rejected(self, path: str, rows: Sequence[InvalidRow] | None = None) -> int:
        """Write the rejected rows (with line and reason columns); returns how many. Without
        ``rows``: every invalid row of the check, read again from the file when they were not all
        kept (two passes: the widest row, then the rows), never all held."""
        header = self.parsed.header if self.parsed is not None else []
        delimiter = self.parsed.delimiter if self.parsed is not None else ","
        encoding = "utf-8-sig" if self.parsed is not None and self.parsed.encoding == "utf-8-sig" else "utf-8"
        check = self.check

        def invalid() -> Iterable[InvalidRow]:
            return rows if rows is not None else (check.invalid_rows() if check is not None else ())

        width = max([len(header)] + [len(r.fields) for r in invalid()])
        with Path(path).open("w", encoding=encoding, newline="") as fh:
            return write_rejected(fh, header, invalid(), delimiter, width)

    # -- target ------------------------------------------------------------------------
    def count_existing(self, map_id: str, plan: MapPlan) -> TargetPlan:
        """How many of the file's rows the map already has (blocking: a pass over the file)."""
        if self.check is None:
            raise ValueError("the rows are not checked yet")
        return TargetPlan(map_id, plan, count_existing(self.check, plan))

    def defaults(self) -> dict[str, str]:
        """The default category and layer by name ({"category": ..., "layer": ...}); their ids join
        the plan's names so rows that name them resolve."""
        out: dict[str, str] = {}
        taxonomy = self.target.plan.taxonomy if self.target is not None else None
        for kind, default, attr in (("categories", self.default_category, "category"),
                                    ("layers", self.default_layer, "layer")):
            if not default:
                continue
            name = str(default.get("name") or "")
            if taxonomy is not None:
                key = name_key(name)
                taxonomy.ids[kind][key] = str(default["id"])
                taxonomy.names[kind].setdefault(key, name)
            out[attr] = name
        return out

    def create_job(self, store: JobStore) -> str:
        """Store the job (state ``queued``), its rows streamed from the file (blocking: run it in
        a thread with a store of that thread's own). Returns the job's id."""
        if self.check is None or self.target is None:
            raise ValueError("the rows and the map are not checked yet")
        meta = {"mapping": self.job_mapping(), "options": self.job_options()}
        return create_file_job(store, self.check, self.target.plan, self.target.map_id,
                               skip_existing=self.skip_existing, meta=meta, defaults=self.defaults())

    def job_mapping(self) -> dict[str, Any]:
        header = self.parsed.header if self.parsed is not None else []
        return (self.mapping or ColumnMapping()).names(header)

    def job_options(self) -> dict[str, Any]:
        parsed = self.parsed
        if parsed is None:
            return {}
        return {"encoding": parsed.encoding, "delimiter": parsed.delimiter, "decimal_comma": parsed.decimal_comma,
                "has_header": parsed.has_header}

    def rejected_rows_of_job(self, rejected: list[dict[str, Any]]) -> list[InvalidRow]:
        """The job's rejected rows (checked before sending or refused by the server) for the export:
        a row refused by the server is read again from the file, by its line (a pass, as a stream)."""
        wanted = {int(r.get("line", 0)) for r in rejected if not isinstance(r.get("row"), list)}
        by_line = self._records_at(wanted) if wanted else {}
        return [InvalidRow(int(r.get("line", 0)), str(r.get("error", "")),
                           list(r["row"]) if isinstance(r.get("row"), list) else by_line.get(int(r.get("line", 0)), []))
                for r in rejected]

    def _records_at(self, lines: set[int]) -> dict[int, list[str]]:
        if self.parsed is None or not self.path:
            return {}
        found: dict[int, list[str]] = {}
        try:
            with open_input(self.path) as fh:
                for record in chain.from_iterable(open_csv(fh, self.parsed.read_as).chunks()):
                    if record.line in lines:
                        found[record.line] = list(record.fields)
                        if len(found) == len(lines):
                            break
        except (OSError, ValueError):
            return found  # the file moved or changed since: the rows are exported without their fields
        return found


__all__ = ["DELIMITER_CHOICES", "ENCODINGS", "FileHead", "ImportState", "TargetPlan"]

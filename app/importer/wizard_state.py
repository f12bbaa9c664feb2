"""The wizard's state and rules, without Qt: what was read, how it is mapped, what is sent.

Pages show this object and call its methods; the slow ones (``load``, ``reparse``,
``validate``) are plain functions the pages run in a worker thread. The engine does the
real work (app.core.csvimport, app.importer); this only ties the steps together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.csvimport import (
    FIELDS,
    ColumnMapping,
    CsvOptions,
    InvalidRow,
    ParsedCsv,
    ValidationResult,
    ValidRow,
    export_rejected,
    file_fingerprint,
    guess_mapping,
    parse_csv,
    read_file,
    validate_records,
)
from app.importer.runner import ImportPlan
from app.importer.taxonomy import SourceRow, name_key

PREVIEW_ROWS = 20
MAPPING_SAMPLE = 200
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "iso8859-15", "mac-roman")
DELIMITER_CHOICES = (",", ";", "\t", "|")


@dataclass
class ImportState:
    path: str = ""
    data: bytes | None = None
    fingerprint: str = ""
    options: CsvOptions = field(default_factory=CsvOptions)
    parsed: ParsedCsv | None = None
    detected: ParsedCsv | None = None  # the first, all-detected read (to label the detected choices)
    mapping: ColumnMapping | None = None
    result: ValidationResult | None = None
    map_id: str | None = None
    plan: ImportPlan | None = None
    default_category: dict[str, Any] | None = None
    default_layer: dict[str, Any] | None = None
    skip_existing: bool = True
    create_missing: bool = True
    job_id: str | None = None

    # -- file --------------------------------------------------------------------------
    def load(self, path: str) -> ParsedCsv:
        """Read and parse a file with everything detected (blocking: run it in a thread)."""
        data = read_file(path)
        parsed = parse_csv(data, CsvOptions())
        self.path, self.data, self.fingerprint = str(path), data, file_fingerprint(data)
        self.options = CsvOptions()
        self.detected = parsed
        self.set_parsed(parsed)
        return parsed

    def parse_with(self, options: CsvOptions) -> ParsedCsv:
        """Parse the loaded bytes with some options forced (blocking; does not change the state)."""
        if self.data is None:
            raise ValueError("no file is loaded")
        return parse_csv(self.data, options)

    def set_parsed(self, parsed: ParsedCsv) -> None:
        """A new read of the file: the mapping is guessed again and the checks are out of date."""
        changed_columns = self.parsed is None or self.parsed.header != parsed.header
        self.parsed = parsed
        self.options = parsed.options
        if changed_columns or self.mapping is None:
            self.mapping = self.guess()
        self.result = None
        self.plan = None

    @property
    def file_name(self) -> str:
        return Path(self.path).name if self.path else ""

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
        current = self.mapping or ColumnMapping()
        self.mapping = current.with_overrides(**{field_name: index})
        self.result = None
        self.plan = None
        return self.mapping

    def mapping_problem(self) -> str | None:
        return (self.mapping or ColumnMapping()).problem()

    def mapped_preview(self, count: int = PREVIEW_ROWS) -> list[ValidRow | InvalidRow]:
        """The first records as the mapping reads them, valid or not, in file order."""
        if self.parsed is None or self.mapping is None:
            return []
        result = validate_records(self.parsed, self.mapping, self.parsed.records[:count])
        rows: list[ValidRow | InvalidRow] = [*result.valid, *result.invalid]
        return sorted(rows, key=lambda r: r.line)

    # -- validation --------------------------------------------------------------------
    def validate(self) -> ValidationResult:
        """Check every row (blocking: run it in a thread). Does not change the state."""
        if self.parsed is None or self.mapping is None:
            raise ValueError("no file is loaded")
        return validate_records(self.parsed, self.mapping)

    def rejected_csv(self, rows: list[InvalidRow] | None = None) -> str:
        header = self.parsed.header if self.parsed is not None else []
        delimiter = self.parsed.delimiter if self.parsed is not None else ","
        invalid = rows if rows is not None else (self.result.invalid if self.result else [])
        return export_rejected(header, invalid, delimiter)

    def write_rejected(self, path: str, rows: list[InvalidRow] | None = None) -> int:
        """Write the rejected rows (with line and reason columns); returns how many."""
        invalid = rows if rows is not None else (self.result.invalid if self.result else [])
        encoding = "utf-8-sig" if self.parsed is not None and self.parsed.encoding == "utf-8-sig" else "utf-8"
        Path(path).write_text(self.rejected_csv(invalid), encoding=encoding, newline="")
        return len(invalid)

    def source_rows(self) -> list[SourceRow]:
        return [SourceRow.from_valid_row(r) for r in (self.result.valid if self.result else [])]

    def rejected_for_job(self) -> list[dict[str, Any]]:
        invalid = self.result.invalid if self.result else []
        return [{"line": r.line, "error": r.error, "row": list(r.fields), "source": "client"} for r in invalid]

    # -- target ------------------------------------------------------------------------
    def apply_defaults(self, plan: ImportPlan) -> ImportPlan:
        """Rows with no category (no layer) get the default one; its id joins the plan's names."""
        for kind, default, attr in (("categories", self.default_category, "category"),
                                    ("layers", self.default_layer, "layers")):
            if not default:
                continue
            name = str(default.get("name") or "")
            key = name_key(name)
            plan.taxonomy.ids[kind][key] = str(default["id"])
            plan.taxonomy.names[kind].setdefault(key, name)
            for row in plan.rows:
                if attr == "category" and not row.category:
                    row.category = name
                elif attr == "layers" and not row.layers:
                    row.layers = [name]
        return plan

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
        """The job's rejected rows (checked before sending or refused by the server) for the export."""
        by_line = {r.line: r.fields for r in self.parsed.records} if self.parsed is not None else {}
        return [InvalidRow(int(r.get("line", 0)), str(r.get("error", "")),
                           list(r.get("row") or by_line.get(int(r.get("line", 0)), [])))
                for r in rejected]

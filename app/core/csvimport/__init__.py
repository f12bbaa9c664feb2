"""The CSV import engine: Qt-free and I/O-free (except `read_file`).

Typical use (the wizard, the CLI and the job engine all go through this)::

    data = read_file(path)
    plan = analyse(data, CsvOptions(delimiter=None), columns={"name": "Title"})
    plan.parsed.encoding, plan.parsed.delimiter, plan.mapping.names(plan.parsed.header)
    plan.result.valid, plan.result.invalid, plan.result.warnings, plan.result.batches()

Each step can also be run alone: `parse_csv`, `guess_mapping`, `validate_records`.
"""

from __future__ import annotations

from .coords import CoordinateError, looks_numeric, parse_coordinate, parse_wkt_point
from .errors import (
    CsvFormatError,
    CsvImportError,
    DecodingError,
    EmptyFileError,
    MappingError,
    NotTextError,
)
from .mapping import FIELDS, ColumnMapping, guess_mapping, normalise_label, resolve_column
from .reading import (
    DELIMITER_NAMES,
    DELIMITERS,
    CsvOptions,
    ParsedCsv,
    Record,
    decode_bytes,
    detect_decimal_comma,
    detect_delimiter,
    detect_header,
    parse_csv,
    read_file,
    split_records,
)
from .validate import (
    BATCH_SIZE,
    InvalidRow,
    ValidationResult,
    ValidRow,
    export_rejected,
    file_fingerprint,
    make_batches,
    row_fingerprint,
    split_tags,
    validate_records,
)

__all__ = [
    "BATCH_SIZE", "DELIMITERS", "DELIMITER_NAMES", "FIELDS",
    "ColumnMapping", "CoordinateError", "CsvFormatError", "CsvImportError", "CsvOptions", "DecodingError",
    "EmptyFileError", "ImportPlan", "InvalidRow", "MappingError", "NotTextError", "ParsedCsv", "Record",
    "ValidRow", "ValidationResult",
    "analyse", "decode_bytes", "detect_decimal_comma", "detect_delimiter", "detect_header", "export_rejected",
    "file_fingerprint", "guess_mapping", "looks_numeric", "make_batches", "normalise_label", "parse_coordinate",
    "parse_csv", "parse_wkt_point", "read_file", "resolve_column", "row_fingerprint", "split_records",
    "split_tags", "validate_records",
]


TYPE_CHECKING = False  # no `typing` at run time (start-up time of the command line)
if TYPE_CHECKING:
    from collections.abc import Mapping


class ImportPlan:
    """Everything a dry run knows: how the file was read, the mapping, and the checked rows."""

    __slots__ = ("parsed", "mapping", "result")

    def __init__(self, parsed: ParsedCsv, mapping: ColumnMapping, result: ValidationResult) -> None:
        self.parsed = parsed
        self.mapping = mapping
        self.result = result

    def __repr__(self) -> str:
        return f"ImportPlan({self.parsed!r}, {self.mapping!r}, {self.result!r})"

    @property
    def columns(self) -> dict[str, str]:
        return self.mapping.names(self.parsed.header)

    def rejected_csv(self, delimiter: str = ",") -> str:
        return export_rejected(self.parsed.header, self.result.invalid, delimiter)


def resolve_overrides(header: list[str], columns: Mapping[str, str | int | None]) -> dict[str, int | None]:
    """{"name": "Title", "lat": 3, "wkt": None} -> 0-based indexes (None unmaps a field)."""
    out: dict[str, int | None] = {}
    for field, spec in columns.items():
        if field not in FIELDS:
            raise MappingError(f"unknown field '{field}'", f"Use one of {', '.join(FIELDS)}.")
        out[field] = None if spec is None else resolve_column(header, spec)
    return out


def analyse(data: bytes | str | ParsedCsv, options: CsvOptions | None = None,
            columns: Mapping[str, str | int | None] | None = None, *, require_mapping: bool = True) -> ImportPlan:
    """Read, map and validate a whole file.

    `columns` overrides the guessed mapping (titles or 1-based numbers). With `require_mapping`
    a mapping with no name or no coordinates raises MappingError instead of marking every row
    invalid. Raises CsvImportError subclasses for problems with the file as a whole.
    """
    parsed = data if isinstance(data, ParsedCsv) else parse_csv(data, options)
    sample = [r.fields for r in parsed.records[:200]]
    overrides = resolve_overrides(parsed.header, columns) if columns else None
    mapping = guess_mapping(parsed.header if parsed.has_header else None, sample, overrides)
    if require_mapping:
        problem = mapping.problem()
        if problem:
            shown = ", ".join(f"'{t}'" for t in parsed.header)
            raise MappingError(f"{problem} (columns: {shown})",
                               "Choose the columns: name, and latitude and longitude or a WKT column.")
    return ImportPlan(parsed=parsed, mapping=mapping, result=validate_records(parsed, mapping))

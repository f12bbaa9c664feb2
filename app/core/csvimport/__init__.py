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
    CHUNK,
    DELIMITER_NAMES,
    DELIMITERS,
    CsvOptions,
    CsvStream,
    ParsedCsv,
    Record,
    decode_bytes,
    detect_decimal_comma,
    detect_delimiter,
    detect_header,
    iter_record_chunks,
    open_csv,
    parse_csv,
    read_file,
    split_records,
)
from .validate import (
    BATCH_SIZE,
    InvalidRow,
    ValidationResult,
    Validator,
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
    "CHUNK", "CsvStream", "ValidRow", "ValidationResult", "Validator",
    "analyse", "decode_bytes", "detect_decimal_comma", "detect_delimiter", "detect_header", "export_rejected",
    "file_fingerprint", "guess_mapping", "looks_numeric", "make_batches", "normalise_label", "parse_coordinate",
    "parse_csv", "parse_wkt_point", "read_file", "resolve_column", "row_fingerprint", "split_records",
    "split_tags", "validate_records", "iter_record_chunks", "open_csv", "resolve_overrides", "summarise",
]


TYPE_CHECKING = False  # no `typing` at run time (start-up time of the command line)
if TYPE_CHECKING:
    from collections.abc import Mapping


_MAPPING_SAMPLE = 200


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


def _mapping_for(header: list[str], has_header: bool, sample: list[list[str]],
                 columns: Mapping[str, str | int | None] | None, require_mapping: bool) -> ColumnMapping:
    overrides = resolve_overrides(header, columns) if columns else None
    mapping = guess_mapping(header if has_header else None, sample, overrides)
    if require_mapping:
        problem = mapping.problem()
        if problem:
            shown = ", ".join(f"'{t}'" for t in header)
            raise MappingError(f"{problem} (columns: {shown})",
                               "Choose the columns: name, and latitude and longitude or a WKT column.")
    return mapping


def analyse(data: bytes | str | ParsedCsv, options: CsvOptions | None = None,
            columns: Mapping[str, str | int | None] | None = None, *, require_mapping: bool = True) -> ImportPlan:
    """Read, map and validate a whole file (every valid row kept: for the wizard and the jobs).

    `columns` overrides the guessed mapping (titles or 1-based numbers; None unmaps). With
    `require_mapping` a mapping with no name or no coordinates raises MappingError instead of
    marking every row invalid. Raises CsvImportError subclasses for problems with the file.
    """
    parsed = data if isinstance(data, ParsedCsv) else parse_csv(data, options)
    sample = [r.fields for r in parsed.records[:_MAPPING_SAMPLE]]
    mapping = _mapping_for(parsed.header, parsed.has_header, sample, columns, require_mapping)
    return ImportPlan(parsed=parsed, mapping=mapping, result=validate_records(parsed, mapping))


def summarise(data: bytes | str, options: CsvOptions | None = None,
              columns: Mapping[str, str | int | None] | None = None, *, keep_valid: int = 5,
              require_mapping: bool = True) -> ImportPlan:
    """The same checks as `analyse` in one pass and constant memory (a dry run): every invalid
    row, the count of valid ones (`result.valid_count`) and only the first `keep_valid` valid
    rows. `plan.parsed` is then a CsvStream (no `records`)."""
    stream = open_csv(data, options)
    chunks = stream.chunks()
    head: list[list[Record]] = []
    sample: list[list[str]] = []
    for chunk in chunks:
        head.append(chunk)
        sample.extend(r.fields for r in chunk)
        if len(sample) >= _MAPPING_SAMPLE:
            break
    mapping = _mapping_for(stream.header, stream.has_header, sample[:_MAPPING_SAMPLE], columns, require_mapping)
    validator = Validator(mapping, stream.options.decimal_comma, keep_valid)
    for chunk in head:
        validator.feed(chunk)
    for chunk in chunks:
        validator.feed(chunk)
    return ImportPlan(parsed=stream, mapping=mapping, result=validator.result())  # type: ignore[arg-type]

"""The CSV import engine: Qt-free and I/O-free (except `open_input` and `read_file`, which
read only regular files).

Typical use (the wizard, the CLI and the job engine all go through this)::

    data = read_file(path)
    plan = analyse(data, CsvOptions(delimiter=None), columns={"name": "Title"})
    with open_input(path) as fh:            # any size, constant memory: a dry run
        plan = summarise(fh, CsvOptions(), keep_valid=5)
    plan.parsed.encoding, plan.parsed.delimiter, plan.mapping.names(plan.parsed.header)
    plan.result.valid, plan.result.invalid, plan.result.warnings, plan.result.batches()

Each step can also be run alone: `parse_csv`, `guess_mapping`, `validate_records`.
"""

from __future__ import annotations

from itertools import chain

from .coords import CoordinateError, looks_numeric, parse_coordinate, parse_wkt_point
from .errors import (
    CsvFormatError,
    CsvImportError,
    DecodingError,
    EmptyFileError,
    MappingError,
    NotAFileError,
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
    open_input,
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
    write_rejected,
)

__all__ = [
    "BATCH_SIZE", "DELIMITERS", "DELIMITER_NAMES", "FIELDS",
    "ColumnMapping", "CoordinateError", "CsvFormatError", "CsvImportError", "CsvOptions", "DecodingError",
    "EmptyFileError", "ImportPlan", "InvalidRow", "MappingError", "NotAFileError", "NotTextError", "ParsedCsv", "Record",
    "CHUNK", "CheckedStream", "CsvStream", "ValidRow", "ValidationResult", "Validator", "check_stream",
    "analyse", "decode_bytes", "detect_decimal_comma", "detect_delimiter", "detect_header", "export_rejected",
    "file_fingerprint", "guess_mapping", "looks_numeric", "make_batches", "normalise_label", "parse_coordinate",
    "open_input", "parse_csv", "parse_wkt_point", "read_file", "resolve_column", "row_fingerprint", "split_records",
    "split_tags", "validate_records", "write_rejected", "iter_record_chunks", "open_csv", "resolve_overrides", "summarise",
]


TYPE_CHECKING = False  # no `typing` at run time (start-up time of the command line)
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing import BinaryIO


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


class CheckedStream:
    """A file read once, chunk by chunk, each record checked: ``chunks()`` yields the valid and
    invalid rows of one chunk at a time, ``result()`` then holds the counts, the warnings, the
    first ``keep_valid`` valid rows and (with ``keep_invalid``) every invalid one. ``parsed``
    says how the file was read, ``mapping`` how its columns map."""

    def __init__(self, stream: CsvStream, mapping: ColumnMapping, chunks: Iterator[list[Record]], *,
                 keep_valid: int = 0, keep_invalid: bool = True) -> None:
        self.parsed = stream
        self.mapping = mapping
        self._chunks = chunks
        self._keep_valid = keep_valid
        self._keep_invalid = keep_invalid
        self._validator = Validator(mapping, stream.options.decimal_comma)
        self._preview: list[ValidRow] = []
        self._invalid: list[InvalidRow] = []

    @property
    def options(self) -> CsvOptions:
        """What was detected, as options: the same file read again with them reads the same."""
        p = self.parsed
        return CsvOptions(encoding=p.encoding, delimiter=p.delimiter, decimal_comma=p.decimal_comma,
                          has_header=p.has_header)

    def chunks(self) -> Iterator[tuple[list[ValidRow], list[InvalidRow]]]:
        validator = self._validator
        for chunk in self._chunks:
            validator.feed(chunk)
            valid, invalid = validator.valid, validator.invalid
            validator.valid, validator.invalid = [], []  # nothing piles up in the validator
            if len(self._preview) < self._keep_valid:
                self._preview.extend(valid[: self._keep_valid - len(self._preview)])
            if self._keep_invalid:
                self._invalid.extend(invalid)
            yield valid, invalid

    def result(self) -> ValidationResult:
        done = self._validator.result()
        return ValidationResult(rows=done.rows, valid=self._preview, invalid=self._invalid,
                                warnings=done.warnings, swapped=done.swapped, valid_count=done.valid_count)


def check_stream(data: bytes | str | BinaryIO, options: CsvOptions | None = None,
                 columns: Mapping[str, str | int | None] | None = None, *, mapping: ColumnMapping | None = None,
                 keep_valid: int = 0, keep_invalid: bool = True, require_mapping: bool = True) -> CheckedStream:
    """Open a file for one checked pass in constant memory (but for the invalid rows kept). The
    mapping is guessed from the first records (with `columns` overriding), unless `mapping` is
    given (a second pass over the same file). Raises the CsvImportError subclasses."""
    stream = open_csv(data, options)
    chunks = stream.chunks()
    head: list[list[Record]] = []
    if mapping is None:
        sample: list[list[str]] = []
        for chunk in chunks:
            head.append(chunk)
            sample.extend(r.fields for r in chunk)
            if len(sample) >= _MAPPING_SAMPLE:
                break
        mapping = _mapping_for(stream.header, stream.has_header, sample[:_MAPPING_SAMPLE], columns,
                               require_mapping)
    return CheckedStream(stream, mapping, chain(head, chunks), keep_valid=keep_valid, keep_invalid=keep_invalid)


def summarise(data: bytes | str | BinaryIO, options: CsvOptions | None = None,
              columns: Mapping[str, str | int | None] | None = None, *, keep_valid: int = 5,
              require_mapping: bool = True) -> ImportPlan:
    """The same checks as `analyse` in one pass and constant memory (a dry run): every invalid
    row, the count of valid ones (`result.valid_count`) and only the first `keep_valid` valid
    rows. `plan.parsed` is then a CsvStream (no `records`)."""
    checked = check_stream(data, options, columns, keep_valid=keep_valid, require_mapping=require_mapping)
    for _chunk in checked.chunks():
        pass
    return ImportPlan(parsed=checked.parsed, mapping=checked.mapping, result=checked.result())  # type: ignore[arg-type]

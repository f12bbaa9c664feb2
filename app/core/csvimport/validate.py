"""Row validation with the server's rules (docs/api-contract.md, Location), the swapped
coordinates warning, batches, the rejected-rows export and fingerprints."""

from __future__ import annotations

import gc
import unicodedata
from collections import namedtuple
from itertools import islice, repeat
from operator import itemgetter

from app.core.csvsafe import QUOTE, neutralise_row, restore
from app.core.registry import BULK_LIMIT, RESOURCES, text_length

from .coords import CoordinateError, parse_coordinate, parse_wkt_point
from .mapping import ColumnMapping

TYPE_CHECKING = False  # typing is not imported at run time: it costs ~20 ms at start-up
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any, BinaryIO, TextIO

    from .reading import ParsedCsv, Record

__all__ = [
    "BATCH_SIZE",
    "InvalidRow",
    "ValidRow",
    "ValidationResult",
    "Validator",
    "export_rejected",
    "write_rejected",
    "file_fingerprint",
    "make_batches",
    "row_fingerprint",
    "split_tags",
    "validate_records",
]

# The server's limits, from the resource registry (each written once, there).
BATCH_SIZE = BULK_LIMIT    # Mapiry bulk create: 1-100 locations, atomic
_LOCATION = RESOURCES["locations"].fields
NAME_MAX = int(_LOCATION["name"].high)
DESCRIPTION_MAX = int(_LOCATION["description"].high)
ADDRESS_MAX = int(_LOCATION["address"].high)
CATEGORY_MAX = int(RESOURCES["categories"].fields["name"].high)
TAG_MAX = int(RESOURCES["tags"].fields["name"].high)
LAYER_MAX = int(RESOURCES["layers"].fields["name"].high)
LAT_LOW, LAT_HIGH = float(_LOCATION["lat"].low), float(_LOCATION["lat"].high)
LNG_LOW, LNG_HIGH = float(_LOCATION["lng"].low), float(_LOCATION["lng"].high)
_EXTRA_SPACE = "\ufeff\u200b\u2060"  # stripped like JavaScript's trim() would (stricter than needed)


def _clean(text: str) -> str:
    text = text.strip()
    if text and (text[0] in _EXTRA_SPACE or text[-1] in _EXTRA_SPACE):
        text = text.strip(_EXTRA_SPACE + " \t\r\n\u00a0")
    return restore(text).strip() if text[:1] == QUOTE else text  # a cell Cabinet made formula-safe


_ValidRowBase = namedtuple(
    "_ValidRowBase",
    ["line", "name", "lat", "lng", "description", "address", "category", "tags", "layer", "fields"],
    defaults=(None, None, None, (), None, ()),
)


class ValidRow(_ValidRowBase):
    """A row that the server will accept (as far as the client can tell). Immutable (a named
    tuple: cheap to make by the ten thousand): line, name, lat, lng, description, address,
    category, tags (a tuple of names), layer, fields (the record as read)."""

    __slots__ = ()

    def to_location(self) -> dict[str, Any]:
        """The bulk-create entry without category/tag ids (the job engine adds those)."""
        out: dict[str, Any] = {"name": self.name, "lat": self.lat, "lng": self.lng}
        if self.description:
            out["description"] = self.description
        if self.address:
            out["address"] = self.address
        return out

    @property
    def fingerprint(self) -> str:
        return row_fingerprint(self.name, self.lat, self.lng)

    def __repr__(self) -> str:
        return f"ValidRow(line={self.line}, name={self.name!r}, lat={self.lat}, lng={self.lng})"


class InvalidRow(namedtuple("_InvalidRowBase", ["line", "error", "fields"])):
    """A row the server would refuse: where it starts, why, and its fields as read."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"InvalidRow(line={self.line}, error={self.error!r})"


class ValidationResult:
    """`rows` records read (blank lines not counted) = valid_count + len(invalid), in file order.
    `valid` holds every valid row (or only the first ones when validated with `keep_valid`;
    `valid_count` counts them all). `swapped`: the data look like latitude and longitude
    swapped (see `warnings` for why)."""

    __slots__ = ("rows", "valid", "invalid", "warnings", "swapped", "valid_count")

    def __init__(self, rows: int, valid: list[ValidRow], invalid: list[InvalidRow],
                 warnings: list[str] | None = None, swapped: bool = False, valid_count: int | None = None) -> None:
        self.rows = rows
        self.valid = valid
        self.invalid = invalid
        self.warnings = warnings if warnings is not None else []
        self.swapped = swapped
        self.valid_count = len(valid) if valid_count is None else valid_count

    def batches(self, size: int = BATCH_SIZE) -> list[list[ValidRow]]:
        return make_batches(self.valid, size)

    @property
    def batch_count(self) -> int:
        return -(-self.valid_count // BATCH_SIZE)

    def preview(self, count: int = 5) -> list[ValidRow]:
        return self.valid[:count]

    def __repr__(self) -> str:
        return (f"ValidationResult(rows={self.rows}, valid={self.valid_count}, invalid={len(self.invalid)}, "
                f"swapped={self.swapped})")


def split_tags(text: str) -> list[str]:
    """'a, b;c | a' -> ['a', 'b', 'c'] (order kept, duplicates ignored case-insensitively)."""
    out: list[str] = []
    seen: set[str] = set()
    for part in text.replace(";", ",").replace("|", ",").split(","):
        tag = _clean(part)
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
    return out


def _coordinate(raw: str, axis: str, decimal_comma: bool | None) -> float:
    try:
        return float(raw)
    except ValueError:
        return parse_coordinate(raw, axis, decimal_comma)


def _shown(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:.3g}"


def _optional(fields: list[str], index: int | None) -> str | None:
    if index is None or index >= len(fields):
        return None
    text = fields[index].strip()
    return (restore(text).strip() if text[:1] == QUOTE else text) or None


_INF = float("inf")
_first, _second = itemgetter(0), itemgetter(1)


class _RowChecker:
    """The full check of one row, with every reason; also counts what the swap warning needs."""

    def __init__(self, mapping: ColumnMapping, decimal_comma: bool | None) -> None:
        self.m = mapping
        self.use_wkt = mapping.uses_wkt
        self.decimal_comma = decimal_comma
        self.numeric = self.lat_out = self.swap_fit = self.hemi_swapped = 0

    def _name(self, fields: list[str], errors: list[str]) -> str:
        index = self.m.name
        if index is None:
            errors.append("no name column is mapped")
            return ""
        if index >= len(fields):
            errors.append(f"name is missing (the row has {len(fields)} fields)")
            return ""
        name = _clean(fields[index])
        if not name:
            errors.append("name is empty")
        elif text_length(name) > NAME_MAX:
            errors.append(f"name is longer than {NAME_MAX} characters ({text_length(name)})")
        return name

    def _coordinates(self, fields: list[str], errors: list[str]) -> tuple[float | None, float | None]:
        m, count = self.m, len(fields)
        lat = lng = None
        if self.use_wkt:
            if m.wkt is None or m.wkt >= count:
                errors.append(f"WKT point is missing (the row has {count} fields)")
            else:
                try:
                    lat, lng = parse_wkt_point(fields[m.wkt])
                except CoordinateError as exc:
                    errors.append(f"WKT {exc}")
            return lat, lng
        if m.lat is None or m.lng is None:
            errors.append("no latitude/longitude columns are mapped")
            return None, None
        if m.lat >= count:
            errors.append(f"latitude is missing (the row has {count} fields)")
        else:
            try:
                lat = _coordinate(fields[m.lat], "lat", self.decimal_comma)
            except CoordinateError as exc:
                if "belongs to a longitude" in str(exc):
                    self.hemi_swapped += 1
                errors.append(f"latitude {exc}")
        if m.lng >= count:
            errors.append(f"longitude is missing (the row has {count} fields)")
        else:
            try:
                lng = _coordinate(fields[m.lng], "lng", self.decimal_comma)
            except CoordinateError as exc:
                errors.append(f"longitude {exc}")
        return lat, lng

    @staticmethod
    def _bounded(fields: list[str], index: int | None, label: str, limit: int, errors: list[str]) -> str | None:
        """An optional column's text; an error when it is longer than the server allows."""
        value = _optional(fields, index)
        if value and text_length(value) > limit:
            errors.append(f"{label} is longer than {limit} characters")
        return value

    def _ranges(self, lat: float | None, lng: float | None, errors: list[str]) -> None:
        if lat is not None:
            if lng is not None:
                self.numeric += 1
            if lat != lat or lat in (_INF, -_INF):
                errors.append("latitude is not a finite number")
            elif not LAT_LOW <= lat <= LAT_HIGH:
                errors.append(f"latitude {_shown(lat)} is out of range (must be between {LAT_LOW:g} and {LAT_HIGH:g})")
                self.lat_out += 1
                if lng is not None and LAT_LOW <= lng <= LAT_HIGH:
                    self.swap_fit += 1
        if lng is not None:
            if lng != lng or lng in (_INF, -_INF):
                errors.append("longitude is not a finite number")
            elif not LNG_LOW <= lng <= LNG_HIGH:
                errors.append(f"longitude {_shown(lng)} is out of range (must be between {LNG_LOW:g} and {LNG_HIGH:g})")

    def check(self, line: int, fields: list[str]) -> ValidRow | InvalidRow:
        m = self.m
        errors: list[str] = []
        name = self._name(fields, errors)
        lat, lng = self._coordinates(fields, errors)
        self._ranges(lat, lng, errors)
        description, address, category, layer = (
            self._bounded(fields, index, label, limit, errors)
            for index, label, limit in ((m.description, "description", DESCRIPTION_MAX),
                                        (m.address, "address", ADDRESS_MAX),
                                        (m.category, "category", CATEGORY_MAX),
                                        (m.layer, "layer", LAYER_MAX)))
        raw_tags = _optional(fields, m.tags)
        tags = tuple(split_tags(raw_tags)) if raw_tags else ()
        long_tags = [t for t in tags if text_length(t) > TAG_MAX]
        if long_tags:
            errors.append(f"tag '{long_tags[0][:20]}...' is longer than {TAG_MAX} characters")
        if errors or lat is None or lng is None:
            return InvalidRow(line, "; ".join(errors) or "no coordinates", fields)
        return ValidRow(line, name, lat, lng, description, address, category, tags, layer, fields)


_CHUNK = 512


def _plain_columns(chunk: Sequence[Record], mapping: ColumnMapping) -> tuple[Any, ...] | None:
    """The checked columns of `chunk` when every row is plainly valid (plain decimals in range,
    a short name, short texts), checked with map/min/max in C; None when any row needs the
    full check."""
    name_i, lat_i, lng_i = mapping.name, mapping.lat, mapping.lng
    desc_i, addr_i = mapping.description, mapping.address
    fields = list(map(_second, chunk))
    needed = max(i for i in (name_i, lat_i, lng_i, desc_i, addr_i) if i is not None) + 1
    columns = list(islice(zip(*fields, strict=False), needed))  # transposed; stops at the shortest row
    if len(columns) < needed:
        return None  # a row without all the mapped columns
    try:
        names = list(map(str.strip, columns[name_i]))
        lats = list(map(float, columns[lat_i]))
        lngs = list(map(float, columns[lng_i]))
        descriptions = list(map(str.strip, columns[desc_i])) if desc_i is not None else None
        addresses = list(map(str.strip, columns[addr_i])) if addr_i is not None else None
    except ValueError:
        return None
    if not all(names) or max(map(len, names)) > NAME_MAX // 2:
        return None
    if min(lats) < LAT_LOW or max(lats) > LAT_HIGH or min(lngs) < LNG_LOW or max(lngs) > LNG_HIGH:
        return None
    total = sum(lats) + sum(lngs)
    if total != total:  # a NaN slips through min/max, not through a sum
        return None
    joined = "".join(names)
    if any(ch in joined for ch in _EXTRA_SPACE):
        return None
    for texts in (names, descriptions, addresses):  # a formula-safe cell: the full check restores it
        if texts is not None and QUOTE in "".join(texts) and any(t[:1] == QUOTE for t in texts):
            return None
    if descriptions is not None and max(map(len, descriptions)) > DESCRIPTION_MAX // 2:
        return None
    if addresses is not None and max(map(len, addresses)) > ADDRESS_MAX // 2:
        return None
    return fields, names, lats, lngs, descriptions, addresses


def _plain_rows(chunk: Sequence[Record], columns: tuple[Any, ...]) -> list[ValidRow]:
    fields, names, lats, lngs, descriptions, addresses = columns
    descriptions_out = repeat(None) if descriptions is None else [d or None for d in descriptions]
    addresses_out = repeat(None) if addresses is None else [a or None for a in addresses]
    return list(map(tuple.__new__, repeat(ValidRow),
                    zip(map(_first, chunk), names, lats, lngs, descriptions_out, addresses_out, repeat(None),
                        repeat(()), repeat(None), fields)))


class Validator:
    """Incremental validation: `feed()` records in file order (any number of times), then
    `result()`. With `keep_valid=N` only the first N valid rows are kept (they are all
    counted: `ValidationResult.valid_count`): a summary in constant memory."""

    def __init__(self, mapping: ColumnMapping, decimal_comma: bool | None = None,
                 keep_valid: int | None = None) -> None:
        self.mapping = mapping
        self.keep_valid = keep_valid
        self._checker = _RowChecker(mapping, decimal_comma)
        self._plain_ok = (mapping.name is not None and mapping.lat is not None and mapping.lng is not None
                          and not mapping.uses_wkt and mapping.category is None and mapping.tags is None
                          and mapping.layer is None)
        self.rows = 0
        self.valid_count = 0
        self._plain = 0
        self.valid: list[ValidRow] = []
        self.invalid: list[InvalidRow] = []

    def feed(self, records: Sequence[Record]) -> None:
        keep = self.keep_valid
        valid, invalid, check = self.valid, self.invalid, self._checker.check
        gc_was_enabled = gc.isenabled()
        gc.disable()  # many new tuples and no cycles: the collector would only slow this down
        try:
            for start in range(0, len(records), _CHUNK):
                chunk = records[start:start + _CHUNK]
                self.rows += len(chunk)
                columns = _plain_columns(chunk, self.mapping) if self._plain_ok else None
                if columns is not None:
                    self._plain += len(chunk)
                    self.valid_count += len(chunk)
                    if keep is None:
                        valid.extend(_plain_rows(chunk, columns))
                    elif len(valid) < keep:
                        valid.extend(_plain_rows(chunk[:keep - len(valid)], columns))
                    continue
                for line, fields in chunk:
                    row = check(line, fields)
                    if type(row) is ValidRow:
                        self.valid_count += 1
                        if keep is None or len(valid) < keep:
                            valid.append(row)
                    else:
                        invalid.append(row)  # type: ignore[arg-type]
        finally:
            if gc_was_enabled:
                gc.enable()

    def result(self) -> ValidationResult:
        checker = self._checker
        numeric = checker.numeric + self._plain
        warnings: list[str] = []
        swapped = False
        if checker.swap_fit and checker.swap_fit == checker.lat_out and checker.swap_fit * 10 >= numeric:
            swapped = True
            warnings.append(
                f"latitude and longitude look swapped: {checker.swap_fit} rows have a latitude beyond ±90 "
                "whose longitude would fit as a latitude; check the latitude and longitude columns")
        if checker.hemi_swapped and checker.hemi_swapped * 2 >= self.rows:
            swapped = True
            warnings.append(
                f"latitude and longitude look swapped: {checker.hemi_swapped} latitudes end in E or W; "
                "check the latitude and longitude columns")
        return ValidationResult(rows=self.rows, valid=self.valid, invalid=self.invalid, warnings=warnings,
                                swapped=swapped, valid_count=self.valid_count)


def validate_records(parsed: ParsedCsv, mapping: ColumnMapping,
                     records: Iterable[Record] | None = None, *, keep_valid: int | None = None) -> ValidationResult:
    """Check every record (or `records`) against the server's rules; each record comes out
    either valid or invalid, in file order.

    Raises nothing for bad rows. With no name or coordinate columns mapped
    (`mapping.problem()`), every row is invalid.
    """
    validator = Validator(mapping, parsed.options.decimal_comma, keep_valid)
    validator.feed(parsed.records if records is None else list(records))
    return validator.result()


def make_batches(rows: Sequence[ValidRow], size: int = BATCH_SIZE) -> list[list[ValidRow]]:
    """Consecutive batches of at most `size` (1-100) rows, in file order."""
    if not 1 <= size <= BATCH_SIZE:
        raise ValueError(f"a batch holds 1 to {BATCH_SIZE} locations, not {size}")
    return [list(rows[i:i + size]) for i in range(0, len(rows), size)]


def export_rejected(header: Sequence[str], invalid: Iterable[InvalidRow], delimiter: str = ",") -> str:
    """The rejected rows as CSV text: the original columns plus `line` and `reason`, ready to be
    fixed and imported again (the mapping guess ignores the two extra columns)."""
    import io  # start-up: a dry run that rejects nothing never loads it

    rows = list(invalid)
    out = io.StringIO()
    write_rejected(out, header, rows, delimiter, max([len(header)] + [len(r.fields) for r in rows]))
    return out.getvalue()


def write_rejected(out: TextIO, header: Sequence[str], invalid: Iterable[InvalidRow], delimiter: str,
                   width: int) -> int:
    """`export_rejected` written to `out` as the rows come (any number of them: none is held);
    `width` is the widest row's (padding). Returns how many rows were written."""
    import csv  # start-up: a dry run that rejects nothing never loads it

    titles = list(header) + [f"column {i + 1}" for i in range(len(header), width)]
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(neutralise_row([*titles, "line", "reason"]))
    count = 0
    for row in invalid:
        writer.writerow(neutralise_row([*row.fields, *([""] * (width - len(row.fields))), str(row.line), row.error]))
        count += 1
    return count


def row_fingerprint(name: str, lat: float, lng: float) -> str:
    """Normalised name + coordinates rounded to 6 decimals: the same place on the map gives the
    same fingerprint (for "skip rows already on the map" and reconciliation)."""
    norm = " ".join(unicodedata.normalize("NFKC", _clean(name)).casefold().split())
    return f"{norm}|{round(lat, 6) + 0.0:.6f}|{round(lng, 6) + 0.0:.6f}"


def file_fingerprint(data: bytes | BinaryIO) -> str:
    """sha256 of the file's bytes (or of an open file's, read from where it stands), hex."""
    import hashlib  # start-up: the dry run does not fingerprint the file

    if isinstance(data, bytes | bytearray):
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    for block in iter(lambda: data.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()

"""Row validation with the server's rules (docs/api-contract.md, Location), the swapped
coordinates warning, batches, the rejected-rows export and fingerprints."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .coords import CoordinateError, parse_coordinate, parse_wkt_point
from .mapping import ColumnMapping
from .reading import ParsedCsv, Record

__all__ = [
    "BATCH_SIZE",
    "InvalidRow",
    "ValidRow",
    "ValidationResult",
    "export_rejected",
    "file_fingerprint",
    "make_batches",
    "row_fingerprint",
    "split_tags",
    "validate_records",
]

BATCH_SIZE = 100           # Mapiry bulk create: 1-100 locations, atomic
NAME_MAX = 200
DESCRIPTION_MAX = 2000
ADDRESS_MAX = 500
CATEGORY_MAX = 100
TAG_MAX = 50
_EXTRA_SPACE = "\ufeff\u200b\u2060"  # stripped like JavaScript's trim() would (stricter than needed)


def _units(text: str) -> int:
    """Length in UTF-16 code units: never less than the code point count, so a server that
    counts either way accepts what passes here."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _clean(text: str) -> str:
    text = text.strip()
    if text and (text[0] in _EXTRA_SPACE or text[-1] in _EXTRA_SPACE):
        text = text.strip(_EXTRA_SPACE + " \t\r\n\u00a0")
    return text


@dataclass(slots=True)
class ValidRow:
    """A row that the server will accept (as far as the client can tell)."""

    line: int
    name: str
    lat: float
    lng: float
    description: str | None
    address: str | None
    category: str | None
    tags: list[str]
    layer: str | None
    fields: list[str]

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


@dataclass(slots=True)
class InvalidRow:
    line: int
    error: str
    fields: list[str]


@dataclass
class ValidationResult:
    rows: int                                   # records read (blank lines not counted)
    valid: list[ValidRow]
    invalid: list[InvalidRow]
    warnings: list[str] = field(default_factory=list)
    swapped: bool = False                       # the data look like latitude/longitude swapped

    def batches(self, size: int = BATCH_SIZE) -> list[list[ValidRow]]:
        return make_batches(self.valid, size)

    @property
    def batch_count(self) -> int:
        return -(-len(self.valid) // BATCH_SIZE)

    def preview(self, count: int = 5) -> list[ValidRow]:
        return self.valid[:count]


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
    return _clean(fields[index]) or None


def validate_records(parsed: ParsedCsv, mapping: ColumnMapping,
                     records: Iterable[Record] | None = None) -> ValidationResult:
    """Check every record against the server's rules; a record is either valid or invalid.

    Raises nothing for bad rows. `mapping.problem()` must be None (else every row is invalid).
    """
    decimal_comma = parsed.options.decimal_comma
    name_i, lat_i, lng_i, wkt_i = mapping.name, mapping.lat, mapping.lng, mapping.wkt
    use_wkt = mapping.uses_wkt
    desc_i, addr_i, cat_i, tags_i, layer_i = (mapping.description, mapping.address, mapping.category,
                                             mapping.tags, mapping.layer)
    extras = any(i is not None for i in (desc_i, addr_i, cat_i, tags_i, layer_i))
    valid: list[ValidRow] = []
    invalid: list[InvalidRow] = []
    numeric = lat_out = swap_fit = hemi_swapped = 0
    rows = 0
    for line, fields in parsed.records if records is None else records:
        rows += 1
        count = len(fields)
        errors: list[str] = []
        # name
        if name_i is None:
            errors.append("no name column is mapped")
            name = ""
        elif name_i >= count:
            errors.append(f"name is missing (the row has {count} fields)")
            name = ""
        else:
            name = _clean(fields[name_i])
            if not name:
                errors.append("name is empty")
            elif len(name) > NAME_MAX // 2 and _units(name) > NAME_MAX:
                errors.append(f"name is longer than {NAME_MAX} characters ({_units(name)})")
        # coordinates
        lat = lng = None
        if use_wkt:
            if wkt_i is None or wkt_i >= count:
                errors.append(f"WKT point is missing (the row has {count} fields)")
            else:
                try:
                    lat, lng = parse_wkt_point(fields[wkt_i])
                except CoordinateError as exc:
                    errors.append(f"WKT {exc}")
        elif lat_i is None or lng_i is None:
            errors.append("no latitude/longitude columns are mapped")
        else:
            if lat_i >= count:
                errors.append(f"latitude is missing (the row has {count} fields)")
            else:
                try:
                    lat = _coordinate(fields[lat_i], "lat", decimal_comma)
                except CoordinateError as exc:
                    if "belongs to a longitude" in str(exc):
                        hemi_swapped += 1
                    errors.append(f"latitude {exc}")
            if lng_i >= count:
                errors.append(f"longitude is missing (the row has {count} fields)")
            else:
                try:
                    lng = _coordinate(fields[lng_i], "lng", decimal_comma)
                except CoordinateError as exc:
                    errors.append(f"longitude {exc}")
        if lat is not None:
            if not -90.0 <= lat <= 90.0:
                if lat != lat or lat in (float("inf"), float("-inf")):
                    errors.append("latitude is not a finite number")
                else:
                    errors.append(f"latitude {_shown(lat)} is out of range (must be between -90 and 90)")
                    lat_out += 1
                    if lng is not None and -90.0 <= lng <= 90.0:
                        swap_fit += 1
            if lng is not None:
                numeric += 1
        if lng is not None and not -180.0 <= lng <= 180.0:
            if lng != lng or lng in (float("inf"), float("-inf")):
                errors.append("longitude is not a finite number")
            else:
                errors.append(f"longitude {_shown(lng)} is out of range (must be between -180 and 180)")
        description = address = category = layer = None
        tags: list[str] = []
        if extras:
            description = _optional(fields, desc_i)
            if description and _units(description) > DESCRIPTION_MAX:
                errors.append(f"description is longer than {DESCRIPTION_MAX} characters")
            address = _optional(fields, addr_i)
            if address and _units(address) > ADDRESS_MAX:
                errors.append(f"address is longer than {ADDRESS_MAX} characters")
            category = _optional(fields, cat_i)
            if category and _units(category) > CATEGORY_MAX:
                errors.append(f"category is longer than {CATEGORY_MAX} characters")
            layer = _optional(fields, layer_i)
            if layer and _units(layer) > NAME_MAX:
                errors.append(f"layer is longer than {NAME_MAX} characters")
            raw_tags = _optional(fields, tags_i)
            if raw_tags:
                tags = split_tags(raw_tags)
                long_tags = [t for t in tags if _units(t) > TAG_MAX]
                if long_tags:
                    errors.append(f"tag '{long_tags[0][:20]}...' is longer than {TAG_MAX} characters")
        if errors:
            invalid.append(InvalidRow(line, "; ".join(errors), fields))
        else:
            valid.append(ValidRow(line, name, lat, lng, description, address,  # type: ignore[arg-type]
                                  category, tags, layer, fields))
    warnings: list[str] = []
    swapped = False
    if swap_fit and swap_fit == lat_out and swap_fit * 10 >= numeric:
        swapped = True
        warnings.append(
            f"latitude and longitude look swapped: {swap_fit} rows have a latitude beyond ±90 whose "
            "longitude would fit as a latitude; check the latitude and longitude columns")
    if hemi_swapped and hemi_swapped * 2 >= rows:
        swapped = True
        warnings.append(
            f"latitude and longitude look swapped: {hemi_swapped} latitudes end in E or W; "
            "check the latitude and longitude columns")
    return ValidationResult(rows=rows, valid=valid, invalid=invalid, warnings=warnings, swapped=swapped)


def make_batches(rows: Sequence[ValidRow], size: int = BATCH_SIZE) -> list[list[ValidRow]]:
    """Consecutive batches of at most `size` (1-100) rows, in file order."""
    if not 1 <= size <= BATCH_SIZE:
        raise ValueError(f"a batch holds 1 to {BATCH_SIZE} locations, not {size}")
    return [list(rows[i:i + size]) for i in range(0, len(rows), size)]


def export_rejected(header: Sequence[str], invalid: Iterable[InvalidRow], delimiter: str = ",") -> str:
    """The rejected rows as CSV text: the original columns plus `line` and `reason`, ready to be
    fixed and imported again (the mapping guess ignores the two extra columns)."""
    rows = list(invalid)
    width = max([len(header)] + [len(r.fields) for r in rows])
    titles = list(header) + [f"column {i + 1}" for i in range(len(header), width)]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([*titles, "line", "reason"])
    for row in rows:
        writer.writerow([*row.fields, *([""] * (width - len(row.fields))), row.line, row.error])
    return out.getvalue()


def row_fingerprint(name: str, lat: float, lng: float) -> str:
    """Normalised name + coordinates rounded to 6 decimals: the same place on the map gives the
    same fingerprint (for "skip rows already on the map" and reconciliation)."""
    norm = " ".join(unicodedata.normalize("NFKC", _clean(name)).casefold().split())
    return f"{norm}|{round(lat, 6) + 0.0:.6f}|{round(lng, 6) + 0.0:.6f}"


def file_fingerprint(data: bytes) -> str:
    """sha256 of the file's bytes, hex."""
    import hashlib

    return hashlib.sha256(data).hexdigest()

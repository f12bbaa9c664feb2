"""Which column holds what: guessed from the header (case- and accent-insensitive) or, with no
header, from the content; always overridable by the person."""

from __future__ import annotations

import re
import unicodedata

from app.core.csv_fields import FIELDS

from .coords import CoordinateError, looks_numeric, parse_coordinate, parse_wkt_point
from .errors import MappingError

TYPE_CHECKING = False  # typing is not imported at run time: it costs ~20 ms at start-up
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = [
    "FIELDS",
    "ColumnMapping",
    "guess_mapping",
    "is_known_label",
    "normalise_label",
    "resolve_column",
]

# The fields a column can feed, in the order they are shown.

_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "title", "label", "nom", "nombre", "nome", "naam", "titre", "titulo", "placename",
             "locationname"),
    "lat": ("lat", "latitude", "y", "latitud", "latitudine", "breitengrad", "breite", "ycoord", "ycoordinate",
            "latdeg", "latdd", "latwgs84"),
    "lng": ("lng", "lon", "long", "longitude", "x", "longitud", "longitudine", "laengengrad", "langengrad",
            "laenge", "xcoord", "xcoordinate", "lngdeg", "londeg", "londd", "lonwgs84", "lngwgs84"),
    "wkt": ("wkt", "geometry", "geom", "thegeom", "wktgeometry", "point", "geometrie"),
    "description": ("description", "desc", "descripcion", "descricao", "beschreibung", "notes", "note",
                    "comment", "comments", "details"),
    "address": ("address", "addr", "adresse", "direccion", "endereco", "indirizzo", "streetaddress",
                "fulladdress"),
    "category": ("category", "categorie", "categoria", "kategorie", "cat", "type"),
    "tags": ("tags", "tag", "keywords", "labels", "etiquettes", "etiquetas"),
    "layer": ("layer", "layers", "calque", "capa", "ebene", "group"),
}
_ALIAS_TO_FIELD = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_label(text: str) -> str:
    """'  Latitude (WGS84) ' -> 'latitude wgs84'; 'Nombré' -> 'nombre'; 'Länge' -> 'lange'."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return _NON_ALNUM.sub(" ", bare).strip()


def _field_for_label(label: str) -> tuple[str | None, int]:
    """(field, strength): 2 for an exact alias, 1 for an alias as one word of the label."""
    norm = normalise_label(label)
    if not norm:
        return None, 0
    joined = norm.replace(" ", "")
    if joined in _ALIAS_TO_FIELD:
        return _ALIAS_TO_FIELD[joined], 2
    for word in norm.split(" "):
        if len(word) > 1 and word in _ALIAS_TO_FIELD:
            return _ALIAS_TO_FIELD[word], 1
    return None, 0


def is_known_label(label: str) -> bool:
    return _field_for_label(label)[1] > 0


class ColumnMapping:
    """0-based column index per field (None: not mapped). Immutable: see `with_overrides`."""

    __slots__ = FIELDS
    name: int | None
    lat: int | None
    lng: int | None
    wkt: int | None
    description: int | None
    address: int | None
    category: int | None
    tags: int | None
    layer: int | None

    def __init__(self, name: int | None = None, lat: int | None = None, lng: int | None = None,
                 wkt: int | None = None, description: int | None = None, address: int | None = None,
                 category: int | None = None, tags: int | None = None, layer: int | None = None) -> None:
        values = (name, lat, lng, wkt, description, address, category, tags, layer)
        for field, value in zip(FIELDS, values, strict=True):
            object.__setattr__(self, field, value)

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError("ColumnMapping is immutable; use with_overrides()")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ColumnMapping) and self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.as_dict().values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.as_dict().items() if v is not None)
        return f"ColumnMapping({inner})"

    def as_dict(self) -> dict[str, int | None]:
        return {field: getattr(self, field) for field in FIELDS}

    def names(self, header: Sequence[str]) -> dict[str, str]:
        """{field: column title} for the mapped fields."""
        out: dict[str, str] = {}
        for field, index in self.as_dict().items():
            if index is not None:
                out[field] = header[index] if index < len(header) else f"column {index + 1}"
        return out

    @property
    def uses_wkt(self) -> bool:
        return self.wkt is not None and (self.lat is None or self.lng is None)

    def problem(self) -> str | None:
        """Why this mapping cannot import anything, or None when it can."""
        missing = []
        if self.name is None:
            missing.append("name column")
        if not self.uses_wkt and (self.lat is None or self.lng is None):
            missing.append("latitude and longitude columns (or WKT column)")
        return f"no {' and no '.join(missing)} found" if missing else None

    def with_overrides(self, **overrides: int | None) -> ColumnMapping:
        """Replace some fields; a column given to a field is taken away from any other field."""
        current = self.as_dict()
        for field, index in overrides.items():
            if field not in current:
                raise MappingError(f"unknown field '{field}'")
            if index is not None:
                for other, other_index in current.items():
                    if other_index == index and other not in overrides:
                        current[other] = None
            current[field] = index
        if overrides.get("wkt") is not None and "lat" not in overrides and "lng" not in overrides:
            current["lat"] = current["lng"] = None
        return ColumnMapping(**current)


def resolve_column(header: Sequence[str], spec: str | int) -> int:
    """A column given by title (case/accent-insensitive) or by 1-based number -> 0-based index."""
    if isinstance(spec, int):
        index = spec - 1
    else:
        wanted = spec.strip()
        for i, title in enumerate(header):
            if title.strip() == wanted:
                return i
        norm = normalise_label(wanted)
        matches = [i for i, title in enumerate(header) if normalise_label(title) == norm]
        if matches:
            return matches[0]
        if not wanted.isdigit():
            shown = ", ".join(f"'{t}'" for t in header)
            raise MappingError(f"there is no column '{spec}'; the columns are {shown}",
                               "Give a column title from the header, or a column number (1 = first).")
        index = int(wanted) - 1
    if not 0 <= index < len(header):
        raise MappingError(f"column number {index + 1} does not exist; the file has {len(header)} columns",
                           "Give a column number between 1 and the number of columns.")
    return index


def _from_header(header: Sequence[str]) -> dict[str, int]:
    found: dict[str, tuple[int, int]] = {}  # field -> (strength, index)
    for index, title in enumerate(header):
        field, strength = _field_for_label(title)
        if field is None:
            continue
        best = found.get(field)
        if best is None or strength > best[0]:
            found[field] = (strength, index)
    return {field: index for field, (_, index) in found.items()}


class _ColumnStats:
    __slots__ = ("filled", "numeric", "lat_ok", "lng_only", "hemi_lat", "hemi_lng", "wkt", "text")

    def __init__(self) -> None:
        self.filled = self.numeric = self.lat_ok = self.hemi_lat = self.hemi_lng = self.wkt = self.text = 0
        self.lng_only = 0  # fits ±180 but not ±90


def _content_stats(records: Sequence[Sequence[str]], width: int) -> list[_ColumnStats]:
    stats = [_ColumnStats() for _ in range(width)]
    for fields_ in records[:200]:
        for index, raw in enumerate(fields_[:width]):
            text = raw.strip()
            if not text:
                continue
            st = stats[index]
            st.filled += 1
            if text[:5].upper() == "POINT" or text[:5].upper() == "SRID=":
                try:
                    parse_wkt_point(text)
                    st.wkt += 1
                    continue
                except CoordinateError:
                    pass
            value = None
            for axis in ("lat", "lng"):
                try:
                    value = parse_coordinate(text, axis)
                except CoordinateError:
                    continue
                if text[-1:].upper() in "NS" or text[:1].upper() in "NS":
                    st.hemi_lat += 1
                elif text[-1:].upper() in "EW" or text[:1].upper() in "EW":
                    st.hemi_lng += 1
                break
            if value is None:
                if not looks_numeric(text):
                    st.text += 1
                continue
            st.numeric += 1
            if abs(value) <= 90:
                st.lat_ok += 1
            elif abs(value) <= 180:
                st.lng_only += 1
    return stats


def _from_content(records: Sequence[Sequence[str]], width: int) -> dict[str, int]:
    stats = _content_stats(records, width)
    out: dict[str, int] = {}
    wkt = [i for i, st in enumerate(stats) if st.filled and st.wkt * 2 > st.filled]
    if wkt:
        out["wkt"] = wkt[0]
    coords = [i for i, st in enumerate(stats)
              if st.filled and st.numeric * 2 > st.filled and st.lat_ok + st.lng_only == st.numeric]
    if "wkt" not in out and len(coords) >= 2:
        lat_like = [i for i in coords if stats[i].hemi_lat]
        lng_like = [i for i in coords if stats[i].hemi_lng or stats[i].lng_only]
        lat = next((i for i in lat_like if i not in lng_like), None)
        lng = next((i for i in lng_like if i != lat), None)
        if lat is None:
            lat = next(i for i in coords if i != lng)
        if lng is None:
            lng = next(i for i in coords if i != lat)
        out["lat"], out["lng"] = lat, lng
    texts = [i for i, st in enumerate(stats) if i not in out.values() and st.filled and st.text * 2 > st.filled]
    if texts:
        out["name"] = texts[0]
        if len(texts) > 1:
            out["description"] = texts[1]
    return out


def guess_mapping(header: Sequence[str] | None, records: Sequence[Sequence[str]] = (),
                  overrides: Mapping[str, int | None] | None = None) -> ColumnMapping:
    """Guess the mapping from the header titles, or from the content when `header` is None.

    `records`: rows of fields (a sample is enough). `overrides` win over the guess.
    """
    width = max([len(header or ())] + [len(r) for r in records[:200]])
    guessed = _from_header(header) if header is not None else _from_content(records, width)
    if header is not None and ("name" not in guessed or not {"lat", "lng", "wkt"} & guessed.keys()):
        # Titles we do not know: fill the name and the coordinates from the content (a column of
        # POINT (...) values is a WKT column whatever its title).
        content = _from_content(records, width)
        used = set(guessed.values())
        if "name" not in guessed and content.get("name") is not None and content["name"] not in used:
            guessed["name"] = content["name"]
        if not {"lat", "lng", "wkt"} & guessed.keys():
            for field in ("wkt", "lat", "lng"):
                if field in content and content[field] not in used:
                    guessed[field] = content[field]
    if "wkt" in guessed and "lat" in guessed and "lng" in guessed:
        del guessed["wkt"]  # both: separate columns are easier to check and fix
    mapping = ColumnMapping(**guessed)
    return mapping.with_overrides(**overrides) if overrides else mapping

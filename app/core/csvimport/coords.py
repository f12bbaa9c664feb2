"""Coordinates from text: decimals (point or comma), signs, hemisphere letters,
degrees-minutes-seconds in the usual spellings, and WKT ``POINT (lng lat)``.

`parse_coordinate` raises `CoordinateError` with a reason a person can act on; the range
check (±90 / ±180) is done by the caller, which knows the axis.
"""

from __future__ import annotations

import math
import re

__all__ = ["CoordinateError", "looks_numeric", "parse_coordinate", "parse_wkt_point"]


class CoordinateError(ValueError):
    """The text is not a coordinate; str(error) says why."""


_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-", "\u00a0": " ", "\u202f": " "})
_NUM = r"(\d+(?:[.,]\d+)?|[.,]\d+)"
_DEG = r"[°º˚]"
_MIN = r"[′'’‘´]"
_SEC = r"(?:[″\"”“]|′′|''|’’)"
# 40°26′46″ | 40 26 46 | 40°26.767′ | 40.446° | 40 deg 26' 46" (hemisphere and sign removed first)
_DMS_SOURCE = rf"^{_NUM}\s*(?:{_DEG}|deg\b)?\s*(?:{_NUM}\s*{_MIN}?\s*(?:{_NUM}\s*{_SEC}?\s*)?)?$"
_PLAIN_RE = re.compile(r"^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?$")
_NUMF = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_WKT_SOURCE = rf"^\s*(?:SRID=\d+\s*;\s*)?POINT\s*(?:ZM|Z|M)?\s*\(\s*{_NUMF}\s+{_NUMF}(?:\s+{_NUMF}){{0,2}}\s*\)\s*$"
_HEMISPHERES = {"N": ("lat", 1.0), "S": ("lat", -1.0), "E": ("lng", 1.0), "W": ("lng", -1.0)}
_AXIS_WORD = {"lat": "latitude", "lng": "longitude"}
_compiled: dict[str, re.Pattern[str]] = {}


def _pattern(source: str) -> re.Pattern[str]:
    """Compiled on first use: the slow paths are not paid for by files of plain decimals."""
    pattern = _compiled.get(source)
    if pattern is None:
        pattern = _compiled[source] = re.compile(source, re.IGNORECASE)
    return pattern


def looks_numeric(text: str) -> bool:
    """A plain decimal number with a point or a comma (no DMS, no hemisphere)."""
    return bool(_PLAIN_RE.match(text.strip()))


def _number(text: str, decimal_comma: bool | None) -> float:
    if "," in text:
        if decimal_comma is False:
            raise CoordinateError(f"'{text}' has a decimal comma; turn on the decimal comma option")
        text = text.replace(",", ".")
    return float(text)


def parse_coordinate(raw: str, axis: str = "lat", decimal_comma: bool | None = None) -> float:
    """Parse one coordinate of `axis` ("lat" or "lng"). Does not check the range.

    `decimal_comma`: None or True accept both ``35.7`` and ``35,7``; False refuses a comma.
    """
    text = raw.strip()
    try:  # fast path: a plain decimal with a point
        value = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(value):
            return value
        raise CoordinateError(f"'{raw.strip()}' is not a finite number")
    if not text:
        raise CoordinateError("is empty")
    text = text.translate(_MINUS).strip()
    sign = 1.0
    hemisphere = ""
    last, first = text[-1].upper(), text[0].upper()
    if last in _HEMISPHERES and not text[-2:-1].isalpha():
        hemisphere, text = last, text[:-1].strip()
    elif first in _HEMISPHERES and not text[1:2].isalpha():
        hemisphere, text = first, text[1:].strip()
    if text[:1] in "+-" and text:
        if text[0] == "-":
            sign = -1.0
        text = text[1:].strip()
        if hemisphere and sign < 0:
            raise CoordinateError(f"'{raw.strip()}' has both a minus sign and a hemisphere letter")
    if hemisphere:
        hemi_axis, hemi_sign = _HEMISPHERES[hemisphere]
        if hemi_axis != axis:
            raise CoordinateError(
                f"'{raw.strip()}' has the hemisphere {hemisphere}, which belongs to a {_AXIS_WORD[hemi_axis]}"
            )
        sign *= hemi_sign
    if _PLAIN_RE.match(text):
        value = _number(text, decimal_comma)
    else:
        match = _pattern(_DMS_SOURCE).match(text)
        if not match:
            raise CoordinateError(f"'{raw.strip()}' is not a number or a degrees-minutes-seconds value")
        deg_s, min_s, sec_s = match.groups()
        degrees = _number(deg_s, decimal_comma)
        minutes = _number(min_s, decimal_comma) if min_s else 0.0
        seconds = _number(sec_s, decimal_comma) if sec_s else 0.0
        if min_s and not float(deg_s.replace(",", ".")).is_integer():
            raise CoordinateError(f"'{raw.strip()}' has decimal degrees followed by minutes")
        if sec_s and not float(min_s.replace(",", ".")).is_integer():
            raise CoordinateError(f"'{raw.strip()}' has decimal minutes followed by seconds")
        if minutes > 60 or seconds > 60:  # 60 itself happens in rounded exports (35°22′60.0″)
            raise CoordinateError(f"'{raw.strip()}' has minutes or seconds over 60")
        value = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(value):
        raise CoordinateError(f"'{raw.strip()}' is not a finite number")
    return sign * value


def parse_wkt_point(raw: str) -> tuple[float, float]:
    """``POINT (lng lat)`` (any case, optional space, Z/M ignored, EWKT SRID prefix) -> (lat, lng)."""
    match = _pattern(_WKT_SOURCE).match(raw)
    if not match:
        text = raw.strip()
        if not text:
            raise CoordinateError("is empty")
        if text.upper().replace(" ", "") == "POINTEMPTY":
            raise CoordinateError("is an empty point")
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise CoordinateError(f"'{shown}' is not a WKT point like POINT (lng lat)")
    lng, lat = float(match.group(1)), float(match.group(2))
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise CoordinateError(f"'{raw.strip()}' is not a finite point")
    return lat, lng

"""Coordinates: decimals, signs, hemispheres, degrees-minutes-seconds, WKT."""

from __future__ import annotations

import pytest

from app.core.csvimport import CoordinateError, parse_coordinate, parse_wkt_point

DMS_40 = 40 + 26 / 60 + 46 / 3600


@pytest.mark.parametrize(
    "text",
    ["40°26′46″N", "40 26 46 N", "40°26'46\"N", "40° 26′ 46″ N", "N 40°26′46″", "40°26′46″", "+40 26 46",
     "40°26'46''N", "40º26’46”N", " 40°26′46.0″N "],
)
def test_dms_variants(text: str) -> None:
    assert parse_coordinate(text, "lat") == pytest.approx(DMS_40)


def test_dms_decimal_minutes_and_hemispheres() -> None:
    assert parse_coordinate("40°26.767′N", "lat") == pytest.approx(40 + 26.767 / 60)
    assert parse_coordinate("23°51′54.0″S", "lat") == pytest.approx(-23.865)
    assert parse_coordinate("79°58′56″W", "lng") == pytest.approx(-(79 + 58 / 60 + 56 / 3600))
    assert parse_coordinate("3 42 E", "lng") == pytest.approx(3.7)
    assert parse_coordinate("-40 26 46", "lat") == pytest.approx(-DMS_40)
    assert parse_coordinate("35°22′60.0″E", "lng") == pytest.approx(35 + 23 / 60)


@pytest.mark.parametrize(
    ("text", "value"),
    [("12.5", 12.5), (" -12.5 ", -12.5), ("12,5", 12.5), ("−12,5", -12.5), ("+7", 7.0), ("48.8566N", 48.8566),
     ("S 33.86", -33.86), (".5", 0.5), ("1e1", 10.0)],
)
def test_decimals(text: str, value: float) -> None:
    assert parse_coordinate(text, "lat") == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "axis", "reason"),
    [("", "lat", "empty"), ("   ", "lat", "empty"), ("abc", "lat", "not a number"), ("N/A", "lat", "not a number"),
     ("nan", "lat", "finite"), ("inf", "lng", "finite"), ("40°70′N", "lat", "over 60"),
     ("40.5° 30′", "lat", "decimal degrees"), ("-40 N", "lat", "minus sign"),
     ("40 E", "lat", "belongs to a longitude"), ("12 N", "lng", "belongs to a latitude"), ("1.2.3", "lat", "")],
)
def test_bad_coordinates(text: str, axis: str, reason: str) -> None:
    with pytest.raises(CoordinateError) as info:
        parse_coordinate(text, axis)
    assert reason in str(info.value)


def test_decimal_comma_refused_when_turned_off() -> None:
    assert parse_coordinate("35,75", "lat", decimal_comma=True) == 35.75
    with pytest.raises(CoordinateError, match="decimal comma"):
        parse_coordinate("35,75", "lat", decimal_comma=False)


@pytest.mark.parametrize(
    ("text", "lat", "lng"),
    [("POINT (28.28713 -15.40669)", -15.40669, 28.28713), ("point(1 2)", 2.0, 1.0), ("  Point ( -3.5  40 ) ", 40.0, -3.5),
     ("POINT Z (1 2 3)", 2.0, 1.0), ("SRID=4326;POINT(5 6)", 6.0, 5.0)],
)
def test_wkt(text: str, lat: float, lng: float) -> None:
    assert parse_wkt_point(text) == (pytest.approx(lat), pytest.approx(lng))


@pytest.mark.parametrize("text", ["", "POINT EMPTY", "LINESTRING (1 2, 3 4)", "POINT (1)", "POINT (a b)"])
def test_bad_wkt(text: str) -> None:
    with pytest.raises(CoordinateError):
        parse_wkt_point(text)

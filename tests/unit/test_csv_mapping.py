"""Column mapping guesses (header and content), overrides, and the swapped-coordinates warning."""

from __future__ import annotations

import pytest

from app.core.csvimport import (
    ColumnMapping,
    MappingError,
    analyse,
    guess_mapping,
    normalise_label,
    resolve_column,
)


def test_normalise_label() -> None:
    assert normalise_label("  Latitude (WGS84) ") == "latitude wgs84"
    assert normalise_label("NOMBRÉ") == "nombre"
    assert normalise_label("\ufeffNom") == "nom"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["Name", "Lat", "Lng"], {"name": 0, "lat": 1, "lng": 2}),
        (["TITLE", "LONGITUDE", "LATITUDE"], {"name": 0, "lng": 1, "lat": 2}),
        (["Nombre", "Latitud", "Longitud", "Dirección", "Descripción"],
         {"name": 0, "lat": 1, "lng": 2, "address": 3, "description": 4}),
        (["nom", "x", "y", "catégorie", "Tags", "Layer"],
         {"name": 0, "lng": 1, "lat": 2, "category": 3, "tags": 4, "layer": 5}),
        (["Label", "lon", "lat"], {"name": 0, "lng": 1, "lat": 2}),
        (["id", "Place name", "Latitude (WGS84)", "Longitude (WGS84)"], {"name": 1, "lat": 2, "lng": 3}),
        (["WKT", "name", "description"], {"wkt": 0, "name": 1, "description": 2}),
        (["Long", "Lat", "Title"], {"lng": 0, "lat": 1, "name": 2}),
    ],
)
def test_guess_from_header(header: list[str], expected: dict[str, int]) -> None:
    mapping = guess_mapping(header, [])
    got = {k: v for k, v in mapping.as_dict().items() if v is not None}
    assert got == expected


def test_wkt_column_found_by_content_under_any_title() -> None:
    mapping = guess_mapping(["where", "name"], [["POINT (1 2)", "a"], ["POINT (3 4)", "b"]])
    assert mapping.wkt == 0 and mapping.uses_wkt and mapping.name == 1


def test_guess_from_content_without_header() -> None:
    rows = [["Paris", "48.85", "2.35", "capital"], ["Lima", "-12.04", "-77.03", "coast"],
            ["Nome", "64.5", "-165.4", "cold"]]
    mapping = guess_mapping(None, rows)
    assert (mapping.name, mapping.lat, mapping.lng, mapping.description) == (0, 1, 2, 3)


def test_content_puts_longitude_where_values_exceed_90() -> None:
    rows = [["Nome", "-165.4", "64.5"], ["Tokyo", "139.7", "35.7"], ["Lima", "-77.03", "-12.04"]]
    mapping = guess_mapping(None, rows)
    assert (mapping.lat, mapping.lng) == (2, 1)


def test_content_uses_hemisphere_letters() -> None:
    rows = [["a", "2°21′E", "48°51′N"], ["b", "77°W", "12°S"]]
    mapping = guess_mapping(None, rows)
    assert (mapping.lat, mapping.lng) == (2, 1)


def test_overrides_and_resolve_column() -> None:
    header = ["Titel", "Breite", "Länge", "Notiz"]
    assert resolve_column(header, "breite") == 1
    assert resolve_column(header, "LANGE") == 2       # accent-insensitive
    assert resolve_column(header, "4") == 3
    assert resolve_column(header, 1) == 0
    with pytest.raises(MappingError):
        resolve_column(header, "nope")
    with pytest.raises(MappingError):
        resolve_column(header, "9")
    mapping = ColumnMapping(name=0, lat=1, lng=2).with_overrides(lat=2, lng=1)
    assert (mapping.lat, mapping.lng) == (2, 1)
    moved = ColumnMapping(name=0, lat=1, lng=2, description=3).with_overrides(name=3)
    assert moved.name == 3 and moved.description is None


def test_analyse_with_column_overrides() -> None:
    text = "a,b,c,d\nParis,x,48.85,2.35\nLyon,y,45.76,4.84\n"
    guessed = analyse(text)  # unknown titles: name and coordinates guessed from the content
    assert guessed.columns == {"name": "a", "lat": "c", "lng": "d"}
    plan = analyse(text, columns={"name": "b", "lat": "d", "lng": 3})
    assert plan.columns["name"] == "b" and plan.columns["lat"] == "d" and plan.columns["lng"] == "c"
    assert [(r.name, r.lat, r.lng) for r in plan.result.valid] == [("x", 2.35, 48.85), ("y", 4.84, 45.76)]


def test_no_usable_columns_is_a_mapping_error() -> None:
    with pytest.raises(MappingError) as info:
        analyse("title,note\nParis,big\nLyon,small\n")
    assert "no latitude and longitude columns" in str(info.value)
    with pytest.raises(MappingError) as info:
        analyse("lat,lng\n1,2\n3,4\n")
    assert "no name column" in str(info.value)
    result = analyse("lat,lng\n1,2\n", require_mapping=False).result
    assert result.rows == 1 and result.invalid[0].error.startswith("no name column")


def test_swapped_warning_when_latitudes_exceed_90_and_longitudes_fit() -> None:
    text = "name,lat,lng\n" + "".join(f"p{i},{100 + i},{40 + i / 10}\n" for i in range(10))
    result = analyse(text).result
    assert result.swapped
    assert len(result.invalid) == 10
    assert "swapped" in result.warnings[0]


def test_swapped_warning_from_hemisphere_letters() -> None:
    text = "name,lat,lng\na,2°21′E,48°51′N\nb,3°E,45°N\n"
    result = analyse(text).result
    assert result.swapped
    assert "E or W" in result.warnings[0]


def test_no_swap_warning_for_one_typo() -> None:
    text = "name,lat,lng\n" + "".join(f"p{i},{10 + i},{100 + i}\n" for i in range(20)) + "bad,95.5,99\n"
    result = analyse(text).result
    assert not result.swapped and result.warnings == []
    assert [r.line for r in result.invalid] == [22]

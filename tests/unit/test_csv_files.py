"""The engine over the real-world files in tests/data/csv/, checked against expectations.json."""

from __future__ import annotations

import json

import pytest

from app.core.csvimport import analyse, read_file
from tests.data import CSV_DIR

DATA = CSV_DIR
EXPECTATIONS = json.loads((DATA / "expectations.json").read_text(encoding="utf-8"))
FILES = sorted(p.name for p in DATA.iterdir() if p.suffix in (".csv", ".tsv", ".txt"))


def test_every_file_has_expectations() -> None:
    assert FILES, f"no CSV files in {DATA}"
    assert set(FILES) == set(EXPECTATIONS)


@pytest.mark.parametrize("name", FILES)
def test_file_matches_expectations(name: str) -> None:
    expected = EXPECTATIONS[name]
    plan = analyse(read_file(DATA / name))
    result = plan.result
    assert result.rows == expected["rows"]
    assert len(result.valid) == expected["valid"]
    assert [row.line for row in result.invalid] == expected["invalid"]
    assert len(result.valid) + len(result.invalid) == result.rows
    first = result.valid[0]
    assert first.name == expected["first"]["name"]
    assert first.lat == pytest.approx(expected["first"]["lat"], abs=1e-9)
    assert first.lng == pytest.approx(expected["first"]["lng"], abs=1e-9)
    assert result.warnings == []
    assert all(row.error for row in result.invalid)


def test_detected_formats() -> None:
    formats = {}
    for name in FILES:
        parsed = analyse(read_file(DATA / name)).parsed
        formats[name] = (parsed.encoding, parsed.delimiter, parsed.has_header, parsed.decimal_comma)
    assert formats["cities_semicolon_decimal_comma_bom.csv"] == ("utf-8-sig", ";", True, True)
    assert formats["cities_cp1252.csv"] == ("cp1252", ",", True, False)
    assert formats["cities_lng_first.tsv"] == ("utf-8", "\t", True, False)
    assert formats["cities_wkt.csv"][1:3] == (",", True)


def test_cp1252_names_decoded_right() -> None:
    valid = analyse(read_file(DATA / "cities_cp1252.csv")).result.valid
    names = {row.name for row in valid}
    assert "Umeå" in names and "Chaïdári" in names  # cp1250 would give Umeĺ, Chaďdári


def test_mapping_of_each_file() -> None:
    columns = {name: analyse(read_file(DATA / name)).columns for name in FILES}
    assert columns["cities_lng_first.tsv"] == {"name": "title", "lat": "lat", "lng": "lng", "description": "note"}
    assert columns["cities_wkt.csv"]["wkt"] == "WKT" and "lat" not in columns["cities_wkt.csv"]
    assert columns["cities_semicolon_decimal_comma_bom.csv"]["name"] == "Nom"  # no BOM in the title


def test_messy_reasons_and_multiline_record() -> None:
    result = analyse(read_file(DATA / "cities_messy.csv")).result
    reasons = {row.line: row.error for row in result.invalid}
    assert "out of range" in reasons[9] and "latitude" in reasons[9]
    assert "longitude" in reasons[22] and "-190.25" in reasons[22]
    assert reasons[34] == "name is empty"
    assert "'N/A'" in reasons[48]
    assert "'abc'" in reasons[62]
    assert "missing" in reasons[77]
    assert "empty" in reasons[95]
    by_line = {row.line: row for row in result.valid}
    assert by_line[14].name == "Lat Yao"
    assert by_line[14].description == "first line\nsecond line, with a comma"
    assert by_line[16].name == "Lamphun"  # the quoted newline took line 15
    assert by_line[28].name == "Ban Na San, the old town"

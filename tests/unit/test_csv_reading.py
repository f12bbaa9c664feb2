"""Decoding, delimiter, header and decimal-comma detection, quoted fields and line numbers."""

from __future__ import annotations

import codecs

import pytest

from app.core.csvimport import (
    CsvFormatError,
    CsvImportError,
    CsvOptions,
    DecodingError,
    EmptyFileError,
    NotTextError,
    decode_bytes,
    detect_delimiter,
    detect_header,
    parse_csv,
    split_records,
)

TEXT = "name,lat,lng\nZürich,47.37,8.54\nSão Paulo,-23.55,-46.63\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),  # BOM + native order
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
    ],
)
def test_unicode_encodings(data: bytes, encoding: str) -> None:
    text, detected = decode_bytes(data)
    assert detected == encoding
    assert text.lstrip("\ufeff") == TEXT
    parsed = parse_csv(data)
    assert parsed.header == ["name", "lat", "lng"]
    assert [r.fields[0] for r in parsed.records] == ["Zürich", "São Paulo"]


def test_cp1252_detected() -> None:
    text = "name,lat,lng\n" + "".join(
        f"{n},{i}.5,{i}.25\n" for i, n in enumerate(["Bu’aale", "Umeå", "Chaïdári", "Œuvre café", "Piteå"] * 4))
    text_bytes = text.encode("cp1252")
    decoded, encoding = decode_bytes(text_bytes)
    assert encoding == "cp1252"
    assert decoded == text


def test_utf8_preferred_when_it_decodes() -> None:
    assert decode_bytes("a;b\né;1,5\n".encode())[1] == "utf-8"
    assert decode_bytes(b"plain ascii,1\n")[1] == "utf-8"


def test_bom_and_semicolon_and_decimal_comma() -> None:
    data = codecs.BOM_UTF8 + b"Nom;Latitude;Longitude\r\nParis;48,8566;2,3522\r\nLyon;45,76;4,84\r\n"
    parsed = parse_csv(data)
    assert (parsed.encoding, parsed.delimiter, parsed.has_header, parsed.decimal_comma) == \
        ("utf-8-sig", ";", True, True)
    assert parsed.header[0] == "Nom"  # not "\ufeffNom"


def test_forced_options_win() -> None:
    data = b"a|b|c\n1|2|3\n"
    parsed = parse_csv(data, CsvOptions(encoding="latin-1", delimiter="|", decimal_comma=True, has_header=False))
    assert (parsed.encoding, parsed.delimiter, parsed.decimal_comma, parsed.has_header) == \
        ("iso8859-1", "|", True, False)
    assert [r.line for r in parsed.records] == [1, 2]
    assert parsed.header == ["column 1", "column 2", "column 3"]
    assert parse_csv(b"x\ty\n", CsvOptions(delimiter="tab")).delimiter == "\t"


def test_bad_forced_options_are_typed_errors() -> None:
    with pytest.raises(DecodingError):
        decode_bytes(b"caf\xe9,1,2\n", "utf-8")
    with pytest.raises(DecodingError):
        decode_bytes(b"a,b\n", "no-such-encoding")
    with pytest.raises(CsvFormatError):
        parse_csv(b"a,b\n", CsvOptions(delimiter="ab"))


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("name,lat,lng\na,1.5,2.5\nb,3.5,4.5\n", ","),
        ("name;lat;lng\na;1,5;2,5\nb;3,5;4,5\n", ";"),
        ("name\tlat\tlng\na, b\t1.5\t2.5\nc; d\t3.5\t4.5\n", "\t"),
        ("name|lat|lng\na,b|1.5|2.5\nc;d|3.5|4.5\n", "|"),
        # quoted fields full of commas must not fool it
        ('name;lat;lng\n"a, b, c, d";1.5;2.5\n"e, f, g";3.5;4.5\n', ";"),
        ('name,lat,lng\n"a; b; c",1.5,2.5\n"d; e",3.5,4.5\n', ","),
    ],
)
def test_delimiter_detection(text: str, delimiter: str) -> None:
    assert detect_delimiter(text) == delimiter


def test_header_detection() -> None:
    assert detect_header([["name", "lat", "lng"], ["a", "1", "2"]])
    assert detect_header([["Ciudad", "Norte", "Este"], ["a", "1.5", "2.5"], ["b", "3", "4"]])
    assert not detect_header([["Paris", "48.85", "2.35"], ["Lyon", "45.76", "4.84"]])
    assert not detect_header([["Paris", "48°51′N", "2°21′E"]])
    assert parse_csv("Paris,48.85,2.35\nLyon,45.76,4.84\n").has_header is False


def test_quoted_newlines_keep_line_numbers() -> None:
    text = 'name,lat,lng,description\r\n"A",1,2,"one\r\ntwo\r\nthree"\r\n\r\nB,3,4,x\r\n"C, the ""third""",5,6,"y\nz"\nD,7,8,\n'
    records = split_records(text, ",")
    assert [r.line for r in records] == [1, 2, 6, 7, 9]
    assert records[1].fields[3] == "one\r\ntwo\r\nthree"
    assert records[3].fields[0] == 'C, the "third"'


def test_blank_lines_are_not_records() -> None:
    text = "\n\nname,lat,lng\n\n  \n,,\na,1,2\n\n\nb,3,4\n"
    parsed = parse_csv(text)
    assert parsed.has_header
    assert [r.line for r in parsed.records] == [7, 10]


def test_lone_cr_line_endings() -> None:
    parsed = parse_csv(b"name,lat,lng\ra,1,2\rb,3,4\r")
    assert [r.line for r in parsed.records] == [2, 3]


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n", "\ufeff".encode()])
def test_empty_files(data: bytes) -> None:
    with pytest.raises(EmptyFileError) as info:
        parse_csv(data)
    assert "empty" in info.value.user_message()


def test_binary_file_is_not_text() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    with pytest.raises(NotTextError):
        parse_csv(png)
    with pytest.raises(CsvImportError):
        parse_csv(b"\x00\x01\x02\x03" * 100)


def test_unclosed_quote_is_one_field_not_a_crash() -> None:
    parsed = parse_csv('name,lat,lng\n"unclosed,1,2\nb,3,4\n')
    assert len(parsed.records) == 1
    assert parsed.records[0].line == 2


def _reference_records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Line numbers the slow, obvious way: follow the csv reader's line count row by row."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out, previous = [], 0
    for row in reader:
        start, previous = previous + 1, reader.line_num
        if row and "".join(row).strip():
            out.append((start, row))
    return out


def test_line_numbers_across_chunk_boundaries() -> None:
    parts = ["name;lat;lng;note\r\n"]
    for i in range(1, 1600):
        if i % 97 == 0:
            parts.append("\r\n  \r\n")  # blank lines
        note = f'"line one\r\nline two\nthree\r{i}"' if i % 13 == 0 else f"n{i}"
        parts.append(f"p{i};{i % 80},5;{i % 170};{note}\r\n")
    text = "".join(parts)
    expected = _reference_records(text, ";")
    records = split_records(text, ";")
    assert [(r.line, r.fields) for r in records] == expected
    assert len(records) == 1600


def test_header_found_after_many_blank_lines() -> None:
    text = "\n" * 700 + "name,lat,lng\n" + "".join(f"p{i},{i % 80},{i % 170}\n" for i in range(100))
    parsed = parse_csv(text)
    assert parsed.has_header and parsed.header == ["name", "lat", "lng"]
    assert parsed.records[0].line == 702 and len(parsed.records) == 100


def test_excel_sep_line() -> None:
    parsed = parse_csv(b"sep=;\r\nname;lat;lng\r\nParis;48,85;2,35\r\n")
    assert parsed.delimiter == ";" and parsed.has_header and parsed.header == ["name", "lat", "lng"]
    assert [(r.line, r.fields) for r in parsed.records] == [(3, ["Paris", "48,85", "2,35"])]
    assert parse_csv(b"sep=|\nParis|48.85|2.35\n", CsvOptions(has_header=False)).records[0].line == 2

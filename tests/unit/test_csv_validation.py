"""Row validation with the server's rules, extra columns, batches, the rejected-rows export
(round trip) and fingerprints."""

from __future__ import annotations

import hashlib

import pytest

from app.core.csvimport import (
    BATCH_SIZE,
    ValidRow,
    analyse,
    export_rejected,
    file_fingerprint,
    make_batches,
    parse_csv,
    row_fingerprint,
    split_tags,
)


def _errors(text: str) -> dict[int, str]:
    return {row.line: row.error for row in analyse(text).result.invalid}


def test_server_rules() -> None:
    long_name = "n" * 201
    text = (
        "name,lat,lng,description,address\n"
        f"ok,90,180,{'d' * 2000},{'a' * 500}\n"       # 2: limits included
        f"{long_name},1,2,,\n"                         # 3
        f"   ,1,2,,\n"                                 # 4: name empty after trimming
        f"x,-90.0001,2,,\n"                            # 5
        f"x,1,180.5,,\n"                               # 6
        f"x,1,2,{'d' * 2001},\n"                       # 7
        f"x,1,2,,{'a' * 501}\n"                        # 8
        f"x,nan,2,,\n"                                 # 9
        f"x,1,-inf,,\n"                                # 10
        f"\u200b\ufeff,1,2,,\n"                        # 11: invisible only
        f"{'é' * 200},1,2,,\n"                         # 12: 200 characters: fine
        f"{'😀' * 101},1,2,,\n"                        # 13: 202 UTF-16 units: refused (stricter is safe)
    )
    errors = _errors(text)
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9, 10, 11, 13}
    assert "longer than 200" in errors[3]
    assert errors[4] == "name is empty" and errors[11] == "name is empty"
    assert "between -90 and 90" in errors[5]
    assert "between -180 and 180" in errors[6]
    assert "description" in errors[7] and "address" in errors[8]
    assert "finite" in errors[9] and "finite" in errors[10]


def test_valid_row_fields_and_location() -> None:
    text = ("Name;Lat;Lng;Description;Address;Category;Tags;Layer\n"
            "  Café Ñ  ;48,85;2,35; nice ;1 rue X;Food;a, b|c;Main\n")
    plan = analyse(text, columns={"tags": "Tags"})
    row = plan.result.valid[0]
    assert (row.line, row.name, row.lat, row.lng) == (2, "Café Ñ", 48.85, 2.35)
    assert (row.description, row.address, row.category, row.layer) == ("nice", "1 rue X", "Food", "Main")
    assert row.tags == ("a", "b", "c")
    assert row.to_location() == {"name": "Café Ñ", "lat": 48.85, "lng": 2.35, "description": "nice",
                                 "address": "1 rue X"}


def test_tags_split_on_comma_semicolon_pipe() -> None:
    assert split_tags("a, b;c | A ;; d") == ["a", "b", "c", "d"]
    text = 'name,lat,lng,tags\nx,1,2,"museum; art|free, museum"\ny,1,2,\n'
    valid = analyse(text).result.valid
    assert valid[0].tags == ("museum", "art", "free")
    assert valid[1].tags == ()


def test_long_category_and_tag_refused() -> None:
    text = f"name,lat,lng,category,tags\nx,1,2,{'c' * 101},\ny,1,2,,{'t' * 51}\nz,1,2,cat,tag\n"
    errors = _errors(text)
    assert "category" in errors[2] and "tag" in errors[3] and 4 not in errors


def test_every_record_valid_or_invalid_with_reasons() -> None:
    text = "name,lat,lng\na,1,2\nb,x,2\nc,1\n,,\n\nd,91,0\ne,1°30′N,2 30 E\n"
    result = analyse(text).result
    assert result.rows == 5  # the ",," line is blank
    assert [r.line for r in result.valid] == [2, 8]
    assert [r.line for r in result.invalid] == [3, 4, 7]
    assert result.valid[1].lat == pytest.approx(1.5) and result.valid[1].lng == pytest.approx(2.5)


def test_batches_at_most_100() -> None:
    text = "name,lat,lng\n" + "".join(f"p{i},{i % 80},{i % 170}\n" for i in range(250))
    result = analyse(text).result
    batches = result.batches()
    assert [len(b) for b in batches] == [100, 100, 50]
    assert result.batch_count == 3
    assert [r.line for b in batches for r in b] == list(range(2, 252))
    assert [len(b) for b in make_batches(result.valid, 60)] == [60, 60, 60, 60, 10]
    with pytest.raises(ValueError):
        make_batches(result.valid, BATCH_SIZE + 1)
    assert make_batches([], 100) == []


def test_rejected_rows_export_round_trip() -> None:
    source = ('name;lat;lng;note\n'
              'ok;1,5;2,5;fine\n'
              '"bad; quoted";95;2;"multi\nline"\n'
              ';1;2;no name\n'
              'short;1\n'
              'extra;x;2;a;surplus\n')
    plan = analyse(source)
    assert [r.line for r in plan.result.invalid] == [3, 5, 6, 7]
    exported = plan.rejected_csv()
    again = parse_csv(exported)
    assert again.has_header
    assert again.header == ["name", "lat", "lng", "note", "column 5", "line", "reason"]
    assert len(again.records) == len(plan.result.invalid)
    for original, record in zip(plan.result.invalid, again.records, strict=True):
        padded = original.fields + [""] * (5 - len(original.fields))
        assert record.fields[:5] == padded
        assert record.fields[5] == str(original.line)
        assert record.fields[6] == original.error
    # Fixed by hand and imported again: the line and reason columns are ignored.
    fixed = exported.replace(";95;", ";45;").replace("95,", "45,")
    reimport = analyse(fixed)
    assert reimport.columns["name"] == "name"
    assert "line" not in reimport.columns.values() and "reason" not in reimport.columns.values()
    assert [r.name for r in reimport.result.valid] == ["bad; quoted"]


def test_export_with_source_delimiter() -> None:
    plan = analyse("name;lat;lng\nx;100;2\n")
    text = export_rejected(plan.parsed.header, plan.result.invalid, delimiter=";")
    assert text.splitlines()[0] == "name;lat;lng;line;reason"


def test_row_fingerprint() -> None:
    a = row_fingerprint("  Café  de Flore ", 48.8540001, 2.3325)
    assert a == row_fingerprint("café de flore", 48.854, 2.33250004)
    assert a != row_fingerprint("Café de Flore", 48.85401, 2.3325)
    assert row_fingerprint("x", -0.0000001, 0.0) == row_fingerprint("x", 0.0, 0.0)
    row = ValidRow(2, "Café de Flore", 48.854, 2.3325)
    assert row.fingerprint == a


def test_file_fingerprint() -> None:
    assert file_fingerprint(b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_summarise_matches_analyse() -> None:
    from app.core.csvimport import summarise

    lines = ["name,lat,lng,description"]
    for i in range(1, 1300):
        lat = "95" if i % 250 == 0 else f"{i % 80}.5"
        name = "" if i % 333 == 0 else f'"p{i}, the place"'
        lines.append(f"{name},{lat},{i % 170},{'multi' if i % 400 else chr(34) + 'a' + chr(10) + 'b' + chr(34)}")
    text = "\n".join(lines) + "\n"
    full = analyse(text)
    summary = summarise(text.encode(), keep_valid=5)
    assert summary.result.rows == full.result.rows == 1299
    assert summary.result.valid_count == len(full.result.valid)
    assert summary.result.valid == full.result.valid[:5]
    assert summary.result.invalid == full.result.invalid
    assert summary.result.batch_count == full.result.batch_count
    assert summary.columns == full.columns

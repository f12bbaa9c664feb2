"""Property tests: the reader never crashes, and every record comes out valid or invalid."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.csvimport import (
    CsvImportError,
    CsvOptions,
    analyse,
    iter_record_chunks,
    parse_csv,
    split_records,
    summarise,
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_FIELD = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="abc ,;|\t\"'\r\n°′″NSEW-.0123456789", max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["48.85", "-12,5", "40°26′46″N", "79 58 56 W", "POINT (1 2)", "", "  ", "N/A", "name", "lat",
                     "lng", "wkt", "1e400", "95.5"]),
)
_ROWS = st.lists(st.lists(_FIELD, min_size=1, max_size=6), min_size=1, max_size=15)
# Text a person's file holds: no control characters but tab and line breaks.
_TEXT_FIELD = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.text(alphabet="ab ,;|\t\"'\r\n°′″-.09", max_size=12),
)
_TEXT_ROWS = st.lists(st.lists(_TEXT_FIELD, min_size=1, max_size=6), min_size=1, max_size=15)


def _check_result(plan_result: object) -> None:
    result = plan_result
    assert len(result.valid) + len(result.invalid) == result.rows  # type: ignore[attr-defined]
    lines = sorted([r.line for r in result.valid] + [r.line for r in result.invalid])  # type: ignore[attr-defined]
    assert len(set(lines)) == len(lines)
    assert all(line >= 1 for line in lines)
    for row in result.invalid:  # type: ignore[attr-defined]
        assert isinstance(row.error, str) and row.error
    for row in result.valid:  # type: ignore[attr-defined]
        assert -90 <= row.lat <= 90 and -180 <= row.lng <= 180
        assert 1 <= len(row.name) <= 200 and row.name == row.name.strip()


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        parsed = parse_csv(data)
    except CsvImportError as exc:
        assert exc.user_message()
        return
    lines = [r.line for r in parsed.records]
    assert lines == sorted(set(lines))
    _check_result(analyse(parsed, require_mapping=False).result)


@SETTINGS
@given(_ROWS, st.sampled_from([",", ";", "\t", "|"]), st.booleans())
def test_random_csv_never_crashes_and_accounts_for_every_record(rows: list[list[str]], delimiter: str,
                                                                 header: bool) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    if header:
        writer.writerow(["name", "lat", "lng"])
    writer.writerows(rows)
    text = out.getvalue()
    for data in (text, text.encode("utf-8"), text.encode("utf-16")):
        try:
            plan = analyse(data, require_mapping=False)
        except CsvImportError:
            continue
        records = plan.parsed.records
        assert [r.line for r in records] == sorted({r.line for r in records})
        _check_result(plan.result)


@SETTINGS
@given(_TEXT_ROWS, st.sampled_from([",", ";", "\t", "|"]))
def test_written_rows_read_back_with_their_start_lines(rows: list[list[str]], delimiter: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")  # quotes fields with \r or \n
    expected: list[tuple[int, list[str]]] = []
    for row in rows:
        start = len(io.StringIO(out.getvalue(), newline="").readlines()) + 1
        writer.writerow(row)
        if "".join(row).strip():
            expected.append((start, row))
    if not expected:
        return
    parsed = parse_csv(out.getvalue(), CsvOptions(delimiter=delimiter, has_header=False))
    assert [(r.line, r.fields) for r in parsed.records] == expected



@SETTINGS
@given(_TEXT_ROWS, st.sampled_from([",", ";", "\t", "|"]), st.integers(min_value=1, max_value=5),
       st.sampled_from(["\r\n", "\n"]))
def test_chunked_reading_matches_whole_reading(rows: list[list[str]], delimiter: str, size: int,
                                               terminator: str) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=terminator).writerows(rows)
    text = out.getvalue() + terminator  # and a blank line at the end
    whole = split_records(text, delimiter)
    chunked = [r for chunk in iter_record_chunks(text, delimiter, size) for r in chunk]
    assert chunked == whole
    assert all(len(chunk) <= size for chunk in iter_record_chunks(text, delimiter, size))


@SETTINGS
@given(_ROWS, st.sampled_from([",", ";", "\t", "|"]))
def test_summary_agrees_with_full_analysis(rows: list[list[str]], delimiter: str) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows([["name", "lat", "lng", "description"], *rows])
    try:
        full = analyse(out.getvalue(), require_mapping=False)
    except CsvImportError:
        return
    summary = summarise(out.getvalue(), keep_valid=3, require_mapping=False)
    assert summary.result.rows == full.result.rows
    assert summary.result.valid_count == len(full.result.valid)
    assert summary.result.valid == full.result.valid[:3]
    assert summary.result.invalid == full.result.invalid
    assert summary.mapping == full.mapping

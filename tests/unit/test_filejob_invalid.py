"""The first pass keeps only the first invalid rows; the job still gets every one (read again)."""

from __future__ import annotations

from pathlib import Path

from app.core.csvimport import CsvOptions
from app.importer.filejob import KEPT_INVALID, check_file


def test_invalid_rows_past_the_kept_ones_are_counted_and_read_again(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    bad = KEPT_INVALID + 500
    lines = ["name,latitude,longitude"] + [f"Place {i},{'' if i % 2 else 45.0},10.0" for i in range(2 * bad)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check = check_file(path, CsvOptions(), None)
    assert (check.rows, check.valid, check.invalid_count, len(check.invalid)) == (2 * bad, bad, bad, KEPT_INVALID)
    rejected = list(check.rejected())
    assert len(rejected) == bad
    assert [r["line"] for r in rejected] == [2 * i + 3 for i in range(bad)]  # file order, header on line 1
    assert rejected[-1] == {"line": 2 * bad + 1, "error": "latitude is empty",
                            "row": [f"Place {2 * bad - 1}", "", "10.0"]}


def test_a_few_invalid_rows_are_all_kept_and_not_read_again(tmp_path: Path) -> None:
    path = tmp_path / "few.csv"
    path.write_text("name,latitude,longitude\nA,1,2\nB,,2\nC,95,2\n", encoding="utf-8")
    check = check_file(path, CsvOptions(), None)
    path.unlink()  # the kept rows need no second read
    assert check.invalid_count == len(check.invalid) == 2
    assert [r["line"] for r in check.rejected()] == [3, 4]

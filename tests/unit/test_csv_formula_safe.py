"""Formula-safe CSV (issue 9, point 8): cells a spreadsheet would run are neutralised in every
CSV Cabinet writes, and Cabinet's importer reads them back as the original text."""

from __future__ import annotations

import io

import pytest

from app.core.csvimport import analyse
from app.core.csvsafe import neutralise, restore
from app.sync.export import write_export

RUNNABLE = ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tx", "\rx", "=",
            "-", "'=already quoted", "''=twice"]
PLAIN = ["-12.5", "+3", "12", "-1,5e3", ".5", "Joe's", "'Allo 'Allo", "", "a=b", "plain"]


@pytest.mark.parametrize("cell", RUNNABLE)
def test_a_runnable_cell_is_neutralised_and_comes_back(cell: str) -> None:
    safe = neutralise(cell)
    assert safe == "'" + cell
    assert restore(safe) == cell


@pytest.mark.parametrize("cell", PLAIN)
def test_plain_cells_and_numbers_are_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell
    assert restore(cell) == cell


def test_export_csv_is_formula_safe() -> None:
    out = io.StringIO()
    write_export(out, [{"id": "1", "name": "=1+1", "lat": -12.5, "note": "@SUM(A1)"}], "csv")
    assert out.getvalue().splitlines()[1] == "1,'=1+1,-12.5,'@SUM(A1)"


def test_a_fixed_rejected_rows_file_imports_with_the_original_text() -> None:
    text = ("name,lat,lng,description\n"
            "=HYPERLINK(\"x\"),north,2.0,+cmd|calc\n"
            "@Home,1.0,2.0,-minus\n")
    plan = analyse(text)
    assert [r.name for r in plan.result.valid] == ["@Home"]
    assert plan.result.valid[0].description == "-minus"
    rejected = plan.rejected_csv()
    assert "'=HYPERLINK" in rejected and "'+cmd|calc" in rejected
    assert "\n'@Home" not in rejected  # only the rejected row is written
    fixed = rejected.replace("north", "1.5")
    again = analyse(fixed)
    assert [(r.name, r.lat, r.description) for r in again.result.valid] == [("=HYPERLINK(\"x\")", 1.5, "+cmd|calc")]


def test_the_fast_path_restores_too() -> None:
    rows = "\n".join(f"'=name {i},{i % 80}.5,{i % 170}.25" for i in range(2000))
    plan = analyse("name,lat,lng\n" + rows + "\n")
    assert plan.result.valid_count == 2000
    assert plan.result.valid[1999].name == "=name 1999"


def test_the_window_export_is_formula_safe(tmp_path) -> None:
    from app.ui.columns import COLUMNS
    from app.ui.export import write_csv

    columns = COLUMNS["maps"]
    record = {c.key: "=cmd|calc" for c in columns}
    write_csv(tmp_path / "maps.csv", columns, [record])
    cells = (tmp_path / "maps.csv").read_text(encoding="utf-8").splitlines()[1].split(",")
    assert "'=cmd|calc" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]

"""`cabinet import ... --dry-run` as a subprocess: exit codes, the JSON object, the summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.data import CSV_DIR

ROOT = Path(__file__).resolve().parents[2]
DATA = CSV_DIR
EXPECTATIONS = json.loads((DATA / "expectations.json").read_text(encoding="utf-8"))


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "app", "import", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)


def _dry_json(*args: str | Path) -> dict:
    proc = _run(*args, "--dry-run", "--json")
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1  # exactly one JSON object
    return json.loads(lines[0])


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_dry_run_json_on_the_test_files(name: str) -> None:
    expected = EXPECTATIONS[name]
    report = _dry_json(DATA / name)
    assert {"rows", "valid", "invalid", "batches", "encoding", "delimiter", "columns", "preview"} <= report.keys()
    assert report["rows"] == expected["rows"]
    assert report["valid"] == expected["valid"]
    assert [item["line"] for item in report["invalid"]] == expected["invalid"]
    assert all(isinstance(item["error"], str) and item["error"] for item in report["invalid"])
    assert report["batches"] == -(-expected["valid"] // 100)
    assert {"name", "lat", "lng"} <= report["columns"].keys()
    preview = report["preview"]
    assert 1 <= len(preview) <= 5
    assert set(preview[0]) == {"line", "name", "lat", "lng"}
    assert preview[0]["name"] == expected["first"]["name"]
    assert preview[0]["lat"] == pytest.approx(expected["first"]["lat"])
    assert preview[0]["lng"] == pytest.approx(expected["first"]["lng"])


def test_dry_run_formats_and_columns() -> None:
    semicolon = _dry_json(DATA / "cities_semicolon_decimal_comma_bom.csv")
    assert semicolon["delimiter"] == ";" and semicolon["encoding"].startswith("utf-8")
    assert semicolon["columns"]["name"] == "Nom"
    tsv = _dry_json(DATA / "cities_lng_first.tsv")
    assert tsv["delimiter"] == "\t"
    assert (tsv["columns"]["lat"], tsv["columns"]["lng"]) == ("lat", "lng")
    wkt = _dry_json(DATA / "cities_wkt.csv")
    assert wkt["columns"]["wkt"] == "WKT"
    assert wkt["columns"]["name"] == "name"
    cp = _dry_json(DATA / "cities_cp1252.csv")
    assert cp["encoding"] == "cp1252"


def test_dry_run_with_overrides(tmp_path: Path) -> None:
    path = tmp_path / "places.txt"
    path.write_bytes("Paris|48,85|2,35\nLyon|45,76|4,84\n".encode("cp1252"))
    report = _dry_json(path, "--no-header", "--delimiter", "pipe", "--decimal-comma", "--encoding", "cp1252",
                       "--name-column", "1", "--lat-column", "3", "--lng-column", "2")
    assert report["rows"] == 2 and report["valid"] == 2 and report["delimiter"] == "|"
    assert report["columns"] == {"name": "column 1", "lat": "column 3", "lng": "column 2"}
    assert report["preview"][0] == {"line": 1, "name": "Paris", "lat": 2.35, "lng": 48.85}


def test_dry_run_needs_no_map_and_no_network_modules() -> None:
    code = ("import sys, runpy; sys.argv = ['cabinet', 'import', sys.argv[1], '--dry-run', '--json'];\n"
            "try:\n    runpy.run_module('app', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "bad = [m for m in ('httpx', 'PySide6', 'typing_extensions', 'charset_normalizer') if m in sys.modules]\n"
            "print('HEAVY', bad)")
    proc = subprocess.run([sys.executable, "-c", code, str(DATA / "cities_dms.csv")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY []"


def test_human_summary() -> None:
    proc = _run(DATA / "cities_messy.csv", "--dry-run")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "120 rows read" in out and "113 valid rows" in out and "7 invalid rows" in out
    assert "line 9:" in out and "line 95:" in out
    assert "nothing was sent" in out


def test_missing_file_exit_2() -> None:
    proc = _run("/no/such/file.csv", "--dry-run", "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "no file" in proc.stderr and "Check the path" in proc.stderr


def test_binary_and_empty_files_exit_2(tmp_path: Path) -> None:
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    proc = _run(binary, "--dry-run", "--json")
    assert proc.returncode == 2 and "not a text file" in proc.stderr
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    proc = _run(empty, "--dry-run")
    assert proc.returncode == 2 and "empty" in proc.stderr


def test_no_coordinate_columns_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("title,note\nParis,big\nLyon,small\n", encoding="utf-8")
    proc = _run(path, "--dry-run", "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "no latitude and longitude columns" in proc.stderr and "--lat-column" in proc.stderr
    proc = _run(path, "--dry-run", "--lat-column", "nope")
    assert proc.returncode == 2 and "no column 'nope'" in proc.stderr


def test_bad_encoding_option_exit_2() -> None:
    proc = _run(DATA / "cities_cp1252.csv", "--dry-run", "--encoding", "utf-8")
    assert proc.returncode == 2 and "not valid utf-8" in proc.stderr


def test_usage_errors_exit_2() -> None:
    proc = _run("--dry-run")
    assert proc.returncode == 2 and "FILE" in proc.stderr
    proc = _run(DATA / "cities_dms.csv")  # a real import needs --map
    assert proc.returncode == 2 and "--map" in proc.stderr

"""Test data that travels with the repository (see csv/README.md for its source and licence)."""

from pathlib import Path

CSV_DIR = Path(__file__).resolve().parent / "csv"

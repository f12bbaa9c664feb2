"""Reading an import file with the command line's options: shared by the dry run (cli.py) and
the import jobs (jobs_cli.py). No network, no Qt."""

from __future__ import annotations

import argparse

from app.core.csvimport import FIELDS, CsvOptions, ImportPlan, open_input, summarise


def options(args: argparse.Namespace) -> CsvOptions:
    return CsvOptions(encoding=args.encoding or None, delimiter=args.delimiter or None,
                      decimal_comma=args.decimal_comma, has_header=args.has_header)


def column_overrides(args: argparse.Namespace) -> dict[str, str]:
    out: dict[str, str] = {}
    for field in FIELDS:
        value = getattr(args, f"{field}_column", None)
        if value:
            out[field] = value
    if "wkt" in out and "lat" not in out and "lng" not in out:
        out["lat"] = out["lng"] = None  # type: ignore[assignment]
    return out


def load_summary(args: argparse.Namespace, keep_valid: int) -> ImportPlan:
    """Read, map and check FILE in one pass and constant memory (the file is streamed), keeping
    only the first ``keep_valid`` valid rows (and the invalid ones)."""
    with open_input(args.file) as fh:
        return summarise(fh, options(args), column_overrides(args) or None, keep_valid=keep_valid)


def file_problem(path: str, exc: OSError) -> tuple[str, str]:
    """What went wrong reading an import file, and what to do: (message, hint)."""
    if isinstance(exc, FileNotFoundError):
        return f"there is no file '{path}'", "Check the path and try again."
    if isinstance(exc, IsADirectoryError):
        return f"'{path}' is a folder, not a file", "Give the path of a CSV, TSV or TXT file."
    return (f"'{path}' cannot be read: {exc.strerror or exc}",
            "Check that the file exists and that you may read it.")

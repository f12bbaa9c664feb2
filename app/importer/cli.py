"""`cabinet import`: check a CSV file (``--dry-run``, no network) or start, resume and list
import jobs (handled by `app.importer.jobs_cli`, imported only when needed).

Top-level imports stay light: no httpx, no Qt, not even the CSV engine until it runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from typing import Any

from app.core.csv_fields import FIELDS
from app.core.registry import BULK_LIMIT

PREVIEW_ROWS = 5  # valid rows a dry run shows

# Exit statuses
OK = 0
USAGE = 2

_SHOWN_INVALID = 20
_FIELD_WORDS = {"name": "name", "lat": "latitude", "lng": "longitude", "wkt": "WKT point (POINT (lng lat))",
                "description": "description", "address": "address", "category": "category", "tags": "tags",
                "layer": "layer"}


def register(subparsers: Any) -> None:
    """Add the `import` sub-command to the dispatcher's sub-parsers (app/cli.py)."""
    parser = subparsers.add_parser(
        "import",
        help="import locations from a CSV/TSV file into a Mapiry map (or check it with --dry-run)",
        description="Import locations from a CSV, TSV or TXT file into a Mapiry map. "
        "Use --dry-run to check the file without sending anything.",
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="the CSV/TSV/TXT file to import")
    parser.add_argument("--map", dest="map_id", metavar="MAP_ID", help="the Mapiry map to import into")
    parser.add_argument("--dry-run", action="store_true",
                        help="read and check the file, send nothing (no network; --map optional)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a summary")
    columns = parser.add_argument_group("columns (a title from the header, or a number: 1 = first column)")
    for field in FIELDS:
        columns.add_argument(f"--{field}-column", dest=f"{field}_column", metavar="C",
                             help=argparse.SUPPRESS if field not in ("name", "lat", "lng", "wkt") else
                             f"the {_FIELD_WORDS[field]} column")
    fmt = parser.add_argument_group("file format (detected unless given)")
    fmt.add_argument("--encoding", metavar="E", help="e.g. utf-8, utf-16, cp1252, latin-1")
    fmt.add_argument("--delimiter", metavar="D", help="one character, or comma, semicolon, tab, pipe")
    fmt.add_argument("--decimal-comma", dest="decimal_comma", action="store_const", const=True, default=None,
                     help="numbers use a decimal comma (35,75)")
    fmt.add_argument("--no-decimal-comma", dest="decimal_comma", action="store_const", const=False,
                     help=argparse.SUPPRESS)
    fmt.add_argument("--no-header", dest="has_header", action="store_const", const=False, default=None,
                     help="the first line is a row, not a header")
    fmt.add_argument("--header", dest="has_header", action="store_const", const=True, help=argparse.SUPPRESS)
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument("--skip-existing", action="store_true",
                          help="skip rows already on the map (same name and coordinates)")
    existing.add_argument("--allow-duplicates", action="store_true",
                          help="import rows again even when the map already has them")
    jobs = parser.add_argument_group("jobs")
    jobs.add_argument("--resume", nargs="?", const="latest", default=None, metavar="JOB_ID",
                      help="resume an import job (the latest unfinished one without JOB_ID)")
    jobs.add_argument("--list", dest="list_jobs", action="store_true", help="list the import jobs")
    jobs.add_argument("--wait", action="store_true",
                      help="when another process runs the job, wait for it to finish instead of stopping")
    parser.set_defaults(func=run, _import_parser=parser)



def _fail(message: str, hint: str = "") -> int:
    print(f"cabinet import: {message}", file=sys.stderr)
    if hint:
        print(hint, file=sys.stderr)
    return USAGE


def run(args: argparse.Namespace) -> int:
    """The handler of `cabinet import`."""
    if args.dry_run:
        if args.resume is not None or args.list_jobs:
            return _fail("--dry-run checks a FILE; it cannot be combined with --resume or --list")
        if not args.file:
            return _fail("give the FILE to check", "Usage: cabinet import FILE --dry-run [--json]")
        return dry_run(args)
    if args.resume is None and not args.list_jobs:
        if not args.file:
            return _fail("give a FILE to import, or --resume [JOB_ID], or --list",
                         "Usage: cabinet import FILE --map MAP_ID [--dry-run]")
        if not args.map_id:
            return _fail("give the map to import into with --map MAP_ID",
                         "Or check the file first without sending anything: --dry-run.")
    # start-up: network and storage load only when an import runs (`cabinet` and --help stay fast)
    from app.importer.jobs_cli import run_import_command

    return int(run_import_command(args) or 0)


def dry_run(args: argparse.Namespace) -> int:
    # A short run that builds many small objects and no cycles: the cycle collector would
    # only walk them again and again (about a tenth of the run on 34,000 rows).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _dry_run(args)
    finally:
        if gc_was_enabled:
            gc.enable()


def _dry_run(args: argparse.Namespace) -> int:
    # Imported here for start-up speed: `cabinet --help` and the other commands never load the CSV engine.
    from app.core.csvimport import CsvImportError, MappingError
    from app.importer.files import file_problem, load_summary

    try:
        plan = load_summary(args, PREVIEW_ROWS)
    except OSError as exc:
        return _fail(*file_problem(args.file, exc))
    except MappingError as exc:
        return _fail(f"{args.file}: {exc.message}",
                     "Name the columns with --name-column C and --lat-column C --lng-column C (or --wkt-column C),"
                     " where C is a title from the header or a column number (1 = first).")
    except CsvImportError as exc:
        return _fail(f"{args.file}: {exc.message}", exc.hint)
    if args.json:
        output = json.dumps(summary_dict(plan), ensure_ascii=False) + "\n"
    else:
        output = summary_text(plan, args.file)
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
    except BrokenPipeError:  # `cabinet import ... | head`: the reader has gone, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return OK


def summary_dict(plan: Any) -> dict[str, Any]:
    """The --dry-run --json object."""
    parsed, result = plan.parsed, plan.result
    names = plan.columns
    columns: dict[str, str | None] = {"name": names.get("name"), "lat": names.get("lat"),
                                      "lng": names.get("lng")}
    if plan.mapping.uses_wkt:
        columns["lat"] = columns["lng"] = None
    for field, title in names.items():
        columns.setdefault(field, title)
    return {
        "rows": result.rows,
        "valid": result.valid_count,
        "invalid": [{"line": row.line, "error": row.error} for row in result.invalid],
        "batches": result.batch_count,
        "encoding": parsed.encoding,
        "delimiter": parsed.delimiter,
        "header": parsed.has_header,
        "decimal_comma": parsed.decimal_comma,
        "columns": columns,
        "warnings": list(result.warnings),
        "preview": [{"line": row.line, "name": row.name, "lat": row.lat, "lng": row.lng}
                    for row in result.preview(PREVIEW_ROWS)],
    }


def summary_text(plan: Any, path: str) -> str:
    """The human summary of a dry run."""
    parsed, result = plan.parsed, plan.result
    lines = [
        f"{path}: {result.rows:,} rows read",
        f"  format: encoding {parsed.encoding}, delimiter {parsed.delimiter_name}, "
        f"{'a header row' if parsed.has_header else 'no header row'}, "
        f"decimal {'comma' if parsed.decimal_comma else 'point'}",
        "  columns: " + ", ".join(f"{_FIELD_WORDS[f].split(' ')[0]} = '{t}'" for f, t in plan.columns.items()),
        f"  {result.valid_count:,} valid rows, to send in {result.batch_count} batches of up to {BULK_LIMIT}",
    ]
    for warning in result.warnings:
        lines.append(f"  warning: {warning}")
    if result.invalid:
        lines.append(f"  {len(result.invalid):,} invalid rows (not sent):")
        for row in result.invalid[:_SHOWN_INVALID]:
            lines.append(f"    line {row.line}: {row.error}")
        if len(result.invalid) > _SHOWN_INVALID:
            lines.append(f"    ... and {len(result.invalid) - _SHOWN_INVALID} more (use --json to see them all)")
    else:
        lines.append("  no invalid rows")
    if result.valid:
        lines.append("  first rows:")
        for row in result.preview(PREVIEW_ROWS):
            lines.append(f"    line {row.line}: {row.name} ({row.lat:.6g}, {row.lng:.6g})")
    lines.append("Dry run: nothing was sent. Import with: cabinet import FILE --map MAP_ID")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """`python -m app.importer.cli FILE --dry-run`: the same command without the dispatcher."""
    parser = argparse.ArgumentParser(prog="cabinet")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["import", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

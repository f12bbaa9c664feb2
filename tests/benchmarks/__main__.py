"""Run every tests/benchmarks/bench_*.py module's main() in turn and print their lines.

`python -m tests.benchmarks [--json FILE] [NAME ...]` runs all of them, or those whose name
contains NAME. With --json, FILE gets one JSON line per figure of every benchmark run —
{"name", "value", "unit", "target", "ok"} — beside the printed lines (a benchmark that failed
gets one line with value null and ok false). Exit status 1 when a benchmark raised (the others
still run); the numbers are not judged here.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover(filters: list[str] | None = None) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if filters:
        names = [n for n in names if any(f in n for f in filters)]
    return names


def run(names: list[str]) -> dict[str, object]:
    results: dict[str, object] = {}
    for name in names:
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"{__package__ or 'tests.benchmarks'}.{name}")
            results[name] = module.main()
        except Exception as exc:  # noqa: BLE001 - one failing benchmark must not stop the others
            traceback.print_exc()
            print(f"{name}: FAILED ({type(exc).__name__}: {exc})", flush=True)
            results[name] = exc
        except SystemExit as exc:  # a benchmark that calls sys.exit() itself
            results[name] = exc
            if exc.code not in (None, 0):
                print(f"{name}: exited with {exc.code}", flush=True)
        print(f"   ({time.perf_counter() - start:.1f} s)", flush=True)
    return results


def figures(name: str, result: object) -> list[dict]:
    """The figures a benchmark returned, or one failing line when it returned none."""
    found = result.get("figures") if isinstance(result, dict) else None
    if isinstance(found, list) and found:
        return found
    return [{"name": name.removeprefix("bench_"), "value": None, "unit": "", "target": "", "ok": False}]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE", help="write one JSON line per figure to FILE")
    parser.add_argument("names", nargs="*", help="run the benchmarks whose name contains one of these")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    names = discover(args.names)
    if not names:
        print("no benchmark matches", file=sys.stderr)
        return 2
    results = run(names)
    if args.json:
        try:
            with open(args.json, "w", encoding="utf-8") as out:
                for name, result in results.items():
                    for line in figures(name, result):
                        out.write(json.dumps(line) + "\n")
        except OSError as exc:
            print(f"could not write {args.json}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    failed = [n for n, r in results.items() if isinstance(r, BaseException)
              and not (isinstance(r, SystemExit) and r.code in (None, 0))]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

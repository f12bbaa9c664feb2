"""Run every tests/benchmarks/bench_*.py module's main() in turn and print their lines.

`python -m tests.benchmarks [NAME ...]` runs all of them, or those whose name contains NAME.
Exit status 1 when a benchmark raised (the others still run); the numbers are not judged here.
"""

from __future__ import annotations

import importlib
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


def main(argv: list[str] | None = None) -> int:
    names = discover(list(sys.argv[1:] if argv is None else argv))
    if not names:
        print("no benchmark matches", file=sys.stderr)
        return 2
    results = run(names)
    failed = [n for n, r in results.items() if isinstance(r, BaseException)
              and not (isinstance(r, SystemExit) and r.code in (None, 0))]
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

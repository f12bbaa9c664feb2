"""Benchmark: peak memory (RSS) of `cabinet import` and of the import wizard on a generated
1,000,000-row CSV (~70 MB).

Five whole processes, each measured by the kernel (wait4's ru_maxrss):

* the baseline: a bare script that reads the same file with the csv module, row by row;
* ``--dry-run``: target <= 200 MB, whatever the file's size;
* a real import without a key (it stops at the key check, which comes before the file is read);
* a real import against a sandbox in this process, its rate limits lifted (the pacing of the real
  service would take days for 10,000 bulk requests): target <= 350 MB (job rows live in the
  state database, not in memory);
* the import wizard (tests/benchmarks/wizard_child.py), offscreen, against the same sandbox: the
  file page, the mapping, the check of every row, the map's plan and the job stored with every
  row, then cancelled: target <= 350 MB, as the command line's import (it streams the same way).

Reported as MB and as a ratio against the baseline. CABINET_BENCH_ROWS sets another row count.
Run with `python -m tests.benchmarks memory` or `python -m tests.benchmarks.bench_import_memory`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.report import figure

ROWS = int(os.environ.get("CABINET_BENCH_ROWS", "1000000"))
DRY_RUN_MB = 200
IMPORT_MB = 350
WIZARD_MB = IMPORT_MB  # the wizard streams the file as the command line does
DEADLINE_S = 3600.0  # one process; past it the child is killed and the benchmark fails
ROOT = Path(__file__).resolve().parents[2]
_BARE = (
    "import csv, sys\n"
    "with open(sys.argv[1], newline='', encoding='utf-8') as fh:\n"
    "    for row in csv.reader(fh):\n"
    "        pass\n"
)


def _peak(cmd: list[str], env: dict[str, str], folder: Path, name: str) -> tuple[float, int, float, str]:
    """(peak RSS in MB, exit status, seconds, the tail of stderr) of one child process."""
    out, err = folder / f"{name}.out", folder / f"{name}.err"
    started = time.perf_counter()
    with out.open("wb") as fo, err.open("wb") as fe:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fo, stderr=fe)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > DEADLINE_S:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.2)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    tail = err.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:]
    return usage.ru_maxrss / 1024, proc.returncode, time.perf_counter() - started, (tail or [""])[0]


def _new_map(c: Any, title: str) -> str:
    r = c.post("maps", json={"title": title})
    r.raise_for_status()
    return str(r.json()["data"]["id"])


def main() -> dict[str, Any]:
    from app.sandbox.server import SandboxServer
    from tests.benchmarks.bench_import_dryrun import make_csv

    with tempfile.TemporaryDirectory(prefix="cabinet-bench-memory-") as tmp:
        folder = Path(tmp)
        path = make_csv(folder / "places.csv", rows=ROWS)
        size_mb = path.stat().st_size / 1e6
        env = dict(os.environ, CABINET_DATA_DIR=str(folder / "data"),
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        for name in ("MAPIRY_API_KEY", "MAPIRY_BASE_URL"):
            env.pop(name, None)
        app = [sys.executable, "-m", "app", "import", str(path)]
        bare_mb, _, _, _ = _peak([sys.executable, "-c", _BARE, str(path)], env, folder, "bare")
        dry_mb, dry_status, dry_s, dry_err = _peak([*app, "--dry-run", "--json"], env, folder, "dry")
        nokey_mb, nokey_status, _, _ = _peak([*app, "--map", "c0abcdef0123456789abcdef"], env, folder, "nokey")
        srv = SandboxServer(seed="demo").start()
        try:
            srv.set_limits(bulk=1_000_000, general=1_000_000, maps=1_000)
            key = srv.info["mapiry"]["keys"]["read_write"]
            import httpx

            with httpx.Client(base_url=srv.mapiry_url.rstrip("/") + "/",
                              headers={"Authorization": f"Bearer {key}"}, timeout=60) as c:
                map_id, wizard_map = (_new_map(c, title) for title in ("memory bench", "wizard memory bench"))
            env.update(MAPIRY_API_KEY=key, MAPIRY_BASE_URL=srv.mapiry_url)
            wiz_mb, wiz_status, wiz_s, wiz_err = _peak(
                [sys.executable, "-m", "tests.benchmarks.wizard_child", str(path), wizard_map],
                dict(env, CABINET_DATA_DIR=str(folder / "wizard-data")), folder, "wizard")
            imp_mb, imp_status, imp_s, imp_err = _peak([*app, "--map", map_id, "--json"], env, folder, "import")
        finally:
            srv.stop()
    result = {
        "rows": ROWS, "file_mb": round(size_mb, 1), "baseline_mb": round(bare_mb, 1),
        "dry_run_mb": round(dry_mb, 1), "dry_run_ratio": round(dry_mb / bare_mb, 2), "dry_run_s": round(dry_s, 1),
        "no_key_mb": round(nokey_mb, 1), "import_mb": round(imp_mb, 1),
        "import_ratio": round(imp_mb / bare_mb, 2), "import_s": round(imp_s, 1),
        "wizard_mb": round(wiz_mb, 1), "wizard_ratio": round(wiz_mb / bare_mb, 2), "wizard_s": round(wiz_s, 1),
        "ok": dry_status == 0 and imp_status == 0 and nokey_status == 2 and wiz_status == 0
        and dry_mb <= DRY_RUN_MB and imp_mb <= IMPORT_MB and wiz_mb <= WIZARD_MB,
        "figures": [figure("import_memory_dry_run_peak", dry_mb, "MB", f"<= {DRY_RUN_MB}",
                           dry_status == 0 and dry_mb <= DRY_RUN_MB),
                    figure("import_memory_import_peak", imp_mb, "MB", f"<= {IMPORT_MB}",
                           imp_status == 0 and imp_mb <= IMPORT_MB),
                    figure("import_memory_wizard_peak", wiz_mb, "MB", f"<= {WIZARD_MB}",
                           wiz_status == 0 and wiz_mb <= WIZARD_MB)],
    }
    print(f"import memory, {ROWS:,} rows ({size_mb:.0f} MB): bare csv read {bare_mb:.0f} MB; "
          f"dry run {dry_mb:.0f} MB (x{result['dry_run_ratio']}, target <= {DRY_RUN_MB}) in {dry_s:.0f} s; "
          f"import without a key {nokey_mb:.0f} MB (exit {nokey_status}); "
          f"import {imp_mb:.0f} MB (x{result['import_ratio']}, target <= {IMPORT_MB}) in {imp_s:.0f} s; "
          f"wizard to a queued job {wiz_mb:.0f} MB (x{result['wizard_ratio']}, target <= {WIZARD_MB}) "
          f"in {wiz_s:.0f} s {'OK' if result['ok'] else 'FAIL'}")
    if dry_status != 0 or imp_status != 0 or wiz_status != 0:
        print(f"   dry run exit {dry_status}: {dry_err}; import exit {imp_status}: {imp_err}; "
              f"wizard exit {wiz_status}: {wiz_err}")
    return result


if __name__ == "__main__":
    main()

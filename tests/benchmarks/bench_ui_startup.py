"""Start to first painted window: Cabinet with 100,000 cached items (Items view open) vs a bare
PySide6 script opening an empty QTableView. Whole processes, alternated, same run. Target ratio <= 1.5.

Each child prints the wall-clock time of the first paint of its table's viewport; the parent
measures from just before it spawns the process. Bytecode is cached as on an installed app (in a
temporary PYTHONPYCACHEPREFIX, even when PYTHONDONTWRITEBYTECODE is set, as bench_import_dryrun
does): both children get the same environment, and the warm-up run of each fills the cache.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
N_ITEMS = 100_000
RUNS = 5
TARGET = 1.5

BARE = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
app = QApplication(sys.argv[:1])
w = QMainWindow()
table = QTableView()
w.setCentralWidget(table)
w.resize(1280, 800)
class First(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint:
            print(f"PAINTED {time.time():.6f}", flush=True)
            app.quit()
        return False
f = First()
table.viewport().installEventFilter(f)
w.show()
app.exec()
"""

CABINET = r"""
import sys, time
sys.path.insert(0, sys.argv[2])
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
from app.storage import Cache
from app.ui.main_window import MainWindow
app = QApplication(sys.argv[:1])
cache = Cache(sys.argv[1])
w = MainWindow(cache)
table = w.pages["items"].table
class First(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint:
            print(f"PAINTED {time.time():.6f} rows={w.pages['items'].model.rowCount()}", flush=True)
            app.quit()
        return False
f = First()
table.viewport().installEventFilter(f)
w.show()
app.exec()
heavy = [m for m in ("httpx", "keyring", "starlette", "uvicorn") if m in sys.modules]
print("HEAVY", ",".join(heavy), flush=True)
"""


def ui_cache_path(n_items: int = N_ITEMS) -> Path:
    """A cache with ``n_items`` items, built once per machine and reused by the UI benchmarks."""
    sys.path.insert(0, str(ROOT))
    from app.storage import Cache

    path = Path(tempfile.gettempdir()) / f"cabinet-ui-bench-{n_items}.sqlite3"
    if path.exists():
        try:
            cache = Cache(path)
            ok = cache.count("items") == n_items
            cache.close()
            if ok:
                return path
        except Exception:  # noqa: BLE001 - an old schema: rebuild
            pass
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    try:
        from tests.benchmarks.make_cache import make_cache
    except ImportError:
        make_cache = None
    if make_cache is not None:
        make_cache(path, n_items)
    else:  # fill it ourselves
        cache = Cache(path)
        cache.replace_all("items", ({"id": f"itm_{i:020d}", "name": f"Item {i}", "status": "keep",
                                     "collection_id": "c", "currency": "USD", "estimated_value": i % 500,
                                     "created_at": "2026-01-01T00:00:00Z"} for i in range(n_items)))
        cache.close()
    return path


def child_env(config_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["QT_LOGGING_RULES"] = "qt.qpa.*=false"
    env["XDG_CONFIG_HOME"] = config_dir  # fresh QSettings: the Items view opens
    return env


def _run(script: str, args: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.time()
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
                         timeout=120, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("PAINTED"))
    return float(line.split()[1]) - start, out


def main() -> dict:
    cache = ui_cache_path()
    with tempfile.TemporaryDirectory() as cfg:
        env = child_env(cfg)
        env["PYTHONPYCACHEPREFIX"] = str(Path(cfg) / "pycache")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # one warm-up of each (file cache, bytecode), not counted
        _run(BARE, [], env)
        _run(CABINET, [str(cache), str(ROOT)], env)
        bare, cabinet = [], []
        heavy = ""
        for _ in range(RUNS):
            bare.append(_run(BARE, [], env)[0])
            t, out = _run(CABINET, [str(cache), str(ROOT)], env)
            cabinet.append(t)
            heavy = next((x[6:] for x in out.splitlines() if x.startswith("HEAVY")), "")
    b, c = statistics.median(bare), statistics.median(cabinet)
    ratio = c / b
    result = {
        "name": "ui_startup",
        "items": N_ITEMS,
        "bare_s": round(b, 3),
        "cabinet_s": round(c, 3),
        "ratio": round(ratio, 2),
        "target": TARGET,
        "ok": ratio <= TARGET,
        "heavy_imports": heavy.strip(),
    }
    print(f"ui_startup: first paint with {N_ITEMS:,} items {c:.3f} s vs bare QTableView {b:.3f} s "
          f"-> ratio {ratio:.2f} (target <= {TARGET}) {'OK' if result['ok'] else 'OVER'}")
    return result


if __name__ == "__main__":
    main()

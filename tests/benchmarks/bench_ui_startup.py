"""Start to first painted window: the real Cabinet start (`python -m app`, not demo mode) with
100,000 cached items and the Items view open, vs a bare PySide6 script opening a window with an
empty QTableView. Whole processes, same environment, alternated, same run. Target ratio <= 1.5.

Cabinet runs as a person starts it: `python -m app`, with its cache at
CABINET_DATA_DIR/cache.sqlite3 (100,000 items, built once by make_cache.py and kept in the temp
folder between runs), its settings (CABINET_CONFIG_DIR, QSettings through XDG_CONFIG_HOME) in a
fresh temporary folder whose last view is Items, and API keys in the environment so it opens on
the user's cache rather than demo mode. The base URLs point at a closed loopback port: nothing is
reached and nothing waits on a network. CABINET_EXIT_AFTER_FIRST_PAINT=1 makes the launcher print
`FIRST_PAINT <epoch seconds> ...` right after the main window's first paint (its whole first frame)
and quit; the bare script does the same with its window. Both use the offscreen platform.

The parent measures from just before it spawns a process to the printed time; each side's figure
is the best of RUNS (the least disturbed run on a noisy machine). Bytecode is cached as on an
installed app (in a temporary PYTHONPYCACHEPREFIX, even when PYTHONDONTWRITEBYTECODE is set):
both children get the same environment, and a warm-up run of each fills the cache.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks.report import figure

ROOT = Path(__file__).resolve().parents[2]
# The packaged app (`make bundle`): measured beside the others when it has been built.
BUNDLE_EXE = ROOT / "dist" / "Cabinet" / "cabinet"
N_ITEMS = 100_000
RUNS = 9
TARGET = 1.5

# The same first-paint hook as the launcher's (app/ui/launch.py), on the same kind of window.
BARE = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView
app = QApplication(sys.argv[:1])
w = QMainWindow()
table = QTableView()
w.setCentralWidget(table)
w.resize(1280, 800)
def report():
    print(f"FIRST_PAINT {time.time():.6f}", flush=True)
    app.quit()
class First(QObject):
    def eventFilter(self, obj, ev):
        if obj is w and ev.type() == QEvent.Type.Paint:
            w.removeEventFilter(self)
            QTimer.singleShot(0, report)
        return False
f = First()
w.installEventFilter(f)
w.show()
app.exec()
"""

# What the app imported by the time it painted: none of these should be needed for that.
HEAVY = ("httpx", "keyring", "starlette", "uvicorn", "qasync", "asyncio", "app.ui.controller")


def ui_cache_path(n_items: int = N_ITEMS) -> Path:
    """A cache with ``n_items`` items, built once per machine and reused by the UI benchmarks."""
    return _cache_at(Path(tempfile.gettempdir()) / f"cabinet-ui-bench-{n_items}.sqlite3", n_items)


def app_data_dir(n_items: int = N_ITEMS) -> Path:
    """A CABINET_DATA_DIR whose cache.sqlite3 holds ``n_items`` items (kept between runs)."""
    folder = Path(tempfile.gettempdir()) / f"cabinet-ui-bench-data-{n_items}"
    _cache_at(folder / "cache.sqlite3", n_items)
    return folder


def _cache_at(path: Path, n_items: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.benchmarks.make_cache import make_cache, reuse_or_make

    return reuse_or_make(path, "items", n_items, lambda p: make_cache(p, n_items))


def child_env(config_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["QT_LOGGING_RULES"] = "qt.qpa.*=false"
    env["XDG_CONFIG_HOME"] = config_dir  # fresh QSettings: the Items view opens
    return env


def _closed_port() -> int:
    """A loopback port nothing listens on (bound and released: connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_env(tmp: Path, data_dir: Path) -> dict[str, str]:
    """The environment of both children: offscreen, isolated settings, keys that reach nothing."""
    env = child_env(str(tmp / "xdg"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env["CABINET_DATA_DIR"] = str(data_dir)
    env["CABINET_CONFIG_DIR"] = str(tmp / "config")
    port = _closed_port()
    env["INSTAMAPP_API_KEY"] = "bench-not-a-real-key"
    env["MAPIRY_API_KEY"] = "bench-not-a-real-key"
    env["INSTAMAPP_BASE_URL"] = f"http://127.0.0.1:{port}/api/public/v1"
    env["MAPIRY_BASE_URL"] = f"http://127.0.0.1:{port}/api/v1"
    env["CABINET_EXIT_AFTER_FIRST_PAINT"] = "1"
    # QSettings as a person who last looked at the Items view left them.
    conf = tmp / "xdg" / "Cabinet" / "Cabinet.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("[window]\nlastView=items\n", encoding="utf-8")
    return env


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Start ``argv`` (a Python command line, or the bundle's program) until its first paint."""
    start = time.time()
    command = argv if argv[0] == str(BUNDLE_EXE) else [sys.executable, *argv]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                          cwd=str(ROOT))
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[:2]} exited with {proc.returncode}: {proc.stderr[-2000:]}")
    line = next((x for x in proc.stdout.splitlines() if x.startswith("FIRST_PAINT")), None)
    if line is None:
        raise RuntimeError(f"{argv[:2]} never painted: {proc.stdout[-500:]} {proc.stderr[-2000:]}")
    return float(line.split()[1]) - start, line


def _heavy_imports(env: dict[str, str]) -> str:
    """Which of HEAVY the app had imported when it painted (a separate, unmeasured run)."""
    probe = ("import sys, runpy; from app.ui import launch\n"
             "orig = launch._first_paint_report\n"
             "def spy(*a, **k):\n"
             f"    print('HEAVY', ','.join(m for m in {HEAVY!r} if m in sys.modules), flush=True)\n"
             "    return orig(*a, **k)\n"
             "launch._first_paint_report = spy\n"
             "sys.argv = ['app']; runpy.run_module('app', run_name='__main__')\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120,
                          cwd=str(ROOT))
    return next((x[6:] for x in proc.stdout.splitlines() if x.startswith("HEAVY")), "?").strip()


def main() -> dict:
    data_dir = app_data_dir()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = app_env(tmp, data_dir)
        app_argv = ["-m", "app"]
        bare_argv = ["-c", BARE]
        # one warm-up of each (file cache, bytecode), not counted
        _run(bare_argv, env)
        _run(app_argv, env)
        bundle_argv = [str(BUNDLE_EXE)] if BUNDLE_EXE.exists() else None
        # The bundle's first start of this run is its cold start (its files not yet in the cache
        # if it was just built or the machine was busy); then it is measured like the others.
        bundle_cold = _run(bundle_argv, env)[0] if bundle_argv else None
        bare, cabinet, bundle = [], [], []
        line = ""
        for i in range(RUNS):
            if i % 2:  # alternate which goes first
                cabinet_t, line = _run(app_argv, env)
                bare_t = _run(bare_argv, env)[0]
            else:
                bare_t = _run(bare_argv, env)[0]
                cabinet_t, line = _run(app_argv, env)
            bare.append(bare_t)
            cabinet.append(cabinet_t)
            if bundle_argv:
                bundle.append(_run(bundle_argv, env)[0])
        heavy = _heavy_imports(env)
    b, c = min(bare), min(cabinet)
    ratio = c / b
    result = {
        "name": "ui_startup",
        "items": N_ITEMS,
        "runs": RUNS,
        "bare_s": round(b, 3),
        "cabinet_s": round(c, 3),
        "bare_median_s": round(statistics.median(bare), 3),
        "cabinet_median_s": round(statistics.median(cabinet), 3),
        "median_ratio": round(statistics.median(cabinet) / statistics.median(bare), 2),
        "ratio": round(ratio, 2),
        "target": TARGET,
        "ok": ratio <= TARGET,
        "first_paint": " ".join(line.split()[2:]),
        "imported_before_paint": heavy,
        "figures": [figure("ui_startup_ratio", ratio, "x", f"<= {TARGET}", ratio <= TARGET)],
    }
    if bundle:
        result.update(bundle_s=round(min(bundle), 3), bundle_ratio=round(min(bundle) / b, 2),
                      bundle_cold_s=round(bundle_cold or 0.0, 3),
                      bundle_median_ratio=round(statistics.median(bundle) / statistics.median(bare), 2))
    print(f"startup, {N_ITEMS:,} items, Items view: first paint {c:.2f} s vs bare PySide6 {b:.2f} s "
          f"-> ratio {ratio:.2f} (target <= {TARGET}) {'OK' if result['ok'] else 'OVER'} "
          f"[medians {statistics.median(cabinet):.2f}/{statistics.median(bare):.2f} s = "
          f"{result['median_ratio']:.2f}; {result['first_paint']}; imported before paint: {heavy or 'none'}]")
    if bundle:
        print(f"startup of the bundle (dist/Cabinet): first paint {min(bundle):.2f} s vs bare PySide6 {b:.2f} s "
              f"-> ratio {result['bundle_ratio']:.2f} [median ratio {result['bundle_median_ratio']:.2f}; "
              f"its first start in this run {bundle_cold:.2f} s]")
    return result


if __name__ == "__main__":
    main()

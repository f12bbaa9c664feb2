"""Memory: RSS of Cabinet with 100,000 cached items in the open Items view (scrolled through a few
blocks) minus the RSS of Cabinet's window over an empty cache. Separate processes. Target <= 150 MB."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.benchmarks.report import figure

ROOT = Path(__file__).resolve().parents[2]
TARGET_MB = 150.0

CHILD = r"""
import sys
sys.path.insert(0, sys.argv[2])
import psutil
from PySide6.QtWidgets import QApplication
from app.storage import Cache
from app.ui.main_window import MainWindow
app = QApplication(sys.argv[:1])
cache = Cache(sys.argv[1])
w = MainWindow(cache)
w.show()
for _ in range(5):
    app.processEvents()
page = w.pages["items"]
bar = page.table.verticalScrollBar()
for frac in (0.25, 0.5, 0.75, 1.0, 0.0):  # touch rows across the table: blocks load, the LRU bounds them
    bar.setValue(int(bar.maximum() * frac))
    page.table.viewport().repaint()
    app.processEvents()
print("RSS", psutil.Process().memory_info().rss, page.model.rowCount(), flush=True)
"""


def _rss(cache_path: Path, env: dict[str, str]) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(cache_path), str(ROOT)], capture_output=True,
                         text=True, env=env, timeout=180, check=True).stdout
    _tag, rss, rows = next(x for x in out.splitlines() if x.startswith("RSS")).split()
    return int(rss), int(rows)


def main() -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_ui_startup import N_ITEMS, child_env, ui_cache_path

    full = ui_cache_path()
    with tempfile.TemporaryDirectory() as tmp:
        env = child_env(tmp)
        sys.path.insert(0, str(ROOT))
        from app.storage import Cache

        empty = Path(tmp) / "empty.sqlite3"
        Cache(empty).close()
        base, _ = _rss(empty, env)
        loaded, rows = _rss(full, env)
    delta_mb = (loaded - base) / 2**20
    result = {"name": "ui_memory", "items": N_ITEMS, "rows_in_view": rows, "empty_mb": round(base / 2**20, 1),
              "loaded_mb": round(loaded / 2**20, 1), "delta_mb": round(delta_mb, 1), "target_mb": TARGET_MB,
              "ok": delta_mb <= TARGET_MB,
              "figures": [figure("ui_memory_delta", delta_mb, "MB", f"<= {TARGET_MB:g}", delta_mb <= TARGET_MB)]}
    print(f"ui_memory: {rows:,} items in the open view add {delta_mb:.1f} MB RSS over an empty window "
          f"({base / 2**20:.0f} -> {loaded / 2**20:.0f} MB; target <= {TARGET_MB:.0f} MB) "
          f"{'OK' if result['ok'] else 'OVER'}")
    return result


if __name__ == "__main__":
    main()

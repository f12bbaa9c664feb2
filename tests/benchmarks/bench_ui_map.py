"""The map view over 50,000 locations (spread over the world, and packed into one city):

* repaint of a full 1280×800 view at world, country and street zoom: median ≤ 16 ms and
  p95 ≤ 33 ms, as a ratio against the same view with no locations (the basemap alone);
* a 2 s drag across the view (mouse events through the widget, each followed by its repaint):
  frame times, p95 ≤ 33 ms;
* opening the map view beside the Locations table (a separate process): first paint ≤ 250 ms,
  as a ratio against the table's own first paint, and memory ≤ +120 MB over the table alone.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.benchmarks.report import figure

ROOT = Path(__file__).resolve().parents[2]
N = 50_000
SIZE = (1280, 800)
MEDIAN_MS, P95_MS = 16.0, 33.0
FIRST_PAINT_MS, MEMORY_MB = 250.0, 120.0
DRAG_S = 2.0
FRAMES = 60
DEADLINE_S = 120.0
# (name, lng, lat, zoom) per spread; "world" zoom is the one that fits the world's width.
VIEWS = {
    "world": {"world": (10.0, 20.0, 2.3), "country": (2.35, 46.6, 6.0), "street": (2.3522, 48.8566, 16.0)},
    "city": {"world": (10.0, 20.0, 2.3), "country": (2.35, 46.6, 6.0), "street": (2.3522, 48.8566, 16.0)},
}

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[2])
import psutil
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
from app.storage import Cache
from app.ui.views import TablePage
from app.ui.map.view import MapView

app = QApplication(sys.argv[:1])
cache = Cache(sys.argv[1])
deadline = time.perf_counter() + 60

class Painted(QObject):
    def __init__(self, widget):
        super().__init__()
        self.when = None
        widget.installEventFilter(self)
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.when is None:
            QTimer.singleShot(0, lambda: setattr(self, "when", self.when or time.perf_counter()))
        return False

t0 = time.perf_counter()
page = TablePage(cache, "locations", "locations", "Locations")
page.resize(1280, 800)
spy = Painted(page.table.viewport())
page.show()
page.ensure_loaded()
while spy.when is None and time.perf_counter() < deadline:
    app.processEvents()
table_ms = (spy.when - t0) * 1000
while not page.model.keys_complete and time.perf_counter() < deadline:
    app.processEvents()
for _ in range(5):
    app.processEvents()
rss_table = psutil.Process().memory_info().rss

t0 = time.perf_counter()
view = MapView()
view.resize(1280, 800)
spy = Painted(view.canvas)
view.set_groups(cache.all_rows("layers"), cache.all_rows("categories"))
view.load(cache, page.model.keys())
view.show()
view.open_at(None)
while spy.when is None and time.perf_counter() < deadline:
    app.processEvents()
map_ms = (spy.when - t0) * 1000
while view.loading and time.perf_counter() < deadline:
    app.processEvents()
    time.sleep(0.002)  # leave the worker thread the interpreter
spy = Painted(view.canvas)
view.canvas.update()
while spy.when is None and time.perf_counter() < deadline:
    app.processEvents()
markers_ms = (spy.when - t0) * 1000
for _ in range(20):
    app.processEvents()
view.canvas.repaint()
rss_map = psutil.Process().memory_info().rss
print("RESULT", json.dumps({"table_ms": table_ms, "map_ms": map_ms, "markers_ms": markers_ms,
                             "points": len(view.canvas.points), "drawn": len(view.canvas.renderer.drawn),
                             "rss_table": rss_table, "rss_map": rss_map}), flush=True)
"""


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _repaints(app, canvas, frames: int, cpu: list[float] | None = None) -> list[float]:  # noqa: ANN001 - Qt
    """Wall-clock ms of ``frames`` full repaints (and their CPU ms into ``cpu``: on a shared
    machine the wall clock also counts the time other processes held the cores)."""
    for _ in range(3):
        canvas.repaint()  # clusters of this zoom, the tiles of this view
    deadline = time.perf_counter() + DEADLINE_S
    while canvas.renderer.pending_tiles and time.perf_counter() < deadline:
        canvas.repaint()
        app.processEvents()
    out = []
    for _ in range(frames):
        t0, c0 = time.perf_counter(), time.process_time()
        canvas.repaint()
        out.append((time.perf_counter() - t0) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - c0) * 1000)
    return out


def main() -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from app.storage import Cache
    from app.ui.map.view import MapView
    from tests.benchmarks.make_locations import location_cache_path

    app = QApplication.instance() or QApplication(sys.argv[:1])
    figures: list[dict] = []
    result: dict = {"name": "ui_map", "locations": N}
    for spread in ("world", "city"):
        path = location_cache_path(N, spread)
        cache = Cache(path)
        view = MapView(toolbar=False, panel=False)
        view.resize(*SIZE)
        view.set_groups(cache.all_rows("layers"), cache.all_rows("categories"))
        view.show()
        canvas = view.canvas
        for _ in range(5):
            app.processEvents()
        assert (canvas.width(), canvas.height()) == SIZE, (canvas.width(), canvas.height())
        for scale in ("50m", "10m"):
            canvas.basemap.wait_loaded(scale, DEADLINE_S)
        points = cache.location_points()
        for zoom_name, (lng, lat, zoom) in VIEWS[spread].items():
            canvas.set_view(lng, lat, zoom)
            view.set_rows([])
            base = _repaints(app, canvas, FRAMES)
            view.set_locations(points)
            cpu: list[float] = []
            times = _repaints(app, canvas, FRAMES, cpu)
            median, p95 = statistics.median(times), _quantile(times, 0.95)
            ratio = median / max(statistics.median(base), 1e-6)
            drawn = len(canvas.renderer.drawn)
            ok = median <= MEDIAN_MS and p95 <= P95_MS
            print(f"ui_map repaint, {N:,} {spread} locations, {zoom_name} zoom {zoom:g}: median {median:.1f} ms, "
                  f"p95 {p95:.1f} ms ({drawn} markers/clusters drawn; basemap alone {statistics.median(base):.1f} ms,"
                  f" ratio {ratio:.2f}; CPU median {statistics.median(cpu):.1f} ms) "
                  f"(target median <= {MEDIAN_MS:.0f}, p95 <= {P95_MS:.0f}) "
                  f"{'OK' if ok else 'OVER'}", flush=True)
            key = f"ui_map_repaint_{spread}_{zoom_name}"
            result[key] = {"median_ms": round(median, 2), "p95_ms": round(p95, 2), "ratio": round(ratio, 2)}
            figures.append(figure(f"{key}_median", median, "ms", f"<= {MEDIAN_MS:g}", median <= MEDIAN_MS))
            figures.append(figure(f"{key}_p95", p95, "ms", f"<= {P95_MS:g}", p95 <= P95_MS))
            figures.append(figure(f"{key}_cpu_median", statistics.median(cpu), "ms", "(reported)", True))
        # Drag-pan for 2 s at country zoom: press, moves (each handled, then repainted), release.
        canvas.set_view(*VIEWS[spread]["country"][:2], 7.0)
        _repaints(app, canvas, 3)
        frames: list[float] = []
        centre = QPointF(SIZE[0] / 2, SIZE[1] / 2)
        left = Qt.MouseButton.LeftButton
        QApplication.sendEvent(canvas, QMouseEvent(QEvent.Type.MouseButtonPress, centre, canvas.mapToGlobal(centre),
                                                   left, left, Qt.KeyboardModifier.NoModifier))
        start = time.perf_counter()
        step = 0
        while time.perf_counter() - start < DRAG_S:
            step += 1
            dx = 9.0 * step
            pos = QPointF(centre.x() - (dx % 600), centre.y() + 40.0 * ((step // 60) % 2))
            t0 = time.perf_counter()
            QApplication.sendEvent(canvas, QMouseEvent(QEvent.Type.MouseMove, pos, canvas.mapToGlobal(pos), left,
                                                       left, Qt.KeyboardModifier.NoModifier))
            canvas.repaint()
            frames.append((time.perf_counter() - t0) * 1000)
        QApplication.sendEvent(canvas, QMouseEvent(QEvent.Type.MouseButtonRelease, centre, canvas.mapToGlobal(centre),
                                                   left, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
        p95 = _quantile(frames, 0.95)
        median = statistics.median(frames)
        print(f"ui_map drag-pan, {N:,} {spread} locations, {DRAG_S:g} s: {len(frames)} frames, median {median:.1f} ms, "
              f"p95 {p95:.1f} ms, max {max(frames):.1f} ms (target p95 <= {P95_MS:.0f} ms) "
              f"{'OK' if p95 <= P95_MS else 'OVER'}", flush=True)
        result[f"ui_map_pan_{spread}"] = {"frames": len(frames), "median_ms": round(median, 2), "p95_ms": round(p95, 2)}
        figures.append(figure(f"ui_map_pan_{spread}_p95", p95, "ms", f"<= {P95_MS:g}", p95 <= P95_MS))
        view.close()
        view.deleteLater()
        cache.close()
        app.processEvents()

    # Opening beside the table: first paint and memory, in a fresh process.
    path = location_cache_path(N, "world")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(ROOT)], capture_output=True, text=True,
                         env=env, timeout=DEADLINE_S * 2, check=True).stdout
    child = json.loads(next(x for x in out.splitlines() if x.startswith("RESULT"))[7:])
    first = child["map_ms"]
    memory = (child["rss_map"] - child["rss_table"]) / 2**20
    print(f"ui_map open: first paint of the map view on {child['points']:,} cached locations {first:.0f} ms "
          f"(the table's own first paint {child['table_ms']:.0f} ms, ratio {first / child['table_ms']:.2f}; "
          f"target <= {FIRST_PAINT_MS:.0f} ms) {'OK' if first <= FIRST_PAINT_MS else 'OVER'}; every marker "
          f"painted at {child['markers_ms']:.0f} ms ({child['drawn']} markers/clusters); memory "
          f"+{memory:.1f} MB over the table alone (target <= {MEMORY_MB:.0f} MB) "
          f"{'OK' if memory <= MEMORY_MB else 'OVER'}", flush=True)
    result["ui_map_open"] = {"first_paint_ms": round(first, 1), "table_first_paint_ms": round(child["table_ms"], 1),
                             "markers_painted_ms": round(child["markers_ms"], 1),
                             "memory_mb": round(memory, 1)}
    figures.append(figure("ui_map_first_paint", first, "ms", f"<= {FIRST_PAINT_MS:g}", first <= FIRST_PAINT_MS))
    figures.append(figure("ui_map_markers_painted", child["markers_ms"], "ms", "(reported)", True))
    figures.append(figure("ui_map_memory", memory, "MB", f"<= {MEMORY_MB:g}", memory <= MEMORY_MB))
    result["figures"] = figures
    result["ok"] = all(f["ok"] for f in figures)
    return result

"""The real start, `python -m app`, as a whole process: the first paint comes from the cache (not
demo mode when keys are set), CABINET_EXIT_AFTER_FIRST_PAINT=1 says what it painted and exits, and
closing the window ends the app cleanly after the services shut down."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from app.storage import Cache
from app.ui.table_model import FIRST_ROWS

ROOT = Path(__file__).resolve().parents[2]
N = 1_000
SECRET = "imk_test_never_printed_0123456789"


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path, *, keys: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("INSTAMAPP_API_KEY", "MAPIRY_API_KEY", "INSTAMAPP_BASE_URL", "MAPIRY_BASE_URL")}
    env.update({
        "QT_QPA_PLATFORM": "offscreen",
        "QT_LOGGING_RULES": "qt.qpa.*=false",
        "CABINET_DATA_DIR": str(tmp_path / "data"),
        "CABINET_CONFIG_DIR": str(tmp_path / "config"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),  # QSettings of this test only
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    })
    if keys:  # keys in the environment: the user's own cache, not demo mode; nothing is reachable
        port = _closed_port()
        env.update({
            "INSTAMAPP_API_KEY": SECRET,
            "MAPIRY_API_KEY": SECRET.replace("imk", "mk"),
            "INSTAMAPP_BASE_URL": f"http://127.0.0.1:{port}/api/public/v1",
            "MAPIRY_BASE_URL": f"http://127.0.0.1:{port}/api/v1",
        })
    return env


def _fill_cache(data_dir: Path, n: int) -> None:
    cache = Cache(data_dir / "cache.sqlite3")
    try:
        cache.replace_all("items", ({"id": f"itm_{i:020d}", "name": f"Thing {i}", "status": "keep",
                                     "collection_id": "c", "currency": "USD", "estimated_value": i,
                                     "created_at": "2026-01-01T00:00:00Z"} for i in range(n)))
        cache.mark_synced("items")
    finally:
        cache.close()


def _run(argv: list[str], env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *argv], env=env, cwd=str(ROOT), capture_output=True, text=True,
                          timeout=timeout)


def _first_paint(stdout: str) -> dict[str, str]:
    line = next(x for x in stdout.splitlines() if x.startswith("FIRST_PAINT "))
    return dict(part.split("=", 1) for part in line.split()[2:])


def test_python_m_app_paints_the_cached_items_and_exits_when_asked(tmp_path: Path) -> None:
    _fill_cache(tmp_path / "data", N)
    env = _env(tmp_path, keys=True)
    env["CABINET_EXIT_AFTER_FIRST_PAINT"] = "1"
    proc = _run(["-m", "app"], env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    painted = _first_paint(proc.stdout)
    # Not demo mode: the Items view of the user's cache, its first screenful of keys before the
    # first paint (the rest are read after it), and the count of every cached item.
    assert painted == {"view": "items", "rows": str(FIRST_ROWS), "total": str(N), "demo": "0"}
    assert not (tmp_path / "data" / "demo-cache.sqlite3").exists()
    assert SECRET not in proc.stdout + proc.stderr
    assert "mk_test_never_printed" not in proc.stdout + proc.stderr


def test_without_keys_the_first_start_paints_the_welcome_page(tmp_path: Path) -> None:
    env = _env(tmp_path, keys=False)
    env["CABINET_EXIT_AFTER_FIRST_PAINT"] = "1"
    proc = _run(["-m", "app"], env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _first_paint(proc.stdout) == {"view": "welcome", "rows": "0", "total": "0", "demo": "0"}
    assert not (tmp_path / "data" / "demo-cache.sqlite3").exists()


def test_demo_asked_for_paints_demo_mode(tmp_path: Path) -> None:
    env = _env(tmp_path, keys=False)
    env["CABINET_EXIT_AFTER_FIRST_PAINT"] = "1"
    proc = _run(["-m", "app", "--demo"], env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _first_paint(proc.stdout) == {"view": "items", "rows": "0", "total": "0", "demo": "1"}
    assert (tmp_path / "data" / "demo-cache.sqlite3").exists()


# Runs the real launcher, and closes the window a moment after its first paint.
_CLOSE_AFTER_PAINT = r"""
import runpy, sys
from PySide6.QtCore import QTimer
from app.ui import launch

show_and_paint = launch._show_and_paint

def patched(window):
    painted = show_and_paint(window)
    print("PAINTED", painted is not None, flush=True)
    QTimer.singleShot(700, window.close)
    return painted

launch._show_and_paint = patched
sys.argv = ["app"]
runpy.run_module("app", run_name="__main__")
"""


def test_closing_the_window_ends_the_app_after_the_services_shut_down(tmp_path: Path) -> None:
    _fill_cache(tmp_path / "data", 50)
    proc = _run(["-c", _CLOSE_AFTER_PAINT], _env(tmp_path, keys=True))
    assert "PAINTED True" in proc.stdout, proc.stderr[-3000:]
    # The loop ran the controller (offline: nothing listens), and closing the window let
    # controller.shutdown() finish before the loop stopped: no "Event loop stopped before Future
    # completed", exit status 0.
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    conf = (tmp_path / "xdg" / "Cabinet" / "Cabinet.conf").read_text(encoding="utf-8")
    assert "lastView=items" in conf  # the window saved its state as it closed

"""Grab every view of the real-accounts window (not the demo) at the sizes a person starts with.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/real_shots.py [OUT_DIR] [SERVICES]

It starts ``cabinet sandbox --port 0`` as a separate process, reads its first JSON line, and
puts the keys and base URLs of SERVICES (default ``instamapp,mapiry``: what a person with those
two accounts has) in the environment, as a person would; the others stay unconnected. The data
folder is a fresh temp folder and the sandbox's maps are added as known maps (Mapiry cannot list
them). The window is the one `cabinet` opens, at its default size and at 1280×720, each view
grabbed after the first sync landed: for looking at layout, columns, empty states and the status bar.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def start_sandbox() -> tuple[subprocess.Popen[str], dict]:
    proc = subprocess.Popen([sys.executable, "-m", "app", "sandbox", "--port", "0"], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="cabinet-real-shots-"))
    services = (sys.argv[2] if len(sys.argv) > 2 else "instamapp,mapiry").split(",")
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="cabinet-real-"))
    os.environ["CABINET_DATA_DIR"] = str(scratch / "data")
    os.environ["CABINET_CONFIG_DIR"] = str(scratch / "config")
    os.environ["XDG_CONFIG_HOME"] = str(scratch / "xdg")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    proc, info = start_sandbox()
    try:
        for service in services:
            os.environ[f"{service.upper()}_API_KEY"] = info[service]["key"]
            os.environ[f"{service.upper()}_BASE_URL"] = info[service]["base_url"]
        return shoot(out, info if "mapiry" in services else {})
    finally:
        proc.terminate()
        proc.wait(10)


def shoot(out: Path, info: dict) -> int:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from app.storage import Cache
    from app.ui import modes
    from app.ui.context import AppContext
    from app.ui.controller import AppController
    from app.ui.eventloop import new_event_loop
    from app.ui.main_window import VIEW_NAMES, MainWindow

    QCoreApplication.setOrganizationName("Cabinet")
    QCoreApplication.setApplicationName("Cabinet")
    app = QApplication(sys.argv[:1])
    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    cache = Cache(modes.cache_path(demo=False))
    for map_id in info.get("mapiry", {}).get("maps", []):
        cache.add_known_map(map_id, "manual")
    window = MainWindow(cache, context=AppContext(cache, demo=False))
    window.show()
    controller = AppController(window, cache, demo=False, context=window.context)
    synced: list[object] = []
    window.syncFinished.connect(synced.append)

    async def run() -> None:
        controller.start()
        deadline = loop.time() + 60
        while not synced and loop.time() < deadline:
            await asyncio.sleep(0.05)
        for size in ((1240, 660), (1280, 720)):
            window.resize(*size)
            for view in VIEW_NAMES:
                window.show_view(view)
                await asyncio.sleep(0.4)
                path = out / f"{view}-{size[0]}x{size[1]}.png"
                window.grab().save(str(path))
                print(path)
        await controller.shutdown()

    with loop:
        loop.run_until_complete(run())
    window.close()
    cache.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

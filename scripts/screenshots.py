"""Take the README's screenshots from the real app in demo mode.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [OUT_DIR]

(or under Xvfb with the xcb platform). It starts the same window and controller as
`cabinet --demo`, waits for the demo sync to land, then grabs each view. Nothing here is
mocked: the data come from the in-process sandbox over loopback HTTP.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


async def settings_shot(window: Any, info: dict[str, Any], out: Path) -> None:
    """The Instabot settings panel after a user's sign-in was tested (against the demo sandbox)."""
    controller_sandbox = info
    dialog = window.open_settings()
    panel = dialog.panel("instabot")
    dialog.tabs.setCurrentWidget(panel)
    panel.url_edit.setText(controller_sandbox["instabot"]["base_url"])
    panel.key_edit.setText(controller_sandbox["instabot"]["key"])
    panel.access_button("user_session").setChecked(True)
    panel.session_edit.setText(controller_sandbox["instabot"]["secrets"]["session_key"])
    panel.start_sign_in()
    while panel.is_testing():
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    dialog.grab().save(str(out / "settings-instabot.png"))
    print(out / "settings-instabot.png")
    dialog.reject()


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="cabinet-shots-")
    os.environ["CABINET_DATA_DIR"] = str(Path(scratch) / "data")
    os.environ["CABINET_CONFIG_DIR"] = str(Path(scratch) / "config")
    os.environ["XDG_CONFIG_HOME"] = str(Path(scratch) / "xdg")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from app.services.config import data_dir
    from app.storage import Cache
    from app.ui.controller import AppController
    from app.ui.eventloop import new_event_loop
    from app.ui.main_window import MainWindow
    from app.ui.views import TablePage

    QCoreApplication.setOrganizationName("Cabinet")
    QCoreApplication.setApplicationName("Cabinet")
    app = QApplication(sys.argv[:1])
    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    cache = Cache(data_dir() / "demo-cache.sqlite3")
    window = MainWindow(cache, demo=True)
    window.resize(1360, 820)
    window.show()
    controller = AppController(window, cache, demo=True)
    synced: list[object] = []
    window.syncFinished.connect(synced.append)

    async def map_shot() -> None:
        """The Locations view with its map beside the table, one map chosen, a location selected."""
        window.show_view("locations")
        page = window.current_page()
        combo = page.filter_combos["mapId"]
        counts = {combo.itemData(i): cache.count("locations", scope=combo.itemData(i)) for i in range(1, combo.count())}
        combo.setCurrentIndex(combo.findData(max(counts, key=counts.__getitem__)))
        page.map.set_mode("both")
        view = page.map.view
        deadline = loop.time() + 20
        while (view.loading or not len(view.canvas.points)) and loop.time() < deadline:
            await asyncio.sleep(0.05)
        window.resize(1500, 860)
        await asyncio.sleep(0.2)
        page.table.selectRow(3)
        page.map.set_mode("map")
        await asyncio.sleep(0.2)
        view.canvas.fit_all()
        view.canvas.zoom_by(0.9)
        await asyncio.sleep(0.5)
        window.grab().save(str(out / "map.png"))
        print(out / "map.png")
        page.map.set_mode("table")
        window.resize(1360, 820)

    async def welcome_shot() -> None:
        """A first start: no keys, no cache, the welcome page (every service "Not connected")."""
        first = Cache(data_dir() / "cache.sqlite3")
        fresh = MainWindow(first)
        fresh.resize(1360, 820)
        fresh.show_welcome()
        fresh.show()
        starting = AppController(fresh, first, demo=False)
        await starting.start()
        await asyncio.sleep(0.3)
        fresh.grab().save(str(out / "welcome.png"))
        print(out / "welcome.png")
        await starting.shutdown()
        fresh.close()
        first.close()

    async def shoot() -> None:
        await welcome_shot()
        controller.start()
        while not synced:
            await asyncio.sleep(0.05)
        for view, select in (("items", 2), ("locations", 4), ("sales", None), ("layers", 1), ("maps", 0),
                             ("sites", 1), ("templates", 1), ("instabot", 0)):
            window.show_view(view)
            page = window.current_page()
            table = page.table if isinstance(page, TablePage) else None
            if table is not None and select is not None and table.model().rowCount() > select:
                if view == "locations":  # a location on layers, to show their colours
                    rows = range(table.model().rowCount())
                    select = next((r for r in rows if (page.model.record(r) or {}).get("layers")), select)
                table.selectRow(select)
            await asyncio.sleep(0.3)
            path = out / f"{view}.png"
            window.grab().save(str(path))
            print(path)
        await map_shot()
        csv_file = Path(scratch) / "cities.csv"  # the wizard shows its path: not this checkout's
        shutil.copyfile(ROOT / "tests" / "data" / "csv" / "cities_semicolon_decimal_comma_bom.csv", csv_file)
        window.open_import_wizard(str(csv_file))
        wizard = window._import_wizard
        deadline = loop.time() + 30
        await asyncio.sleep(0.1)
        while wizard.currentPage().busy() and loop.time() < deadline:  # the file read and parsed
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
        wizard.grab().save(str(out / "import-wizard.png"))
        print(out / "import-wizard.png")
        wizard.close()
        assert controller.sandbox is not None
        await settings_shot(window, controller.sandbox.info, out)
        await controller.shutdown()

    with loop:
        loop.run_until_complete(shoot())
    cache.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

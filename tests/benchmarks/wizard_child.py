"""The import wizard taken from a file to a queued job, alone in a process (for its peak RSS).

`python -m tests.benchmarks.wizard_child FILE MAP_ID`: the Mapiry key and address come from
MAPIRY_API_KEY and MAPIRY_BASE_URL, the cache from CABINET_DATA_DIR. Each page is waited for
(up to STEP_S), then Next; on the import page the job is stored (its rows streamed into the
state database), then cancelled before its batches matter. Prints one JSON line; exit 0 when a
job holding every valid row was made, 1 otherwise.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

STEP_S = 1800.0  # one pass over a large file on a loaded machine


async def _until(condition: Callable[[], bool], what: str, timeout: float = STEP_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        await asyncio.sleep(0.05)


def main(path: str, map_id: str) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.services.mapiry import MapiryClient
    from app.storage import Cache
    from app.ui.eventloop import new_event_loop
    from app.ui.import_manager import ImportManager
    from app.ui.import_wizard import ImportWizard

    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)  # closing the wizard at the end must not stop the loop
    loop = new_event_loop(app)
    asyncio.set_event_loop(loop)
    cache = Cache(Path(os.environ["CABINET_DATA_DIR"]) / "cache.sqlite3")
    cache.add_known_map(map_id)
    client = MapiryClient(os.environ["MAPIRY_BASE_URL"], os.environ["MAPIRY_API_KEY"])
    started = time.perf_counter()

    async def go() -> dict[str, object]:
        manager = ImportManager(cache, lambda: client)
        wizard = ImportWizard(cache, lambda: client, manager, path=path, map_id=map_id)
        wizard.show()
        for name in ("file", "mapping", "validation", "target"):
            page = wizard.currentPage()
            await _until(lambda p=page: p.isComplete() or p.error_label.isVisible(), f"the {name} page")
            if not page.isComplete():
                raise RuntimeError(f"the {name} page: {page.error_label.text()}")
            wizard.next()
        await _until(lambda: wizard.state.job_id is not None or wizard.import_page.error_label.isVisible(),
                     "the job")
        job_id = wizard.state.job_id
        if job_id is None:
            raise RuntimeError(wizard.import_page.error_label.text())
        manager.cancel(job_id)
        await _until(lambda: not manager.is_running(job_id), "the job to stop", 60)
        info = manager.job(job_id)
        check = wizard.state.check
        wizard.close()
        await client.aclose()
        return {"rows": check.rows if check else 0, "valid": check.valid if check else 0,
                "job_rows": info.total_rows if info else 0}

    try:
        result = loop.run_until_complete(go())
    finally:
        cache.close()
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result))
    return 0 if result["job_rows"] and result["job_rows"] == result["valid"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

"""Reading the map's points off the GUI thread: one worker thread, the newest request only,
the answer carried back by a queued signal (the view paints its basemap meanwhile)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class PointLoader(QObject):
    """``request(job)`` runs ``job()`` on the worker; ``loaded(generation, result)`` follows on the
    GUI thread for the newest request only (an exception is the result when the job raised)."""

    loaded = Signal(int, object)
    _done = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.generation = 0
        self._cond = threading.Condition()
        self._job: tuple[int, Callable[[], Any]] | None = None
        self._thread: threading.Thread | None = None
        self._done.connect(self._deliver)

    def request(self, job: Callable[[], Any]) -> int:
        with self._cond:
            self.generation += 1
            self._job = (self.generation, job)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="cabinet-map-points", daemon=True)
                self._thread.start()
            self._cond.notify()
            return self.generation

    def busy(self) -> bool:
        with self._cond:
            return self._job is not None or (self._thread is not None and self._thread.is_alive()
                                             and self._running)

    _running = False

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._job is None:
                    if not self._cond.wait(timeout=20.0) and self._job is None:
                        self._thread = None
                        return
                generation, job = self._job
                self._job = None
                self._running = True
            try:
                result: Any = job()
            except Exception as exc:  # noqa: BLE001 - handed to the GUI thread
                result = exc
            with self._cond:
                self._running = False
                stale = generation != self.generation
            if not stale:
                self._done.emit(generation, result)

    def _deliver(self, generation: int, result: Any) -> None:
        if generation == self.generation:
            self.loaded.emit(generation, result)

"""Reading the map's points off the GUI thread: one worker thread, the newest request only,
the answer carried back by a queued signal (the view paints its basemap meanwhile).

The signal goes through one relay for the whole app, never deleted: a worker thread must never
emit on a QObject the GUI thread may be deleting (a view closed while its points were read).
"""

from __future__ import annotations

import atexit
import itertools
import threading
import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

_EXIT_WAIT_S = 30.0


class _Relay(QObject):
    carried = Signal(int, int, object)  # loader token, generation, result

    def __init__(self) -> None:
        super().__init__()
        self.loaders: weakref.WeakValueDictionary[int, PointLoader] = weakref.WeakValueDictionary()
        self.carried.connect(self._deliver)

    def _deliver(self, token: int, generation: int, result: Any) -> None:
        loader = self.loaders.get(token)
        if loader is not None and shiboken6.isValid(loader):
            loader.deliver(generation, result)


_relay: _Relay | None = None
_tokens = itertools.count(1)
_threads: list[threading.Thread] = []


def _the_relay() -> _Relay:
    global _relay
    if _relay is None or not shiboken6.isValid(_relay):
        _relay = _Relay()
    return _relay


def start_worker(target: Callable[[], None], name: str) -> threading.Thread:
    """A daemon thread that the interpreter's exit waits for (a bounded while): a thread still in
    Qt code while Python shuts down would take the process down with it."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    _threads[:] = [t for t in _threads if t.is_alive()]
    _threads.append(thread)
    thread.start()
    return thread


@atexit.register
def _wait_for_workers() -> None:
    for thread in list(_threads):
        thread.join(_EXIT_WAIT_S)


class PointLoader(QObject):
    """``request(job)`` runs ``job()`` on the worker; ``loaded(generation, result)`` follows on the
    GUI thread for the newest request only (an exception is the result when the job raised)."""

    loaded = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.generation = 0
        self._token = next(_tokens)
        _the_relay().loaders[self._token] = self
        self._cond = threading.Condition()
        self._job: tuple[int, Callable[[], Any]] | None = None
        self._thread: threading.Thread | None = None

    def request(self, job: Callable[[], Any]) -> int:
        with self._cond:
            self.generation += 1
            self._job = (self.generation, job)
            if self._thread is None or not self._thread.is_alive():
                self._thread = start_worker(self._run, "cabinet-map-points")
            self._cond.notify()
            return self.generation

    def _run(self) -> None:
        relay, token = _the_relay(), self._token
        while True:
            with self._cond:
                if self._job is None:
                    self._thread = None
                    return
                generation, job = self._job
                self._job = None
            try:
                result: Any = job()
            except Exception as exc:  # noqa: BLE001 - handed to the GUI thread
                result = exc
            relay.carried.emit(token, generation, result)

    def deliver(self, generation: int, result: Any) -> None:
        if generation == self.generation:
            self.loaded.emit(generation, result)

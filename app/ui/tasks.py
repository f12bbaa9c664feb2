"""One way to run background work from the GUI (after Anki's QueryOp).

``run_task(coro, on_done=..., on_error=..., progress_label=...)`` starts a coroutine on the
running (qasync) event loop, keeps a strong reference to the task until it finishes and
routes every exception to one error path, so nothing vanishes silently.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.ui.i18n import translator

if TYPE_CHECKING:  # asyncio is imported when the first task starts, not on the way to the first paint
    import asyncio


def _log() -> Any:
    """This module's logger. `logging` is imported when something is logged, not on the way to
    the first paint (start-up: PySide scans the source of every module imported after it loads)."""
    import logging

    return logging.getLogger(__name__)


_tr = translator("tasks")
_RUNNING: set[asyncio.Task[Any]] = set()


def error_text(exc: BaseException) -> str:
    """What a person reads about an error: CabinetError.user_message() where there is one."""
    user_message = getattr(exc, "user_message", None)
    if callable(user_message):
        try:
            text = user_message()
            if text:
                return str(text)
        except Exception:  # noqa: BLE001 - a broken message must not hide the error itself
            _log().exception("user_message() failed")
    text = str(exc).strip()
    return text or type(exc).__name__


class TaskReporter(QObject):
    """The one error/progress path: the main window connects these to its status bar."""

    started = Signal(str)  # progress label
    finished = Signal(str)
    error = Signal(str)  # a message fit to show to a person
    # An exception no caller handled that is not a CabinetError or an OSError: a bug. The crash
    # reporter (app/ui/crash_dialog.py) shows it with its details.
    unexpected = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._interceptors: list[Callable[[BaseException], bool]] = []

    def add_interceptor(self, interceptor: Callable[[BaseException], bool]) -> None:
        """``interceptor(exc)`` sees each error no caller handled before it is shown as a message
        or a crash; True means it took care of it (a damaged cache offers its Rebuild dialog)."""
        self._interceptors.append(interceptor)

    def remove_interceptor(self, interceptor: Callable[[BaseException], bool]) -> None:
        if interceptor in self._interceptors:
            self._interceptors.remove(interceptor)

    def intercepted(self, exc: BaseException) -> bool:
        """Whether an interceptor took care of ``exc`` (any thread)."""
        return any(interceptor(exc) for interceptor in list(self._interceptors))


_reporter: TaskReporter | None = None


def reporter() -> TaskReporter:
    global _reporter
    if _reporter is None:
        _reporter = TaskReporter()
    return _reporter


def running_tasks() -> frozenset[asyncio.Task[Any]]:
    return frozenset(_RUNNING)


def run_task(
    coro: Coroutine[Any, Any, Any],
    *,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    progress_label: str | None = None,
) -> asyncio.Task[Any]:
    """Start ``coro`` on the running loop; report its result or its error exactly once."""
    import asyncio  # start-up: asyncio loads after the window's first paint

    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    task: asyncio.Task[Any] = loop.create_task(coro)
    _RUNNING.add(task)
    rep = reporter()
    label = progress_label or ""
    if label:
        rep.started.emit(label)

    def _finished(t: asyncio.Task[Any]) -> None:
        _RUNNING.discard(t)
        if label:
            rep.finished.emit(label)
        if t.cancelled():
            return
        exc = t.exception()
        if exc is not None:
            _report_error(exc, on_error)
            return
        if on_done is not None:
            try:
                on_done(t.result())
            except Exception as cb_exc:  # noqa: BLE001 - routed to the error path below
                _report_error(cb_exc, on_error)

    task.add_done_callback(_finished)
    return task


def _report_error(exc: BaseException, on_error: Callable[[BaseException], None] | None) -> None:
    from app.core.errors import CabinetError  # start-up: loaded when a task first fails

    _log().error("background task failed", exc_info=(type(exc), exc, exc.__traceback__))
    if on_error is not None:
        try:
            on_error(exc)
            return
        except Exception as handler_exc:  # noqa: BLE001
            _log().exception("error handler failed")
            exc = handler_exc
    if reporter().intercepted(exc):
        return
    reporter().error.emit(
        _tr("Something went wrong: {0}").format(error_text(exc))
    )
    if not isinstance(exc, CabinetError | OSError):
        reporter().unexpected.emit(exc)

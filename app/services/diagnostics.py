"""Diagnostics without Qt: the log file, secrets kept out of it, faulthandler, crash reports.

The GUI and the command line log to the same rotated file, ``cabinet.log`` in
``config.log_dir()`` (the platform's log folder; CABINET_LOG_DIR, or ``logs`` under
CABINET_DATA_DIR, override it). Every handler set up here runs records through
:class:`RedactingFilter`: the API keys and session keys Cabinet was given (see
:func:`remember_secret`) and anything shaped like a credential (an Authorization header, a
``*-Key``/``*-Session``/``*-Token`` header, ``api_key=``, a bearer token, a ``*_live_…`` key) is
replaced before a line is written. Python's faulthandler writes a hard crash's traceback to
``crash.log`` beside it.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import platform
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from app import APP_NAME, __version__
from app.services.config import log_dir

LOG_FILE = "cabinet.log"
CRASH_FILE = "crash.log"
MAX_LOG_BYTES = 1_000_000
LOG_BACKUPS = 5
REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 6  # shorter "secrets" would redact ordinary words
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
# Libraries that say too much for a log a person sends in (httpcore: every socket event).
QUIET_LOGGERS = {"httpcore": logging.WARNING, "httpx": logging.WARNING, "uvicorn.access": logging.WARNING,
                 "hpack": logging.WARNING}

_secrets: set[str] = set()
_secrets_lock = threading.Lock()

# A header or parameter that carries a credential, then its value (an optional auth scheme
# word is kept, the value goes).
_NAMED = re.compile(
    r"(?i)(\b(?:proxy-)?authorization|\bx-[\w-]*?(?:key|session|token|secret)|\b(?:api|master|session|secret)"
    r"[_-]?key|\baccess[_-]?token|\bpassword|\bsecret)"
    r"(\"?'?\s*[:=]\s*[\"']?)"
    r"((?:bearer|basic|token|x-[\w-]+)\s+)?+"
    r"(?!\[redacted\])([^\s\"',;}&)\]]+)"
)
_BEARER = re.compile(r"(?i)(\bbearer\s+)(?!\[redacted\])([^\s\"',;}&)\]]+)")
_KEY_SHAPE = re.compile(r"\b[a-z]{1,5}_(?:live|test)_[A-Za-z0-9_-]{8,}")


def remember_secret(value: str | None) -> None:
    """From now on, ``value`` (an API key, a session key) never reaches a log line."""
    text = (value or "").strip()
    if len(text) >= MIN_SECRET_LENGTH:
        with _secrets_lock:
            _secrets.add(text)


def redact(text: str) -> str:
    """``text`` with every remembered secret and everything shaped like a credential replaced."""
    if not text:
        return text
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _NAMED.sub(lambda m: f"{m[1]}{m[2]}{m[3] or ''}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m[1]}{REDACTED}", text)
    return _KEY_SHAPE.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message, traceback and stack with :func:`redact` (and lets it through)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string still gets logged, redacted
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _State:
    handlers: list[logging.Handler] = []
    root_level: int | None = None  # the root logger's level before setup_logging()
    crash_file: IO[str] | None = None


def log_file() -> Path:
    return log_dir() / LOG_FILE


def setup_logging(*, verbose: bool = False, directory: Path | None = None) -> Path:
    """Log to the rotated file (INFO and up; DEBUG with ``verbose``), and with ``verbose`` to
    stderr as well. Calling it again replaces what an earlier call set up. Returns the file."""
    teardown_logging()
    folder = directory or log_dir()
    path = folder / LOG_FILE
    level = logging.DEBUG if verbose else logging.INFO
    handlers: list[logging.Handler] = []
    if _writable(folder):  # a read-only data folder: no log file, the command still runs
        handlers.append(logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True))
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    formatter = logging.Formatter(LOG_FORMAT)
    root = logging.getLogger()
    _State.root_level = root.level
    for handler in handlers:
        handler.setLevel(level)
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    for name, quiet in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet)
    logging.captureWarnings(True)
    _State.handlers = handlers
    logging.getLogger("cabinet").info("%s", environment_summary())
    return path


def teardown_logging() -> None:
    """Remove and close what setup_logging() added (tests; the end of a CLI command)."""
    root = logging.getLogger()
    for handler in _State.handlers:
        root.removeHandler(handler)
        handler.close()
    _State.handlers = []
    if _State.root_level is not None:
        root.setLevel(_State.root_level)
        _State.root_level = None


def enable_faulthandler(directory: Path | None = None) -> Path:
    """Write the traceback of a hard crash (a segfault, an abort) to crash.log in the log folder."""
    folder = directory or log_dir()
    path = folder / CRASH_FILE
    if _State.crash_file is not None:
        _State.crash_file.close()
        _State.crash_file = None
    if not _writable(folder):  # a read-only data folder: the traceback goes to stderr
        faulthandler.enable(all_threads=True)
        return path
    _State.crash_file = path.open("a", encoding="utf-8")  # open for the life of the process
    faulthandler.enable(file=_State.crash_file, all_threads=True)
    return path


def _writable(folder: Path) -> bool:
    """Make the folder; True when files can be written in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def environment_summary(extra: Iterable[tuple[str, str]] = ()) -> str:
    """One line: Cabinet's version, Python, the platform (and what the caller adds, e.g. Qt)."""
    parts = [f"{APP_NAME} {__version__}", f"Python {platform.python_version()}", platform.platform()]
    parts += [f"{name} {version}" for name, version in extra]
    return " · ".join(parts)


def exception_report(exc: BaseException, *, context: str = "",
                     extra: Iterable[tuple[str, str]] = ()) -> str:
    """A redacted, plain-text report of an exception: fit to copy into a bug report."""
    lines = [environment_summary(extra)]
    if context:
        lines.append(context)
    lines.append("")
    lines.append("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip("\n"))
    return redact("\n".join(lines))


def exception_summary(exc: BaseException) -> str:
    """``TypeName: message`` on one line, redacted and bounded."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    summary = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return redact(summary[:300])

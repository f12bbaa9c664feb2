"""Shared test set-up: headless Qt, an isolated data folder, no real credentials, a sandbox.

The environment is fixed before anything imports Qt or keyring, so no test can read the
developer's real keys, keyring or settings.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.contract.cli_import import TIME_SCALE, ImportCase, import_case

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
_SESSION_DIR = tempfile.mkdtemp(prefix="cabinet-tests-")
os.environ["CABINET_DATA_DIR"] = os.path.join(_SESSION_DIR, "data")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_SESSION_DIR, "config")
for _name in ("INSTAMAPP_API_KEY", "MAPIRY_API_KEY", "INSTAMAPP_BASE_URL", "MAPIRY_BASE_URL", "INSTABOT_API_KEY",
              "INSTAWP_API_KEY", "INSTABOT_BASE_URL", "INSTAWP_BASE_URL", "INSTABOT_MASTER_KEY", "INSTABOT_SESSION_KEY"):
    os.environ.pop(_name, None)
# No test touches the developer's keyring unless it sets one up itself (see test_keyring_secret_service).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[object]:
    """One demo-seeded sandbox on a loopback port, shared by the tests that only read."""
    from app.sandbox.server import SandboxServer

    with SandboxServer(seed="demo") as srv:
        yield srv


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Any]]:
    """Start sandboxes of the test's own: ``make_sandbox(time_scale=1800, bulk=1)``; all stop after it."""
    from app.sandbox.server import SandboxServer

    started: list[Any] = []

    def make(seed: str = "demo", time_scale: float = 1.0, **limits: int) -> Any:
        srv = SandboxServer(seed=seed, time_scale=time_scale).start()
        started.append(srv)
        if limits:
            srv.set_limits(**limits)
        return srv

    try:
        yield make
    finally:
        for srv in started:
            srv.stop()


@pytest.fixture
def fresh_sandbox(make_sandbox: Callable[..., Any]) -> Any:
    """A sandbox of its own, for tests that write, exhaust limits or inject faults."""
    return make_sandbox()


@pytest.fixture
def paced_sandbox(make_sandbox: Callable[..., Any]) -> Any:
    """A sandbox whose hour lasts a second, with one bulk request per window: an import of a
    few batches takes seconds, so a test can act (kill it, resume it) while it runs."""
    return make_sandbox(time_scale=TIME_SCALE, bulk=1)


@pytest.fixture
def paced_import(paced_sandbox: Any, tmp_path) -> ImportCase:
    """A paced sandbox with a new map and a CSV of VALID_ROWS cafés (and two bad rows) for it."""
    return import_case(paced_sandbox, tmp_path)


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> str:
    """A data folder of the test's own (the cache database lives here)."""
    path = tmp_path / "cabinet-data"
    path.mkdir()
    monkeypatch.setenv("CABINET_DATA_DIR", str(path))
    return str(path)


@pytest.fixture
def hostile() -> Iterator[Any]:
    """A hostile server on loopback (tests/hostile.py): slow-loris, huge bodies, endless pages, 429s…"""
    from tests.hostile import HostileServer

    server = HostileServer().start()
    try:
        yield server
    finally:
        server.stop()

"""Shared test set-up: headless Qt, an isolated data folder, no real credentials, a sandbox.

The environment is fixed before anything imports Qt or keyring, so no test can read the
developer's real keys, keyring or settings.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
_SESSION_DIR = tempfile.mkdtemp(prefix="cabinet-tests-")
os.environ["CABINET_DATA_DIR"] = os.path.join(_SESSION_DIR, "data")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_SESSION_DIR, "config")
for _name in ("INSTAMAPP_API_KEY", "MAPIRY_API_KEY", "INSTAMAPP_BASE_URL", "MAPIRY_BASE_URL"):
    os.environ.pop(_name, None)
# No test touches the developer's keyring unless it sets one up itself (see test_keyring_secret_service).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[object]:
    """One demo-seeded sandbox on a loopback port, shared by the tests that only read."""
    from app.sandbox.server import SandboxServer

    srv = SandboxServer(seed="demo")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def fresh_sandbox() -> Iterator[object]:
    """A sandbox of its own, for tests that write, exhaust limits or inject faults."""
    from app.sandbox.server import SandboxServer

    srv = SandboxServer(seed="demo")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> str:
    """A data folder of the test's own (the cache database lives here)."""
    path = tmp_path / "cabinet-data"
    path.mkdir()
    monkeypatch.setenv("CABINET_DATA_DIR", str(path))
    return str(path)

"""A key stored and read back through a real Secret Service (gnome-keyring on a private D-Bus)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator

import keyring
import pytest

from app.services.credentials import CredentialStore

HAVE_BINARIES = bool(shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon"))


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


@pytest.fixture
def secret_service(tmp_path, monkeypatch) -> Iterator[object]:
    previous = keyring.get_keyring()  # before any environment change: restored at the end
    home = tmp_path / "home"
    (home / ".local" / "share" / "keyrings").mkdir(parents=True)
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime),
           "XDG_DATA_HOME": str(home / ".local" / "share")}
    out = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
                         capture_output=True, text=True, env=env, timeout=20, check=True).stdout.split()
    address, dbus_pid = out[0], int(out[1])
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    daemon: subprocess.Popen[bytes] | None = None
    try:
        # In the foreground it stays our child, so we know exactly which process to stop.
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        assert daemon.stdin is not None
        daemon.stdin.write(b"\n")  # the (empty) password of the login keyring
        daemon.stdin.close()
        for name in ("DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_RUNTIME_DIR", "XDG_DATA_HOME"):
            monkeypatch.setenv(name, env[name])
        monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
        _wait_for_secret_service(daemon)
        from keyring.backends import SecretService

        backend = SecretService.Keyring()
        keyring.set_keyring(backend)
        try:
            yield backend
        finally:
            keyring.set_keyring(previous)
    finally:
        if daemon is not None:
            daemon.terminate()
            try:
                daemon.wait(timeout=5)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait(timeout=5)
        _kill(dbus_pid)


def _wait_for_secret_service(daemon: subprocess.Popen[bytes]) -> None:
    import secretstorage

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert daemon.poll() is None, "gnome-keyring-daemon exited"
        conn = secretstorage.dbus_init()
        try:
            if secretstorage.check_service_availability(conn):
                return
        finally:
            conn.close()
        time.sleep(0.1)
    raise AssertionError("the Secret Service did not come up on the private bus")


@pytest.mark.skipif(not HAVE_BINARIES, reason="dbus-daemon and gnome-keyring-daemon are not installed")
def test_store_read_and_delete_a_key_through_secret_service(secret_service):
    store = CredentialStore()
    assert "SecretService" in store.backend_name()
    assert store.available() is True
    store.set("mapiry", "mk_live_secretservice_0123456789")
    # read back through a fresh store and through keyring itself: it is really in the keyring
    assert CredentialStore().get("mapiry") == "mk_live_secretservice_0123456789"
    assert keyring.get_password("Cabinet", "mapiry-api-key") == "mk_live_secretservice_0123456789"
    assert CredentialStore().source("mapiry") == "keyring"
    store.delete("mapiry")
    assert store.get("mapiry") is None
    assert keyring.get_password("Cabinet", "mapiry-api-key") is None

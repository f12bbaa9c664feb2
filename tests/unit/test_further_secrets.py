"""A service's further secrets (Instabot's master key and user session key): kept like the API key,
found by the connection, handed to the adapter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from app.core import instabot as ib
from app.core.registry import SERVICES
from app.services.connect import load_connection, make_client
from app.services.credentials import KEYRING_SERVICE, USERNAMES, CredentialStore
from app.services.instabot import InstabotClient
from tests.keyring_double import MemoryKeyring

INSTABOT = SERVICES["instabot"]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.setenv("CABINET_CONFIG_DIR", str(tmp_path / "cfg"))
    for secret in (*INSTABOT.secrets, "api_key"):
        monkeypatch.delenv(f"INSTABOT_{secret.upper()}", raising=False)
    monkeypatch.delenv("INSTABOT_BASE_URL", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    CredentialStore.clear_session()
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
        CredentialStore.clear_session()


def test_secret_ids_names_and_environment() -> None:
    assert INSTABOT.secrets == ("master_key", "session_key")
    assert INSTABOT.secret_id("master_key") == "instabot.master_key"
    assert INSTABOT.secret_env("session_key") == "INSTABOT_SESSION_KEY"
    assert USERNAMES["instabot.master_key"] == "instabot-master-key"
    with pytest.raises(ValueError):
        INSTABOT.secret_id("password")


def test_kept_in_the_keyring_and_given_to_the_adapter(isolated: MemoryKeyring, tmp_path: Path) -> None:
    store = CredentialStore()
    store.set("instabot", "ibk_api")
    store.set(INSTABOT.secret_id("master_key"), "ibm_master")
    assert isolated.store[(KEYRING_SERVICE, "instabot-master-key")] == "ibm_master"
    conn = load_connection("instabot", store)
    assert conn.api_key == "ibk_api" and conn.secrets == {"master_key": "ibm_master"}
    assert "ibm_master" not in repr(conn)
    client = make_client(conn)
    assert isinstance(client, InstabotClient) and client.access == ib.ACCESS_MASTER_KEY
    assert not any(b"ibm_master" in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())


def test_session_only_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    store = CredentialStore()
    store.set("instabot", "ibk_api", session_only=True)
    store.set(INSTABOT.secret_id("session_key"), "ibs_session", session_only=True)
    assert load_connection("instabot", store).secrets == {"session_key": "ibs_session"}
    monkeypatch.setenv("INSTABOT_MASTER_KEY", "ibm_env")
    assert load_connection("instabot", store).secrets == {"master_key": "ibm_env", "session_key": "ibs_session"}
    store.delete(INSTABOT.secret_id("session_key"))
    assert load_connection("instabot", store).secrets == {"master_key": "ibm_env"}

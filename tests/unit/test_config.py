"""Connection settings: env overrides, connections.json holds URLs only, session-only keys."""

from __future__ import annotations

import json

import keyring
import pytest

from app.services import config, connect
from app.services.credentials import CredentialStore, KeyringUnavailable
from tests.keyring_double import MemoryKeyring


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("CABINET_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("CABINET_DATA_DIR", str(tmp_path / "data"))
    for name in ("INSTAMAPP_API_KEY", "MAPIRY_API_KEY", "INSTAMAPP_BASE_URL", "MAPIRY_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    CredentialStore.clear_session()
    yield
    CredentialStore.clear_session()


def test_dirs_follow_overrides_and_are_created(tmp_path):
    assert config.config_dir() == tmp_path / "cfg" and config.config_dir().is_dir()
    assert config.data_dir() == tmp_path / "data" and config.data_dir().is_dir()


def test_base_urls_saved_and_defaults():
    assert config.load_base_url("mapiry") == config.DEFAULT_BASE_URLS["mapiry"]
    config.save_base_url("mapiry", " http://127.0.0.1:8000/mapiry/api/v1/ ")
    assert config.load_base_url("mapiry") == "http://127.0.0.1:8000/mapiry/api/v1"
    assert config.load_base_url("instamapp") == config.DEFAULT_BASE_URLS["instamapp"]
    with pytest.raises(ValueError):
        config.save_base_url("mapiry", "ftp://example.com")
    with pytest.raises(ValueError):
        config.load_base_url("nosuchservice")


def test_env_overrides_stored_values(monkeypatch):
    store = CredentialStore(backend=MemoryKeyring())
    store.set("instamapp", "imk_live_stored")
    config.save_base_url("instamapp", "https://saved.example/api")
    conn = connect.load_connection("instamapp", store)
    assert (conn.api_key, conn.key_source, conn.base_url) == ("imk_live_stored", "keyring", "https://saved.example/api")
    monkeypatch.setenv("INSTAMAPP_API_KEY", "imk_live_from_env")
    monkeypatch.setenv("INSTAMAPP_BASE_URL", "http://127.0.0.1:9/instamapp/api/public/v1/")
    conn = connect.load_connection("instamapp", store)
    assert conn.api_key == "imk_live_from_env" and conn.key_source == "env"
    assert conn.base_url == "http://127.0.0.1:9/instamapp/api/public/v1"
    assert "imk_live_from_env" not in repr(conn)


def test_session_key_beats_keyring_and_none_without_anything():
    store = CredentialStore(backend=MemoryKeyring())
    assert connect.load_connection("mapiry", store).key_source == "none"
    store.set("mapiry", "mk_live_keyring")
    store.set("mapiry", "mk_live_session", session_only=True)
    conn = connect.load_connection("mapiry", store)
    assert (conn.api_key, conn.key_source) == ("mk_live_session", "session")
    # every store in the process sees the session key
    assert CredentialStore(backend=MemoryKeyring()).get("mapiry") == "mk_live_session"


def test_no_key_is_ever_written_to_connections_json(tmp_path, monkeypatch):
    store = CredentialStore(backend=MemoryKeyring())
    store.set("mapiry", "mk_live_SECRETSECRET")
    store.set("instamapp", "imk_live_SECRETSECRET", session_only=True)
    monkeypatch.setenv("MAPIRY_API_KEY", "mk_live_ENVSECRET")
    config.save_base_url("mapiry", "https://m.example/api/v1")
    config.save_base_url("instamapp", "https://i.example/api")
    connect.load_connection("mapiry", store)
    text = (tmp_path / "cfg" / "connections.json").read_text()
    assert json.loads(text) == {"instamapp": {"base_url": "https://i.example/api"},
                                "mapiry": {"base_url": "https://m.example/api/v1", "key_saved": True}}
    assert "SECRET" not in text
    for path in (tmp_path / "cfg").rglob("*"):
        if path.is_file():
            assert "SECRET" not in path.read_text(errors="replace")


def test_saved_keys_are_remembered_without_the_key_for_a_fast_start():
    assert config.has_saved_keys() is False
    store = CredentialStore(backend=MemoryKeyring())
    store.set("instamapp", "imk_live_SESSIONONLY", session_only=True)
    assert config.has_saved_keys() is False  # a session key is gone at the next start
    store.set("mapiry", "mk_live_SECRETSECRET")
    config.save_base_url("mapiry", "https://m.example/api/v1")
    assert config.has_saved_keys() is True
    assert "SECRET" not in config._connections_path().read_text()
    store.delete("mapiry")
    assert config.has_saved_keys() is False
    assert config.load_base_url("mapiry") == "https://m.example/api/v1"  # the URL stays


def test_make_client_needs_a_key():
    conn = config.Connection("mapiry", "https://mapiry.com/api/v1", None, "none")
    with pytest.raises(config.MissingKeyError) as info:
        connect.make_client(conn)
    assert "MAPIRY_API_KEY" in info.value.user_message() and "Settings" in info.value.user_message()


def test_fail_backend_means_unavailable_and_session_fallback():
    # tests/conftest.py selects keyring.backends.fail.Keyring for the whole session
    store = CredentialStore()
    assert "fail" in store.backend_name()
    assert store.available() is False
    with pytest.raises(KeyringUnavailable) as info:
        store.set("instamapp", "imk_live_abc")
    assert "session" in info.value.user_message() and "imk_live_abc" not in info.value.user_message()
    assert store.get("instamapp") is None
    store.set("instamapp", "imk_live_abc", session_only=True)
    assert store.get("instamapp") == "imk_live_abc"
    assert "imk_live_abc" not in repr(store)
    store.delete("instamapp")
    assert store.get("instamapp") is None


@pytest.mark.parametrize("backend_path", ["keyring.backends.null.Keyring", "keyrings.alt.file.PlaintextKeyring"])
def test_null_and_plaintext_backends_are_refused(backend_path):
    module_name, _, cls_name = backend_path.rpartition(".")
    try:
        module = __import__(module_name, fromlist=[cls_name])
        backend = getattr(module, cls_name)()
    except ImportError:  # keyrings.alt not installed: an equivalent class of that module
        backend = type(cls_name, (MemoryKeyring,), {"__module__": module_name})()
    store = CredentialStore(backend=backend)
    assert store.available() is False
    with pytest.raises(KeyringUnavailable):
        store.set("mapiry", "mk_live_x")


def test_keyring_set_get_delete_with_a_real_backend_object():
    backend = MemoryKeyring()
    store = CredentialStore(backend=backend)
    assert store.available() is True
    store.set("mapiry", "  mk_live_value  ")
    assert backend.store[("Cabinet", "mapiry-api-key")] == "mk_live_value"
    assert store.get("mapiry") == "mk_live_value" and store.source("mapiry") == "keyring"
    store.delete("mapiry")
    assert store.get("mapiry") is None and store.source("mapiry") == "none"
    with pytest.raises(ValueError):
        store.set("mapiry", "   ")


def test_a_broken_keyring_turns_into_keyring_unavailable():
    class Broken(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.KeyringLocked("locked")

    with pytest.raises(KeyringUnavailable):
        CredentialStore(backend=Broken()).set("instamapp", "imk_live_x")

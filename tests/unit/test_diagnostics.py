"""The log file: where it goes, that it rotates, and that no secret ever reaches it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services import config, diagnostics
from app.services.credentials import CredentialStore
from app.services.diagnostics import REDACTED, redact, remember_secret
from app.services.http import ServiceHttp
from tests.keyring_double import MemoryKeyring

INSTAMAPP_KEY = "imk_live_3b9F0c1d2E3f4A5b6C7d8E9f0A1b2C3d"
ODD_KEY = "s3cr3t-Plain-Looking-Value"  # no recognisable shape: only remembering it catches it


@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CABINET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CABINET_LOG_DIR", raising=False)
    path = diagnostics.setup_logging()
    try:
        yield path
    finally:
        diagnostics.teardown_logging()


def _text(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_the_log_goes_to_the_data_folder_override_and_the_platform_log_folder_otherwise(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CABINET_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CABINET_LOG_DIR", raising=False)
    assert config.log_dir() == tmp_path / "data" / "logs"
    monkeypatch.setenv("CABINET_LOG_DIR", str(tmp_path / "elsewhere"))
    assert config.log_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("CABINET_LOG_DIR")
    monkeypatch.delenv("CABINET_DATA_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    import platformdirs

    assert config.log_dir() == Path(platformdirs.user_log_dir("Cabinet", appauthor=False))
    assert str(config.log_dir()).startswith(str(tmp_path / "state"))


def test_records_are_written_with_the_version_line(logs: Path) -> None:
    logging.getLogger("app.test").warning("sync of %s failed", "items")
    text = _text(logs)
    assert "Cabinet " in text.splitlines()[0] and "Python " in text.splitlines()[0]
    assert "WARNING app.test" in text and "sync of items failed" in text


def test_no_key_header_or_session_reaches_the_file(logs: Path) -> None:
    remember_secret(ODD_KEY)
    log = logging.getLogger("app.test")
    log.info("request headers: %s", {"Authorization": f"Bearer {INSTAMAPP_KEY}", "Accept": "application/json"})
    log.info("Authorization: X-Instabot-User-Session sess-0123456789abcdef")
    log.info("X-Instabot-Api-Key: abcdef0123456789 X-Instabot-Master-Key=fedcba9876543210")
    log.info("GET /things?api_key=qwertyuiop123&page=2")
    log.info("the typed key was %s", ODD_KEY)
    log.info("a mapiry key: mk_live_AbCdEfGhIjKlMnOpQrStUvWxYz012345 in the middle")
    try:
        raise RuntimeError(f"server echoed {ODD_KEY} back")
    except RuntimeError:
        log.exception("request failed")
    text = _text(logs)
    for secret in (INSTAMAPP_KEY, ODD_KEY, "sess-0123456789abcdef", "abcdef0123456789", "fedcba9876543210",
                   "qwertyuiop123", "mk_live_AbCdEfGhIjKlMnOpQrStUvWxYz012345"):
        assert secret not in text, secret
    assert "Authorization': 'Bearer [redacted]'" in text
    assert "Authorization: X-Instabot-User-Session [redacted]" in text
    assert "page=2" in text and "RuntimeError: server echoed [redacted] back" in text
    assert "Traceback" in text


def test_keys_a_client_or_the_credential_store_saw_are_remembered(logs: Path) -> None:
    http = ServiceHttp("mapiry", "http://127.0.0.1:9/api/v1", "plainkey-for-the-http-seam")
    CredentialStore(MemoryKeyring()).set("instamapp", "plainkey-for-the-keyring", session_only=True)
    logging.getLogger("app.test").error("echo plainkey-for-the-http-seam and plainkey-for-the-keyring")
    assert http is not None
    text = _text(logs)
    assert "plainkey-for" not in text
    assert f"echo {REDACTED} and {REDACTED}" in text


def test_redaction_leaves_ordinary_text_alone() -> None:
    plain = "Synced 1,200 items in 3.2 s; sort key: name; keyboard; password reset; 50 secrets kept"
    assert redact(plain) == plain
    assert redact("Authorization: Bearer [redacted]") == "Authorization: Bearer [redacted]"


def test_the_file_rotates(tmp_path: Path) -> None:
    path = diagnostics.setup_logging(directory=tmp_path)
    try:
        line = "x" * 1000
        for _ in range(diagnostics.MAX_LOG_BYTES // 1000 + 50):
            logging.getLogger("app.test").info(line)
    finally:
        diagnostics.teardown_logging()
    assert path.exists() and (tmp_path / "cabinet.log.1").exists()
    assert path.stat().st_size <= diagnostics.MAX_LOG_BYTES


def test_verbose_echoes_to_stderr_and_teardown_removes_the_handlers(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = list(logging.getLogger().handlers)
    diagnostics.setup_logging(verbose=True, directory=tmp_path)
    logging.getLogger("app.test").debug("details for the curious, Bearer abcdefghijkl")
    diagnostics.teardown_logging()
    err = capsys.readouterr().err
    assert "details for the curious, Bearer [redacted]" in err
    assert logging.getLogger().handlers == before


def test_a_hard_crash_leaves_its_traceback_in_crash_log(tmp_path: Path) -> None:
    env = {**os.environ, "CABINET_LOG_DIR": str(tmp_path)}
    code = ("import faulthandler; from app.services import diagnostics; diagnostics.enable_faulthandler(); "
            "faulthandler._sigsegv()")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=60)
    assert done.returncode != 0
    crash = (tmp_path / "crash.log").read_text(encoding="utf-8")
    assert "Fatal Python error" in crash and "Segmentation fault" in crash


def test_the_cli_logs_to_the_same_file_and_verbose_echoes(tmp_path: Path) -> None:
    env = {**os.environ, "CABINET_DATA_DIR": str(tmp_path / "data")}
    env.pop("CABINET_LOG_DIR", None)
    done = subprocess.run([sys.executable, "-m", "app", "--verbose", "maps", "list"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Cabinet " in done.stderr  # the version line, echoed
    text = (tmp_path / "data" / "logs" / "cabinet.log").read_text(encoding="utf-8")
    assert "command: maps" in text


def test_map_addresses_in_any_form_give_the_id() -> None:
    from app.services.mapiry import MapiryClient

    mid = "cm1abcdefghijklmnopqrstuv"
    for url in (f"https://mapiry.com/u/alice/coffee-in-lisbon-{mid}", f"https://mapiry.com/app?map={mid}",
                f"https://mapiry.com/#/maps/{mid}", f"https://mapiry.com/embed/{mid}?z=3",
                f"https://mapiry.com/editor/{mid}/settings", f"https://mapiry.com/view?mapId={mid}&z=2"):
        assert MapiryClient.parse_map_ref(url) == mid, url


def test_a_paste_splits_on_lines_spaces_commas_and_semicolons() -> None:
    from app.sync.known_maps import split_refs

    assert split_refs(" a1x,b2y\n\n c3z ; a1x\t<d4w>") == ["a1x", "b2y", "c3z", "d4w"]

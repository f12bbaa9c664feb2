"""Bad input and hostile servers at the command line: a message and the documented exit status.

Exit statuses: 0 done, 1 failed, 2 a usage/file/configuration problem, 3 rate-limited past
--max-wait. No command prints a traceback, and none prints a key.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.storage import Cache
from tests.hostile import HostileServer

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
IM_KEY = "imk_live_CLItestKEY0123456789abcd"
MP_KEY = "mk_live_CLItestKEY0123456789abcd"

pytestmark = pytest.mark.timeout(120)


def _run(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "app", *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=timeout)


def _clean(done: subprocess.CompletedProcess[str], *secrets: str) -> None:
    for stream in (done.stdout, done.stderr):
        assert "Traceback" not in stream, stream
        for secret in secrets:
            assert secret not in stream


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("INSTAMAPP_API_KEY", "MAPIRY_API_KEY", "INSTAMAPP_BASE_URL", "MAPIRY_BASE_URL")}
    env.update(CABINET_DATA_DIR=str(tmp_path / "data"), CABINET_CONFIG_DIR=str(tmp_path / "cfg"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               INSTAMAPP_API_KEY=IM_KEY, MAPIRY_API_KEY=MP_KEY)
    return env


def _at(env: dict[str, str], server: HostileServer, mode: str) -> dict[str, str]:
    return {**env, "INSTAMAPP_BASE_URL": server.url(mode, "instamapp"), "MAPIRY_BASE_URL": server.url(mode, "mapiry")}


# -- rate limits past --max-wait: said at once, exit 3 ----------------------------------------------
@pytest.mark.parametrize(("mode", "until"), [("retry-seconds", "until 2058-"), ("retry-date", "until 2099-01-01 00:00:00 UTC")])
def test_sync_refuses_a_wait_past_max_wait_at_once_with_status_3(env, hostile, mode, until) -> None:
    start = time.monotonic()
    done = _run(_at(env, hostile, mode), "sync", "--service", "instamapp")
    assert time.monotonic() - start < 30
    assert done.returncode == 3, done.stderr
    assert "asks Cabinet to wait" in done.stderr and until in done.stderr and "--max-wait" in done.stderr
    _clean(done, IM_KEY)


def test_sync_max_wait_sets_the_maximum(env, hostile) -> None:
    env = _at(env, hostile, "retry-short")
    refused = _run(env, "sync", "--service", "instamapp", "--max-wait", "0")
    assert refused.returncode == 3 and "longer than the 0 seconds" in refused.stderr
    bad = _run(env, "sync", "--max-wait", "soon")
    assert bad.returncode == 2 and "not a number of seconds" in bad.stderr
    _clean(bad)


def test_sync_announces_a_short_wait_with_its_end_then_goes_on(env, hostile) -> None:
    env = _at(env, hostile, "retry-short")
    Cache(Path(env["CABINET_DATA_DIR"]) / "cache.sqlite3").close()
    done = _run(env, "sync", "--service", "instamapp", "--json")
    assert done.returncode == 0, done.stderr
    assert "waiting 1 s (until 20" in done.stderr and "then going on" in done.stderr
    assert json.loads(done.stdout)["resources"]["items"] == {"count": 2}


@pytest.mark.parametrize("mode", ["slowloris", "slowheaders", "endless"])
def test_sync_against_a_drip_fed_or_endless_answer_ends_with_a_message(env, hostile, mode) -> None:
    env = {**_at(env, hostile, mode), "CABINET_REQUEST_DEADLINE": "2"}
    start = time.monotonic()
    done = _run(env, "sync", "--service", "instamapp")
    assert time.monotonic() - start < 40
    assert done.returncode == 1, done.stderr
    # an endless body ends at the 64 MB cap, or at the deadline on a machine too busy to read it
    assert "too slowly" in done.stderr or (mode == "endless" and "larger than 64 MB" in done.stderr)
    assert "offline" not in done.stderr  # it answered: not called offline
    _clean(done, IM_KEY)


# -- each resource on its own -----------------------------------------------------------------------
def test_sync_json_gives_each_resources_count_or_error(env, hostile) -> None:
    env = _at(env, hostile, "keys-404")
    assert _run(env, "maps", "add", "m1xyz").returncode == 0
    done = _run(env, "sync", "--service", "mapiry", "--json")
    assert done.returncode == 1
    result = json.loads(done.stdout)
    resources = result["resources"]
    assert "error" in resources["api_keys"] and "could not find" in resources["api_keys"]["error"]
    assert resources["maps"] == {"count": 1} and resources["locations"] == {"count": 2}
    assert resources["categories"] == {"count": 0}
    assert result["exit_status"] == 1 and result["counts"]["locations"] == 2
    _clean(done, MP_KEY)


def test_a_key_echoed_in_the_request_id_is_not_printed(env, hostile) -> None:
    done = _run(_at(env, hostile, "echo-key"), "sync", "--json")
    assert done.returncode == 1
    _clean(done, IM_KEY, MP_KEY, "CLItestKEY")


# -- configuration problems: status 2 ----------------------------------------------------------------
@pytest.mark.parametrize("url", [
    "https://user:hunter2@mapiry.com/api/v1",
    "http://mapiry.com/api/v1",
    "ftp://mapiry.com/api/v1",
    "not an address",
])
def test_sync_with_a_bad_base_url_says_so(env, url) -> None:
    done = _run({**env, "MAPIRY_BASE_URL": url}, "sync", "--service", "mapiry")
    assert done.returncode == 2, done.stderr
    assert "cannot be used" in done.stderr or "plain http://" in done.stderr
    _clean(done, "hunter2", MP_KEY)


@pytest.mark.parametrize("key", ["mk_live_with QWERTYZ", "mk_live_two\nQWERTYZ", "mk_live_tab\tQWERTYZ"])
def test_sync_with_a_key_that_cannot_be_sent_says_so(env, key) -> None:
    done = _run({**env, "MAPIRY_API_KEY": key}, "sync", "--service", "mapiry")
    assert done.returncode == 2, done.stderr
    assert "API key contains spaces or characters that cannot be sent" in done.stderr
    _clean(done, "QWERTYZ", "mk_live_")


def test_sync_without_any_key_is_a_configuration_problem(env) -> None:
    env = {k: v for k, v in env.items() if not k.endswith("_API_KEY")}
    done = _run(env, "sync")
    assert done.returncode == 2 and "No API key is set" in done.stderr
    _clean(done)


def test_maps_add_with_a_bad_address_or_reference(env) -> None:
    bad_url = _run({**env, "MAPIRY_BASE_URL": "http://example.com/api"}, "maps", "add", "m1xyz")
    assert bad_url.returncode == 2 and "plain http://" in bad_url.stderr
    garbage = _run(env, "maps", "add", "not a map")
    assert garbage.returncode == 2
    _clean(bad_url)
    _clean(garbage)


def test_sandbox_on_a_port_in_use_says_so(env) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = _run(env, "sandbox", "--port", str(port), timeout=60)
    assert done.returncode == 2
    assert f"port {port}" in done.stderr and "already in use" in done.stderr and "--port" in done.stderr
    _clean(done)


# -- output piped into head: a quiet exit -----------------------------------------------------------
def _fill(env: dict[str, str]) -> None:
    cache = Cache(Path(env["CABINET_DATA_DIR"]) / "cache.sqlite3")
    try:
        for n in range(3000):
            cache.add_known_map(f"map{n:06d}xyz")
        cache.replace_all("items", [{"id": f"itm_{n}", "name": f"Item {n} " + "x" * 60} for n in range(3000)])
    finally:
        cache.close()


@pytest.mark.parametrize("command", [
    ["maps", "list"], ["maps", "list", "--json"], ["export", "items"], ["export", "items", "--format", "json"],
])
def test_output_piped_into_head_ends_quietly(env, command) -> None:
    _fill(env)
    proc = subprocess.Popen([PYTHON, "-m", "app", *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=60)
    assert first
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err
    assert code in (0, 1)

"""`cabinet sync`, `maps`, `export` as a person runs them: subprocesses with env keys."""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "app", *args], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)


@pytest.fixture
def base_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("INSTAMAPP_API_KEY", "MAPIRY_API_KEY", "INSTAMAPP_BASE_URL", "MAPIRY_BASE_URL")}
    env.update(CABINET_DATA_DIR=str(tmp_path / "data"), CABINET_CONFIG_DIR=str(tmp_path / "cfg"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return env


@pytest.fixture
def env(base_env, sandbox) -> dict[str, str]:
    info = sandbox.info
    return {**base_env,
            "INSTAMAPP_API_KEY": info["instamapp"]["keys"]["full"],
            "MAPIRY_API_KEY": info["mapiry"]["keys"]["read_write"],
            "INSTAMAPP_BASE_URL": sandbox.instamapp_url,
            "MAPIRY_BASE_URL": sandbox.mapiry_url}


def _offline(env: dict[str, str]) -> dict[str, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return {**env, "INSTAMAPP_BASE_URL": f"http://127.0.0.1:{port}/instamapp/api/public/v1",
            "MAPIRY_BASE_URL": f"http://127.0.0.1:{port}/mapiry/api/v1"}


def test_sync_maps_and_export_round_trip(env, sandbox, tmp_path):
    maps = sandbox.info["mapiry"]["maps"]
    added = _run(env, "maps", "add", f"https://mapiry.com/maps/{maps[0]}")
    assert added.returncode == 0, added.stderr
    assert maps[0] in added.stdout
    assert _run(env, "maps", "add", maps[1]).returncode == 0
    listed = json.loads(_run(env, "maps", "list", "--json").stdout)
    assert [m["id"] for m in listed] == maps[:2] and listed[0]["title"]

    done = _run(env, "sync", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is True and result["offline"] == [] and result["errors"] == {}
    assert result["counts"]["items"] > 100 and result["counts"]["maps"] == 2
    assert result["counts"]["locations"] > 0 and result["counts"]["sales_summary"] == 1

    # Export works offline, from what the cache holds.
    offline = _offline(env)
    out = tmp_path / "items.csv"
    exported = _run(offline, "export", "items", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == result["counts"]["items"]
    assert {"id", "name", "status", "collection_id", "estimated_value", "created_at"} <= set(rows[0])
    assert all(r["id"].startswith("itm_") for r in rows)

    located = _run(offline, "export", "locations", "--map", maps[0], "--format", "csv")
    assert located.returncode == 0, located.stderr
    loc_rows = list(csv.DictReader(io.StringIO(located.stdout)))
    assert loc_rows and all(r["mapId"] == maps[0] for r in loc_rows)
    assert {"lat", "lng", "categoryId", "tagIds", "layers"} <= set(loc_rows[0])
    assert isinstance(json.loads(loc_rows[0]["layers"]), list)  # lists are JSON in their cell

    as_json = _run(offline, "export", "collections", "--format", "json")
    collections = json.loads(as_json.stdout)
    assert len(collections) == result["counts"]["collections"] and "item_count" in collections[0]

    removed = _run(offline, "maps", "remove", maps[1])
    assert removed.returncode == 0
    assert [m["id"] for m in json.loads(_run(offline, "maps", "list", "--json").stdout)] == [maps[0]]
    empty = _run(offline, "export", "locations", "--map", maps[1], "--format", "json")
    assert json.loads(empty.stdout) == [] and "sync" in empty.stderr


def test_sync_offline_exits_1_with_a_clear_message(env):
    done = _run(_offline(env), "sync")
    assert done.returncode == 1
    assert "offline" in done.stderr and "InstaMapp" in done.stderr and "Mapiry" in done.stderr
    assert "Traceback" not in done.stderr


def test_sync_without_keys_says_how_to_set_them(base_env):
    done = _run(base_env, "sync", "--service", "mapiry")
    assert done.returncode == 2  # a configuration problem
    assert "MAPIRY_API_KEY" in done.stderr and "Settings" in done.stderr
    assert "Traceback" not in done.stderr


def test_maps_add_offline_registers_with_a_note_and_refuses_garbage(env):
    offline = _offline(env)
    done = _run(offline, "maps", "add", "cm7zfu2o00005rgrd1rl74y3t")
    assert done.returncode == 0 and "without checking" in done.stderr
    bad = _run(offline, "maps", "add", "not a map")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_maps_add_unknown_map_is_refused_online(env):
    done = _run(env, "maps", "add", "c" + "z" * 24)
    assert done.returncode == 1 and "not registered" in done.stderr
    assert json.loads(_run(env, "maps", "list", "--json").stdout) == []


def test_maps_add_takes_several_maps_and_reports_each(env, sandbox):
    maps = sandbox.info["mapiry"]["maps"]
    missing = "c" + "z" * 24
    done = _run(env, "maps", "add", f"https://mapiry.com/maps/{maps[0]}", f"{maps[1]},{missing}", maps[0])
    assert done.returncode == 1, done.stderr  # one was not found: the others are registered all the same
    assert done.stdout.count("Registered map") == 2 and maps[0] in done.stdout and maps[1] in done.stdout
    assert missing in done.stderr and "not registered" in done.stderr and "Traceback" not in done.stderr
    assert [m["id"] for m in json.loads(_run(env, "maps", "list", "--json").stdout)] == maps[:2]
    again = _run(env, "maps", "add", maps[1])
    assert again.returncode == 0 and "already registered" in again.stdout


def test_sync_notes_the_services_without_a_key_in_one_line(env):
    done = _run(env, "sync")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "Not connected" in line]
    assert len(lines) == 1 and "Instabot" in lines[0] and "InstaWP" in lines[0], done.stderr


def test_the_headless_commands_import_no_qt(env):
    code = ("import sys, app.cli; p = app.cli.build_parser(); "
            "import app.sync.cli, app.sync.engine, app.storage; "
            "print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize(("service", "resources"), [("instawp", {"sites": 7, "templates": 4}),
                                                    ("instabot", {"instabot_connection": 1})])
def test_sync_and_export_instawp_and_instabot(base_env, sandbox, tmp_path, service, resources):
    info = sandbox.info
    env = {**base_env, "INSTAWP_API_KEY": info["instawp"]["key"], "INSTAWP_BASE_URL": sandbox.instawp_url,
           "INSTABOT_API_KEY": info["instabot"]["key"], "INSTABOT_BASE_URL": sandbox.instabot_url,
           "INSTABOT_MASTER_KEY": info["instabot"]["keys"]["master_key"]}
    done = _run(env, "sync", "--service", service, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["counts"] == resources
    for secret in (info["instabot"]["keys"]["master_key"], info["instawp"]["key"]):
        assert secret not in done.stdout + done.stderr
    for resource, count in resources.items():
        out = tmp_path / f"{resource}.csv"
        exported = _run(env, "export", resource, "-o", str(out))
        assert exported.returncode == 0, exported.stderr
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert len(rows) == count
    if service == "instabot":
        assert rows[0]["applicationName"] == "Cabinet Demo Bot" and rows[0]["access"] == "master_key"
    else:
        sites = json.loads(_run(env, "export", "sites", "--format", "json").stdout)
        assert {s["type"] for s in sites} == {"temporary", "reserved"}
        assert all(len(s["created_at"]) == len("2025-03-01 09:30:00.123") for s in sites)

"""End to end: `python -m app import` killed with SIGKILL mid-job, then `--resume`.

The sandbox runs in the test process with a time scale (an hour's window lasts a second) and
one bulk request per window, so a job of 5 batches takes about 4 s and can be killed between
its first and its last batch. The map must end with exactly the valid rows, no duplicate.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
VALID_ROWS = 450
TIME_SCALE = 3600.0


@pytest.fixture
def e2e_sandbox(make_sandbox: Any) -> Any:
    return make_sandbox(time_scale=TIME_SCALE, bulk=1)


def cabinet(*args: str) -> list[str]:
    """`python -m app import ...` (the dispatcher), or the import command alone while the
    dispatcher cannot load yet (a sub-command module of another layer missing)."""
    if importlib.util.find_spec("app.sync.cli") is None:
        return [sys.executable, "-m", "app.importer.cli", *args]
    return [sys.executable, "-m", "app", "import", *args]


def write_csv(path: Path) -> list[str]:
    names = [f"Café n°{i}" for i in range(VALID_ROWS)]
    lines = ["name;latitude;longitude;description"]
    for i, name in enumerate(names):
        lat, lng = f"{48 + i / 1000:.4f}".replace(".", ","), f"{2 + i / 1000:.4f}".replace(".", ",")
        lines.append(f'"{name}";{lat};{lng};row {i}')
        if i == 10:
            lines.append("No coordinates;;;bad")
        if i == 300:
            lines.append("Bad latitude;north;2,0;bad")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return names


def api(srv: Any) -> httpx.Client:
    key = srv.info["mapiry"]["keys"]["read_write"]
    return httpx.Client(base_url=srv.mapiry_url.rstrip("/") + "/", headers={"Authorization": f"Bearer {key}"},
                        timeout=10)


def new_map(srv: Any) -> str:
    with api(srv) as c:
        r = c.post("maps", json={"title": "E2E import"})
        r.raise_for_status()
        return r.json()["data"]["id"]


def location_count(srv: Any, map_id: str) -> int:
    with api(srv) as c:
        r = c.get(f"maps/{map_id}/locations", params={"page": 1, "pageSize": 1})
        r.raise_for_status()
        return int(r.json()["data"]["pagination"]["total"])


def location_names(srv: Any, map_id: str) -> list[str]:
    out: list[str] = []
    with api(srv) as c:
        page = 1
        while True:
            r = c.get(f"maps/{map_id}/locations", params={"page": page, "pageSize": 100})
            r.raise_for_status()
            data = r.json()["data"]
            out.extend(loc["name"] for loc in data["locations"])
            if page >= data["pagination"]["totalPages"]:
                return out
            page += 1


def env_for(srv: Any, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "MAPIRY_API_KEY": srv.info["mapiry"]["keys"]["read_write"],
        "MAPIRY_BASE_URL": srv.mapiry_url,
        "CABINET_DATA_DIR": str(data_dir),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    })
    return env


def kill_mid_job(srv: Any, map_id: str, csv_path: Path, env: dict[str, str]) -> int:
    """Start the import, SIGKILL it once a batch is on the map; returns the count at the kill."""
    proc = subprocess.Popen(cabinet(str(csv_path), "--map", map_id, "--json"),
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 15
        count = 0
        while time.time() < deadline:
            count = location_count(srv, map_id)
            if count >= 100 or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == -signal.SIGKILL
    assert 100 <= count < VALID_ROWS
    return count


def resume(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(cabinet("--resume", "--json"), cwd=ROOT, env=env,
                          capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def check_map(srv: Any, map_id: str, names: list[str]) -> None:
    on_map = location_names(srv, map_id)
    dupes = [n for n, c in Counter(on_map).items() if c > 1]
    assert dupes == []
    assert sorted(on_map) == sorted(names)


@pytest.mark.slow
def test_sigkill_mid_job_then_resume(e2e_sandbox: Any, tmp_path: Path) -> None:
    names = write_csv(tmp_path / "cafés.csv")
    map_id = new_map(e2e_sandbox)
    env = env_for(e2e_sandbox, tmp_path / "data")
    kill_mid_job(e2e_sandbox, map_id, tmp_path / "cafés.csv", env)
    listed = subprocess.run(cabinet("--list", "--json"), cwd=ROOT, env=env,
                            capture_output=True, timeout=30)
    assert listed.returncode == 0, listed.stderr.decode()
    jobs = json.loads(listed.stdout)
    assert len(jobs) == 1 and jobs[0]["state"] in ("running", "waiting")
    summary = resume(env)
    assert summary["job"] == jobs[0]["id"] and summary["state"] == "done"
    assert summary["created"] == VALID_ROWS and summary["batches"] == 5
    assert sorted(r["line"] for r in summary["rejected"]) == [13, 304]
    check_map(e2e_sandbox, map_id, names)


@pytest.mark.slow
def test_dropped_answer_after_commit_then_sigkill_and_resume(e2e_sandbox: Any, tmp_path: Path) -> None:
    names = write_csv(tmp_path / "cafés.csv")
    map_id = new_map(e2e_sandbox)
    env = env_for(e2e_sandbox, tmp_path / "data")
    e2e_sandbox.set_faults(drop_after_commit=1)  # the first batch is created, its answer lost
    kill_mid_job(e2e_sandbox, map_id, tmp_path / "cafés.csv", env)
    summary = resume(env)
    assert summary["state"] == "done" and summary["created"] == VALID_ROWS
    check_map(e2e_sandbox, map_id, names)
    # Importing the same file again finds every row already there.
    again = subprocess.run(cabinet(str(tmp_path / "cafés.csv"), "--map", map_id),
                           cwd=ROOT, env=env, capture_output=True, timeout=30)
    assert again.returncode == 2 and b"--skip-existing" in again.stderr and b"--allow-duplicates" in again.stderr
    both = subprocess.run(cabinet(str(tmp_path / "cafés.csv"), "--map", map_id, "--skip-existing",
                                  "--allow-duplicates"), cwd=ROOT, env=env, capture_output=True, timeout=30)
    assert both.returncode == 2 and b"not allowed with" in both.stderr
    assert f"{VALID_ROWS} of the {VALID_ROWS} rows".encode() in again.stderr
    skipped = subprocess.run(cabinet(str(tmp_path / "cafés.csv"), "--map", map_id, "--skip-existing", "--json"), cwd=ROOT, env=env, capture_output=True, timeout=30)
    assert skipped.returncode == 0, skipped.stderr.decode()
    result = json.loads(skipped.stdout)
    assert (result["created"], result["skipped"], result["batches"]) == (0, VALID_ROWS, 0)
    check_map(e2e_sandbox, map_id, names)

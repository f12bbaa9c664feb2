"""Helpers for tests that run `cabinet import` as real processes against a sandbox."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
VALID_ROWS = 450
TIME_SCALE = 3600.0  # an hour's rate window lasts a second
REQUEST_DEADLINE = 3.0


def cabinet(*args: str) -> list[str]:
    """`python -m app import ...` (the dispatcher), or the import command alone while the
    dispatcher cannot load yet (a sub-command module of another layer missing)."""
    if importlib.util.find_spec("app.sync.cli") is None:
        return [sys.executable, "-m", "app.importer.cli", *args]
    return [sys.executable, "-m", "app", "import", *args]


def write_csv(path: Path, rows: int = VALID_ROWS) -> list[str]:
    names = [f"Café n°{i}" for i in range(rows)]
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


def env_for(srv: Any, data_dir: Path, base_url: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "MAPIRY_API_KEY": srv.info["mapiry"]["keys"]["read_write"],
        "MAPIRY_BASE_URL": base_url or srv.mapiry_url,
        "CABINET_DATA_DIR": str(data_dir),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        # A request sent before a SIGKILL may land until its send time plus this: the resume
        # waits that long before it checks the map (and never sends a batch twice).
        "CABINET_REQUEST_DEADLINE": str(REQUEST_DEADLINE),
    })
    return env



@dataclass(frozen=True)
class ImportCase:
    """A sandbox with a new empty map, a CSV of cafés to import into it (`names`: its valid
    rows) and the environment of a `cabinet import` process with its own data folder."""

    srv: Any
    map_id: str
    csv: Path
    names: list[str]
    data_dir: Path
    env: dict[str, str]

    def command(self, *args: str) -> list[str]:
        """`cabinet import` of the CSV into the map, with `args` after."""
        return cabinet(str(self.csv), "--map", self.map_id, *args)

    def kill_mid_job(self) -> int:
        return kill_mid_job(self.srv, self.map_id, self.csv, self.env)

    def check_map(self) -> None:
        """The map holds exactly the CSV's valid rows, none twice."""
        check_map(self.srv, self.map_id, self.names)


def import_case(srv: Any, folder: Path, rows: int = VALID_ROWS) -> ImportCase:
    """The CSV (`rows` valid rows and two bad ones) and the data folder go into `folder`."""
    csv = folder / "cafés.csv"
    names = write_csv(csv, rows=rows)
    data_dir = folder / "data"
    return ImportCase(srv, new_map(srv), csv, names, data_dir, env_for(srv, data_dir))

@contextlib.contextmanager
def reaped(*procs: subprocess.Popen[bytes]) -> Iterator[None]:
    """Whatever happens in the block, the processes end (killed if still running) and are reaped."""
    try:
        yield
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)


def kill_mid_job(srv: Any, map_id: str, csv_path: Path, env: dict[str, str]) -> int:
    """Start the import, SIGKILL it once a batch is on the map; returns the count at the kill."""
    proc = subprocess.Popen(cabinet(str(csv_path), "--map", map_id, "--json"),
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with reaped(proc):
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



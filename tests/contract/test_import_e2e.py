"""End to end: `python -m app import` killed with SIGKILL mid-job, then `--resume`.

The sandbox runs in the test process with a time scale (an hour's window lasts a second) and
one bulk request per window, so a job of 5 batches takes about 4 s and can be killed between
its first and its last batch. The map must end with exactly the valid rows, no duplicate.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.contract.cli_import import (
    ROOT,
    TIME_SCALE,
    VALID_ROWS,
    cabinet,
    check_map,
    env_for,
    kill_mid_job,
    new_map,
    resume,
    write_csv,
)


@pytest.fixture
def e2e_sandbox(make_sandbox: Any) -> Any:
    return make_sandbox(time_scale=TIME_SCALE, bulk=1)


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

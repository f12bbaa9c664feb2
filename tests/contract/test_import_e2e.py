"""End to end: `python -m app import` killed with SIGKILL mid-job, then `--resume`.

The sandbox runs in the test process with a time scale (an hour's window lasts a second) and
one bulk request per window, so a job of 5 batches takes about 4 s and can be killed between
its first and its last batch. The map must end with exactly the valid rows, no duplicate.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.contract.cli_import import ROOT, VALID_ROWS, ImportCase, cabinet, resume


@pytest.mark.slow
def test_sigkill_mid_job_then_resume(paced_import: ImportCase) -> None:
    env = paced_import.env
    paced_import.kill_mid_job()
    listed = subprocess.run(cabinet("--list", "--json"), cwd=ROOT, env=env,
                            capture_output=True, timeout=30)
    assert listed.returncode == 0, listed.stderr.decode()
    jobs = json.loads(listed.stdout)
    assert len(jobs) == 1 and jobs[0]["state"] in ("running", "waiting")
    summary = resume(env)
    assert summary["job"] == jobs[0]["id"] and summary["state"] == "done"
    assert summary["created"] == VALID_ROWS and summary["batches"] == 5
    assert sorted(r["line"] for r in summary["rejected"]) == [13, 304]
    paced_import.check_map()


@pytest.mark.slow
def test_dropped_answer_after_commit_then_sigkill_and_resume(paced_import: ImportCase) -> None:
    env = paced_import.env
    paced_import.srv.set_faults(drop_after_commit=1)  # the first batch is created, its answer lost
    paced_import.kill_mid_job()
    summary = resume(env)
    assert summary["state"] == "done" and summary["created"] == VALID_ROWS
    paced_import.check_map()
    # Importing the same file again finds every row already there.
    again = subprocess.run(paced_import.command(), cwd=ROOT, env=env, capture_output=True, timeout=30)
    assert again.returncode == 2 and b"--skip-existing" in again.stderr and b"--allow-duplicates" in again.stderr
    both = subprocess.run(paced_import.command("--skip-existing", "--allow-duplicates"), cwd=ROOT, env=env,
                          capture_output=True, timeout=30)
    assert both.returncode == 2 and b"not allowed with" in both.stderr
    assert f"{VALID_ROWS} of the {VALID_ROWS} rows".encode() in again.stderr
    skipped = subprocess.run(paced_import.command("--skip-existing", "--json"), cwd=ROOT, env=env,
                             capture_output=True, timeout=30)
    assert skipped.returncode == 0, skipped.stderr.decode()
    result = json.loads(skipped.stdout)
    assert (result["created"], result["skipped"], result["batches"]) == (0, VALID_ROWS, 0)
    paced_import.check_map()

"""One runner per import job, with real processes against a sandbox (issue 9, points 1 and 2).

The reproductions that gave duplicates before: `cabinet import` and `--resume` two seconds
later; two `--resume` at once; a resume right after a SIGKILL while the killed process's bulk
request was still held by a slow proxy. Each must end with exactly the file's rows on the map.
(The app starting while the command line imports is in tests/gui/test_import_lease_app.py.)
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.contract.cli_import import (
    ROOT,
    VALID_ROWS,
    ImportCase,
    cabinet,
    env_for,
    import_case,
    location_count,
    reaped,
)
from tests.contract.slow_proxy import SlowProxy

LONG_JOB_ROWS = 2000
HOLD = 4.0  # seconds the proxy holds the bulk request
DEADLINE = 6.0  # the client's total request deadline (longer than the hold)


def _wait_for(predicate: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s")
        time.sleep(0.05)


def _jobs(env: dict[str, str]) -> list[dict[str, Any]]:
    listed = subprocess.run(cabinet("--list", "--json"), cwd=ROOT, env=env, capture_output=True, timeout=30)
    assert listed.returncode == 0, listed.stderr.decode()
    return json.loads(listed.stdout)


@pytest.mark.slow
def test_a_resume_while_the_import_runs_says_who_holds_the_job(paced_sandbox: Any, tmp_path: Path) -> None:
    case = import_case(paced_sandbox, tmp_path, rows=LONG_JOB_ROWS)  # 20 batches, one a second: it runs a while
    env = case.env
    first = subprocess.Popen(case.command("--json"), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with reaped(first):
        _wait_for(lambda: location_count(case.srv, case.map_id) >= 100, 20, "the first batch")
        assert _jobs(env)[0]["run_by"]["pid"] == first.pid  # --list says who runs it
        second = subprocess.run(cabinet("--resume", "--json"), cwd=ROOT, env=env, capture_output=True, timeout=30)
        assert first.poll() is None, "the import ended before the second runner came: no test"
        assert second.returncode == 2, second.stderr.decode()
        message = second.stderr.decode()
        assert f"is being run by process {first.pid} on this computer since" in message
        assert "Traceback" not in message and second.stdout == b""
        out, err = first.communicate(timeout=90)
    assert first.returncode == 0, err.decode()
    assert json.loads(out)["created"] == len(case.names)
    assert _jobs(env)[0]["run_by"] is None  # let go at the end
    case.check_map()


@pytest.mark.slow
def test_two_resumes_at_once_run_the_job_once(paced_import: ImportCase) -> None:
    env = paced_import.env
    paced_import.kill_mid_job()
    both = [subprocess.Popen(cabinet("--resume", "--json"), cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = []
    with reaped(*both):
        for proc in both:
            out, err = proc.communicate(timeout=60)
            results.append((proc.returncode, out, err.decode()))
    codes = sorted(code for code, _out, _err in results)
    assert codes == [0, 2], results
    held = next(err for code, _out, err in results if code == 2)
    assert "is being run by process" in held and "Traceback" not in held
    done = next(json.loads(out) for code, out, _err in results if code == 0)
    assert done["state"] == "done" and done["created"] == VALID_ROWS
    paced_import.check_map()


@pytest.mark.slow
def test_wait_runs_the_job_once_its_holder_is_done(paced_import: ImportCase) -> None:
    env = paced_import.env
    first = subprocess.Popen(paced_import.command(), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with reaped(first):
        _wait_for(lambda: location_count(paced_import.srv, paced_import.map_id) >= 100, 20, "the first batch")
        waiter = subprocess.run(cabinet("--resume", "--wait", "--json"), cwd=ROOT, env=env,
                                capture_output=True, timeout=60)
        first.communicate(timeout=30)
    assert waiter.returncode == 0, waiter.stderr.decode()
    assert "waiting for it to finish" in waiter.stderr.decode()
    assert json.loads(waiter.stdout)["state"] == "done"
    paced_import.check_map()


@pytest.mark.slow
def test_a_resume_waits_for_a_request_still_in_flight(make_sandbox: Any, tmp_path: Path) -> None:
    case = import_case(make_sandbox(), tmp_path, rows=298)
    with SlowProxy(case.srv.mapiry_url) as proxy:
        env = env_for(case.srv, case.data_dir, base_url=proxy.url)
        env["CABINET_REQUEST_DEADLINE"] = str(DEADLINE)
        proxy.hold_next(HOLD)
        proc = subprocess.Popen(case.command(), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with reaped(proc):
            assert proxy.holding.wait(30), "the bulk request never reached the proxy"
            proc.send_signal(signal.SIGKILL)
            proc.wait(5)
        assert not proxy.landed.is_set()  # killed while its request was held
        started = time.monotonic()
        done = subprocess.run(cabinet("--resume", "--json"), cwd=ROOT, env=env, capture_output=True, timeout=90)
        waited = time.monotonic() - started
        assert proxy.landed.is_set()
    assert done.returncode == 0, done.stderr.decode()
    assert "a batch sent earlier may still arrive" in done.stderr.decode()
    assert waited >= HOLD - 1.0
    summary = json.loads(done.stdout)
    assert summary["state"] == "done" and summary["created"] == 298
    case.check_map()
    assert len(_jobs(env)) == 1

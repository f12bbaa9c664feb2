"""One runner per import job: the lease (who holds it, expiry, a dead holder taken over)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.importer import jobs as J
from app.importer.jobs import JobRow, JobStore
from app.importer.lease import JobHeldError, Owner


@pytest.fixture
def store(tmp_path: Path):
    s = JobStore(tmp_path / "state.sqlite3")
    yield s
    s.close()


def _job(store: JobStore) -> str:
    return store.create_job(map_id="m", rows=[JobRow(2, "fp", {"name": "a", "lat": 1.0, "lng": 2.0})])


def _other_host(pid: int = 4242) -> Owner:
    return Owner("another-machine.example", pid, "123")


def test_a_second_owner_is_told_who_holds_the_job(store: JobStore) -> None:
    job = _job(store)
    first = _other_host()
    assert store.acquire_lease(job, first) is None
    held = store.acquire_lease(job, Owner.this_process())
    assert held is not None and held.owner == first
    text = JobHeldError(held).user_message()
    assert "process 4242 on another-machine.example since" in text and job in text and "--wait" in text
    assert store.acquire_lease(job, first) is None  # the holder may take it again (renew)


def test_an_expired_lease_is_taken_over_and_the_old_holder_knows(store: JobStore) -> None:
    job = _job(store)
    first, second = _other_host(), Owner.this_process()
    assert store.acquire_lease(job, first, ttl=-1.0) is None  # already expired: its holder went quiet
    assert store.lease_holder(job) is None
    assert store.acquire_lease(job, second) is None
    assert not store.renew_lease(job, first)  # the old holder finds out at its next heartbeat
    assert store.renew_lease(job, second)
    store.release_lease(job, first)  # not theirs any more: nothing happens
    assert store.lease_holder(job).owner == second
    store.release_lease(job, second)
    assert store.lease_holder(job) is None


def test_a_dead_process_on_this_machine_is_taken_over_at_once(store: JobStore) -> None:
    job = _job(store)
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, timeout=30)
    dead = Owner(socket.gethostname(), int(proc.stdout), "1")
    assert dead.is_gone()
    assert store.acquire_lease(job, dead) is None
    assert store.acquire_lease(job, Owner.this_process()) is None


def test_a_live_process_on_this_machine_keeps_its_job(store: JobStore) -> None:
    job = _job(store)
    me = Owner.this_process()
    assert not me.is_gone()
    parent = Owner(socket.gethostname(), os.getppid(), "")  # alive, start unknown
    assert not parent.is_gone()
    assert store.acquire_lease(job, parent) is None
    assert store.acquire_lease(job, me).owner == parent


def test_a_process_id_used_again_is_not_the_holder() -> None:
    me = Owner.this_process()
    assert me.start  # Linux tells when a process started (/proc/PID/stat)
    assert Owner(me.host, me.pid, "not-" + me.start).is_gone()


@pytest.mark.asyncio
async def test_a_runner_whose_lease_was_taken_over_stops_sending(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.importer import runner as runner_module
    from app.importer.lease import LeaseLostError
    from app.importer.runner import JobRunner, create_import_job, plan_import
    from tests.unit.test_import_jobs import FakeMapiry, rows

    monkeypatch.setattr(runner_module, "HEARTBEAT", 0.05)
    store = JobStore(tmp_path / "state.sqlite3")
    client = FakeMapiry(bulk=1, window=0.3)  # one batch every 0.3 s: the job runs for a while
    job_id = await create_import_job(store, client, await plan_import(client, "m1", rows(1000)))
    runner = JobRunner(store, client, job_id)
    task = asyncio.ensure_future(runner.run())
    deadline = time.monotonic() + 20
    while client.requests < 1:
        assert time.monotonic() < deadline, "the runner sent nothing"
        await asyncio.sleep(0.02)
    other = _other_host()
    store.conn.execute("UPDATE import_leases SET owner=?, host=?, pid=?, start=? WHERE job_id=?",
                       (other.key, other.host, other.pid, other.start, job_id))  # taken over meanwhile
    with pytest.raises(LeaseLostError):
        await asyncio.wait_for(task, 20)
    sent = client.requests
    await asyncio.sleep(0.5)
    assert client.requests == sent < 10
    assert store.lease_holder(job_id).owner == other  # not released: it is the other runner's
    assert store.get_job(job_id).state not in (J.FAILED, J.CANCELLED, J.DONE)
    store.close()


def test_two_runners_of_one_process_do_not_share_a_job(store: JobStore) -> None:
    job = _job(store)
    first, second = Owner.this_process(), Owner.this_process()
    assert first != second and first.pid == second.pid
    assert store.acquire_lease(job, first) is None
    assert store.acquire_lease(job, second).owner == first
    store.release_lease(job, first)
    assert store.acquire_lease(job, second) is None

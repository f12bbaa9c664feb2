"""Rate limits under a time scale, fault injection, admin routes, benchmarks seeding and the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.sandbox.server import SandboxServer

REPO = Path(__file__).resolve().parents[2]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def scaled(make_sandbox: Any) -> Any:
    # 3600 s / 7200 = 0.5 s windows for Mapiry; 60 s / 7200 for InstaMapp.
    return make_sandbox(time_scale=7200)


def test_mapiry_general_bucket_429_and_window_reset(scaled: Any) -> None:
    scaled.set_limits(general=3)
    mid = scaled.info["mapiry"]["maps"][0]
    with httpx.Client(base_url=scaled.mapiry_url, headers=auth(scaled.info["mapiry"]["keys"]["read_only"])) as c:
        resp = [c.get(f"/maps/{mid}") for _ in range(3)]
        assert [r.status_code for r in resp] == [200, 200, 200]
        assert [r.headers["x-ratelimit-remaining"] for r in resp] == ["2", "1", "0"]
        assert all(r.headers["x-ratelimit-limit"] == "3" for r in resp)
        reset = float(resp[0].headers["x-ratelimit-reset"])
        assert time.time() - 1 < reset <= time.time() + 0.6
        # the account shares one bucket across its keys
        with httpx.Client(base_url=scaled.mapiry_url, headers=auth(scaled.info["mapiry"]["keys"]["read_write"])) as rw:
            limited = rw.get(f"/maps/{mid}")
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
        assert limited.headers["retry-after"] == "1"
        assert limited.headers["x-ratelimit-remaining"] == "0"
        assert limited.headers["x-request-id"].startswith("req_")
        time.sleep(max(0.0, reset - time.time()) + 0.05)
        after = c.get(f"/maps/{mid}")
        assert after.status_code == 200 and after.headers["x-ratelimit-remaining"] == "2"


def test_mapiry_maps_and_bulk_buckets(make_sandbox: Any) -> None:
    # Real-time windows (an hour): what is counted here must not depend on how fast a busy
    # machine sends the requests (a 0.5 s scaled window could close between two of them).
    scaled = make_sandbox(time_scale=1.0)
    scaled.set_limits(maps=2, bulk=1)
    mid = scaled.info["mapiry"]["maps"][0]
    with httpx.Client(base_url=scaled.mapiry_url, headers=auth(scaled.info["mapiry"]["keys"]["read_write"])) as c:
        first = c.post("/maps", json={"title": "A"})
        assert first.status_code == 201 and first.headers["x-ratelimit-limit"] == "2"
        assert c.post("/maps", json={"title": "B"}).status_code == 201
        refused = c.post("/maps", json={"title": "C"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        # other requests are only counted against the general bucket
        other = c.get(f"/maps/{mid}")
        assert other.status_code == 200 and other.headers["x-ratelimit-limit"] == "1000"
        row = {"locations": [{"name": "x", "lat": 1.0, "lng": 2.0}]}
        assert c.post(f"/maps/{mid}/locations/bulk", json=row).status_code == 201
        assert c.post(f"/maps/{mid}/locations/bulk", json=row).status_code == 429
        # a refused request consumed nothing: general used 2 maps + 1 get + 1 bulk (+ the refused ones not)
        assert c.get(f"/maps/{mid}").headers["x-ratelimit-remaining"] == "995"


def test_instamapp_per_key_window_reset() -> None:
    with SandboxServer(seed="empty", time_scale=120) as srv:  # 60 s windows last 0.5 s
        srv.set_limits(instamapp_per_window=2)
        with httpx.Client(base_url=srv.instamapp_url, headers=auth(srv.info["instamapp"]["keys"]["full"])) as c:
            resp = [c.get("/items") for _ in range(3)]
            assert [r.status_code for r in resp] == [200, 200, 429]
            assert resp[2].headers["retry-after"] == "1" and resp[0].headers["ratelimit-reset"] == "1"
            time.sleep(0.55)
            ok = c.get("/items")
            assert ok.status_code == 200 and ok.headers["ratelimit-remaining"] == "1"


def test_scope_403_does_not_consume(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_limits(instamapp_per_window=1)
    key = fresh_sandbox.info["instamapp"]["keys"]["items_read"]
    with httpx.Client(base_url=fresh_sandbox.instamapp_url, headers=auth(key)) as c:
        assert c.get("/collections").status_code == 403
        assert c.get("/collections").status_code == 403
        assert c.get("/items").status_code == 200
        assert c.get("/items").status_code == 429


def test_drop_after_commit_commits_but_gives_no_answer(fresh_sandbox: Any) -> None:
    mid = fresh_sandbox.info["mapiry"]["maps"][0]
    fresh_sandbox.set_faults(drop_after_commit=1)
    with httpx.Client(base_url=fresh_sandbox.mapiry_url, headers=auth(fresh_sandbox.info["mapiry"]["keys"]["read_write"])) as c:
        assert c.get(f"/maps/{mid}").status_code == 200  # reads are not affected
        with pytest.raises(httpx.RemoteProtocolError):
            c.post(f"/maps/{mid}/tags", json={"name": "Committed anyway"})
        names = [t["name"] for t in c.get(f"/maps/{mid}/tags").json()["data"]]
        assert "Committed anyway" in names
        # only the next N writes
        assert c.post(f"/maps/{mid}/tags", json={"name": "Second"}).status_code == 201
    fresh_sandbox.set_faults(drop_after_commit=1)
    with httpx.Client(base_url=fresh_sandbox.instamapp_url, headers=auth(fresh_sandbox.info["instamapp"]["keys"]["full"])) as c:
        item = c.get("/items", params={"per_page": 1}).json()["data"][0]
        with pytest.raises(httpx.RemoteProtocolError):
            c.patch(f"/items/{item['id']}", json={"notes": "written"})
        assert c.get(f"/items/{item['id']}").json()["notes"] == "written"


def test_failed_writes_are_not_dropped(fresh_sandbox: Any) -> None:
    fresh_sandbox.set_faults(drop_after_commit=1)
    mid = fresh_sandbox.info["mapiry"]["maps"][0]
    with httpx.Client(base_url=fresh_sandbox.mapiry_url, headers=auth(fresh_sandbox.info["mapiry"]["keys"]["read_write"])) as c:
        assert c.post(f"/maps/{mid}/tags", json={"name": ""}).status_code == 400
        with pytest.raises(httpx.RemoteProtocolError):
            c.post(f"/maps/{mid}/tags", json={"name": "Now"})


def test_hang_after_commit_and_prompt_stop() -> None:
    srv = SandboxServer(seed="empty").start()
    try:
        srv.set_faults(hang_after_commit=1)
        with httpx.Client(base_url=srv.mapiry_url, headers=auth(srv.info["mapiry"]["keys"]["read_write"]),
                          timeout=0.5) as c, pytest.raises(httpx.ReadTimeout):
            c.post("/maps", json={"title": "Slow"})
        with httpx.Client(base_url=srv.mapiry_url, headers=auth(srv.info["mapiry"]["keys"]["read_write"])) as c:
            assert len(srv.info["mapiry"]["maps"]) == 1  # committed
    finally:
        started = time.monotonic()
        srv.stop()
        assert time.monotonic() - started < 3


def test_latency_and_error_rate(fresh_sandbox: Any) -> None:
    url = fresh_sandbox.instamapp_url + "/items"
    headers = auth(fresh_sandbox.info["instamapp"]["keys"]["full"])
    with httpx.Client() as c:
        fresh_sandbox.set_faults(latency_ms=300)
        started = time.monotonic()
        assert c.get(url, headers=headers).status_code == 200
        assert time.monotonic() - started >= 0.3
        fresh_sandbox.set_faults(latency_ms=0, error_rate=1.0)
        resp = c.get(url, headers=headers)
        assert resp.status_code == 503 and set(resp.json()["error"]) == {"type", "message"}
        assert resp.headers["x-request-id"].startswith("req_")
        mp = c.post(fresh_sandbox.mapiry_url + "/maps", json={"title": "never"},
                    headers=auth(fresh_sandbox.info["mapiry"]["keys"]["read_write"]))
        assert mp.status_code == 503 and set(mp.json()["error"]) == {"code", "message"}
        assert len(fresh_sandbox.info["mapiry"]["maps"]) == 3  # a 503 never comes after a commit
        fresh_sandbox.set_faults(error_rate=0.0)
        assert c.get(url, headers=headers).status_code == 200


def test_admin_routes(fresh_sandbox: Any) -> None:
    base = fresh_sandbox.base_url
    with httpx.Client(base_url=base) as c:
        info = c.get("/_sandbox/info").json()
        assert info["mapiry"]["keys"] == fresh_sandbox.info["mapiry"]["keys"]
        assert c.post("/_sandbox/limits", json={"general": 5}).json()["limits"]["general"] == 5
        assert c.post("/_sandbox/faults", json={"error_rate": 2}).status_code == 400
        assert c.post("/_sandbox/faults", json={"latency_ms": 1}).json()["faults"]["latency_ms"] == 1
        assert c.post("/_sandbox/seed-items", json={"count": 50}).json() == {"created": 50}
        assert c.post("/_sandbox/seed-items", json={"count": "many"}).status_code == 400
        assert c.get("/elsewhere").status_code == 404
    assert fresh_sandbox.state.store.scalar("SELECT COUNT(*) FROM im_items") >= 50 + 250


def test_seed_items_adds_them_all(fresh_sandbox: Any) -> None:
    before = fresh_sandbox.state.store.scalar("SELECT COUNT(*) FROM im_items")
    fresh_sandbox.seed_items(10_000)  # its speed is bench_sync's to report, not a timed test's
    assert fresh_sandbox.state.store.scalar("SELECT COUNT(*) FROM im_items") == before + 10_000
    with httpx.Client(base_url=fresh_sandbox.instamapp_url, headers=auth(fresh_sandbox.info["instamapp"]["keys"]["full"])) as c:
        body = c.get("/items", params={"page": (before + 10_000) // 100, "per_page": 100}).json()
        assert len(body["data"]) == 100 and body["pagination"]["has_more"] is True


def test_empty_seed_has_keys_but_no_data() -> None:
    with SandboxServer(seed="empty") as srv, httpx.Client() as c:
        assert srv.info["mapiry"]["maps"] == []
        items = c.get(srv.instamapp_url + "/items", headers=auth(srv.info["instamapp"]["keys"]["full"])).json()
        assert items["data"] == [] and items["pagination"]["has_more"] is False
        keys = c.get(srv.mapiry_url + "/keys", headers=auth(srv.info["mapiry"]["keys"]["read_write"])).json()["data"]
        assert len(keys) == 3


def test_cli_prints_info_line_then_serves(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "app", "sandbox", "--seed", "empty", "--time-scale", "60",
                             "--db", str(tmp_path / "s.sqlite3")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=REPO)
    try:
        info = json.loads(proc.stdout.readline())
        assert set(info["instamapp"]["keys"]) == {"full", "items_read"}
        assert set(info["mapiry"]["keys"]) == {"read_write", "read_only", "no_pro", "expired"}
        resp = httpx.get(info["instamapp"]["base_url"] + "/sales/summary",
                         headers=auth(info["instamapp"]["keys"]["full"]))
        assert resp.status_code == 200 and resp.json()["object"] == "sales_summary"
        resp = httpx.get(info["mapiry"]["base_url"] + "/keys", headers=auth(info["mapiry"]["keys"]["read_write"]))
        assert resp.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    for key in list(info["instamapp"]["keys"].values()) + list(info["mapiry"]["keys"].values()):
        assert key not in err and key not in out

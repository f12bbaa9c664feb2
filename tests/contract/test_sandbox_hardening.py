"""The sandbox attacked, over real HTTP on loopback: bodies past the size cap, numbers out of
range, broken and deeply nested JSON, a handler that fails, and the admin routes asked under a
foreign Host. Every answer is JSON in the envelope of the service the path belongs to, with the
right status; never a plain-text page, never a traceback, never the keys.
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.core.instabot import API_KEY_HEADER
from app.sandbox.guard import LARGEST_VALID_REQUEST, MAX_REQUEST_BYTES
from tests.memory import PeakRss

pytestmark = pytest.mark.timeout(120)

SERVICES = ("instamapp", "mapiry", "instabot", "instawp")


def headers_for(srv: Any, service: str) -> dict[str, str]:
    key = srv.info[service]["key"]
    if service == "instabot":
        return {API_KEY_HEADER: key}
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def url_for(srv: Any, service: str) -> str:
    return str(srv.info[service]["base_url"])


def assert_envelope(service: str, resp: httpx.Response, status: int, code: str | None = None) -> str:
    """The answer is ``status`` in ``service``'s error envelope; returns its message."""
    assert resp.status_code == status, resp.text[:300]
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    if service == "instamapp":
        assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
        found, message = body["error"]["type"], body["error"]["message"]
    elif service == "mapiry":
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
        found, message = body["error"]["code"], body["error"]["message"]
    elif service == "instabot":
        assert set(body) == {"apiStatusCode", "apiStatusMessage"}
        found, message = body["apiStatusCode"], body["apiStatusMessage"]
    else:
        assert body["status"] is False and isinstance(body["message"], str) and "data" not in body
        found, message = None, body["message"]
    if code is not None:
        assert found == code
    assert isinstance(message, str) and message.strip()
    return message


def raw_exchange(port: int, request: bytes, deadline: float = 20.0) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as it is and read the answer until the server closes: status, headers, body."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=deadline) as sock:
        sock.sendall(request)
        ends = time.monotonic() + deadline
        while time.monotonic() < ends:
            part = sock.recv(65536)
            if not part:
                break
            data += part
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


# -- the size cap ------------------------------------------------------------------------------

def test_the_largest_valid_request_fits_under_the_cap(fresh_sandbox: Any) -> None:
    # 100 locations, every text at its longest, every character sent as a JSON escape (\u00e9)
    entry = {"name": "é" * 200, "description": "é" * 2000, "address": "é" * 500, "lat": -89.123456,
             "lng": 179.123456, "categoryId": None, "tagIds": []}
    body = json.dumps({"locations": [entry] * 100}).encode()
    assert len(body) <= LARGEST_VALID_REQUEST < MAX_REQUEST_BYTES
    map_id = fresh_sandbox.info["mapiry"]["maps"][0]
    resp = httpx.post(f"{fresh_sandbox.mapiry_url}/maps/{map_id}/locations/bulk", content=body,
                      headers=headers_for(fresh_sandbox, "mapiry"), timeout=60)
    assert resp.status_code == 201, resp.text[:300]
    assert resp.json()["data"]["count"] == 100


@pytest.mark.parametrize("service", SERVICES)
def test_a_body_past_the_cap_is_413_in_the_services_envelope(fresh_sandbox: Any, service: str) -> None:
    before = fresh_sandbox.state.store.scalar("SELECT COUNT(*) FROM im_items")
    path = {"instamapp": "/items", "mapiry": "/maps", "instabot": "/", "instawp": "/sites"}[service]
    body = b'{"name": "' + b"x" * MAX_REQUEST_BYTES + b'"}'
    resp = httpx.post(url_for(fresh_sandbox, service) + path, content=body,
                      headers=headers_for(fresh_sandbox, service), timeout=60)
    code = {"instamapp": "invalid_request", "mapiry": "PAYLOAD_TOO_LARGE", "instabot": "BadParameterValue",
            "instawp": None}[service]
    message = assert_envelope(service, resp, 413, code)
    assert "4 MB" in message
    assert resp.headers["x-request-id"].startswith("req_")
    assert fresh_sandbox.state.store.scalar("SELECT COUNT(*) FROM im_items") == before


def test_a_body_past_the_cap_outside_the_apis_is_413_json(fresh_sandbox: Any) -> None:
    for path in ("/_sandbox/limits", "/elsewhere"):
        resp = httpx.post(fresh_sandbox.base_url + path, content=b"x" * (MAX_REQUEST_BYTES + 1), timeout=60)
        assert resp.status_code == 413 and set(resp.json()) == {"error"}
    assert fresh_sandbox.state.limits["general"] == 1000


def test_an_announced_length_past_the_cap_is_refused_before_the_body(fresh_sandbox: Any) -> None:
    request = (f"POST /mapiry/api/v1/maps HTTP/1.1\r\nHost: 127.0.0.1:{fresh_sandbox.port}\r\n"
               f"Authorization: Bearer {fresh_sandbox.info['mapiry']['key']}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {10**12}\r\n\r\n").encode()
    started = time.monotonic()
    status, headers, body = raw_exchange(fresh_sandbox.port, request)  # no byte of the body is ever sent
    assert time.monotonic() - started < 15
    assert status == 413 and headers["connection"] == "close"
    assert json.loads(body)["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_a_huge_chunked_body_is_413_soon_and_never_held(fresh_sandbox: Any) -> None:
    sent = 0
    block = b"x" * 65536

    def gigabyte() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(2**30 // len(block)):
            sent += len(block)
            yield block

    map_id = fresh_sandbox.info["mapiry"]["maps"][0]
    with PeakRss() as rss:
        started = time.monotonic()
        resp = httpx.post(f"{fresh_sandbox.mapiry_url}/maps/{map_id}/locations/bulk", content=gigabyte(),
                          headers=headers_for(fresh_sandbox, "mapiry"), timeout=30)
        elapsed = time.monotonic() - started
    assert_envelope("mapiry", resp, 413, "PAYLOAD_TOO_LARGE")
    assert "content-length" not in resp.request.headers  # sent chunked: the cap was met while reading
    assert sent > 2 * MAX_REQUEST_BYTES, f"only {sent} bytes went out"
    assert elapsed < 15, f"the 413 took {elapsed:.1f} s"
    assert rss.growth_mb < 48, f"peak RSS grew by {rss.growth_mb:.0f} MB for {sent / 2**20:.0f} MB sent"


# -- numbers out of range, ids too large -------------------------------------------------------

HUGE = str(10**23)
BAD_PAGES = [
    ("instamapp", "/items", {"page": HUGE}), ("instamapp", "/items", {"per_page": "1e999"}),
    ("instamapp", "/collections", {"page": "-1"}), ("instamapp", "/items", {"page": "9" * 5000}),
    ("instamapp", "/marketplace/listings", {"page": "٣"}), ("instamapp", "/items", {"per_page": "0"}),
    ("mapiry", "/maps/{map}/locations", {"page": HUGE}), ("mapiry", "/maps/{map}/locations", {"pageSize": "1e999"}),
    ("mapiry", "/maps/{map}/locations", {"page": "-1"}), ("mapiry", "/maps/{map}/locations", {"page": "²"}),
    ("mapiry", "/maps/{map}/locations", {"page": "9" * 5000}),
    ("instawp", "/sites", {"page": HUGE}), ("instawp", "/sites", {"per_page": "1e999"}),
    ("instawp", "/templates", {"page": "-1"}), ("instawp", "/templates", {"page": "+1"}),
]


@pytest.mark.parametrize(("service", "path", "params"), BAD_PAGES)
def test_a_page_out_of_range_is_the_services_400(sandbox: Any, service: str, path: str,
                                                 params: dict[str, str]) -> None:
    path = path.format(map=sandbox.info["mapiry"]["maps"][0])
    resp = httpx.get(url_for(sandbox, service) + path, params=params, headers=headers_for(sandbox, service))
    code = {"instamapp": "invalid_request", "mapiry": "VALIDATION_ERROR", "instawp": None}[service]
    assert_envelope(service, resp, 400, code)


@pytest.mark.parametrize(("service", "path"), [
    ("instamapp", "/items/" + HUGE), ("mapiry", "/maps/" + HUGE), ("mapiry", "/maps/{map}/locations/" + HUGE),
    ("instawp", "/sites/" + HUGE), ("instawp", "/templates/" + "9" * 5000), ("instawp", "/sites/²"),
])
def test_an_id_too_large_is_the_services_404(sandbox: Any, service: str, path: str) -> None:
    path = path.format(map=sandbox.info["mapiry"]["maps"][0])
    resp = httpx.get(url_for(sandbox, service) + path, headers=headers_for(sandbox, service))
    assert_envelope(service, resp, 404, {"instamapp": "not_found", "mapiry": "NOT_FOUND", "instawp": None}[service])


# -- broken, deep and unstorable JSON ----------------------------------------------------------

BAD_BODIES = {
    "deep arrays": b"[" * 100_000,
    "deep objects": b'{"a":' * 100_000,
    "deep but closed": b"[" * 50_000 + b"]" * 50_000,
    "malformed": b'{"name": ',
    "not UTF-8": b'{"name": "\xff\xfe"}',
    "a lone surrogate": b'{"name": "\\ud800", "site_name": "\\udfff"}',
    "an infinite number": b'{"name": "x", "lat": 1e400, "estimated_value": 1e400}',
    "NaN": b'{"name": NaN}',
    "a 5000-digit number": b'{"name": "x", "lat": 1' + b"0" * 5000 + b"}",
}
WRITES = {"instamapp": "/items", "mapiry": "/maps/{map}/locations", "instawp": "/sites"}


@pytest.mark.parametrize("service", list(WRITES))
@pytest.mark.parametrize("what", list(BAD_BODIES))
def test_a_bad_body_is_the_services_400(fresh_sandbox: Any, service: str, what: str) -> None:
    path = WRITES[service].format(map=fresh_sandbox.info["mapiry"]["maps"][0])
    resp = httpx.post(url_for(fresh_sandbox, service) + path, content=BAD_BODIES[what],
                      headers=headers_for(fresh_sandbox, service), timeout=30)
    code = {"instamapp": "invalid_request", "mapiry": "VALIDATION_ERROR", "instawp": None}[service]
    assert_envelope(service, resp, 400, code)


def test_numbers_past_64_bits_are_kept_or_refused_never_a_500(fresh_sandbox: Any) -> None:
    im = headers_for(fresh_sandbox, "instamapp")
    collections = httpx.get(fresh_sandbox.instamapp_url + "/collections", headers=im).json()["data"]
    body = {"collection_id": collections[0]["id"], "name": "Large", "estimated_value": 10**30}
    resp = httpx.post(fresh_sandbox.instamapp_url + "/items", json=body, headers=im)
    assert resp.status_code == 201 and resp.json()["estimated_value"] == 1e30
    map_id = fresh_sandbox.info["mapiry"]["maps"][0]
    resp = httpx.post(f"{fresh_sandbox.mapiry_url}/maps/{map_id}/locations", headers=headers_for(fresh_sandbox, "mapiry"),
                      json={"name": "Far", "lat": 10**30, "lng": 2**70})
    assert_envelope("mapiry", resp, 400, "VALIDATION_ERROR")


# -- a handler that fails ----------------------------------------------------------------------

@pytest.mark.parametrize(("service", "table", "path", "status", "code"), [
    ("instamapp", "im_keys", "/items", 500, "api_error"),
    ("mapiry", "mp_keys", "/maps/{map}", 500, "INTERNAL_ERROR"),
    ("instabot", "ib_keys", "/", 500, "UnidentifiedError"),
    ("instawp", "wp_tokens", "/sites", 500, None),
])
def test_an_unexpected_failure_is_the_services_500_and_is_logged(
        fresh_sandbox: Any, caplog: pytest.LogCaptureFixture, service: str, table: str, path: str, status: int,
        code: str | None) -> None:
    headers, key = headers_for(fresh_sandbox, service), fresh_sandbox.info[service]["key"]
    url = url_for(fresh_sandbox, service) + path.format(map=fresh_sandbox.info["mapiry"]["maps"][0])
    with fresh_sandbox.state.store.transaction() as conn:
        conn.execute(f"DROP TABLE {table}")  # a broken database: every request of the service fails
    with caplog.at_level(logging.ERROR, logger="cabinet.sandbox"):
        resp = httpx.get(url, headers=headers)
    message = assert_envelope(service, resp, status, code)
    assert "Traceback" not in resp.text and "sqlite" not in message.lower()
    failed = [r for r in caplog.records if r.name == "cabinet.sandbox" and r.exc_info]
    assert failed and "no such table" in str(failed[0].exc_info[1])
    assert all(key not in r.getMessage() for r in caplog.records)


# -- the admin routes: loopback Host only -------------------------------------------------------

@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "localhost", "127.0.0.1", "[::1]:{port}",
                                  "LocalHost:{port}", "127.0.0.2:{port}"])
def test_the_admin_routes_answer_a_loopback_host(sandbox: Any, host: str) -> None:
    resp = httpx.get(sandbox.base_url + "/_sandbox/info", headers={"Host": host.format(port=sandbox.port)})
    assert resp.status_code == 200 and resp.json()["mapiry"]["keys"] == sandbox.info["mapiry"]["keys"]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "localhost.evil.example:{port}",
                                  "127.0.0.1.nip.io:{port}", "localhost@evil.example", "localhost:{port}/x",
                                  "[::1].evil.example", "0.0.0.0:{port}", "192.0.2.2:{port}", "localhost:port"])
def test_the_admin_routes_hide_from_a_foreign_host(fresh_sandbox: Any, host: str) -> None:
    foreign = {"Host": host.format(port=fresh_sandbox.port)}
    with httpx.Client(base_url=fresh_sandbox.base_url, headers=foreign) as c:
        answers = [c.get("/_sandbox/info"), c.post("/_sandbox/limits", json={"general": 1}),
                   c.post("/_sandbox/faults", json={"error_rate": 1.0})]
    for resp in answers:
        assert resp.status_code == 404 and set(resp.json()) == {"error"}
        for keys in (fresh_sandbox.info[s]["keys"] for s in SERVICES):
            assert all(str(k) not in resp.text for k in keys.values())
    assert fresh_sandbox.state.limits["general"] == 1000 and fresh_sandbox.state.faults.error_rate == 0


def test_the_admin_routes_hide_from_a_request_without_a_host(sandbox: Any) -> None:
    status, _, body = raw_exchange(sandbox.port, b"GET /_sandbox/info HTTP/1.0\r\n\r\n")
    assert status == 404 and set(json.loads(body)) == {"error"}

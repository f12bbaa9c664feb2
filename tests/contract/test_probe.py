"""'Test connection' against the sandbox: what each key may do, and clear failures."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest

from app.core.errors import AuthenticationError, OfflineError, ProRequiredError
from app.services.probe import INSTAMAPP_SCOPES, ProbeResult, probe, probe_instamapp, probe_mapiry


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Secret(str):
    """A key whose repr is masked, so a failing test never prints it."""

    def __repr__(self) -> str:
        return "'***'"


def _keys(sandbox: Any, service: str) -> dict[str, Secret]:
    return {name: Secret(value) for name, value in sandbox.info[service]["keys"].items()}


def _assert_no_secret(result: ProbeResult, key: str) -> None:
    texts = [result.summary, repr(result), str(result.error or ""), repr(result.error or "")]
    if result.error is not None:
        texts.append(result.error.user_message())
    for text in texts:
        if key in text:
            pytest.fail("the key appears in the probe's result")


async def _newest_item_id(sandbox: Any) -> str | None:
    key = _keys(sandbox, "instamapp")["full"]
    async with httpx.AsyncClient() as client:
        r = await client.get(
            f"{sandbox.instamapp_url}/items",
            params={"per_page": 1},
            headers={"Authorization": f"Bearer {key}"},
        )
    r.raise_for_status()
    data = r.json()["data"]
    return data[0]["id"] if data else None


# ---------------------------------------------------------------- InstaMapp


@pytest.mark.asyncio
async def test_instamapp_full_key_has_every_scope_and_creates_nothing(sandbox: Any) -> None:
    key = _keys(sandbox, "instamapp")["full"]
    before = await _newest_item_id(sandbox)
    result = await probe_instamapp(sandbox.instamapp_url, key)
    assert result.ok, result.summary
    assert result.service == "instamapp"
    assert result.scopes == list(INSTAMAPP_SCOPES)
    assert result.error is None
    assert result.summary == (
        "Connected — scopes: items:read, items:write, collections:read, marketplace:read, analytics:read"
    )
    # The items:write check posts an empty body: refused as invalid, never created.
    assert await _newest_item_id(sandbox) == before
    _assert_no_secret(result, key)


@pytest.mark.asyncio
async def test_instamapp_items_read_key_has_only_that_scope(sandbox: Any) -> None:
    key = _keys(sandbox, "instamapp")["items_read"]
    result = await probe_instamapp(sandbox.instamapp_url, key)
    assert result.ok, result.summary
    assert result.scopes == ["items:read"]
    assert "items:write" not in result.summary
    assert result.summary.startswith("Connected — scopes: items:read")
    _assert_no_secret(result, key)


@pytest.mark.asyncio
async def test_instamapp_unknown_key_is_refused_clearly(sandbox: Any) -> None:
    key = "imk_live_" + "x" * 32
    result = await probe_instamapp(sandbox.instamapp_url, key)
    assert not result.ok
    assert isinstance(result.error, AuthenticationError)
    assert result.scopes == []
    assert "does not accept this API key" in result.summary
    assert result.request_id and result.request_id.startswith("req_")
    _assert_no_secret(result, key)


@pytest.mark.asyncio
async def test_instamapp_unreachable_address(sandbox: Any) -> None:
    key = _keys(sandbox, "instamapp")["full"]
    port = _closed_port()
    result = await probe_instamapp(f"http://127.0.0.1:{port}/instamapp/api/public/v1", key)
    assert not result.ok
    assert isinstance(result.error, OfflineError)
    assert result.summary == f"Could not reach 127.0.0.1:{port}: check the address and your connection."
    _assert_no_secret(result, key)


@pytest.mark.asyncio
async def test_instamapp_wrong_path_says_check_the_base_url(sandbox: Any) -> None:
    key = _keys(sandbox, "instamapp")["full"]
    wrong = sandbox.instamapp_url.replace("/instamapp/", "/nothing-here/")
    result = await probe_instamapp(wrong, key)
    assert not result.ok
    assert "check the base URL" in result.summary


@pytest.mark.asyncio
async def test_empty_key_and_bad_address_are_reported_without_a_request() -> None:
    empty = await probe_instamapp("https://instamapp.com/api/public/v1", "  ")
    assert not empty.ok
    assert empty.summary == "Enter the InstaMapp API key to test the connection."
    bad = await probe_mapiry("mapiry.com/api/v1", "mk_live_abcdefghijklmnop")
    assert not bad.ok
    assert "https://" in bad.summary
    _assert_no_secret(bad, "mk_live_abcdefghijklmnop")


# ---------------------------------------------------------------- Mapiry


@pytest.mark.asyncio
@pytest.mark.parametrize("which, access", [("read_write", "READ_WRITE"), ("read_only", "READ_ONLY")])
async def test_mapiry_key_access_and_pro(sandbox: Any, which: str, access: str) -> None:
    key = _keys(sandbox, "mapiry")[which]
    result = await probe_mapiry(sandbox.mapiry_url, key)
    assert result.ok, result.summary
    assert result.service == "mapiry"
    assert result.access == access
    assert result.pro is True
    assert result.key_name
    assert result.summary.startswith(f"Connected — access: {access}")
    assert "Pro" in result.summary
    _assert_no_secret(result, key)


@pytest.mark.asyncio
async def test_mapiry_read_write_and_read_only_differ(sandbox: Any) -> None:
    keys = _keys(sandbox, "mapiry")
    rw = await probe("mapiry", sandbox.mapiry_url, keys["read_write"])
    ro = await probe("mapiry", sandbox.mapiry_url, keys["read_only"])
    assert (rw.access, ro.access) == ("READ_WRITE", "READ_ONLY")
    assert rw.key_name != ro.key_name


@pytest.mark.asyncio
async def test_mapiry_account_without_pro(sandbox: Any) -> None:
    key = _keys(sandbox, "mapiry")["no_pro"]
    result = await probe_mapiry(sandbox.mapiry_url, key)
    assert not result.ok
    assert result.pro is False
    assert result.access is None
    assert isinstance(result.error, ProRequiredError)
    assert "no Pro subscription" in result.summary
    _assert_no_secret(result, key)


@pytest.mark.asyncio
async def test_mapiry_expired_key(sandbox: Any) -> None:
    key = _keys(sandbox, "mapiry")["expired"]
    result = await probe_mapiry(sandbox.mapiry_url, key)
    assert not result.ok
    assert isinstance(result.error, AuthenticationError)
    assert result.error.code == "API_KEY_EXPIRED"
    assert "has expired" in result.summary
    assert result.pro is None
    _assert_no_secret(result, key)


@pytest.mark.asyncio
async def test_mapiry_invalid_key(sandbox: Any) -> None:
    key = "mk_live_" + "z" * 32
    result = await probe_mapiry(sandbox.mapiry_url, key)
    assert not result.ok
    assert isinstance(result.error, AuthenticationError)
    assert result.error.code == "INVALID_API_KEY"
    assert "unknown or has been revoked" in result.summary
    _assert_no_secret(result, key)


@pytest.mark.asyncio
async def test_mapiry_unreachable_address(sandbox: Any) -> None:
    key = _keys(sandbox, "mapiry")["read_write"]
    port = _closed_port()
    result = await probe_mapiry(f"http://127.0.0.1:{port}/mapiry/api/v1", key)
    assert not result.ok
    assert isinstance(result.error, OfflineError)
    assert result.summary == f"Could not reach 127.0.0.1:{port}: check the address and your connection."
    _assert_no_secret(result, key)


@pytest.mark.asyncio
async def test_mapiry_key_tested_against_its_own_address_only(sandbox: Any) -> None:
    # A Mapiry key sent to the InstaMapp address is refused there: the values given are tested.
    key = _keys(sandbox, "mapiry")["read_write"]
    result = await probe_instamapp(sandbox.instamapp_url, key)
    assert not result.ok
    assert isinstance(result.error, AuthenticationError)


# ---------------------------------------------------------------- narrow cases (httpx.MockTransport)


def _mock(handler: Any) -> httpx.MockTransport:
    return httpx.MockTransport(handler)


@pytest.mark.asyncio
async def test_an_html_page_at_the_address_says_check_the_base_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, html="<!doctype html><title>Welcome</title>")

    result = await probe_instamapp("https://portal.example/api", "imk_live_abcdef", transport=_mock(handler))
    assert not result.ok
    assert result.summary.startswith("portal.example answered, but not as the InstaMapp API does")


@pytest.mark.asyncio
async def test_rate_limited_says_when_to_try_again_without_waiting() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(
            429,
            json={"error": {"code": "RATE_LIMIT_EXCEEDED", "message": "slow down"}},
            headers={"Retry-After": "30"},
        )

    result = await probe_mapiry(
        "https://mapiry.example/api/v1", "mk_live_abcdefghijklmnop", transport=_mock(handler)
    )
    assert not result.ok
    assert "try again in 30 s" in result.summary
    assert calls == ["/api/v1/keys"]  # one request: a test does not sit out the limit


@pytest.mark.asyncio
async def test_mapiry_own_key_is_found_by_prefix_and_revoked_twins_ignored() -> None:
    key = "mk_live_abcdefgh" + "0123456789abcdef"
    keys = [
        {
            "id": "c1",
            "name": "Old",
            "scope": "READ_ONLY",
            "prefix": key[:16],
            "revokedAt": "2026-01-01T00:00:00Z",
        },
        {"id": "c2", "name": "Other", "scope": "READ_ONLY", "prefix": "mk_live_zzzzzzzz", "revokedAt": None},
        {
            "id": "c3",
            "name": "Cabinet",
            "scope": "READ_WRITE",
            "prefix": key[:16],
            "revokedAt": None,
            "expiresAt": None,
        },
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {key}"
        return httpx.Response(200, json={"data": keys})

    result = await probe_mapiry("https://mapiry.example/api/v1", key, transport=_mock(handler))
    assert result.ok
    assert (result.access, result.key_name, result.expires_at, result.pro) == (
        "READ_WRITE",
        "Cabinet",
        None,
        True,
    )
    assert result.summary == "Connected — access: READ_WRITE, key “Cabinet”, Pro, never expires"

    keys.pop()  # the key's own entry is gone: connected, access unknown
    unknown = await probe_mapiry("https://mapiry.example/api/v1", key, transport=_mock(handler))
    assert unknown.ok and unknown.access is None and unknown.pro is True
    assert "could not be determined" in unknown.summary


@pytest.mark.asyncio
async def test_plain_http_to_a_remote_host_is_refused_before_sending() -> None:
    def handler(request: httpx.Request) -> httpx.Response:  # pragma: no cover - must not be called
        raise AssertionError("a request was sent")

    key = "imk_live_abcdefghijkl"
    result = await probe_instamapp("http://instamapp.example/api/public/v1", key, transport=_mock(handler))
    assert not result.ok
    assert "plain http://" in result.summary
    _assert_no_secret(result, key)

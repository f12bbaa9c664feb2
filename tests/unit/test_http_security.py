"""http:// only on loopback; the key never shows in reprs, logs or exception texts."""

from __future__ import annotations

import logging

import httpx
import pytest

from app.core import errors as E
from app.services.http import ServiceHttp, check_base_url, is_loopback_host
from app.services.instamapp import InstaMappClient
from app.services.mapiry import MapiryClient

KEY = "mk_live_Zq9SECRETvalue77"


@pytest.mark.parametrize("url", [
    "http://example.com/api/v1",
    "http://192.168.1.10:8000/api",
    "http://10.0.0.1/",
    "http://127.0.0.1.evil.com/api",
    "http://localhost.evil.com/",
])
def test_plain_http_refused_for_remote_hosts(url: str) -> None:
    with pytest.raises(E.InsecureUrlError) as info:
        MapiryClient(url, KEY)
    assert isinstance(info.value, ValueError)
    assert "http://" in info.value.user_message()
    assert KEY not in str(info.value)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/mapiry/api/v1",
    "http://127.5.6.7/x",
    "http://localhost:9999/instamapp/api/public/v1",
    "http://[::1]:8080/api",
    "https://mapiry.com/api/v1",
    "https://192.168.1.10/api",
])
def test_allowed_urls(url: str) -> None:
    assert check_base_url(url).startswith(url.split("://")[0] + "://")
    client = InstaMappClient(url, KEY)
    assert client.base_url == url.rstrip("/")


@pytest.mark.parametrize("url", ["ftp://mapiry.com/api", "mapiry.com/api", "", "https://user:pw@mapiry.com/api"])
def test_other_bad_urls(url: str) -> None:
    with pytest.raises(E.InsecureUrlError) as info:
        check_base_url(url)
    assert "pw" not in str(info.value)


def test_is_loopback_host() -> None:
    assert is_loopback_host("127.0.0.1") and is_loopback_host("::1") and is_loopback_host("LOCALHOST")
    assert not is_loopback_host("128.0.0.1") and not is_loopback_host("example.com")


@pytest.mark.asyncio
async def test_reprs_hide_the_key() -> None:
    for client in (MapiryClient("https://mapiry.com/api/v1", KEY), InstaMappClient("http://127.0.0.1:1/x", KEY)):
        for obj in (client, client.http, client.rate_limits):
            assert KEY not in repr(obj) and KEY not in str(obj)
        assert KEY not in repr(vars(client))
        await client.aclose()


@pytest.mark.asyncio
async def test_key_is_sent_as_bearer() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        return httpx.Response(200, json={"data": []})

    async with MapiryClient("https://mapiry.com/api/v1", KEY, transport=httpx.MockTransport(handler)) as c:
        assert await c.list_tags("c1") == []
    assert seen == [f"Bearer {KEY}"]


@pytest.mark.asyncio
async def test_no_key_no_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"error": {"code": "MISSING_API_KEY", "message": "no key"}})

    async with MapiryClient("https://mapiry.com/api/v1", None, transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(E.AuthenticationError) as info:
            await c.list_keys()
    assert "authorization" not in seen[0].headers
    assert "did not receive an API key" in info.value.user_message()


def test_key_with_bad_characters_refused_without_echo() -> None:
    bad = "mk_live_abc\ndef SECRET"
    with pytest.raises(E.ApiKeyFormatError) as info:
        MapiryClient("https://mapiry.com/api/v1", bad)
    for text in (str(info.value), repr(info.value), info.value.user_message()):
        assert "SECRET" not in text and "abc" not in text


@pytest.mark.parametrize("exc", [
    httpx.ConnectError(f"failed with Bearer {KEY}"),
    httpx.ReadTimeout(f"timeout {KEY}"),
    httpx.RemoteProtocolError(f"protocol {KEY}"),
    httpx.ReadError(f"read {KEY}"),
])
@pytest.mark.asyncio
async def test_httpx_exception_texts_are_scrubbed(exc: Exception, caplog) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    caplog.set_level(logging.DEBUG)
    http = ServiceHttp("mapiry", "https://mapiry.com/api/v1", KEY, transport=httpx.MockTransport(handler),
                       max_retries=1, backoff_base=0.001)
    with pytest.raises(E.NetworkError) as info:
        await http.request("POST", "/maps", json={"title": "x"})
    err = info.value
    for text in (str(err), repr(err), err.user_message(), err.reason):
        assert KEY not in text
    assert err.__cause__ is None and err.__suppress_context__
    assert KEY not in caplog.text
    await http.aclose()


@pytest.mark.asyncio
async def test_server_message_echoing_key_is_scrubbed(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    body = {"error": {"code": "INVALID_API_KEY", "message": f"Key {KEY} is not valid"}}
    transport = httpx.MockTransport(lambda r: httpx.Response(401, json=body))
    async with MapiryClient("https://mapiry.com/api/v1", KEY, transport=transport) as c:
        with pytest.raises(E.AuthenticationError) as info:
            await c.get_map("c1")
    err = info.value
    for text in (str(err), repr(err), err.user_message(), err.message):
        assert KEY not in text
    assert "[redacted]" in err.message
    assert KEY not in caplog.text


def test_parse_map_ref() -> None:
    mid = "cm1abcdefghijklmnopqrstuv"
    parse = MapiryClient.parse_map_ref
    assert parse(mid) == mid
    assert parse(f"  {mid}\n") == mid
    assert parse(f"https://mapiry.com/maps/{mid}") == mid
    assert parse(f"https://mapiry.com/maps/{mid}/") == mid
    assert parse(f"https://mapiry.com/m/{mid}?x=1") == mid
    assert parse(f"https://www.mapiry.com/en/maps/{mid}#loc") == mid
    assert parse(f"mapiry.com/maps/{mid}") == mid
    assert parse(f"http://127.0.0.1:8000/mapiry/api/v1/maps/{mid}/locations") == mid
    for bad in ["", "   ", "https://mapiry.com/", "https://mapiry.com/about/us", "not a map id!", "ab"]:
        with pytest.raises(ValueError, match="map"):
            parse(bad)

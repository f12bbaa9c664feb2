"""Answers the sandbox can't produce (httpx.MockTransport): each becomes a clear typed error."""

from __future__ import annotations

import httpx
import pytest

from app.core import errors as E
from app.services.http import ServiceHttp
from app.services.mapiry import MapiryClient

KEY = "mk_live_TOPSECRETkey0123456789"


def make(handler, service: str = "mapiry", **kw) -> ServiceHttp:
    kw.setdefault("backoff_base", 0.001)
    kw.setdefault("max_retries", 2)
    return ServiceHttp(service, "https://api.example.com/v1", KEY, transport=httpx.MockTransport(handler), **kw)


def check_clean(exc: BaseException) -> None:
    for text in (str(exc), repr(exc)):
        assert KEY not in text
    if isinstance(exc, E.CabinetError):
        msg = exc.user_message()
        assert KEY not in msg and msg.strip()


@pytest.mark.asyncio
async def test_malformed_json_is_response_format_error() -> None:
    http = make(lambda r: httpx.Response(200, content=b'{"data": [1, 2,, 3]}',
                                         headers={"content-type": "application/json", "X-Request-Id": "req_1"}))
    with pytest.raises(E.ResponseFormatError) as info:
        await http.request("GET", "/maps/x")
    assert info.value.code == "malformed_json"
    assert info.value.request_id == "req_1"
    assert "Request id: req_1" in info.value.user_message()
    assert "could not read" in info.value.user_message()
    check_clean(info.value)


@pytest.mark.asyncio
async def test_html_error_page_with_502() -> None:
    page = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(502, content=page, headers={"content-type": "text/html"})

    http = make(handler)
    with pytest.raises(E.ResponseFormatError) as info:
        await http.request("GET", "/maps/x")
    err = info.value
    assert isinstance(err, E.ServerError) and isinstance(err, E.ServerErrorPage)
    assert err.status == 502
    assert "HTML" in err.message
    assert "server error (502)" in err.user_message()
    assert len(calls) == 3  # a GET on 502 is retried (max_retries=2)
    check_clean(err)


@pytest.mark.asyncio
async def test_html_page_with_200_is_format_error() -> None:
    http = make(lambda r: httpx.Response(200, content=b"<html>Login to the Wi-Fi</html>",
                                         headers={"content-type": "text/html"}))
    with pytest.raises(E.ResponseFormatError) as info:
        await http.request("GET", "/maps/x")
    assert "HTML" in info.value.message
    assert not isinstance(info.value, E.ServerError)


@pytest.mark.asyncio
async def test_truncated_body() -> None:
    http = make(lambda r: httpx.Response(200, content=b'{"data": {"id": "c1", "title": "Cof',
                                         headers={"content-type": "application/json"}))
    with pytest.raises(E.ResponseFormatError) as info:
        await http.request("GET", "/maps/x")
    assert info.value.code == "truncated"
    assert "cut off" in info.value.message


@pytest.mark.asyncio
async def test_missing_envelope_on_error_status() -> None:
    http = make(lambda r: httpx.Response(404, json={"detail": "Not Found"}))
    with pytest.raises(E.ResponseFormatError) as info:
        await http.request("GET", "/maps/x")
    assert info.value.status == 404
    assert info.value.code == "no_envelope"
    check_clean(info.value)


@pytest.mark.asyncio
@pytest.mark.parametrize("body", [{"data": "text"}, {"title": "no id"}, {"data": {"title": "no id"}}, [{"id": "c1"}]])
async def test_success_body_that_is_no_object(body: object) -> None:
    """Bare and wrapped objects are read (tests/unit/test_lenient_shapes.py); what is neither is an error."""
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=body))
    async with MapiryClient("https://api.example.com/v1", KEY, transport=transport) as client:
        with pytest.raises(E.ResponseFormatError) as info:
            await client.get_map("c1")
    assert "map object" in info.value.message


@pytest.mark.asyncio
async def test_empty_body_on_error() -> None:
    http = make(lambda r: httpx.Response(400, content=b""))
    with pytest.raises(E.ResponseFormatError) as info:
        await http.request("POST", "/maps", json={})
    assert info.value.status == 400


@pytest.mark.asyncio
async def test_wrong_type_envelope() -> None:
    http = make(lambda r: httpx.Response(400, json={"error": "just a string"}))
    with pytest.raises(E.ResponseFormatError):
        await http.request("GET", "/maps/x")
    http2 = make(lambda r: httpx.Response(200, json=[1, 2, 3]))
    async with MapiryClient("https://api.example.com/v1", KEY,
                            transport=httpx.MockTransport(lambda r: httpx.Response(200, json=[1]))) as c:
        with pytest.raises(E.ResponseFormatError):
            await c.list_tags("c1")
    await http2.aclose()
    await http.aclose()


@pytest.mark.parametrize(
    ("service", "status", "field", "code", "cls"),
    [
        ("mapiry", 401, "code", "MISSING_API_KEY", E.AuthenticationError),
        ("mapiry", 401, "code", "INVALID_API_KEY", E.AuthenticationError),
        ("mapiry", 401, "code", "API_KEY_EXPIRED", E.AuthenticationError),
        ("mapiry", 403, "code", "PRO_SUBSCRIPTION_REQUIRED", E.ProRequiredError),
        ("mapiry", 403, "code", "INSUFFICIENT_SCOPE", E.PermissionDeniedError),
        ("mapiry", 404, "code", "NOT_FOUND", E.NotFoundError),
        ("mapiry", 409, "code", "CONFLICT", E.ConflictError),
        ("mapiry", 400, "code", "VALIDATION_ERROR", E.RequestValidationError),
        ("mapiry", 500, "code", "INTERNAL", E.ServerError),
        ("instamapp", 400, "type", "invalid_request", E.RequestValidationError),
        ("instamapp", 401, "type", "whatever", E.AuthenticationError),
        ("instamapp", 403, "type", "something_else", E.PermissionDeniedError),
        ("instamapp", 403, "type", "limit_reached", E.LimitReachedError),
        ("instamapp", 404, "type", "not_found", E.NotFoundError),
    ],
)
@pytest.mark.asyncio
async def test_envelopes_map_to_types(service, status, field, code, cls) -> None:
    body = {"error": {field: code, "message": f"msg {KEY}"}}
    http = make(lambda r: httpx.Response(status, json=body, headers={"X-Request-Id": "req_ff"}),
                service=service, max_retries=0)
    with pytest.raises(cls) as info:
        await http.request("POST", "/x", json={})
    err = info.value
    assert type(err) is cls
    assert (err.status, err.code, err.request_id) == (status, code, "req_ff")
    assert err.message.startswith("msg ")
    assert "Request id: req_ff" in err.user_message()
    check_clean(err)
    if cls is E.PermissionDeniedError:
        assert not isinstance(err, E.ProRequiredError)


def test_user_messages_say_what_to_do() -> None:
    expired = E.AuthenticationError("mapiry", 401, "API_KEY_EXPIRED", "expired", "req_1")
    text = expired.user_message()
    assert "Mapiry refused the API key: it has expired." in text
    assert "Settings (Ctrl+,)" in text and "Request id: req_1" in text
    rl = E.RateLimitedError("mapiry", 429, "RATE_LIMIT_EXCEEDED", "slow down", retry_after=120)
    assert "2 minutes" in rl.user_message()
    bulk = E.BulkLimitError(101)
    assert "101" in bulk.user_message() and "100" in bulk.user_message()
    assert isinstance(bulk, ValueError)
    val = E.RequestValidationError("mapiry", 400, "VALIDATION_ERROR", "bad", details=[
        {"index": 3, "field": "lat", "message": "must be between -90 and 90"}])
    assert "row 4 lat: must be between -90 and 90" in val.user_message()
    unknown = E.OutcomeUnknownError("instamapp", "ReadTimeout")
    assert "not resent" in unknown.user_message()
    offline = E.OfflineError("mapiry", "ConnectError")
    assert "could not reach Mapiry" in offline.user_message()

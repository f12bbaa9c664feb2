"""Retries: what is resent, what never is, and how waits are announced and cancelled."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from app.core import errors as E
from app.services.http import ServiceHttp

KEY = "imk_live_SECRETSECRETSECRET0001"


class Recorder:
    """A MockTransport handler that plays back a script of answers and records requests."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def make(rec: Recorder, **kw) -> ServiceHttp:
    kw.setdefault("backoff_base", 0.001)
    return ServiceHttp("instamapp", "https://api.example.com/v1", KEY, transport=httpx.MockTransport(rec), **kw)


def ok() -> httpx.Response:
    return httpx.Response(200, json={"object": "item", "id": "itm_1"})


@pytest.mark.asyncio
async def test_get_retried_on_503_then_succeeds() -> None:
    rec = Recorder(httpx.Response(503, json={"error": {"type": "unavailable", "message": "busy"}}),
                   httpx.Response(503, content=b"<html>busy</html>"), ok())
    waits: list[tuple[float, str]] = []
    http = make(rec, on_wait=lambda s, r: waits.append((s, r)))
    assert await http.request("GET", "/items/itm_1") == {"object": "item", "id": "itm_1"}
    assert len(rec.requests) == 3
    assert len(waits) == 2 and all("server error (503)" in r for _, r in waits)


@pytest.mark.asyncio
async def test_get_gives_up_after_max_retries() -> None:
    rec = Recorder(httpx.Response(504, json={"error": {"type": "timeout", "message": "gw"}}))
    http = make(rec, max_retries=3)
    with pytest.raises(E.ServerError) as info:
        await http.request("GET", "/items")
    assert info.value.status == 504
    assert len(rec.requests) == 4


@pytest.mark.asyncio
async def test_post_not_retried_on_503() -> None:
    rec = Recorder(httpx.Response(503, json={"error": {"type": "x", "message": "busy"}}), ok())
    http = make(rec)
    with pytest.raises(E.ServerError):
        await http.request("POST", "/items", json={"name": "a"})
    assert len(rec.requests) == 1


@pytest.mark.asyncio
async def test_post_read_timeout_is_outcome_unknown_and_sent_once() -> None:
    rec = Recorder(httpx.ReadTimeout("timed out"), ok())
    http = make(rec)
    with pytest.raises(E.OutcomeUnknownError) as info:
        await http.request("POST", "/items", json={"name": "a"})
    assert len(rec.requests) == 1
    assert KEY not in str(info.value) and KEY not in repr(info.value)


@pytest.mark.parametrize("exc", [httpx.RemoteProtocolError("Server disconnected"), httpx.ReadError("reset")])
@pytest.mark.asyncio
async def test_patch_broken_answer_never_resent(exc) -> None:
    rec = Recorder(exc, ok())
    http = make(rec)
    with pytest.raises(E.OutcomeUnknownError):
        await http.request("PATCH", "/items/itm_1", json={"status": "sell"})
    assert len(rec.requests) == 1


@pytest.mark.asyncio
async def test_get_read_timeout_is_retried() -> None:
    rec = Recorder(httpx.ReadTimeout("timed out"), ok())
    http = make(rec)
    assert (await http.request("GET", "/items/itm_1"))["id"] == "itm_1"
    assert len(rec.requests) == 2


@pytest.mark.asyncio
async def test_connect_error_is_retried_for_post_then_offline() -> None:
    rec = Recorder(httpx.ConnectError("[Errno 111] Connection refused"))
    http = make(rec, max_retries=2)
    with pytest.raises(E.OfflineError) as info:
        await http.request("POST", "/items", json={"name": "a"})
    assert len(rec.requests) == 3
    assert "could not reach InstaMapp" in info.value.user_message()


@pytest.mark.asyncio
async def test_connect_error_then_success_for_post() -> None:
    rec = Recorder(httpx.ConnectTimeout("connect timed out"), ok())
    http = make(rec)
    assert (await http.request("POST", "/items", json={}))["id"] == "itm_1"
    assert len(rec.requests) == 2


@pytest.mark.asyncio
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_429_is_raised_at_once_never_slept_in_the_transport(method: str) -> None:
    limited = httpx.Response(429, json={"error": {"type": "rate_limited", "message": "slow"}},
                             headers={"Retry-After": "3600", "RateLimit-Limit": "600",
                                      "RateLimit-Remaining": "0", "RateLimit-Reset": "3600"})
    rec = Recorder(limited, ok())
    waits: list[tuple[float, str]] = []
    http = make(rec, on_wait=lambda s, r: waits.append((s, r)))
    start = time.monotonic()
    with pytest.raises(E.RateLimitedError) as info:
        await http.request(method, "/items", json={"name": "a"} if method == "POST" else None)
    assert time.monotonic() - start < 1.0
    assert len(rec.requests) == 1 and waits == []  # the caller's one place for 429s decides
    assert info.value.retry_after == 3600
    assert info.value.retry_at is not None and info.value.retry_at - time.time() > 3590
    assert "Try again in 60 minutes (after 20" in info.value.user_message()
    assert http.rate_limits.wait_time("default") > 3590


@pytest.mark.asyncio
async def test_429_without_retry_after_takes_the_announced_reset() -> None:
    rec = Recorder(httpx.Response(429, json={"error": {"type": "rate_limited", "message": "slow"}},
                                  headers={"RateLimit-Limit": "600", "RateLimit-Remaining": "0",
                                           "RateLimit-Reset": "42"}))
    http = make(rec)
    with pytest.raises(E.RateLimitedError) as info:
        await http.request("GET", "/items")
    assert info.value.retry_after is not None and 40 < info.value.retry_after <= 42


@pytest.mark.asyncio
async def test_cancel_during_a_retry_backoff() -> None:
    rec = Recorder(httpx.Response(503, json={"error": {"type": "unavailable", "message": "busy"}},
                                  headers={"Retry-After": "3600"}))
    waits: list[float] = []
    http = make(rec, on_wait=lambda s, r: waits.append(s), backoff_max=30.0)
    task = asyncio.create_task(http.request("GET", "/items"))
    for _ in range(100):
        await asyncio.sleep(0.01)
        if waits:
            break
    assert waits == [30.0]  # a 503's Retry-After is bounded like any backoff, and announced
    start = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - start < 1.0
    assert len(rec.requests) == 1
    await http.aclose()


@pytest.mark.asyncio
async def test_idempotent_override() -> None:
    rec = Recorder(httpx.ReadTimeout("t"), ok())
    http = make(rec)
    assert (await http.request("POST", "/search", json={}, idempotent=True))["id"] == "itm_1"
    rec2 = Recorder(httpx.ReadTimeout("t"), ok())
    http2 = make(rec2)
    with pytest.raises(E.OutcomeUnknownError):
        await http2.request("PUT", "/x", json={}, idempotent=False)
    assert len(rec2.requests) == 1


@pytest.mark.asyncio
async def test_broken_on_wait_callback_does_not_break_request() -> None:
    def bad(seconds: float, reason: str) -> None:
        raise RuntimeError("ui gone")

    rec = Recorder(httpx.Response(503, json={"error": {"type": "x", "message": "y"}}), ok())
    http = make(rec, on_wait=bad)
    assert (await http.request("GET", "/items/itm_1"))["id"] == "itm_1"


class CutOffStream(httpx.AsyncByteStream):
    """A body that breaks off after its first chunk, as when the server drops the connection."""

    async def __aiter__(self):
        yield b'{"object": "item", "id": "itm_'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


@pytest.mark.asyncio
async def test_cut_off_answer_to_post_is_outcome_unknown_not_resent() -> None:
    rec = Recorder(httpx.Response(201, stream=CutOffStream()), ok())
    http = make(rec)
    with pytest.raises(E.OutcomeUnknownError) as info:
        await http.request("POST", "/items", json={"name": "a"})
    assert len(rec.requests) == 1
    assert "201" in info.value.reason


@pytest.mark.asyncio
async def test_cut_off_answer_to_get_is_retried() -> None:
    rec = Recorder(httpx.Response(200, stream=CutOffStream()), ok())
    http = make(rec)
    assert (await http.request("GET", "/items/itm_1"))["id"] == "itm_1"
    assert len(rec.requests) == 2

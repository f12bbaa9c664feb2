"""Rate-limit headers of both styles, and the tracker's state."""

from __future__ import annotations

import httpx
import pytest

from app.services.http import ServiceHttp
from app.services.mapiry import MapiryClient
from app.services.ratelimit import (
    RateLimit,
    RateLimitTracker,
    parse_ietf_headers,
    parse_rate_limit_headers,
    parse_retry_after,
    parse_x_headers,
)


def test_ietf_reset_is_delta_converted_to_epoch() -> None:
    state = parse_ietf_headers({"RateLimit-Limit": "600", "RateLimit-Remaining": "598",
                                "RateLimit-Reset": "42"}, now=1000.0)
    assert state == RateLimit(600, 598, 1042.0)


def test_x_reset_is_epoch_maybe_fractional() -> None:
    state = parse_x_headers({"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "997",
                             "X-RateLimit-Reset": "1740000000.25"}, now=5.0)
    assert state == RateLimit(1000, 997, 1740000000.25)


def test_x_reset_small_value_taken_as_delta() -> None:
    assert parse_x_headers({"X-RateLimit-Reset": "30"}, now=1_800_000_000.0) == RateLimit(None, None, 1_800_000_030.0)


def test_absent_and_garbled_headers() -> None:
    assert parse_rate_limit_headers({}) is None
    assert parse_rate_limit_headers({"content-type": "x"}) is None
    state = parse_ietf_headers({"ratelimit-limit": "lots", "ratelimit-remaining": "-3", "ratelimit-reset": "nan"})
    assert state is None
    assert parse_x_headers({"X-RateLimit-Limit": "abc", "X-RateLimit-Remaining": "5"}) == RateLimit(None, 5, None)


def test_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == pytest.approx(30.0)


def test_tracker_wait_time() -> None:
    t = RateLimitTracker()
    assert t.get("general") is None and t.wait_time("general") == 0.0
    t.update("general", RateLimit(1000, 5, 2000.0))
    assert t.wait_time("general", now=1000.0) == 0.0
    t.update("maps", RateLimit(50, 0, 1030.0))
    assert t.wait_time("maps", now=1000.0) == 30.0
    assert t.wait_time("maps", now=1100.0) == 0.0
    t.block("bulk", 12.0, now=500.0)
    assert t.wait_time("bulk", now=500.0) == 12.0
    assert set(t.snapshot()) == {"general", "maps", "bulk"}


@pytest.mark.asyncio
async def test_instamapp_headers_into_default_bucket() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(
        200, json={"object": "item", "id": "itm_1"},
        headers={"RateLimit-Limit": "600", "RateLimit-Remaining": "599", "RateLimit-Reset": "60"}))
    http = ServiceHttp("instamapp", "https://x.example/v1", "imk_live_k", transport=transport)
    await http.request("GET", "/items/itm_1", bucket="default")
    state = http.rate_limits.get("default")
    assert state is not None and state.limit == 600 and state.remaining == 599
    import time
    assert state.reset_at is not None and 55 < state.reset_at - time.time() <= 60.5
    await http.aclose()


@pytest.mark.asyncio
async def test_mapiry_buckets() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        limit = "20" if path.endswith("/bulk") else "50" if path.endswith("/maps") else "1000"
        headers = {"X-RateLimit-Limit": limit, "X-RateLimit-Remaining": "7",
                   "X-RateLimit-Reset": "1900000000.5"}
        if path.endswith("/bulk"):
            return httpx.Response(201, json={"data": {"created": [{"id": "l1"}], "count": 1}}, headers=headers)
        return httpx.Response(201 if request.method == "POST" else 200,
                              json={"data": {"id": "c1", "title": "t"}}, headers=headers)

    async with MapiryClient("https://mapiry.com/api/v1", "mk_live_k", transport=httpx.MockTransport(handler)) as c:
        await c.create_map("t")
        await c.get_map("c1")
        await c.bulk_create_locations("c1", [{"name": "a", "lat": 1, "lng": 2}])
        snap = c.rate_limits.snapshot()
    assert snap["maps"].limit == 50 and snap["general"].limit == 1000 and snap["bulk"].limit == 20
    assert snap["bulk"].reset_at == 1900000000.5

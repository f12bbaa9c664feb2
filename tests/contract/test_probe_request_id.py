"""The request id of 'Test connection': the HTTP layer keeps the latest answer's (cleaned), and a
failed test shows it, whatever failed; an id that is long, unprintable or holds the key is never
shown. Real HTTP: the sandbox, and the hostile server for answers the sandbox never gives."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from app.core.errors import NotFoundError, OfflineError
from app.services.http import ServiceHttp
from app.services.probe import probe_instamapp, probe_mapiry

MP_KEY = "mk_live_HOSTILEtestKEY0123456789"

pytestmark = pytest.mark.timeout(60)


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.asyncio
async def test_the_http_layer_keeps_the_latest_answers_request_id(sandbox: Any, hostile: Any) -> None:
    key = sandbox.info["mapiry"]["keys"]["read_write"]
    async with ServiceHttp("mapiry", sandbox.mapiry_url, key) as http:
        assert http.last_request_id is None
        await http.request("GET", "/keys")
        first = http.last_request_id
        await http.request("GET", "/keys")
        assert first and first.startswith("req_") and http.last_request_id not in (None, first)
    async with ServiceHttp("mapiry", hostile.url("echo-key", "mapiry"), MP_KEY, max_retries=0) as http:
        with pytest.raises(NotFoundError) as caught:
            await http.request("GET", "/maps/m1")
        assert http.last_request_id is None and caught.value.request_id is None  # it held the key
    async with ServiceHttp("mapiry", f"http://127.0.0.1:{_closed_port()}", MP_KEY, max_retries=0) as http:
        with pytest.raises(OfflineError):
            await http.request("GET", "/keys")
        assert http.last_request_id is None  # no answer, no id


@pytest.mark.asyncio
async def test_a_passed_test_carries_the_request_id(sandbox: Any) -> None:
    im = await probe_instamapp(sandbox.instamapp_url, sandbox.info["instamapp"]["keys"]["full"])
    mp = await probe_mapiry(sandbox.mapiry_url, sandbox.info["mapiry"]["keys"]["read_write"])
    assert im.ok and im.request_id and im.request_id.startswith("req_")
    assert mp.ok and mp.request_id and mp.request_id.startswith("req_")


@pytest.mark.asyncio
async def test_a_test_failed_on_a_strange_answer_shows_its_request_id(hostile: Any) -> None:
    result = await probe_mapiry(hostile.url("keys-shape", "mapiry"), MP_KEY)
    assert not result.ok and "not as the Mapiry API does" in result.summary
    assert result.request_id and result.request_id.startswith("req_")
    assert result.summary.endswith(f"Request id: {result.request_id}.")


@pytest.mark.asyncio
async def test_a_request_id_holding_the_key_is_never_shown(hostile: Any) -> None:
    result = await probe_mapiry(hostile.url("echo-key", "mapiry"), MP_KEY)
    assert not result.ok and result.request_id is None
    texts = [result.summary, repr(result), str(result.error), result.error.user_message() if result.error else ""]
    assert all(MP_KEY not in text and "req-" not in text for text in texts)

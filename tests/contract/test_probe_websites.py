"""Test connection for Instabot and InstaWP against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from app.core import instabot as ib
from app.services.probe_websites import probe_instabot, probe_instawp


@pytest.mark.parametrize(("master", "session", "access", "user"), [
    (False, False, ib.ACCESS_API_KEY, None), (True, False, ib.ACCESS_MASTER_KEY, None),
    (False, True, ib.ACCESS_USER_SESSION, "Dana Demo")])
@pytest.mark.asyncio
async def test_instabot_access_levels(sandbox: Any, master: bool, session: bool, access: str, user: Any) -> None:
    keys = sandbox.info["instabot"]["keys"]
    result = await probe_instabot(sandbox.instabot_url, keys["api_key"],
                                  master_key=keys["master_key"] if master else None,
                                  session_key=keys["user_session"] if session else None)
    assert result.ok, result.summary
    assert (result.application, result.version, result.access, result.user) == (
        "Cabinet Demo Bot", "2016-05-01", access, user)


@pytest.mark.asyncio
async def test_instabot_failures_say_what_to_do(sandbox: Any) -> None:
    keys = sandbox.info["instabot"]["keys"]
    wrong = "ibs_" + "q" * 32
    bad_session = await probe_instabot(sandbox.instabot_url, keys["api_key"], session_key=wrong)
    assert not bad_session.ok and "master key or user session key" in bad_session.summary
    assert wrong not in bad_session.summary and bad_session.request_id
    bad_key = await probe_instabot(sandbox.instabot_url, "ibk_" + "n" * 32)
    assert not bad_key.ok and "did not recognise the API key" in bad_key.summary
    assert not (await probe_instabot(sandbox.instabot_url, " ")).ok
    offline = await probe_instabot("http://127.0.0.1:9/v1", keys["api_key"])
    assert not offline.ok and "Could not reach Instabot" in offline.summary


@pytest.mark.asyncio
async def test_instawp(sandbox: Any) -> None:
    token = sandbox.info["instawp"]["keys"]["token"]
    result = await probe_instawp(sandbox.instawp_url, token)
    assert result.ok and (result.sites, result.templates) == (7, 4)
    refused = await probe_instawp(sandbox.instawp_url, "wrong-token", language="es")
    assert not refused.ok and "No autenticado." in refused.summary and "wrong-token" not in refused.summary

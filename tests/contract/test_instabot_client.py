"""InstabotClient against the sandbox over real HTTP on loopback: both calls, every row of the status table."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.core import errors as E
from app.core import instabot as doc
from app.services.instabot import ERROR_TYPES, InstabotClient, access_level


def ib(srv: Any, *, api: str | None = "api_key", master: str | None = None, session: str | None = None,
       url: str | None = None, **kw: Any) -> InstabotClient:
    keys = srv.info["instabot"]["keys"]
    kw.setdefault("backoff_base", 0.01)
    return InstabotClient(url or srv.instabot_url, keys.get(api, api) if api else None,
                          master_key=keys.get(master, master) if master else None,
                          session_key=keys.get(session, session) if session else None, **kw)


def test_every_status_code_of_the_table_has_a_typed_error() -> None:
    assert set(ERROR_TYPES) == set(doc.ERROR_CODES)
    assert [s.code for s in doc.STATUS_CODES] == [
        "Success", "AuthenticationFailed", "AccessDenied", "ObjectNotFound", "BadRequest", "ObjectAlreadyExists",
        "BadParameterValue", "ApiKeyInvalid", "CustomDomainNameAlreadyUsed", "UnidentifiedError"]


@pytest.mark.parametrize(("master", "session", "level"), [
    (None, None, doc.ACCESS_API_KEY), ("master_key", None, doc.ACCESS_MASTER_KEY),
    (None, "user_session", doc.ACCESS_USER_SESSION), ("master_key", "user_session", doc.ACCESS_MASTER_KEY)])
@pytest.mark.asyncio
async def test_get_info_at_every_access_level(sandbox, master, session, level) -> None:
    async with ib(sandbox, master=master, session=session) as c:
        info = await c.get_info()
        assert c.access == level
    assert info == {"applicationName": "Cabinet Demo Bot", "version": "2016-05-01"}
    assert access_level(" ", None) == doc.ACCESS_API_KEY


@pytest.mark.asyncio
async def test_headers_sent_as_the_document_says() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"apiStatusCode": "Success", "data": {"version": "2015-08-01"}})

    for master, session, auth in ((None, None, None), ("m1", None, "X-Instabot-Master-Api-Key m1"),
                                  (None, "s1", "X-Instabot-User-Session s1")):
        seen.clear()
        async with InstabotClient("https://api.instabot.io/v1", "a1", master_key=master, session_key=session,
                                  transport=httpx.MockTransport(handler)) as c:
            assert await c.get_info() == {"version": "2015-08-01"}
        assert str(seen[0].url) == "https://api.instabot.io/v1/"
        assert seen[0].headers["X-Instabot-Api-Key"] == "a1"
        assert seen[0].headers.get("Authorization") == auth


@pytest.mark.asyncio
async def test_user_session(sandbox) -> None:
    async with ib(sandbox, session="user_session") as c:
        session = await c.get_user_session()
    assert session["userId"] == "usr_demo0001" and session["userName"] == "Dana Demo"


# -- the status table, row by row ----------------------------------------------------------------
async def _fails(client: InstabotClient, call: str = "get_info") -> E.ApiError:
    async with client as c:
        with pytest.raises(E.ApiError) as info:
            await getattr(c, call)()
    return info.value


def _check(err: E.ApiError, code: str, cls: type[E.ApiError]) -> None:
    assert isinstance(err, cls), (code, type(err))
    assert err.code == code and err.status == doc.BY_CODE[code].http[0]
    assert err.request_id and err.request_id.startswith("req_")
    assert err.user_message()


@pytest.mark.asyncio
async def test_access_denied_without_keys_as_in_the_document(sandbox) -> None:
    err = await _fails(ib(sandbox, api=None), "get_user_session")
    _check(err, "AccessDenied", E.PermissionDeniedError)
    assert err.message == "User not authorized for this action."
    _check(await _fails(ib(sandbox), "get_user_session"), "AccessDenied", E.PermissionDeniedError)


@pytest.mark.asyncio
async def test_api_key_invalid(sandbox) -> None:
    wrong = "ibk_" + "x" * 32
    err = await _fails(ib(sandbox, api=wrong))
    _check(err, "ApiKeyInvalid", E.AuthenticationError)
    assert "did not recognise the API key" in err.user_message()
    assert wrong not in str(err) and wrong not in err.user_message()


@pytest.mark.parametrize(("master", "session"), [("ibm_" + "y" * 32, None), (None, "ibs_" + "z" * 32)])
@pytest.mark.asyncio
async def test_authentication_failed(sandbox, master, session) -> None:
    err = await _fails(ib(sandbox, master=master, session=session))
    _check(err, "AuthenticationFailed", E.AuthenticationError)
    assert "master key or user session key" in err.user_message()
    assert (master or session) not in repr(err) + err.user_message()


@pytest.mark.asyncio
async def test_object_not_found_at_a_wrong_address(sandbox) -> None:
    err = await _fails(ib(sandbox, url=sandbox.instabot_url + "/nowhere"))
    _check(err, "ObjectNotFound", E.NotFoundError)


@pytest.mark.asyncio
async def test_bad_request_user_session_with_master_key(sandbox) -> None:
    err = await _fails(ib(sandbox, master="master_key"), "get_user_session")
    _check(err, "BadRequest", E.RequestValidationError)


@pytest.mark.parametrize(("code", "cls"), [
    ("ObjectAlreadyExists", E.ConflictError), ("BadParameterValue", E.RequestValidationError),
    ("CustomDomainNameAlreadyUsed", E.ConflictError), ("UnidentifiedError", E.ServerError)])
@pytest.mark.asyncio
async def test_codes_no_documented_call_produces(fresh_sandbox, code, cls) -> None:
    fresh_sandbox.force_instabot(code)
    err = await _fails(ib(fresh_sandbox, max_retries=0))
    _check(err, code, cls)
    async with ib(fresh_sandbox) as c:  # only the next request was forced
        assert (await c.get_info())["version"]


@pytest.mark.asyncio
async def test_unidentified_error_when_the_server_fails(fresh_sandbox) -> None:
    fresh_sandbox.set_faults(error_rate=1.0)
    err = await _fails(ib(fresh_sandbox, max_retries=0))
    _check(err, "UnidentifiedError", E.ServerError)


@pytest.mark.asyncio
async def test_a_2xx_with_an_error_code_is_that_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"apiStatusCode": "ObjectNotFound", "apiStatusMessage": "gone"})

    async with InstabotClient("https://api.example.com/v1", "k", transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(E.NotFoundError) as info:
            await c.get_info()
    assert (info.value.status, info.value.message) == (404, "gone")


@pytest.mark.parametrize("body", [{"data": {}}, [], {"apiStatusCode": "Success", "data": []}])
@pytest.mark.asyncio
async def test_unreadable_success_bodies(body) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    async with InstabotClient("https://api.example.com/v1", "k", transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(E.ResponseFormatError):
            await c.get_info()


@pytest.mark.asyncio
async def test_success_without_data_is_empty() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"apiStatusCode": "Success"})

    async with InstabotClient("https://api.example.com/v1", "k", transport=httpx.MockTransport(handler)) as c:
        assert await c.get_user_session() == {}

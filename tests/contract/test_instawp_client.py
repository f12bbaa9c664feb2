"""InstaWPClient against the sandbox over real HTTP on loopback: every call, every status of the list."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from app.core import errors as E
from app.core import instawp as doc
from app.services.instawp import InstaWPClient


def wp(srv: Any, token: str | None = "token", **kw: Any) -> InstaWPClient:
    kw.setdefault("backoff_base", 0.01)
    keys = srv.info["instawp"]["keys"]
    return InstaWPClient(kw.pop("url", srv.instawp_url), keys.get(token, token) if token else None, **kw)


# -- 200: reading --------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_list_sites_pages_and_meta(sandbox) -> None:
    async with wp(sandbox) as c:
        first = await c.list_sites(per_page=3)
        second = await c.list_sites(page=2, per_page=3)
        every = [s async for s in c.iter_sites(per_page=2)]
    assert (first.page, first.per_page, first.total, first.total_pages, first.has_more) == (1, 3, 7, 3, True)
    assert [s["id"] for s in every[3:6]] == [s["id"] for s in second.items]
    assert len(every) == 7 and len({s["id"] for s in every}) == 7


@pytest.mark.asyncio
async def test_filter_by_type_reserved(sandbox) -> None:
    async with wp(sandbox) as c:
        reserved = [s async for s in c.iter_sites(type="reserved")]
        every = [s async for s in c.iter_sites()]
    assert reserved and all(s["type"] == "reserved" for s in reserved)
    assert len(reserved) == sum(1 for s in every if s["type"] == "reserved") < len(every)


@pytest.mark.asyncio
async def test_site_and_template_detail_and_dates(sandbox) -> None:
    async with wp(sandbox) as c:
        site = (await c.list_sites(per_page=1)).items[0]
        assert await c.get_site(str(site["id"])) == site
        templates = [t async for t in c.iter_templates(per_page=3)]
        assert len(templates) == 4
        assert await c.get_template(str(templates[0]["id"])) == templates[0]
    when = doc.parse_output(site["created_at"])
    assert when is not None and when.tzinfo is not None and when.microsecond == 123000
    assert len(site["created_at"]) == len("2018-10-05 14:34:53.000")


def test_date_formats_of_the_document() -> None:
    when = datetime(2018, 10, 5, 16, 34, 53, 999000, tzinfo=timezone(timedelta(hours=2)))
    assert doc.format_input(when) == "2018-10-05 14:34:53"  # UTC, no milliseconds
    assert doc.format_output(when) == "2018-10-05 14:34:53.999"
    assert doc.parse_output("2018-10-05 14:34:53.999") == when.astimezone(UTC)
    assert doc.parse_output("2018-10-05 14:34:53") == datetime(2018, 10, 5, 14, 34, 53, tzinfo=UTC)
    assert doc.parse_output("yesterday") is None and doc.parse_output(None) is None
    with pytest.raises(ValueError):
        doc.format_input(datetime(2018, 10, 5))


@pytest.mark.parametrize(("locale", "lang"), [("es_ES", "es"), ("es", "es"), ("es-MX", "es"), ("en_US", "en"),
                                              ("de_DE", "en"), (None, "en")])
def test_localization_follows_the_app_language(locale, lang) -> None:
    assert doc.language_for(locale) == lang


@pytest.mark.asyncio
async def test_messages_in_spanish_as_sent(fresh_sandbox) -> None:
    fresh_sandbox.set_limits(instawp_create_seconds=0)
    async with wp(fresh_sandbox, language="es_ES") as c:
        made = await c.create_site("hola-mundo")
        with pytest.raises(E.NotFoundError) as info:
            await c.get_site("999999")
    assert made.message == "Sitio creado correctamente."
    assert info.value.message == "Sitio no encontrado."
    assert "Sitio no encontrado." in info.value.user_message()


# -- 201 / 202: creating; 200: deleting ----------------------------------------------------------
@pytest.mark.asyncio
async def test_create_202_then_ready(fresh_sandbox) -> None:
    fresh_sandbox.set_limits(instawp_create_seconds=1)
    async with wp(fresh_sandbox) as c:
        made = await c.create_site("sophine-two")
        assert made.accepted and made.data["status"] == "creating"
        assert made.message == "Site is being created."
        deadline = time.monotonic() + 15
        site = made.data
        while site["status"] != "ready":
            assert time.monotonic() < deadline, "the site never became ready"
            await asyncio.sleep(0.2)
            site = await c.get_site(str(made.data["id"]))
        assert site["url"] == "https://sophine-two.instawp.xyz"


@pytest.mark.asyncio
async def test_create_201_and_delete(fresh_sandbox) -> None:
    fresh_sandbox.set_limits(instawp_create_seconds=0)
    async with wp(fresh_sandbox) as c:
        made = await c.create_site("quick-site")
        assert not made.accepted and made.data["status"] == "ready"
        assert await c.delete_site(str(made.data["id"])) == "Site deleted successfully."
        with pytest.raises(E.NotFoundError):
            await c.get_site(str(made.data["id"]))
        with pytest.raises(E.NotFoundError):
            await c.delete_site(str(made.data["id"]))


@pytest.mark.asyncio
async def test_delete_answered_204_is_accepted() -> None:
    async with InstaWPClient("https://app.instawp.io/api/v2", "t",
                             transport=httpx.MockTransport(lambda r: httpx.Response(204))) as c:
        assert await c.delete_site("5") == ""


# -- 400, 401, 404, 429, 500 ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["", "Has Capitals", "-dash", "taken"])
@pytest.mark.asyncio
async def test_400_bad_site_name(fresh_sandbox, name) -> None:
    async with wp(fresh_sandbox) as c:
        if name == "taken":
            name = (await c.list_sites(per_page=1)).items[0]["name"]
        with pytest.raises(E.RequestValidationError) as info:
            await c.create_site(name)
    err = info.value
    assert err.status == 400 and err.message and err.details and err.details[0]["field"] == "site_name"
    assert err.message in err.user_message()


@pytest.mark.parametrize("kwargs", [{"per_page": 101}, {"per_page": 0}, {"page": 0}, {"type": "lost"}])
@pytest.mark.asyncio
async def test_400_bad_list_parameters(sandbox, kwargs) -> None:
    async with wp(sandbox) as c:
        with pytest.raises(E.RequestValidationError) as info:
            await c.list_sites(**kwargs)
    assert info.value.status == 400


@pytest.mark.parametrize("token", [None, "not-a-token"])
@pytest.mark.asyncio
async def test_401_bad_token(sandbox, token) -> None:
    async with wp(sandbox, token) as c:
        with pytest.raises(E.AuthenticationError) as info:
            await c.list_templates()
    err = info.value
    assert (err.status, err.message) == (401, "Unauthenticated.")
    assert "API tokens" in err.user_message()
    assert "not-a-token" not in str(err) + err.user_message()


@pytest.mark.asyncio
async def test_404_unknown_objects_and_address(sandbox) -> None:
    async with wp(sandbox) as c:
        for call in (c.get_site("999999"), c.get_template("999999"), c.get_site("abc")):
            with pytest.raises(E.NotFoundError):
                await call
    async with wp(sandbox, url=sandbox.instawp_url + "/v9") as c:
        with pytest.raises(E.NotFoundError) as info:
            await c.list_sites()
    assert info.value.message == "The API could not be found."


@pytest.mark.asyncio
async def test_429_refused(fresh_sandbox) -> None:
    fresh_sandbox.set_limits(instawp_per_window=2)
    async with wp(fresh_sandbox, max_retries=0) as c:
        await c.list_sites()
        await c.list_templates()
        with pytest.raises(E.RateLimitedError) as info:
            await c.get_template("1")
    err = info.value
    assert err.status == 429 and err.retry_after is not None and err.retry_after >= 1
    assert err.message == "Too Many Attempts."
    assert "InstaWP: Too Many Attempts." in err.user_message()


@pytest.mark.asyncio
async def test_429_raised_at_once_with_its_wait_then_succeeds(make_sandbox) -> None:
    """The shared HTTP layer never sleeps a 429: the caller's one place for it waits, visibly."""
    srv = make_sandbox(time_scale=60.0, instawp_per_window=1)  # the 60 s window lasts 1 s
    waits: list[tuple[float, str]] = []
    async with wp(srv, on_wait=lambda s, r: waits.append((s, r))) as c:
        await c.list_sites()
        with pytest.raises(E.RateLimitedError) as info:
            await c.list_templates()
        assert waits == [] and info.value.retry_after is not None and info.value.retry_after >= 1
        await asyncio.sleep(info.value.retry_after)
        page = await asyncio.wait_for(c.list_templates(), 20)
    assert page.items


@pytest.mark.asyncio
async def test_500_message_as_sent(fresh_sandbox) -> None:
    fresh_sandbox.set_faults(error_rate=1.0)
    async with wp(fresh_sandbox, max_retries=0) as c:
        with pytest.raises(E.ServerError) as info:
            await c.list_sites()
    assert (info.value.status, info.value.message) == (500, "Server Error")
    assert "InstaWP: Server Error" in info.value.user_message()


# -- answers the document leaves open ------------------------------------------------------------
@pytest.mark.parametrize("body", [
    [{"id": 1, "name": "a"}],  # a bare list
    {"status": True, "message": "", "data": [{"id": 1, "name": "a"}]},  # no meta
    {"status": True, "data": [{"id": 1, "name": "a"}], "meta": {"total": 1}},
])
@pytest.mark.asyncio
async def test_lists_in_every_reasonable_shape(body) -> None:
    async with InstaWPClient("https://app.instawp.io/api/v2", "t",
                             transport=httpx.MockTransport(lambda r: httpx.Response(200, json=body))) as c:
        page = await c.list_sites()
    assert page.items == [{"id": 1, "name": "a"}] and not page.has_more


@pytest.mark.asyncio
async def test_localization_header_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": True, "data": []})

    for language, sent in (("es_ES", "es"), ("fr_FR", "en")):
        async with InstaWPClient("https://app.instawp.io/api/v2", "t", language=language,
                                 transport=httpx.MockTransport(handler)) as c:
            await c.list_sites(type="reserved")
        assert seen[-1].headers["X-localization"] == sent
        assert seen[-1].headers["Authorization"] == "Bearer t"
        assert seen[-1].url.params["type"] == "reserved"


@pytest.mark.parametrize(("env", "lang"), [({"LANG": "es_ES.UTF-8"}, "es"), ({"LC_ALL": "es_MX.UTF-8", "LANG": "en_US"}, "es"),
                                           ({"LANG": "en_GB.UTF-8"}, "en"), ({}, "en")])
def test_the_language_cabinet_runs_in(monkeypatch, env, lang) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert InstaWPClient("https://app.instawp.io/api/v2", "t").language == lang

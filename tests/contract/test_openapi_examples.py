"""Every example response of the InstaMapp and Mapiry documents (tests/data/apidocs/, copied
verbatim) fits the OpenAPI file Cabinet ships, and the client reads it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import ValidationError

from app.core import errors as E
from app.services.instamapp import InstaMappClient
from app.services.mapiry import MapiryClient
from tests.contract.test_sandbox_openapi import Checker, load

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "apidocs"
CASES = [("instamapp_examples.json", "instamapp-v1.json"), ("mapiry_examples.json", "mapiry-v1.json")]


def answers(examples: str) -> list[dict[str, Any]]:
    return json.loads((EXAMPLES / examples).read_text(encoding="utf-8"))["answers"]


@pytest.mark.parametrize(("examples", "spec"), CASES)
def test_every_document_example_fits_the_spec(examples: str, spec: str) -> None:
    chk = Checker(load(spec))
    for answer in answers(examples):
        chk.check(answer["operation"], httpx.Response(answer["status"], json=answer["body"]))
    assert chk.checked == {a["operation"] for a in answers(examples)}


def test_the_examples_are_all_the_documents_show() -> None:
    """Each document's example responses, by section (the Mapiry document has four, InstaMapp's two)."""
    assert [a["operation"] for a in answers("mapiry_examples.json")] == [
        "create_map", "bulk_create_locations", "list_locations", "get_map"]
    assert {a["section"] for a in answers("instamapp_examples.json")} == {"Errors (not_found is 404)", "Pagination"}


def test_the_spec_still_checks_what_the_documents_show() -> None:
    """Required means what every example shows: a map without its title, or a location without
    its coordinates, does not fit."""
    chk = Checker(load("mapiry-v1.json"))
    created = answers("mapiry_examples.json")[0]["body"]
    no_title = {"data": {k: v for k, v in created["data"].items() if k != "title"}}
    with pytest.raises(ValidationError):
        chk.check("create_map", httpx.Response(201, json=no_title))
    listed = answers("mapiry_examples.json")[2]["body"]
    location = {k: v for k, v in listed["data"]["locations"][0].items() if k != "lat"}
    with pytest.raises(ValidationError):
        chk.check("list_locations", httpx.Response(200, json={"data": {**listed["data"], "locations": [location]}}))


def serve(answer: dict[str, Any]) -> httpx.MockTransport:
    """The document's answer, as it is, to every request (narrow: only the client's reading matters)."""
    return httpx.MockTransport(lambda request: httpx.Response(answer["status"], json=answer["body"]))


@pytest.mark.asyncio
async def test_the_mapiry_client_reads_every_example() -> None:
    examples = {a["operation"]: a for a in answers("mapiry_examples.json")}
    base = "https://mapiry.com/api/v1"
    async with MapiryClient(base, "mk_live_EXAMPLEkey0123456789", transport=serve(examples["create_map"])) as c:
        made = await c.create_map("Best Coffee in Tokyo", description="My favourite spots")
    assert made == examples["create_map"]["body"]["data"]
    bulk = examples["bulk_create_locations"]
    async with MapiryClient(base, "mk_live_EXAMPLEkey0123456789", transport=serve(bulk)) as c:
        created = await c.bulk_create_locations(bulk["map"], [{"name": "x", "lat": 1.0, "lng": 2.0}] * 2)
    # none of the document's locations names its map: each takes the map it was sent to
    assert [(r["id"], r["mapId"]) for r in created] == [("loc1", bulk["map"]), ("loc2", bulk["map"])]
    listed = examples["list_locations"]
    async with MapiryClient(base, "mk_live_EXAMPLEkey0123456789", transport=serve(listed)) as c:
        page = await c.list_locations(listed["map"], page=1, page_size=20)
    assert [(r["id"], r["mapId"], r["layers"][0]["name"]) for r in page.items] == [("loc1", listed["map"], "Day 1")]
    assert (page.page, page.per_page, page.total, page.total_pages, page.has_more) == (1, 20, 47, 3, True)
    async with MapiryClient(base, "mk_live_EXAMPLEkey0123456789", transport=serve(examples["get_map"])) as c:
        with pytest.raises(E.AuthenticationError) as info:
            await c.get_map("clxyz")
    assert info.value.code == "INVALID_API_KEY"


@pytest.mark.asyncio
async def test_the_instamapp_client_reads_every_example() -> None:
    base = "https://instamapp.com/api/public/v1"
    for answer in answers("instamapp_examples.json"):
        async with InstaMappClient(base, "imk_live_EXAMPLEkey0123456789", transport=serve(answer)) as c:
            if answer["status"] == 404:
                with pytest.raises(E.NotFoundError) as info:
                    await c.get_item("itm_123")
                assert info.value.message == "No item with that id."
                continue
            page = await getattr(c, answer["operation"])(page=1, per_page=20)
        assert (page.items, page.page, page.per_page) == ([], 1, 20)

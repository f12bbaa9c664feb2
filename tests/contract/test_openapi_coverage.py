"""The OpenAPI files and the clients agree: every operation has a method of the same name that
sends the operation's HTTP method to the operation's path, and every public method that calls
the API is an operation."""

from __future__ import annotations

import contextlib
import inspect
import json
import re
from typing import Any

import httpx
import pytest

from app.core.errors import ResponseFormatError
from app.resources import resource_path
from app.services.instabot import InstabotClient
from app.services.instamapp import InstaMappClient
from app.services.instawp import InstaWPClient
from app.services.mapiry import MapiryClient

SPEC_DIR = resource_path("openapi")
CASES = [("instamapp-v1.json", InstaMappClient), ("mapiry-v1.json", MapiryClient),
         ("instabot-v1.json", InstabotClient), ("instawp-v2.json", InstaWPClient)]
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# Not operations: lifecycle, a parser, and the by-resource-name entry points (ServiceClient's
# reads, Mapiry's map-scoped writes) that dispatch onto the operations below.
NOT_API = {"aclose", "parse_map_ref", "read_page", "read_all", "read_one", "create_in_map", "update_in_map",
           "delete_in_map"}


def operations(spec_name: str) -> dict[str, tuple[str, str]]:
    spec = json.loads((SPEC_DIR / spec_name).read_text(encoding="utf-8"))
    ops: dict[str, tuple[str, str]] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                assert "operationId" in op, f"{spec_name}: {method.upper()} {path} has no operationId"
                assert op["operationId"] not in ops, f"duplicate operationId {op['operationId']}"
                ops[op["operationId"]] = (method.upper(), path)
    return ops


def api_methods(cls: type) -> set[str]:
    return {
        name for name, fn in inspect.getmembers(cls, inspect.iscoroutinefunction)
        if not name.startswith("_") and name not in NOT_API
    }


def path_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")


def dummy_args(fn: Any) -> list[Any]:
    args: list[Any] = []
    for p in list(inspect.signature(fn).parameters.values())[1:]:
        if p.kind is not p.POSITIONAL_OR_KEYWORD or p.default is not p.empty:
            continue
        if p.name == "locations":
            args.append([{"name": "a", "lat": 1.0, "lng": 2.0}])
        elif p.name.endswith("_ids"):
            args.append(["cid1"])
        else:
            args.append(f"x{p.name}")
    return args


@pytest.mark.parametrize(("spec_name", "cls"), CASES)
def test_every_operation_has_a_method(spec_name: str, cls: type) -> None:
    ops = operations(spec_name)
    assert ops
    missing = [op for op in ops if not callable(getattr(cls, op, None))]
    assert not missing, f"{cls.__name__} lacks methods for operations {missing}"


@pytest.mark.parametrize(("spec_name", "cls"), CASES)
def test_every_api_method_is_an_operation(spec_name: str, cls: type) -> None:
    extra = api_methods(cls) - set(operations(spec_name))
    assert not extra, f"{cls.__name__} methods not in {spec_name}: {sorted(extra)}"


@pytest.mark.parametrize(("spec_name", "cls"), CASES)
@pytest.mark.asyncio
async def test_methods_send_the_operations_method_and_path(spec_name: str, cls: type) -> None:
    ops = operations(spec_name)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {}})

    base = "https://api.example.com/base/v1"
    client = cls(base, "key_for_tests_only", transport=httpx.MockTransport(handler), max_retries=0)
    try:
        for op_id, (method, template) in sorted(ops.items()):
            fn = getattr(client, op_id)
            seen.clear()
            with contextlib.suppress(ResponseFormatError):  # the mock's body may not fit; the request matters
                await fn(*dummy_args(getattr(cls, op_id)))
            assert len(seen) == 1, f"{op_id} sent {len(seen)} requests"
            request = seen[0]
            path = request.url.path.removeprefix("/base/v1")
            assert request.method == method, f"{op_id}: {request.method} != {method}"
            assert path_regex(template).match(path), f"{op_id}: {path} does not match {template}"
    finally:
        await client.aclose()

"""The sandbox's guard: the size cap derived from the registry, who may use /_sandbox/."""

from __future__ import annotations

import pytest

from app.core.registry import BULK_LIMIT, RESOURCES
from app.sandbox.guard import (
    LARGEST_VALID_REQUEST,
    MAX_REQUEST_BYTES,
    MIB,
    admin_allowed,
    loopback_host_header,
)


def test_the_cap_follows_the_registrys_limits() -> None:
    fields = RESOURCES["locations"].fields
    longest = sum(int(fields[name].high) for name in ("name", "description", "address"))  # 2,700 UTF-16 units
    assert BULK_LIMIT * longest * len("\\u00e9") <= LARGEST_VALID_REQUEST
    assert MAX_REQUEST_BYTES >= 2 * LARGEST_VALID_REQUEST and MAX_REQUEST_BYTES % MIB == 0
    assert MAX_REQUEST_BYTES == 4 * MIB  # what the README and docs/api-contract.md say


@pytest.mark.parametrize(("value", "allowed"), [
    ("localhost", True), ("localhost:8123", True), ("127.0.0.1:1", True), ("127.9.9.9", True), ("[::1]:65535", True),
    ("localhost.", True), ("", False), (None, False), ("evil.example", False), ("localhost.evil.example", False),
    ("127.0.0.1.nip.io", False), ("[::1]", True), ("::1", False), ("localhost:", False), ("localhost:1:2", False),
    ("user@localhost", False), ("localhost/x", False), ("[fe80::1]:80", False), ("0.0.0.0", False),
])
def test_a_loopback_host_header(value: str | None, allowed: bool) -> None:
    assert loopback_host_header(value) is allowed


def scope(client: tuple[str, int] | None, *hosts: bytes) -> dict[str, object]:
    return {"type": "http", "client": client, "headers": [(b"host", h) for h in hosts]}


def test_the_admin_routes_need_a_loopback_client_and_a_loopback_host() -> None:
    assert admin_allowed(scope(("127.0.0.1", 5000), b"localhost:80"))
    assert admin_allowed(scope(("::1", 5000), b"[::1]:80"))
    assert not admin_allowed(scope(("192.0.2.2", 5000), b"localhost:80"))  # a loopback Host from afar
    assert not admin_allowed(scope(None, b"localhost"))
    assert not admin_allowed(scope(("127.0.0.1", 5000), b"evil.example"))
    assert not admin_allowed(scope(("127.0.0.1", 5000)))
    assert not admin_allowed(scope(("127.0.0.1", 5000), b"localhost", b"evil.example"))

"""What a success body may look like where the documents leave it open: one reading for every client.

The documents show one shape per answer, but they are silent on what a server may also send,
so the clients accept every reasonable shape:

* a list: bare (``[...]``), wrapped in ``data`` (``{"data": [...]}``), or wrapped in ``data`` under
  the resource's name (``{"data": {"locations": [...], "pagination": {...}}}``), or under the
  name alone (``{"locations": [...]}``);
* a single object: bare (``{"id": ...}``) or wrapped (``{"data": {"id": ...}}``);
* the answer to a delete: anything a 2xx carries (204 with no body, ``{"data": null}``,
  ``{"data": {"success": true}}``, the deleted object).

Unknown fields are kept: the cache stores whole records and the detail pane shows every field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.services.http import unexpected


def _records(service: str, value: Any, kind: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        raise unexpected(service, f"expected a list of {kind} objects")
    return value


def unwrap_list(service: str, body: Any, names: Iterable[str], kind: str) -> tuple[list[dict[str, Any]], Any]:
    """(the records, the pagination object or None) of a list answer in any shape above."""
    names = tuple(names)
    if isinstance(body, list):
        return _records(service, body, kind), None
    if isinstance(body, dict):
        data = body.get("data")
        if isinstance(data, list):
            return _records(service, data, kind), body.get("pagination")
        for holder in (data, body):
            if isinstance(holder, dict):
                for name in names:
                    if isinstance(holder.get(name), list):
                        return _records(service, holder[name], kind), holder.get("pagination", body.get("pagination"))
    raise unexpected(service, f"expected a list of {kind} objects")


def unwrap_object(service: str, body: Any, kind: str, *, needs_id: bool = True) -> dict[str, Any]:
    """The object of a single-object answer, bare or wrapped in ``data``."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict) and "id" not in body:
        body = body["data"]
    if not isinstance(body, dict) or (needs_id and "id" not in body):
        raise unexpected(service, f"expected a {kind} object")
    return body


def deletion(body: Any) -> dict[str, Any] | None:
    """What a 2xx answer to a delete said, if it was an object; any 2xx means it is gone."""
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        body = body["data"]
    return body if isinstance(body, dict) else None


__all__ = ["deletion", "unwrap_list", "unwrap_object"]

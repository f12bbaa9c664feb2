"""What a success body may look like where the documents leave it open: one reading for every client.

The documents show one shape per answer and are silent on what else a server may send, so the
clients read every reasonable shape, here and nowhere else:

* a list: bare (``[...]``), wrapped in ``data`` (``{"data": [...]}``, with ``pagination`` or
  ``meta`` beside it), wrapped in ``data`` under the resource's name
  (``{"data": {"locations": [...], "pagination": {...}}}``, Mapiry's documented shape), or
  under the name alone (``{"locations": [...]}``). Pagination is read in every vocabulary the
  services use (page/current_page, per_page/pageSize, has_more, total, totalPages/last_page);
  a list without any is complete.
* a single object: bare (``{"id": ...}``) or wrapped (``{"data": {"id": ...}}``).
* the answer to a delete: any 2xx is success — 204 with no body, ``{"data": null}``,
  ``{"data": {"success": true}}``, the deleted object — unless the body itself says the request
  was not carried out (``"success": false``, ``"deleted": false``, ``"ok": false`` or an
  ``error``), which is a ``NotCarriedOutError``.

Unknown fields are kept as they came: the cache stores whole records and the detail pane
shows every field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.core.errors import NotCarriedOutError
from app.services.http import unexpected
from app.services.pages import Page

# Where a list's pagination may sit, and the names each of its facts goes by.
_PAGINATION_KEYS = ("pagination", "meta")
_PAGE = ("page", "current_page", "currentPage")
_SIZE = ("per_page", "pageSize", "page_size", "perPage")
_TOTAL = ("total", "totalCount", "total_count")
_PAGES = ("totalPages", "total_pages", "last_page", "lastPage", "pages")
_MORE = ("has_more", "hasMore")
# A delete's body that says it was not done.
_FAILED_FLAGS = ("success", "deleted", "ok")


def _records(service: str, value: Any, kind: str, status: int) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
        raise unexpected(service, f"expected a list of {kind} objects", status)
    return value


def _pagination(holder: Any) -> dict[str, Any] | None:
    if not isinstance(holder, dict):
        return None
    for key in _PAGINATION_KEYS:
        if isinstance(holder.get(key), dict):
            return holder[key]
    return None


def unwrap_list(service: str, body: Any, names: Iterable[str], kind: str, status: int = 200
                ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """(the records, the pagination object or None) of a list answer in any of the shapes above."""
    if isinstance(body, list):
        return _records(service, body, kind, status), None
    if isinstance(body, dict):
        data = body.get("data")
        if isinstance(data, list):
            return _records(service, data, kind, status), _pagination(body)
        for holder in (data, body):
            if isinstance(holder, dict):
                for name in names:
                    if isinstance(holder.get(name), list):
                        return (_records(service, holder[name], kind, status),
                                _pagination(holder) or _pagination(body))
    raise unexpected(service, f"expected a list of {kind} objects", status)


def _number(service: str, pagination: dict[str, Any], names: tuple[str, ...], status: int) -> int | None:
    for name in names:
        value = pagination.get(name)
        if value is None:
            continue
        if isinstance(value, bool):
            break
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        break
    else:
        return None
    raise unexpected(service, f"the pagination's {name!r} is not a whole number", status)


def page_of(service: str, body: Any, names: Iterable[str], kind: str, page: int, per_page: int,
            status: int = 200) -> Page:
    """One page of a list answer: its records and what its pagination (if any) says of the rest.

    ``page``/``per_page`` are what was asked for, used where the answer does not say. More
    pages follow when the answer says so: ``has_more``, else a page number below the total
    pages, else fewer records so far than the total. An answer that says nothing is complete.
    """
    items, pagination = unwrap_list(service, body, names, kind, status)
    if pagination is None:
        return Page(items=items, page=page, per_page=per_page, has_more=False)
    current = _number(service, pagination, _PAGE, status) or page
    size = _number(service, pagination, _SIZE, status) or per_page
    total = _number(service, pagination, _TOTAL, status)
    total_pages = _number(service, pagination, _PAGES, status)
    more = next((pagination[n] for n in _MORE if n in pagination), None)
    if more is not None and not isinstance(more, bool):
        raise unexpected(service, "the pagination's 'has_more' is not true or false", status)
    if more is not None:
        has_more = more
    elif total_pages is not None:
        has_more = current < total_pages
    elif total is not None:
        has_more = current * size < total
    else:
        has_more = False
    return Page(items=items, page=current, per_page=size, has_more=has_more and bool(items),
                total=total, total_pages=total_pages)


def unwrap_object(service: str, body: Any, kind: str, *, needs_id: bool = True, status: int = 200
                  ) -> dict[str, Any]:
    """The object of a single-object answer, bare or wrapped in ``data``."""
    if (isinstance(body, dict) and isinstance(body.get("data"), dict)
            and "id" not in body and "object" not in body):
        body = body["data"]
    if not isinstance(body, dict) or (needs_id and "id" not in body):
        raise unexpected(service, f"expected a {kind} object", status)
    return body


def _failure(body: dict[str, Any]) -> str | None:
    """Why a 2xx body says the request was not carried out (its message, or ""), or None."""
    error = body.get("error")
    if error:
        message = error.get("message") if isinstance(error, dict) else error
        return message if isinstance(message, str) else ""
    if any(body.get(flag) is False for flag in _FAILED_FLAGS):
        message = body.get("message")
        return message if isinstance(message, str) else ""
    return None


def deletion(service: str, body: Any, kind: str, status: int = 200) -> dict[str, Any]:
    """What a 2xx answer to a delete carried: the deleted (or revoked) object when it sent one,
    else ``{}``. NotCarriedOutError when the body says the delete did not happen."""
    if body is False:
        raise NotCarriedOutError(service, status, "not_carried_out", "")
    if not isinstance(body, dict):
        return {}
    for holder in (body, body.get("data")):
        if isinstance(holder, dict):
            reason = _failure(holder)
            if reason is not None:
                raise NotCarriedOutError(service, status, "not_carried_out", reason[:300])
    if "data" in body and "id" not in body:
        data = body["data"]
        return data if isinstance(data, dict) else {}
    return body


__all__ = ["deletion", "page_of", "unwrap_list", "unwrap_object"]

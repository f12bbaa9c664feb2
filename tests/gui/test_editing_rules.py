"""app.core.edits without Qt: what each API allows, the services' limits, the diff of an edit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.core import edits


def test_what_each_resource_allows() -> None:
    allowed = {name: (s.can_create, s.can_edit, s.can_delete) for name, s in edits.SPECS.items()}
    assert allowed == {
        "items": (True, True, False),
        "collections": (False, False, False),
        "listings": (False, False, False),
        "maps": (True, True, True),
        "locations": (True, True, True),
        "categories": (True, True, True),
        "tags": (True, True, True),
        "layers": (True, True, True),
        "api_keys": (True, False, True),
        "instabot_connection": (False, False, False),
        "sites": (True, False, True),
        "templates": (False, False, False),
    }
    assert not edits.can_create("sales_summary") and not edits.can_delete("nothing")
    assert edits.MAP_SCOPED == ("locations", "categories", "tags", "layers")


@pytest.mark.parametrize(("resource", "values", "bad"), [
    ("items", {"collection_id": None, "name": "x" * 201, "currency": "usd", "estimated_value": "-2"},
     {"collection_id", "name", "estimated_value"}),
    ("items", {"name": "ok", "notes": "n" * 2001, "status": "lost", "condition": "shiny"},
     {"notes", "status", "condition"}),
    ("maps", {"title": "  ", "zoom": "23", "centerLat": "nan", "country": "c" * 101}, {"title", "zoom", "centerLat", "country"}),
    ("locations", {"name": "a", "lat": "-90.5", "lng": "", "description": "d" * 2001}, {"lat", "lng", "description"}),
    ("categories", {"name": "n" * 101, "color": "red", "icon": "i" * 101}, {"name", "color", "icon"}),
    ("tags", {"name": "t" * 51}, {"name"}),
    ("layers", {"name": "L", "order": "1.5", "color": "#12345"}, {"order", "color"}),
    ("api_keys", {"name": "", "scope": "ADMIN"}, {"name", "scope"}),
])
def test_clean_applies_the_services_limits(resource: str, values: dict, bad: set[str]) -> None:
    _clean, problems = edits.clean(resource, values)
    assert set(problems) == bad
    assert all(str(p) for p in problems.values())


def test_clean_normalises_values() -> None:
    values, problems = edits.clean("items", {
        "collection_id": "c1", "name": "  Vader  ", "currency": " eur ", "estimated_value": "12,5",
        "condition": None, "status": "sell", "notes": ""})
    assert problems == {}
    assert values == {"collection_id": "c1", "name": "Vader", "currency": "EUR", "estimated_value": 12.5,
                      "condition": None, "status": "sell", "notes": ""}
    values, problems = edits.clean("layers", {"name": "L", "order": "", "color": "#aabbcc"})
    assert problems == {} and values == {"name": "L", "order": None, "color": "#AABBCC"}


def test_key_expiry_must_be_in_the_future() -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    _v, problems = edits.clean("api_keys", {"name": "k", "scope": "READ_ONLY", "expiresAt": now - timedelta(1)},
                               now=now)
    assert set(problems) == {"expiresAt"}
    values, problems = edits.clean("api_keys", {"name": "k", "scope": "READ_ONLY",
                                                "expiresAt": now + timedelta(days=1)}, now=now)
    assert problems == {} and values["expiresAt"] == "2026-03-02T00:00:00.000Z"


def test_changes_keep_only_what_differs() -> None:
    item = {"id": "itm_1", "name": "Vader", "status": "keep", "condition": None, "estimated_value": 10,
            "currency": "USD", "notes": "", "collection_id": "c1"}
    form = edits.form_values("items", item)
    form.update(status="sell", estimated_value="10.0")
    cleaned, problems = edits.clean("items", form)
    assert problems == {}
    assert edits.changes("items", item, cleaned) == {"status": "sell"}
    location = {"id": "l", "name": "A", "lat": 1, "lng": 2, "tagIds": ["t1", "t2"],
                "layers": [{"id": "L1", "color": "#000000"}], "categoryId": None, "description": "", "address": ""}
    form = edits.form_values("locations", location)
    assert form["layerIds"] == ["L1"]
    form.update(tagIds=["t2", "t1"], layerIds=["L1", "L2"])
    cleaned, _p = edits.clean("locations", form)
    changed = edits.changes("locations", location, cleaned)
    assert changed == {"layerIds": ["L1", "L2"]}
    assert edits.split_separate("locations", changed) == ({}, {"layerIds": ["L1", "L2"]})


def test_create_body_leaves_out_empty_optional_values() -> None:
    cleaned, _p = edits.clean("maps", {**edits.form_values("maps", None), "title": "T"})
    body = edits.create_body("maps", cleaned)
    assert body["title"] == "T" and "zoom" not in body and "centerLat" not in body
    cleaned, _p = edits.clean("locations", {**edits.form_values("locations", None), "name": "n", "lat": 1, "lng": 2})
    assert "layerIds" not in edits.create_body("locations", cleaned)
    assert "tagIds" not in edits.create_body("locations", cleaned)


def test_listing_follows_the_item_and_secrets_are_dropped() -> None:
    item = {"id": "itm_abc", "name": "Fett", "status": "sell", "estimated_value": 5.0, "currency": "USD",
            "collection_id": "c", "updated_at": "2026-03-01T00:00:00Z"}
    listing = edits.listing_for(item)
    assert listing["id"] == "lst_abc" and listing["price"] == 5.0 and listing["type"] == "sale"
    assert edits.listing_for({**item, "status": "trade"})["price"] is None
    assert edits.listing_for({**item, "status": "keep"}) is None
    kept = edits.listing_for({**item, "updated_at": "later"}, previous=listing)
    assert kept["created_at"] == "2026-03-01T00:00:00Z"
    assert edits.without_secret({"id": "k", "key": "mk_live_secret"}) == {"id": "k"}

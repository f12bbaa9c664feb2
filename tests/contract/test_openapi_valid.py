"""Every OpenAPI file Cabinet ships passes an OpenAPI 3.1 validator (openapi-spec-validator), not
only the JSON Schema meta-schema of its components."""

from __future__ import annotations

import json

import pytest
from openapi_spec_validator import validate

from app.resources import resource_path

SPECS = sorted(p.name for p in resource_path("openapi").iterdir() if p.suffix == ".json")


def test_every_service_has_a_spec() -> None:
    assert SPECS == ["instabot-v1.json", "instamapp-v1.json", "instawp-v2.json", "mapiry-v1.json"]


@pytest.mark.parametrize("name", SPECS)
def test_spec_passes_the_openapi_validator(name: str) -> None:
    spec = json.loads(resource_path("openapi", name).read_text(encoding="utf-8"))
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises OpenAPIValidationError with the path of the first fault

"""The Instabot and InstaWP OpenAPI files: valid, up to date, the documents' examples fit them, and
every sandbox answer (successes and every error) matches them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator

from app.core import instabot as ib
from app.core import instawp as wp
from app.sandbox import openapi
from tests.contract.test_sandbox_openapi import SPEC_DIR, Checker, load

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "apidocs"
NAMES = ("instabot-v1.json", "instawp-v2.json")


def example(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def schema_validator(spec: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": spec["components"]})


def test_specs_are_openapi_31_and_up_to_date() -> None:
    for name in NAMES:
        spec = load(name)
        assert spec["openapi"] == "3.1.0"
        assert (SPEC_DIR / name).read_text(encoding="utf-8") == openapi.render(name), "run python -m app.sandbox.openapi"
        Draft202012Validator.check_schema({"$defs": spec["components"]["schemas"]})
    assert load("instabot-v1.json")["servers"] == [{"url": "https://api.instabot.io/v1"}]
    assert load("instawp-v2.json")["servers"] == [{"url": "https://app.instawp.io/api/v2"}]


def test_instabot_document_examples_fit_the_spec() -> None:
    spec = load("instabot-v1.json")
    chk = Checker(spec)
    ex = example("instabot_examples.json")
    for answer in ex["answers"]:
        chk.check(answer["operation"], httpx.Response(answer["status"], json=answer["body"]))
    schemes = spec["components"]["securitySchemes"]
    header_names = {s["name"] for s in schemes.values()}
    for request in ex["requests"]:
        path = request["url"].removeprefix(spec["servers"][0]["url"]) or "/"
        assert path in spec["paths"] and request["method"].lower() in spec["paths"][path]
        assert set(request["headers"]) <= header_names
    auth = ex["requests"][0]["headers"]["Authorization"]
    assert auth.startswith(ib.MASTER_SCHEME + " ")
    # every row of the status table is an answer of every call, under its HTTP code
    for item in spec["paths"].values():
        for operation in item.values():
            for row in ib.STATUS_CODES[1:]:
                described = operation["responses"][str(row.http[0])]["description"]
                assert row.code in described


def test_instawp_document_examples_fit_the_spec() -> None:
    spec = load("instawp-v2.json")
    ex = example("instawp_examples.json")
    base = spec["servers"][0]["url"]
    create, listing = ex["requests"][0], ex["requests"][1]
    operation = spec["paths"][create["url"].removeprefix(base)][create["method"].lower()]
    body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    schema_validator(spec, body_schema).validate(create["body"])
    url = httpx.URL(listing["url"])
    params = {p["name"]: p for p in spec["paths"][url.path.removeprefix("/api/v2")]["get"]["parameters"]}
    for name, value in url.params.items():
        schema_validator(spec, params[name]["schema"]).validate(value)
    schema_validator(spec, params["X-localization"]["schema"]).validate(ex["requests"][2]["headers"]["X-localization"])
    schema_validator(spec, spec["components"]["schemas"]["InputDateTime"]).validate(ex["input_datetime"])
    statuses = {int(s) for item in spec["paths"].values() for o in item.values() for s in o["responses"]}
    assert statuses == set(ex["response_codes"]) == set(wp.RESPONSE_CODES)


def test_unauthenticated_calls_are_refused(sandbox: Any) -> None:
    for name, base, status in (("instabot-v1.json", sandbox.instabot_url, 403),
                               ("instawp-v2.json", sandbox.instawp_url, 401)):
        for path, item in load(name)["paths"].items():
            for method in item:
                resp = httpx.request(method.upper(), base + path.replace("{id}", "1"))
                assert resp.status_code == status, (name, method, path)


def test_instabot_answers_match_the_spec(fresh_sandbox: Any) -> None:
    chk = Checker(load("instabot-v1.json"))
    keys = fresh_sandbox.info["instabot"]["keys"]
    base = fresh_sandbox.instabot_url
    api = {ib.API_KEY_HEADER: keys["api_key"]}
    session = {**api, "Authorization": f"{ib.SESSION_SCHEME} {keys['user_session']}"}
    master = {**api, "Authorization": f"{ib.MASTER_SCHEME} {keys['master_key']}"}
    with httpx.Client(base_url=base) as c:
        for headers in (api, session, master):
            chk.check("get_info", c.get("/", headers=headers))
        chk.check("get_user_session", c.get("/usersession", headers=session))
        chk.check("get_user_session", c.get("/usersession", headers=master))  # 400 BadRequest
        chk.check("get_user_session", c.get("/usersession", headers=api))  # 403 AccessDenied
        chk.check("get_info", c.get("/", headers={ib.API_KEY_HEADER: "nope"}))  # 400 ApiKeyInvalid
        chk.check("get_info", c.get("/", headers={**api, "Authorization": "Basic x"}))  # 401
        seen = set()
        for code in ib.ERROR_CODES:
            fresh_sandbox.force_instabot(code)
            resp = c.get("/", headers=api)
            assert (resp.status_code, resp.json()["apiStatusCode"]) == (ib.BY_CODE[code].http[0], code)
            chk.check("get_info", resp)
            seen.add(code)
    assert seen == set(ib.ERROR_CODES)
    assert chk.checked == {"get_info", "get_user_session"}


def test_instawp_answers_match_the_spec(fresh_sandbox: Any) -> None:
    chk = Checker(load("instawp-v2.json"))
    token = fresh_sandbox.info["instawp"]["keys"]["token"]
    with httpx.Client(base_url=fresh_sandbox.instawp_url, headers={"Authorization": f"Bearer {token}"}) as c:
        chk.check("list_sites", c.get("/sites", params={"per_page": 100}))
        chk.check("list_sites", c.get("/sites", params={"type": "reserved"}, headers={"X-localization": "es"}))
        chk.check("list_sites", c.get("/sites", params={"per_page": 500}))  # 400
        chk.check("get_site", c.get("/sites/1"))
        chk.check("get_site", c.get("/sites/424242"))  # 404
        accepted = chk.check("create_site", c.post("/sites", json={"site_name": "spec-check"}))  # 202
        assert accepted["data"]["status"] == "creating"
        chk.check("create_site", c.post("/sites", json={"site_name": "Bad Name"}))  # 400
        fresh_sandbox.set_limits(instawp_create_seconds=0)
        created = chk.check("create_site", c.post("/sites", json={"site_name": "spec-check-2"}))  # 201
        chk.check("delete_site", c.delete(f"/sites/{created['data']['id']}"))
        chk.check("delete_site", c.delete(f"/sites/{created['data']['id']}"))  # 404
        chk.check("list_templates", c.get("/templates"))
        chk.check("get_template", c.get("/templates/1"))
        chk.check("get_template", c.get("/templates/99"))  # 404
        fresh_sandbox.set_faults(error_rate=1.0)
        chk.check("list_templates", c.get("/templates"))  # 500
        fresh_sandbox.set_faults()
        fresh_sandbox.set_limits(instawp_per_window=1)
        chk.check("list_templates", c.get("/templates"))
        chk.check("list_templates", c.get("/templates"))  # 429
    chk.check("list_templates", httpx.get(fresh_sandbox.instawp_url + "/templates"))  # 401
    assert chk.checked == {"list_sites", "get_site", "create_site", "delete_site", "list_templates", "get_template"}

"""Small builders for the OpenAPI 3.1 files (schemas, operations, responses)."""

from __future__ import annotations

from typing import Any

S = dict[str, Any]


def ref(name: str) -> S:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: S) -> S:
    return {"anyOf": [schema, {"type": "null"}]}


STR, INT, BOOL, NUM = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "number"}
DT = {"type": "string", "format": "date-time"}


def obj(props: S, required: list[str] | None = None, extra: bool = False) -> S:
    out: S = {"type": "object", "properties": props, "required": list(props) if required is None else required}
    if not extra:
        out["additionalProperties"] = False
    return out


def responses(ok_status: str, ok_schema: S, errors: dict[str, str], error_ref: str) -> S:
    out: S = {ok_status: {"description": "Success", "content": {"application/json": {"schema": ok_schema}}}}
    for status, text in errors.items():
        out[status] = {"description": text, "content": {"application/json": {"schema": ref(error_ref)}}}
    return out


def op(op_id: str, summary: str, resp: S, params: list[S] | None = None, body: S | None = None) -> S:
    out: S = {"operationId": op_id, "summary": summary, "responses": resp}
    if params:
        out["parameters"] = params
    if body is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return out


def path_param(name: str) -> S:
    return {"name": name, "in": "path", "required": True, "schema": STR}


def query(name: str, schema: S, description: str) -> S:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

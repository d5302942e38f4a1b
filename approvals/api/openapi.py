"""The OpenAPI 3.1 document, built from the registry of operations.

Schemas come from the pydantic models (JSON Schema 2020-12, which OpenAPI
3.1 uses as is): request models in validation mode, responses in
serialization mode, all under components/schemas.
"""
from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask import json
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug import Response

from approvals.api.errors import PROBLEM_JSON, STATUS_TEXT
from approvals.api.registry import ANY, MAX_ID, OPERATIONS, Operation, operation
from approvals.api.schemas.common import ProblemDetail

REF = "#/components/schemas/{model}"
_CONVERTERS = {"int": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")

DESCRIPTION = """\
The JSON API of CLEE Course Approvals: everything the pages do, for agencies' own records systems.

**Authentication.** Create a personal API token on your profile page (or with
`flask --app approvals create-token --email … --name …`) and send it as
`Authorization: Bearer <token>`. The API never reads the session cookie. A token acts with its
account's permissions, exactly as the pages do; another agency's objects are a 404.

**Errors** are `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`, `instance`,
and for invalid input `errors: [{field, message}]` naming each field (dotted for nested values).

**Optimistic locking.** Applications carry a `version`. Send it back with edits (optional) and with
decisions (required): if someone changed the application in between, the answer is 409 and nothing is saved.

**Pagination.** Lists take `page` and `per_page` and answer with `pagination` (totals and links).

**Rate limits.** Per token (per address without one); 429 with `Retry-After` when exceeded.
"""


def _models() -> list[tuple[type[BaseModel], str]]:
    pairs: list[tuple[type[BaseModel], str]] = [(ProblemDetail, "serialization")]
    for op in OPERATIONS:
        for model in (op.query, op.body, op.form):
            if model is not None:
                pairs.append((model, "validation"))
        if isinstance(op.response, type):
            pairs.append((op.response, "serialization"))
    return list(dict.fromkeys(pairs))


def _parameters(op: Operation, components: dict[str, Any], refs: dict[Any, Any]) -> list[dict[str, Any]]:
    params = []
    for converter, name in _PARAM.findall(op.rule):
        schema = dict(_CONVERTERS.get(converter, {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}))
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    if op.query is not None:
        schema = components[refs[(op.query, "validation")]["$ref"].rsplit("/", 1)[-1]]
        required = set(schema.get("required", []))
        for name, prop in schema["properties"].items():
            param: dict[str, Any] = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if "description" in prop:
                param["description"] = prop["description"]
            params.append(param)
    return params


def _request_body(op: Operation, refs: dict[Any, Any], components: dict[str, Any]) -> dict[str, Any] | None:
    if op.body is not None:
        schema = refs[(op.body, "validation")]
        name = schema["$ref"].rsplit("/", 1)[-1]
        return {"required": bool(components[name].get("required")),
                "content": {"application/json": {"schema": schema}}}
    if op.form is not None or op.files:
        props: dict[str, Any] = {}
        required: list[str] = []
        if op.form is not None:
            form_schema = components[refs[(op.form, "validation")]["$ref"].rsplit("/", 1)[-1]]
            props.update(form_schema["properties"])
            required += form_schema.get("required", [])
        for name in op.files:
            props[name] = {"type": "string", "format": "binary",
                           "description": "PDF, DOCX, PNG or JPEG, checked by content; at most MAX_UPLOAD_MB."}
            required.append(name)
        return {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "properties": props, "required": required}}}}
    return None


def _responses(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": op.summary}
    if isinstance(op.response, type):
        schema = refs[(op.response, "serialization")]
    elif isinstance(op.response, dict):
        schema = op.response
    else:
        schema = {"type": "string", "format": "binary"}
    media_types = op.media_type if isinstance(op.media_type, tuple) else (op.media_type,)
    success["content"] = {media: {"schema": schema} for media in media_types}
    responses: dict[str, Any] = {str(op.status): success}
    problem = refs[(ProblemDetail, "serialization")]
    for status in op.error_statuses():
        entry: dict[str, Any] = {"description": STATUS_TEXT[status][0],
                                 "content": {PROBLEM_JSON: {"schema": problem}}}
        if status == 429:
            entry["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                "description": "Seconds to wait before trying again."}}
        responses[str(status)] = entry
    return responses


@cache
def document() -> dict[str, Any]:
    """The OpenAPI document (built once per process: it depends only on the code)."""
    refs, defs = models_json_schema(_models(), ref_template=REF)
    components: dict[str, Any] = defs.get("$defs", {})
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        entry: dict[str, Any] = {
            "operationId": op.endpoint, "summary": op.summary, "tags": [op.tag],
            "security": [] if op.auth is None else [{"bearerAuth": []}],
            "responses": _responses(op, refs),
        }
        if op.description:
            entry["description"] = op.description + ("" if op.auth in (None, ANY) else
                                                     f"\n\nNeeds the capability `{op.auth}`.")
        params = _parameters(op, components, refs)
        if params:
            entry["parameters"] = params
        body = _request_body(op, refs, components)
        if body is not None:
            entry["requestBody"] = body
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "CLEE Course Approvals API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A personal API token from your profile page."}},
        },
        "security": [{"bearerAuth": []}],
    }


@operation("GET", "/openapi.json", summary="This OpenAPI document", tag="Meta", auth=None,
           response={"type": "object", "description": "An OpenAPI 3.1 document."})
def openapi_document() -> Response:
    response = Response(json.dumps(document()), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


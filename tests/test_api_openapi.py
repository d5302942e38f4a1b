"""The OpenAPI document: valid OpenAPI 3.1, exact (every /api/v1 route described and
every described route real), and true: schemathesis calls every operation with
generated requests, as real token holders, and finds no server error and no
response that breaks the document."""
from __future__ import annotations

import contextvars
import re
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from openapi_spec_validator import validate

from approvals import permissions as perm
from approvals.api import load_routes
from approvals.api.openapi import document
from approvals.api.registry import OPERATIONS, PREFIX
from tests.api_support import World, build_world

IGNORED_METHODS = {"HEAD", "OPTIONS"}
# The document is the code's (approvals/api/openapi.py builds it from the
# registry, with no app needed); the schema tests call a fresh app over WSGI.
load_routes()


def _doc(client) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


def test_document_is_valid_openapi_31(client):
    doc = _doc(client)
    assert doc["openapi"].startswith("3.1")
    validate(doc)  # raises on any violation of the OpenAPI 3.1 schema


def test_every_api_route_is_described_and_every_description_is_a_route(app, client):
    routes = {
        (re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIX + "/")
        for method in rule.methods - IGNORED_METHODS
    }
    described = {(path, method) for path, item in _doc(client)["paths"].items() for method in item}
    assert routes == described
    assert len(described) == len(OPERATIONS)


def test_operations_document_their_errors_as_problems(client):
    doc = _doc(client)
    problem = doc["components"]["schemas"]["ProblemDetail"]
    assert {"type", "title", "status", "detail", "instance"} <= set(problem["required"])
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert "application/problem+json" in response["content"], (path, method, status)
            if op["security"]:  # token operations say how a missing token is answered
                assert "401" in op["responses"], (path, method)


# --- schemathesis -------------------------------------------------------------

# Who calls each operation: POST staff for review work, an agency administrator
# (who may also sign the attestation) for agency work; public ones with no token.
POST_CAPABILITIES = {perm.REVIEW_QUEUE, perm.REVIEW_DECIDE, perm.REVIEW_ASSIGN, perm.APPROVALS_REVOKE,
                     perm.LETTERS_REISSUE}
BY_ENDPOINT = {op.endpoint: op for op in OPERATIONS}
CHECKS = [schemathesis.checks.not_a_server_error, schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance, schemathesis.checks.response_schema_conformance,
          schemathesis.checks.response_headers_conformance]


@pytest.fixture
def world(app, make) -> World:
    return build_world(app, make)


schema = schemathesis.openapi.from_dict(document())


def _real_ids(case, world: World) -> None:  # type: ignore[no-untyped-def]
    """Point path ids at objects that exist (random ids would only ever meet a 404):
    the draft for editing, the application in review for decisions, the approval for letters."""
    path = case.operation.path
    target = world.submitted if re.search(r"/(assign|comments|approve|request-changes|deny|revisions)", path) \
        else world.approved if re.search(r"/(revoke|letters)", path) else world.draft
    ids = {"app_id": target.id, "instructor_id": world.instructor_id, "doc_id": world.doc.id,
           "letter_id": world.letter.id, "offering_id": world.offering.id, "number": 1}
    if path.endswith("/revisions/{number}"):
        ids["number"] = 1
    elif "{number}" in path:
        ids["number"] = world.approved.approval_number
    if "{approval_number}" in path:
        ids["approval_number"] = world.approved.approval_number
    for name in list(case.path_parameters or {}):
        if name in ids:
            case.path_parameters[name] = ids[name]


@schema.parametrize()
@settings(max_examples=12, deadline=timedelta(seconds=5), database=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_matches_its_document(case, app, world):  # type: ignore[no-untyped-def]
    op = BY_ENDPOINT[case.operation.definition.raw["operationId"]]
    role = None if op.auth is None else "post_admin" if op.auth in POST_CAPABILITIES else "agency_admin"
    headers = world.headers(role) if role else {}
    _real_ids(case, world)
    # Each call in its own context, as a real request is (the test's own session stays apart).
    # buffered: werkzeug reads and closes file responses (schemathesis leaves them open).
    response = contextvars.Context().run(case.call, headers=headers, app=app, buffered=True)
    case.validate_response(response, checks=CHECKS, headers=headers)

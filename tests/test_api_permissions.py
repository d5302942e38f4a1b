"""Who may call which API route: every /api/v1 operation × every role, as a table.

Each row names an operation (as the OpenAPI document does) with a request
that is valid for the roles allowed to make it, and the status each role
gets: anonymous, agency staff, agency admin, another agency's staff, POST
reviewer (assigned to the application in review), POST admin, officer.
Another agency's objects and missing capabilities are 404, as on the pages.
"""
from __future__ import annotations

import io
from typing import Any

import pytest

from approvals.api.registry import OPERATIONS
from tests.api_support import ROLES, build_world
from tests.workflow_helpers import tiny_pdf

APPLICANT = (401, 200, 200, 404, 404, 404, 404)        # the draft's agency only
CREATED = (401, 201, 201, 404, 404, 404, 404)
DECIDER = (401, 404, 404, 404, 200, 200, 404)          # assigned reviewer and POST admin
ADMIN_ONLY = (401, 404, 404, 404, 404, 200, 404)
SEES_APPROVAL = (401, 200, 200, 404, 200, 200, 404)
PUBLIC = (200,) * 7
AGENCIES = (401, 200, 200, 200, 404, 404, 404)          # any agency's staff, for their own agency


def _file() -> dict[str, Any]:
    return {"file": (io.BytesIO(tiny_pdf("upload")), "upload.pdf")}


# (operation id, method, path, request kwargs, statuses by ROLES)
TABLE: list[tuple[str, str, str, dict[str, Any], tuple[int, ...]]] = [
    ("openapi_document", "GET", "/openapi.json", {}, PUBLIC),
    ("me", "GET", "/me", {}, (401, 200, 200, 200, 200, 200, 404)),
    ("list_applications", "GET", "/applications", {}, AGENCIES),
    ("create_application", "POST", "/applications", {"json": {"title": "New course"}},
     (401, 201, 201, 201, 404, 404, 404)),
    ("get_application", "GET", "/applications/{draft}", {}, (401, 200, 200, 404, 404, 200, 404)),
    ("get_application", "GET", "/applications/{submitted}", {}, (401, 200, 200, 404, 200, 200, 404)),
    ("patch_application", "PATCH", "/applications/{draft}", {"json": {"title": "Renamed"}}, APPLICANT),
    ("patch_application", "PATCH", "/applications/{submitted}", {"json": {"title": "Renamed"}},
     (401, 409, 409, 404, 404, 404, 404)),
    ("submit_application", "POST", "/applications/{draft}/submit", {}, APPLICANT),
    ("withdraw_application", "POST", "/applications/{draft}/withdraw", {"json": {"reason": "Not now"}}, APPLICANT),
    ("get_revision", "GET", "/applications/{submitted}/revisions/1", {}, SEES_APPROVAL),
    ("put_objectives", "PUT", "/applications/{draft}/objectives", {"json": {"objectives": ["Explain it."]}},
     APPLICANT),
    ("put_instructors", "PUT", "/applications/{draft}/instructors",
     {"json": {"instructors": [{"id": "{instructor}", "name": "Sgt. Lee Park", "qualifications": "CIT."}]}},
     APPLICANT),
    ("upload_record", "POST", "/applications/{draft}/instructors/{instructor}/record", {"data": _file}, CREATED),
    ("upload_document", "POST", "/applications/{draft}/documents", {"data": lambda: {**_file(), "kind": "other"}},
     CREATED),
    ("remove_document", "DELETE", "/applications/{draft}/documents/{doc}", {}, APPLICANT),
    ("download_document", "GET", "/applications/{draft}/documents/{doc}", {}, (401, 200, 200, 404, 404, 200, 404)),
    ("download_document", "GET", "/applications/{submitted}/documents/{submitted_doc}", {}, SEES_APPROVAL),
    ("review_queue", "GET", "/review/queue", {}, (401, 404, 404, 404, 200, 200, 404)),
    ("assign_reviewer", "POST", "/applications/{submitted}/assign", {"json": {"reviewer_id": "{reviewer}"}},
     ADMIN_ONLY),
    ("add_comment", "POST", "/applications/{submitted}/comments", {"json": {"body": "A note."}},
     (401, 404, 404, 404, 201, 201, 404)),
    ("approve", "POST", "/applications/{submitted}/approve", {"json": {"version": "{version}"}}, DECIDER),
    ("request_changes", "POST", "/applications/{submitted}/request-changes",
     {"json": {"version": "{version}", "message": "Add an objective."}}, DECIDER),
    ("deny", "POST", "/applications/{submitted}/deny",
     {"json": {"version": "{version}", "codes": ["duplicate"], "reason": "Already approved."}}, DECIDER),
    ("revoke", "POST", "/applications/{approved}/revoke", {"json": {"reason": "Instructor decertified."}},
     ADMIN_ONLY),
    ("application_letters", "GET", "/applications/{approved}/letters", {}, SEES_APPROVAL),
    ("get_letter", "GET", "/letters/{letter}", {}, SEES_APPROVAL),
    ("letter_pdf", "GET", "/letters/{letter}/pdf", {}, SEES_APPROVAL),
    ("reissue_letter", "POST", "/applications/{approved}/letters/reissue", {"json": {"reason": "Typo."}},
     (401, 404, 404, 404, 404, 202, 404)),
    ("catalog_search", "GET", "/catalog/courses?text=firearms", {}, PUBLIC),
    ("catalog_course", "GET", "/catalog/courses/{number}", {}, PUBLIC),
    ("verify_letter", "GET", "/verify/{number}?code={code}", {}, PUBLIC),
    ("list_offerings", "GET", "/offerings", {}, AGENCIES),
    ("schedule_offering", "POST", "/offerings", {"json": "offering"}, (401, 201, 201, 201, 404, 404, 404)),
    ("get_offering", "GET", "/offerings/{offering}", {}, APPLICANT),
    ("patch_offering", "PATCH", "/offerings/{offering}", {"json": {"seats": 30}}, APPLICANT),
    ("cancel_offering", "POST", "/offerings/{offering}/cancel", {"json": {"reason": "Instructor ill."}}, APPLICANT),
]


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]  # a whole placeholder keeps its type (ids are ints)
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _offering_body(ids: dict[str, Any]) -> dict[str, Any]:
    from datetime import date, timedelta

    start = (date.today() + timedelta(days=14)).isoformat()
    return {"approval_number": ids["number"], "starts_on": start, "ends_on": start, "location": "Academy, Jefferson City",
            "instructors": ["Sgt. Ana Ruiz"], "seats": 20, "contact_name": "Dana Whitfield",
            "contact_email": "dana@example.gov"}


def _call(client, world, method, path, kwargs, role):  # type: ignore[no-untyped-def]
    ids = world.ids() | {"submitted_doc": world.submitted.live_documents[0].id}
    request: dict[str, Any] = {}
    for key, value in kwargs.items():
        if value == "offering":
            value = _offering_body(ids)
        request[key] = value() if callable(value) else _fill(value, ids)
    response = client.open("/api/v1" + path.format(**ids), method=method, headers=world.headers(role), **request)
    response.close()  # file downloads hold their file open until closed
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json", (role, response.mimetype)
        assert response.json["status"] == response.status_code
    return response.status_code


@pytest.mark.parametrize(("op_id", "method", "path", "kwargs", "expected"),
                         [pytest.param(*row, id=f"{row[1]} {row[2]}") for row in TABLE])
def test_permission_table(app, client, make, op_id, method, path, kwargs, expected):
    """One world serves every refused role (a refusal changes nothing) and the
    first allowed one; each further allowed role of a write gets a fresh world,
    so it acts on the same starting state."""
    expected_by_role = dict(zip(ROLES, expected, strict=True))
    world, used = build_world(app, make), False
    got = {}
    for role in sorted(ROLES, key=lambda r: expected_by_role[r] < 400):
        allowed = expected_by_role[role] < 400
        if allowed and used and method != "GET":
            world = build_world(app, make)
        got[role] = _call(client, world, method, path, kwargs, role)
        used = used or allowed
    assert got == expected_by_role


def test_table_covers_every_operation(app):
    """A new operation needs its row here (and so its permissions decided)."""
    assert {(op.endpoint, op.method) for op in OPERATIONS} == {(row[0], row[1]) for row in TABLE}

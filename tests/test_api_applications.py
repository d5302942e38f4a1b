"""Applications through the API: the whole path from draft to resubmission, errors
as problem+json with field-level details, and optimistic locking."""
from __future__ import annotations

import io
import threading

import pytest
import sqlalchemy as sa

from approvals import workflow
from approvals.api.tokens import issue_token
from approvals.extensions import db
from approvals.models import Application, ApplicationState, Comment
from tests.api_support import bearer, build_world, token_for
from tests.applications_support import CERT_PDF, PDF, SYNOPSIS

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


@pytest.fixture
def people(make):  # type: ignore[no-untyped-def]
    agency = make.agency("Columbia Police Department")
    users = {"staff": make.user("agency_staff", agency=agency), "admin": make.user("agency_admin", agency=agency),
             "reviewer": make.user("post_reviewer"), "post_admin": make.user("post_admin"),
             "other": make.user("agency_staff")}
    return users, {role: bearer(token_for(user)) for role, user in users.items()}


def _problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert PROBLEM_KEYS <= set(body) and body["status"] == status
    assert body["instance"] == response.request.path
    return body


def _fields(body: dict) -> dict[str, str]:
    return {e["field"]: e["message"] for e in body["errors"]}


def test_draft_to_submission_and_resubmission(client, people):
    users, h = people
    created = client.post("/api/v1/applications", headers=h["staff"], json={
        "title": "Crisis Intervention Basics", "synopsis": SYNOPSIS, "delivery_method": "in_person",
        "attendance_policy": "Full attendance.", "evaluation_method": "Written test.",
        "hours": {"total": 4, "legal": 1, "technical": 0.5, "interpersonal": 1.5, "skill_development": 1,
                  "firearms": 0, "racial_profiling": 0, "implicit_bias": 0.5, "deescalation": 2},
        "contact_name": "Dana Whitfield", "contact_email": "dana@agency.example.gov"})
    assert created.status_code == 201, created.json
    app_id, url = created.json["id"], created.headers["Location"]
    assert url.endswith(f"/api/v1/applications/{app_id}") and created.json["state"] == "draft"

    # Staff may not sign the attestation; the agency administrator does.
    refused = _problem(client.patch(url, headers=h["staff"], json={"attested": True}), 422)
    assert "administrator" in _fields(refused)["attested"]
    assert client.patch(url, headers=h["staff"], json={"attested": False, "attestation_name": None}).status_code \
        == 200  # unchanged: what it read, written back
    signed = client.patch(url, headers=h["admin"], json={
        "attestation_name": "Marcus Reyes", "attestation_title": "Chief of Police", "attested": True})
    assert signed.status_code == 200 and signed.json["attested"] is True
    # Staff may neither withdraw nor rewrite it.
    for change in ({"attested": False}, {"attestation_name": ""}, {"attestation_title": "Sheriff"}):
        assert set(_fields(_problem(client.patch(url, headers=h["staff"], json=change), 422))) == set(change)
    assert client.patch(url, headers=h["staff"], json={"attested": True, "title": "Crisis Intervention Basics"}) \
        .status_code == 200

    assert client.put(f"{url}/objectives", headers=h["staff"],
                      json={"objectives": ["Demonstrate three de-escalation techniques.", " "]}).json[
        "objectives"] == ["Demonstrate three de-escalation techniques."]
    with_inst = client.put(f"{url}/instructors", headers=h["staff"], json={"instructors": [
        {"name": "Jane Q. Trainer", "qualifications": "CIT instructor since 2015."}]})
    inst_id = with_inst.json["instructors"][0]["id"]

    incomplete = _problem(client.post(f"{url}/submit", headers=h["staff"]), 422)
    assert set(_fields(incomplete)) == {"instructors.0.record", "sample_certificate"}

    record = client.post(f"{url}/instructors/{inst_id}/record", headers=h["staff"],
                         data={"file": (io.BytesIO(PDF), "jane.pdf")})
    assert record.status_code == 201 and record.json["kind"] == "instructor_record"
    cert = client.post(f"{url}/documents", headers=h["staff"],
                       data={"kind": "sample_certificate", "file": (io.BytesIO(CERT_PDF), "certificate.pdf")})
    assert cert.status_code == 201
    download = client.get(cert.json["download"], headers=h["staff"])
    assert download.data == CERT_PDF and download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()

    submitted = client.post(f"{url}/submit", headers=h["staff"])
    assert submitted.status_code == 200 and submitted.json["state"] == "submitted"
    assert [r["number"] for r in submitted.json["revisions"]] == [1]
    # Submitted: no more edits (409 for the agency, with the reason).
    assert "draft" in _problem(client.patch(url, headers=h["staff"], json={"title": "x"}), 409)["detail"]

    db.session.expire_all()
    app_row = db.session.get(Application, app_id)
    workflow.request_changes(app_row, users["post_admin"], "Add a second objective.", seen_version=app_row.version)
    db.session.commit()
    seen = client.get(url, headers=h["staff"]).json
    assert seen["state"] == "changes_requested" and seen["actions"]["edit"]
    assert seen["history"][-1]["message"] == "Add a second objective."
    client.put(f"{url}/objectives", headers=h["staff"], json={
        "version": seen["version"], "objectives": seen["objectives"] + ["Explain the legal framework."]})
    again = client.post(f"{url}/submit", headers=h["staff"])
    assert again.status_code == 200 and again.json["revision_count"] == 2
    diff = client.get(f"{url}/revisions/2", headers=h["reviewer"])
    assert diff.status_code == 200
    assert [(c["part"], c["kind"], c["after"]) for c in diff.json["changes"]] == [
        ("Learning objectives", "added", "Explain the legal framework.")]


def test_field_errors_name_the_fields_and_save_nothing(client, people):
    _, h = people
    url = "/api/v1/applications/" + str(client.post("/api/v1/applications", headers=h["staff"],
                                                    json={"title": "Kept"}).json["id"])
    body = _problem(client.patch(url, headers=h["staff"], json={
        "title": "Changed", "hours": {"total": 4.25, "legal": -1}, "contact_email": "not-an-address",
        "contact_phone": "call me"}), 422)
    assert body["type"].endswith(":invalid")
    errors = _fields(body)
    assert set(errors) == {"hours.total", "hours.legal", "contact_email", "contact_phone"}
    assert "half-hour steps" in errors["hours.total"] and "negative" in errors["hours.legal"]
    assert client.get(url, headers=h["staff"]).json["title"] == "Kept"

    typed = _fields(_problem(client.patch(url, headers=h["staff"], json={"title": 12, "delivery": "x",
                                                                          "hours": {"total": "lots"}}), 422))
    assert set(typed) == {"title", "delivery", "hours.total"}
    assert typed["delivery"] == "This field is not recognised here."

    rows = _fields(_problem(client.put(f"{url}/instructors", headers=h["staff"], json={"instructors": [
        {"name": "Ok"}, {"name": "x" * 201, "email": "nope", "id": 999}]}), 422))
    assert set(rows) == {"instructors.1.name", "instructors.1.email", "instructors.1.id"}


def test_malformed_requests(client, people):
    _, h = people
    assert _problem(client.post("/api/v1/applications", headers=h["staff"], data="{not json",
                                content_type="application/json"), 400)["type"].endswith(":malformed")
    assert _problem(client.post("/api/v1/applications", headers=h["staff"], data="title=x",
                                content_type="application/x-www-form-urlencoded"), 415)
    assert _problem(client.post("/api/v1/applications", headers=h["staff"], json=["a list"]), 422)
    app_id = client.post("/api/v1/applications", headers=h["staff"], json={}).json["id"]
    assert _problem(client.post(f"/api/v1/applications/{app_id}/documents", headers=h["staff"],
                                json={"kind": "other"}), 415)
    refused = _fields(_problem(client.post(f"/api/v1/applications/{app_id}/documents", headers=h["staff"], data={
        "kind": "other", "file": (io.BytesIO(b"MZ\x90\x00 not a document"), "virus.pdf")}), 422))
    assert list(refused) == ["file"]
    missing = _fields(_problem(client.post(f"/api/v1/applications/{app_id}/documents", headers=h["staff"],
                                           data={"kind": "other"}, content_type="multipart/form-data"), 422))
    assert list(missing) == ["file"]
    assert _problem(client.get("/api/v1/applications?page=0", headers=h["staff"]), 422)["errors"][0]["field"] == "page"
    not_allowed = _problem(client.delete("/api/v1/applications", headers=h["staff"]), 405)
    assert not_allowed and "GET" in client.delete("/api/v1/applications", headers=h["staff"]).headers["Allow"]
    assert _problem(client.get("/api/v1/no-such-thing"), 404)["type"] == "about:blank"
    assert _problem(client.get(f"/api/v1/applications/{2**40}", headers=h["staff"]), 404)


def test_too_large_upload_is_413(app, client, people):
    _, h = people
    app_id = client.post("/api/v1/applications", headers=h["staff"], json={}).json["id"]
    app.config["MAX_CONTENT_LENGTH"] = 2048
    body = _problem(client.post(f"/api/v1/applications/{app_id}/documents", headers=h["staff"], data={
        "kind": "other", "file": (io.BytesIO(PDF + b"%" * 4096), "big.pdf")}), 413)
    assert "MB" in body["detail"]


def test_another_agencys_application_is_404_and_drafts_hide_from_reviewers(client, people):
    _, h = people
    app_id = client.post("/api/v1/applications", headers=h["staff"], json={"title": "Ours"}).json["id"]
    for role in ("other", "reviewer"):
        assert _problem(client.get(f"/api/v1/applications/{app_id}", headers=h[role]), 404)
    assert client.get(f"/api/v1/applications/{app_id}", headers=h["post_admin"]).status_code == 200
    listing = client.get("/api/v1/applications", headers=h["other"]).json
    assert listing["items"] == [] and listing["pagination"]["total"] == 0


def test_agencies_never_see_internal_notes_or_events(app, client, make):
    world = build_world(app, make)
    url = f"/api/v1/applications/{world.submitted.id}/comments"
    assert client.post(url, headers=world.headers("reviewer"), json={"body": "Looks thin."}).json["internal"]
    message = client.post(url, headers=world.headers("reviewer"), json={"body": "Please add a test.",
                                                                          "visibility": "agency"})
    assert message.status_code == 201 and not message.json["internal"]
    agency_view = client.get(f"/api/v1/applications/{world.submitted.id}", headers=world.headers("staff")).json
    post_view = client.get(f"/api/v1/applications/{world.submitted.id}", headers=world.headers("reviewer")).json
    assert [c["body"] for c in agency_view["comments"]] == ["Please add a test."]
    assert [c["body"] for c in post_view["comments"]] == ["Looks thin.", "Please add a test."]
    assert not any(e["internal"] for e in agency_view["history"])
    assert any(e["internal"] for e in post_view["history"])  # the assignment
    assert agency_view["assigned_reviewer"] is None and post_view["assigned_reviewer"]["name"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 2


def test_stale_version_is_409_and_nothing_is_saved(app, client, make):
    world = build_world(app, make)
    url = f"/api/v1/applications/{world.submitted.id}"
    version = client.get(url, headers=world.headers("reviewer")).json["version"]
    # Someone else acts first (a message to the agency does not change the version; an assignment does).
    client.post(f"{url}/assign", headers=world.headers("post_admin"),
                json={"reviewer_id": world.users["reviewer"].id, "note": "Back to you"})
    body = _problem(client.post(f"{url}/approve", headers=world.headers("reviewer"), json={"version": version}), 409)
    assert body["type"].endswith(":stale-version")
    db.session.expire_all()
    assert db.session.get(Application, world.submitted.id).state == ApplicationState.IN_REVIEW
    fresh = client.get(url, headers=world.headers("reviewer")).json["version"]
    approved = client.post(f"{url}/approve", headers=world.headers("reviewer"), json={"version": fresh})
    assert approved.status_code == 200 and approved.json["approval"]["number"].startswith("MO-IS-")
    # A draft edit with a stale version is refused the same way.
    draft_url = f"/api/v1/applications/{world.draft.id}"
    old = client.get(draft_url, headers=world.headers("staff")).json["version"]
    client.patch(draft_url, headers=world.headers("staff"), json={"title": "First"})
    _problem(client.patch(draft_url, headers=world.headers("staff"), json={"title": "Second", "version": old}), 409)
    assert client.get(draft_url, headers=world.headers("staff")).json["title"] == "First"


def test_two_decisions_at_once_one_wins(app, make):
    """Two POST staff decide on the same version at the same moment, each in its own thread and app context."""
    world = build_world(app, make)
    second_admin = make.user("post_admin")
    _, second = issue_token(second_admin, "second")
    db.session.commit()
    url = f"/api/v1/applications/{world.submitted.id}"
    version = world.submitted.version
    calls = [(world.headers("reviewer"), "approve", {"version": version}),
             (bearer(second), "deny", {"version": version, "codes": ["duplicate"], "reason": "Already approved."})]
    barrier, results = threading.Barrier(2), {}

    def decide(headers, action, body):  # type: ignore[no-untyped-def]
        with app.app_context():
            client = app.test_client()
            barrier.wait(timeout=10)
            results[action] = client.post(f"{url}/{action}", headers=headers, json=body)

    threads = [threading.Thread(target=decide, args=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(r.status_code for r in results.values()) == [200, 409]
    loser = next(r for r in results.values() if r.status_code == 409)
    assert loser.mimetype == "application/problem+json" and loser.json["type"].endswith(":stale-version")
    db.session.expire_all()
    final = db.session.get(Application, world.submitted.id)
    winner = next(a for a, r in results.items() if r.status_code == 200)
    assert final.state == (ApplicationState.APPROVED if winner == "approve" else ApplicationState.DENIED)


def test_decisions_report_problems_by_field(app, client, make):
    world = build_world(app, make)
    url = f"/api/v1/applications/{world.submitted.id}"
    v = world.submitted.version
    changed = _fields(_problem(client.post(f"{url}/approve", headers=world.headers("reviewer"),
                                           json={"version": v, "hours": {"total": 9}}), 422))
    assert set(changed) == {"hours.total", "note"}
    deny = _fields(_problem(client.post(f"{url}/deny", headers=world.headers("reviewer"),
                                        json={"version": v, "codes": [], "reason": " "}), 422))
    assert set(deny) == {"codes", "reason"}
    assert set(_fields(_problem(client.post(f"{url}/deny", headers=world.headers("reviewer"),
                                            json={"version": v, "codes": ["made_up"], "reason": "x"}), 422))) \
        == {"codes.0"}
    assert "version" in _fields(_problem(client.post(f"{url}/request-changes", headers=world.headers("reviewer"),
                                                     json={"message": "Fix it."}), 422))

"""Catalog, offerings, letters and verification through the API; rate limits."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from approvals.extensions import db
from approvals.models import ApprovalLetter
from tests.api_support import bearer, build_world, token_for
from tests.catalog_support import Courses
from tests.letters_support import People, approve, pdf_text, run_letter_jobs
from tests.letters_support import people  # noqa: F401  (a fixture)


@pytest.fixture
def courses(make):  # type: ignore[no-untyped-def]
    return Courses(make)


def test_search_with_filters_sorting_and_pages(client, make, courses):
    boone = make.agency("Boone County Sheriff's Office")
    courses.approved(boone, title="Firearms Night Qualification",
                     hours={"total": 4.0, "legal": 0.0, "technical": 0.0, "interpersonal": 0.0,
                            "skill_development": 4.0, "firearms": 4.0})
    courses.approved(title="De-escalation in Crisis Calls", delivery="computer_based",
                     hours={"deescalation": 2.0})
    for n in range(3):
        courses.approved(title=f"Legal Update {n}", hours={"total": 2.0, "legal": 2.0, "technical": 0.0,
                                                           "interpersonal": 0.0, "skill_development": 0.0})
    found = client.get("/api/v1/catalog/courses?text=firearms").json
    assert [c["title"] for c in found["items"]] == ["Firearms Night Qualification"]
    assert found["items"][0]["agency"]["name"] == "Boone County Sheriff's Office"
    assert found["items"][0]["hours"]["firearms"] == 4.0
    by_designation = client.get("/api/v1/catalog/courses?designation=deescalation").json["items"]
    assert [c["title"] for c in by_designation] == ["De-escalation in Crisis Calls"]
    assert client.get("/api/v1/catalog/courses?delivery_method=computer_based").json["pagination"]["total"] == 1
    assert client.get(f"/api/v1/catalog/courses?agency_id={boone.id}").json["pagination"]["total"] == 1
    assert client.get("/api/v1/catalog/courses?max_hours=2").json["pagination"]["total"] == 3
    first = client.get("/api/v1/catalog/courses?sort=title&per_page=2").json
    assert [c["title"] for c in first["items"]] == ["De-escalation in Crisis Calls", "Firearms Night Qualification"]
    assert first["pagination"]["total"] == 5 and first["pagination"]["pages"] == 3
    links = first["pagination"]["links"]
    assert links["prev"] is None and "page=2" in links["next"] and "sort=title" in links["next"]
    second = client.get(links["next"]).json
    assert [c["title"] for c in second["items"]] == ["Legal Update 0", "Legal Update 1"]
    last = client.get(links["last"]).json
    assert last["pagination"]["links"]["next"] is None and len(last["items"]) == 1


def test_search_problems_are_422_by_field(client):
    body = client.get("/api/v1/catalog/courses?min_hours=5&max_hours=2&area=cooking&per_page=500")
    assert body.status_code == 422 and body.mimetype == "application/problem+json"
    assert {e["field"] for e in body.json["errors"]} == {"area", "per_page"}
    crossed = client.get("/api/v1/catalog/courses?min_hours=5&max_hours=2")
    assert crossed.status_code == 422 and crossed.json["errors"][0]["field"] == "max_hours"


def test_course_page_shows_public_facts_and_offerings(app, client, make):
    world = build_world(app, make)
    course = client.get(f"/api/v1/catalog/courses/{world.approved.approval_number}").json
    assert course["status"] == "current" and course["title"] == "Firearms Qualification"
    assert [o["id"] for o in course["offerings"]] == [world.offering.id]
    public = course["offerings"][0]
    assert "online_url" not in public and "instructor_licenses" not in public
    assert "documents" not in course and "contact_email" not in course
    assert client.get("/api/v1/catalog/courses/MO-IS-1999-00000").status_code == 404


def test_offerings_scheduled_changed_and_cancelled_by_any_agency(app, client, make):
    world = build_world(app, make)
    other = world.headers("other_staff")
    start = (date.today() + timedelta(days=20)).isoformat()
    body = {"approval_number": world.approved.approval_number, "starts_on": start, "ends_on": start,
            "online": True, "online_url": "https://meet.example.gov/clee", "instructors": ["Sgt. Ana Ruiz"],
            "instructor_licenses": ["b123456"], "seats": 12, "contact_name": "Lee Park",
            "contact_email": "lee@boone.example.gov"}
    created = client.post("/api/v1/offerings", headers=other, json=body)
    assert created.status_code == 201, created.json
    offering = created.json
    assert offering["agency"]["name"] == "Boone County Sheriff's Office"
    assert offering["instructor_licenses"] == ["B123456"] and offering["course"]["title"] == "Firearms Qualification"
    assert client.get(created.headers["Location"], headers=world.headers("staff")).status_code == 404
    listed = client.get("/api/v1/offerings", headers=other).json["items"]
    assert [o["id"] for o in listed] == [offering["id"]]
    bad = client.patch(offering["url"], headers=other, json={"seats": 0, "ends_on": "2000-01-01"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json["errors"]} == {"seats", "ends_on"}
    changed = client.patch(offering["url"], headers=other, json={"seats": 30})
    assert changed.status_code == 200 and changed.json["seats"] == 30 and changed.json["online"] is True
    cancelled = client.post(f"{offering['url']}/cancel", headers=other, json={"reason": "Instructor ill."})
    assert cancelled.json["cancelled_at"] is not None and cancelled.json["cancel_reason"] == "Instructor ill."
    again = client.post(f"{offering['url']}/cancel", headers=other, json={})
    assert again.status_code == 409 and "already cancelled" in again.json["detail"]
    assert [o["id"] for o in client.get("/api/v1/offerings?show=cancelled", headers=other).json["items"]] \
        == [offering["id"]]
    unknown = client.post("/api/v1/offerings", headers=other, json={**body, "approval_number": "MO-IS-1999-00001"})
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "approval_number"


def test_revoked_course_takes_no_offerings(app, client, make):
    world = build_world(app, make)
    revoked = client.post(f"/api/v1/applications/{world.approved.id}/revoke", headers=world.headers("post_admin"),
                          json={"reason": "Instructor decertified."})
    assert revoked.status_code == 200 and revoked.json["state"] == "revoked"
    start = (date.today() + timedelta(days=20)).isoformat()
    refused = client.post("/api/v1/offerings", headers=world.headers("staff"), json={
        "approval_number": world.approved.approval_number, "starts_on": start, "ends_on": start,
        "location": "Academy", "instructors": ["A"], "seats": 5, "contact_name": "B", "contact_email": "b@example.gov"})
    assert refused.status_code == 409 and "revoked" in refused.json["detail"]
    assert client.get(f"/api/v1/catalog/courses/{world.approved.approval_number}").json["status"] == "revoked"


def test_real_letter_downloads_and_verifies(app, client, people: People):  # noqa: F811  (the fixture)
    """The letter job renders the real PDF; the API serves it to the agency and verifies its code."""
    approved = approve(app, people)
    staff = bearer(token_for(people.staff))
    listing = client.get(f"/api/v1/applications/{approved.id}/letters", headers=staff).json
    assert listing == {"status": "current", "preparing": True, "items": []}
    run_letter_jobs(approved.id)
    listing = client.get(f"/api/v1/applications/{approved.id}/letters", headers=staff).json
    assert not listing["preparing"] and len(listing["items"]) == 1
    letter = listing["items"][0]
    pdf = client.get(letter["pdf"], headers=staff)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert approved.approval_number in pdf_text(pdf.data)
    row = db.session.scalar(sa.select(ApprovalLetter))
    assert letter["sha256"] == row.sha256
    assert client.get(letter["pdf"], headers=bearer(token_for(people.other_staff))).status_code == 404

    ok = client.get(f"/api/v1/verify/{approved.approval_number}?code={row.code}").json
    assert ok["verified"] and ok["status"] == "current" and ok["course_title"] == approved.title
    assert client.get(f"/api/v1/verify/{approved.approval_number}?code=WRONG").json == \
        client.get(f"/api/v1/verify/MO-IS-1999-00001?code={row.code}").json
    assert client.get("/api/v1/verify/X?code=WRONG").json["verified"] is False

    admin = bearer(token_for(people.admin))
    reissued = client.post(f"/api/v1/applications/{approved.id}/letters/reissue", headers=admin,
                           json={"reason": "Contact name corrected."})
    assert reissued.status_code == 202 and reissued.json["preparing"]
    assert reissued.json["items"][0]["superseded_reason"] == "Contact name corrected."


def test_rate_limit_is_per_token_and_answers_429_as_a_problem(app, client, make):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    first, second = make.user("agency_staff"), make.user("agency_staff")
    one, two = bearer(token_for(first)), bearer(token_for(second))
    assert [client.get(url, headers=one).status_code
            for url in ("/api/v1/me", "/api/v1/applications", "/api/v1/offerings")] == [200, 200, 200]
    limited = client.get("/api/v1/me", headers=one)  # one budget for the whole API
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/api/v1/me", headers=two).status_code == 200  # another token has its own budget


def test_verification_shares_the_pages_budget(app, client):
    app.config["VERIFY_RATE_LIMIT"] = "2 per minute"
    assert client.get("/verify/MO-IS-2026-00001?code=x").status_code == 200
    assert client.get("/api/v1/verify/MO-IS-2026-00001?code=x").status_code == 200
    assert client.get("/api/v1/verify/MO-IS-2026-00001?code=x").status_code == 429


def test_a_server_error_is_a_problem_too(app, client, monkeypatch):
    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr("approvals.api.catalog.check", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error handler answers
    response = client.get("/api/v1/verify/MO-IS-2026-00001?code=x")
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert response.json["title"] == "Server error" and "boom" not in response.get_data(as_text=True)

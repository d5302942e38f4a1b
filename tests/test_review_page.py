"""The review page: what it shows, checklist, comments, decisions through the
forms (with their validation), stale-version conflicts and reassignment."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from approvals import workflow
from approvals.extensions import db
from approvals.models import ApplicationState as S, AuditEvent, Comment, ReviewerConflict
from tests.review_support import actions, count_queries, outbox_rows, submit

HOURS = {"total": 8.0, "legal": 2.0, "technical": 1.0, "interpersonal": 3.0, "skill_development": 2.0,
         "firearms": 0.0, "racial_profiling": 1.0, "implicit_bias": 1.0, "deescalation": 4.0}


@pytest.fixture
def people(make):
    agency = make.agency(name="Columbia Police Department")
    return {"agency": agency, "staff": make.user("agency_staff", agency=agency),
            "reviewer": make.user("post_reviewer", name="Rita Reviewer"),
            "reviewer2": make.user("post_reviewer", name="Sam Second"),
            "admin": make.user("post_admin", name="Ada Admin")}


@pytest.fixture
def in_review(app, people):
    row = submit(app, people["agency"], people["staff"])
    workflow.assign(row, people["reviewer"], actor=None)
    db.session.commit()
    return row


def form(app_row, **fields):  # type: ignore[no-untyped-def]
    return {"seen_version": str(app_row.version), **fields}


def approve_data(app_row, note="", **hours):  # type: ignore[no-untyped-def]
    values = {**HOURS, **hours}
    return form(app_row, note=note, **{f"approved_{k}": str(v) for k, v in values.items()})


def test_page_shows_the_submission_documents_and_forms(client, auth, people, in_review):
    auth.login(people["reviewer"])
    with count_queries(db.engine) as statements:
        html = client.get(f"/review/applications/{in_review.id}").get_data(as_text=True)
    assert len(statements) < 25
    for text in ("Crisis Intervention and De-escalation for Patrol", "behavioural crisis",
                 "Identify five signs of behavioural crisis.", "Sgt. Lee Park", "CIT coordinator, 12 years.",
                 "100% attendance required.", "Dana Whitfield", "Chief Marcus Reyes",
                 "as submitted in revision 1", "Approve", "Send back for changes", "Deny",
                 "Instructors are qualified for the content"):
        assert text in html, text
    for doc in in_review.documents:
        assert f"/agency/applications/{in_review.id}/documents/{doc.id}" in html
    assert f'name="seen_version" type="hidden" value="{in_review.version}"' in html
    assert 'name="approved_total" type="text" value="8.0"' in html or 'value="8.0"' in html


@pytest.mark.parametrize(("who", "status"), [("staff", 404), ("reviewer2", 200), ("admin", 200)])
def test_who_may_open_it(client, auth, people, in_review, who, status):
    auth.login(people[who])
    response = client.get(f"/review/applications/{in_review.id}")
    assert response.status_code == status
    if who == "reviewer2":  # another reviewer may read, not decide
        assert "Send back for changes" not in response.get_data(as_text=True)
        assert client.post(f"/review/applications/{in_review.id}/deny",
                           data=form(in_review, codes="duplicate", reason="x")).status_code == 404


def test_resubmission_shows_what_changed(app, client, auth, people, in_review):
    workflow.request_changes(in_review, people["reviewer"], "Shorten the title.")
    db.session.commit()
    in_review.title = "Crisis Intervention for Patrol"
    in_review.hours_deescalation = 3.0
    workflow.submit(in_review, people["staff"])
    db.session.commit()
    auth.login(people["reviewer"])
    html = client.get(f"/review/applications/{in_review.id}").get_data(as_text=True)
    assert "Changed since revision 1" in html
    assert "Crisis Intervention and De-escalation for Patrol" in html and "Crisis Intervention for Patrol" in html
    assert "De-escalation hours" in html


def test_checklist_saves_without_bumping_the_version(client, auth, people, in_review):
    auth.login(people["reviewer"])
    version = in_review.version
    response = client.post(f"/review/applications/{in_review.id}/checklist",
                           data={"synopsis_adequate": "y", "hours_consistent": "y", "notes": "Looks fine."})
    assert response.status_code == 302
    db.session.expire_all()
    assert in_review.checklist["items"] == {"synopsis_adequate": True, "objectives_measurable": False,
                                            "instructors_qualified": False, "certificate_compliant": False,
                                            "hours_consistent": True}
    assert in_review.checklist["notes"] == "Looks fine." and in_review.version == version
    assert "review.checklist_saved" in actions(in_review.id)
    assert "Last saved by Rita Reviewer" in client.get(f"/review/applications/{in_review.id}").get_data(as_text=True)


@pytest.mark.parametrize(("visibility", "internal"), [("internal", True), ("agency", False)])
def test_comments_internal_or_to_the_agency(client, auth, people, in_review, visibility, internal):
    auth.login(people["reviewer"])
    response = client.post(f"/review/applications/{in_review.id}/comments",
                           data={"body": "Check the firearms hours.", "visibility": visibility})
    assert response.status_code == 302
    comment = db.session.scalar(sa.select(Comment).where(Comment.application_id == in_review.id))
    assert comment.internal is internal
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "comment.added"))
    assert event.internal is internal
    notices = [r for r in outbox_rows(in_review.id, "notify") if r.args["event"] == "comment"]
    assert len(notices) == (0 if internal else 1)


def test_approve_with_changed_hours_needs_a_reason(client, auth, people, in_review):
    auth.login(people["reviewer"])
    url = f"/review/applications/{in_review.id}/approve"
    response = client.post(url, data=approve_data(in_review, total=7.0, deescalation=3.0, interpersonal=2.0))
    assert response.status_code == 422
    assert "Explain why the approved hours differ from the request" in response.get_data(as_text=True)
    db.session.expire_all()
    assert in_review.state == S.IN_REVIEW and in_review.approval_number is None
    response = client.post(url, data=approve_data(in_review, note="One scenario hour is not CLEE content.",
                                                  total=7.0, deescalation=3.0, interpersonal=2.0))
    assert response.status_code == 302
    db.session.expire_all()
    assert in_review.state == S.APPROVED and in_review.approved_total == 7.0
    assert in_review.approval_number.startswith("MO-IS-")
    assert [r.task for r in outbox_rows(in_review.id, "render_letter")] == ["render_letter"]


def test_approve_rejects_inconsistent_hours(client, auth, people, in_review):
    auth.login(people["reviewer"])
    response = client.post(f"/review/applications/{in_review.id}/approve",
                           data=approve_data(in_review, note="x", legal=5.0))
    assert response.status_code == 422 and "must be equal" in response.get_data(as_text=True)
    response = client.post(f"/review/applications/{in_review.id}/approve", data=approve_data(in_review, total="eight"))
    assert response.status_code == 422


def test_request_changes_and_deny(client, auth, people, in_review, app):
    auth.login(people["reviewer"])
    bad = client.post(f"/review/applications/{in_review.id}/deny", data=form(in_review, reason="No."))
    assert bad.status_code == 422 and "Choose at least one reason" in bad.get_data(as_text=True)
    ok = client.post(f"/review/applications/{in_review.id}/request-changes",
                     data=form(in_review, message="Add measurable objectives."))
    assert ok.status_code == 302
    db.session.expire_all()
    assert in_review.state == S.CHANGES_REQUESTED
    other = submit(app, people["agency"], people["staff"])
    workflow.assign(other, people["reviewer"], actor=None)
    db.session.commit()
    ok = client.post(f"/review/applications/{other.id}/deny",
                     data=form(other, codes=["duplicate", "other"], reason="Same as MO-IS-2026-00001."))
    assert ok.status_code == 302
    db.session.expire_all()
    assert other.state == S.DENIED and other.denial_codes == ["duplicate", "other"]


def test_a_decision_on_a_stale_version_is_a_clear_conflict(client, auth, people, in_review):
    auth.login(people["reviewer"])
    seen = form(in_review)["seen_version"]
    workflow.add_comment(in_review, people["staff"], "We fixed a typo.", internal=False)  # bumps the version
    db.session.commit()
    response = client.post(f"/review/applications/{in_review.id}/deny",
                           data={"seen_version": seen, "codes": "duplicate", "reason": "Duplicate."})
    assert response.status_code == 409
    assert "Someone else changed this application" in response.get_data(as_text=True)
    db.session.expire_all()
    assert in_review.state == S.IN_REVIEW and in_review.denial_codes == []
    assert "application.denied" not in actions(in_review.id)


def test_admin_reassigns_but_not_to_a_conflicted_reviewer(client, auth, people, in_review):
    db.session.add(ReviewerConflict(reviewer_id=people["reviewer2"].id, agency_id=people["agency"].id))
    db.session.commit()
    auth.login(people["admin"])
    html = client.get(f"/review/applications/{in_review.id}").get_data(as_text=True)
    assert "Reassign" in html and "Sam Second" not in html
    refused = client.post(f"/review/applications/{in_review.id}/assign", data={"reviewer_id": people["reviewer2"].id})
    assert refused.status_code == 422
    db.session.delete(db.session.scalar(sa.select(ReviewerConflict)))
    db.session.commit()
    ok = client.post(f"/review/applications/{in_review.id}/assign",
                     data={"reviewer_id": people["reviewer2"].id, "note": "Rita is on holiday."})
    assert ok.status_code == 302
    db.session.expire_all()
    assert in_review.assigned_reviewer_id == people["reviewer2"].id
    assert [r.args.get("reviewer_id") for r in outbox_rows(in_review.id, "notify") if r.args["event"] == "assigned"][-1] \
        == people["reviewer2"].id
    auth.logout()
    auth.login(people["reviewer"])  # no longer theirs: read only
    assert client.post(f"/review/applications/{in_review.id}/request-changes",
                       data=form(in_review, message="x")).status_code == 404


def test_reviewer_cannot_assign(client, auth, people, in_review):
    auth.login(people["reviewer"])
    assert client.post(f"/review/applications/{in_review.id}/assign",
                       data={"reviewer_id": people["reviewer"].id}).status_code == 404


def test_every_form_carries_a_csrf_token_and_needs_it(app, client, auth, people, in_review):
    import re

    auth.login(people["admin"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for url in (f"/review/applications/{in_review.id}", "/review/", "/notifications", "/admin/outbox"):
            html = client.get(url).get_data(as_text=True)
            forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
            assert all('name="csrf_token"' in f for f in forms), url
            if url.startswith("/review/applications"):
                assert len(forms) == 7  # sign out, comment, checklist, assign, approve, changes, deny
        html = client.get(f"/review/applications/{in_review.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        url = f"/review/applications/{in_review.id}/comments"
        assert client.post(url, data={"body": "Note", "visibility": "internal"}).status_code == 400
        assert client.post(url, data={"body": "Note", "visibility": "internal", "csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

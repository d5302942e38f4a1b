"""End to end with a real Redis, the real worker (burst) and a real SMTP
server: submit → routed → decided, for each decision; notifications by
e-mail and in-app; the audit trail; SLA reminders and escalation."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from approvals import reminders, workflow
from approvals.extensions import db
from approvals.models import ApplicationState as S, ApprovalLetter, AuditEvent, Notification
from approvals.models._types import utcnow
from tests.review_support import actions, needs_letter_jobs, subject, submit, work
from tests.review_support import smtp  # noqa: F401  (fixture)
from tests.workflow_helpers import tiny_pdf

CONTACT = "dana@example.gov"


@pytest.fixture
def people(make):
    agency = make.agency(name="Columbia Police Department")
    return {"agency": agency, "staff": make.user("agency_staff", agency=agency, email=CONTACT),
            "reviewer": make.user("post_reviewer", name="Rita Reviewer"),
            "admin": make.user("post_admin", name="Ada Admin")}


def _routed(app, people, smtp):  # type: ignore[no-untyped-def]
    row = submit(app, people["agency"], people["staff"])
    work(app)
    assert row.state == S.IN_REVIEW and row.assigned_reviewer_id == people["reviewer"].id
    assert smtp.subjects(CONTACT) == [f"[CLEE] Received: {row.title}"]
    assert smtp.subjects(people["reviewer"].email) == [f"[CLEE] Assigned to you for review: {row.title}"]
    return row


def mails_sent(application_id: int) -> list[tuple[str, bool]]:
    return [(e.data["event"], e.internal) for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.application_id == application_id, AuditEvent.action == "mail.sent")
        .order_by(AuditEvent.id))]


def test_changes_requested_then_resubmitted_back_to_the_same_reviewer_then_denied(app, people, smtp, make):
    make.user("post_reviewer")  # a second, idle reviewer: the resubmission must still go back to Rita
    row = _routed(app, people, smtp)
    workflow.request_changes(row, people["reviewer"], "Make objective 1 measurable.")
    db.session.commit()
    work(app)
    changes = smtp.to(CONTACT)[-1]
    assert subject(changes) == f"[CLEE] Changes requested: {row.title}"
    assert "Make objective 1 measurable." in changes.get_content()

    row.objectives[0].text = "List five signs of crisis with 80% accuracy."
    workflow.submit(row, people["staff"])
    db.session.commit()
    work(app)
    assert row.state == S.IN_REVIEW and row.assigned_reviewer_id == people["reviewer"].id
    assert smtp.subjects(CONTACT)[-1] == f"[CLEE] Resubmission received: {row.title}"

    workflow.deny(row, people["reviewer"], ["duplicate"], "Duplicates an approved course.", seen_version=row.version)
    db.session.commit()
    work(app)
    denied = smtp.to(CONTACT)[-1]
    assert subject(denied) == f"[CLEE] Not approved: {row.title}"
    assert "Duplicates a course already approved" in denied.get_content()
    assert mails_sent(row.id) == [("submitted", False), ("assigned", True), ("changes_requested", False),
                                  ("resubmitted", False), ("assigned", True), ("denied", False)]
    # The agency's timeline (internal events hidden) has no assignment or reviewer mail in it.
    public = [a for a, internal in db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.internal).where(AuditEvent.application_id == row.id)) if not internal]
    assert "application.assigned" not in public and public.count("mail.sent") == 4
    kinds = db.session.scalars(sa.select(Notification.kind).where(Notification.user_id == people["staff"].id)
                               .order_by(Notification.id)).all()
    assert kinds == ["submitted", "changes_requested", "resubmitted", "denied"]


@needs_letter_jobs
def test_approved_with_the_letter_attached(app, people, smtp):
    row = _routed(app, people, smtp)
    workflow.approve(row, people["reviewer"], row.requested_hours(), seen_version=row.version)
    db.session.commit()
    work(app)
    mail = smtp.to(CONTACT)[-1]
    assert subject(mail) == f"[CLEE] Approved {row.approval_number}: {row.title}"
    attachments = list(mail.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")


def test_approval_mail_attaches_the_stored_letter(app, people, smtp):
    from approvals.notifications import letter_path, notify

    row = _routed(app, people, smtp)
    workflow.approve(row, people["reviewer"], row.requested_hours(), seen_version=row.version)
    db.session.commit()
    pdf = tiny_pdf("approval letter")
    letter = ApprovalLetter(application_id=row.id, approval_number=row.approval_number, code="X" * 20, facts={},
                            stored_name="a" * 32 + ".pdf", sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf))
    db.session.add(letter)
    db.session.commit()
    path = Path(letter_path(letter))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    assert notify(application_id=row.id, event="approved", letter_id=letter.id) == 1
    mail = smtp.to(CONTACT)[-1]
    assert subject(mail) == f"[CLEE] Approved {row.approval_number}: {row.title}"
    assert row.approval_number in mail.get_body(("plain",)).get_content()
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == f"{row.approval_number}.pdf" and attachment.get_content() == pdf
    sent = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mail.sent",
                                                         AuditEvent.data["event"].as_string() == "approved"))
    assert sent.data["attachments"] == [f"{row.approval_number}.pdf"] and not sent.internal


def test_comments_reach_the_other_side(app, people, smtp):
    row = _routed(app, people, smtp)
    workflow.add_comment(row, people["staff"], "Is the firearms range booked?", internal=False)
    workflow.add_comment(row, people["reviewer"], "Internal: check range booking.", internal=True)
    workflow.add_comment(row, people["reviewer"], "Please attach the range booking.", internal=False)
    db.session.commit()
    work(app)
    assert "Is the firearms range booked?" in smtp.to(people["reviewer"].email)[-1].get_content()
    assert "Please attach the range booking." in smtp.to(CONTACT)[-1].get_content()
    assert not any("Internal: check" in m.get_content() for m in smtp.messages)


def test_nobody_eligible_mails_the_admins(app, people, smtp):
    people["reviewer"].on_leave = True
    db.session.commit()
    row = submit(app, people["agency"], people["staff"])
    work(app)
    assert row.state == S.SUBMITTED and row.assigned_reviewer_id is None
    assert smtp.subjects(people["admin"].email) == [f"[CLEE] No reviewer available: {row.title}"]
    assert db.session.scalar(sa.select(Notification.kind).where(Notification.user_id == people["admin"].id)) \
        == "unassigned"


def test_sla_reminder_then_escalation_once_each(app, people, smtp):
    row = _routed(app, people, smtp)
    version = row.version
    assert reminders.sweep_sla() == reminders.SlaResult()  # nothing due yet
    eleven = utcnow() + timedelta(days=11)
    assert reminders.sweep_sla(eleven).reminded == [row.id]
    assert reminders.sweep_sla(eleven).reminded == []  # once per submission
    work(app)
    assert smtp.subjects(people["reviewer"].email)[-1] == f"[CLEE] Review due: {row.title}"
    result = reminders.sweep_sla(utcnow() + timedelta(days=21))
    assert result.escalated == [row.id] and result.reminded == []
    work(app)
    assert smtp.subjects(people["admin"].email) == [f"[CLEE] Review overdue: {row.title}"]
    db.session.expire_all()
    assert row.version == version  # an open decision form stays valid
    assert actions(row.id, "application.reminder") == ["application.reminder"]
    assert actions(row.id, "application.escalation") == ["application.escalation"]


def test_notifications_page_and_badge(app, client, auth, people, smtp):
    row = _routed(app, people, smtp)
    auth.login(people["reviewer"])
    home = client.get("/").get_data(as_text=True)
    assert 'Notifications <span class="usa-tag">1<span class="usa-sr-only"> unread</span>' in home
    page = client.get("/notifications").get_data(as_text=True)
    assert f"Assigned to you for review: {row.title}" in page and f"/review/applications/{row.id}" in page
    client.post("/notifications/read")
    assert '<span class="usa-tag">1' not in client.get("/").get_data(as_text=True)

"""Turning rows into API responses, for a given viewer.

What a viewer may see is decided here with the pages' own rules: agencies
get the timeline without internal events (approvals.agency.queries.timeline)
and no internal notes, reviewer names or checklist.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from approvals.agency.queries import timeline
from approvals.api.schemas.applications import (
    Actions, ApplicationOut, ApplicationSummary, Approval, CommentOut, Decision, HistoryEvent, InstructorOut,
    RevisionRef,
)
from approvals.api.schemas.common import AgencyRef, DocumentOut, Hours, PersonRef
from approvals.extensions import db
from approvals.models import Application, ApplicationState, Comment, Document, User
from approvals.models.application import APPROVED_STATES

DECIDED = frozenset({ApplicationState.APPROVED, ApplicationState.DENIED, ApplicationState.REVOKED,
                     ApplicationState.EXPIRED})


def person(user: User | None) -> PersonRef | None:
    return PersonRef(id=user.id, name=user.name) if user is not None else None


def document_out(doc: Document) -> DocumentOut:
    return DocumentOut(
        id=doc.id, kind=doc.kind.value, name=doc.original_name, content_type=doc.content_type, size=doc.size,
        sha256=doc.sha256, uploaded_at=doc.uploaded_at, instructor_id=doc.instructor_id,
        download=url_for("api.download_document", app_id=doc.application_id, doc_id=doc.id))


def summary(app: Application) -> ApplicationSummary:
    return ApplicationSummary(**summary_fields(app))


def summary_fields(app: Application) -> dict[str, Any]:
    return dict(
        id=app.id, state=app.state, version=app.version, title=app.title,
        agency=AgencyRef(id=app.agency.id, name=app.agency.name, ori=app.agency.ori),
        approval_number=app.approval_number, created_at=app.created_at, submitted_at=app.submitted_at,
        last_activity_at=app.last_activity_at, url=url_for("api.get_application", app_id=app.id))


def _hours(values: dict[str, float | None]) -> Hours:
    return Hours(**values)


def actions(app: Application, viewer: User) -> Actions:
    return Actions(edit=app.can_edit(viewer), submit=app.can_submit(viewer), withdraw=app.can_withdraw(viewer),
                   decide=app.can_decide(viewer), comment=app.can_comment(viewer) and viewer.role.is_post,
                   assign=app.can_assign(viewer), revoke=app.can_revoke(viewer))


def application_out(app: Application, viewer: User) -> ApplicationOut:
    """Everything about *app* that *viewer* may see."""
    post = viewer.role.is_post
    people = _people(app)
    comments = db.session.scalars(
        sa.select(Comment).where(Comment.application_id == app.id, *([] if post else [Comment.internal.is_(False)]))
        .options(joinedload(Comment.author)).order_by(Comment.created_at, Comment.id))
    approval = None
    if app.state in APPROVED_STATES and app.approval_number and app.approved_on and app.expires_on:
        approval = Approval(number=app.approval_number, approved_on=app.approved_on, expires_on=app.expires_on,
                            hours=_hours(app.approved_hours()), revoked_at=app.revoked_at,
                            letters=url_for("api.application_letters", app_id=app.id))
    decision = None
    if app.state in DECIDED:
        decision = Decision(decided_at=app.decided_at, decided_by=person(people.get(app.decided_by_id)),
                            reason=app.decision_reason, denial_codes=list(app.denial_codes or []))
    return ApplicationOut(
        **summary_fields(app),
        synopsis=app.synopsis, delivery_method=app.delivery_method, attendance_policy=app.attendance_policy,
        evaluation_method=app.evaluation_method, hours=_hours(app.requested_hours()),
        objectives=[o.text for o in app.objectives],
        instructors=[InstructorOut(id=i.id, name=i.name, email=i.email, license_number=i.license_number,
                                   qualifications=i.qualifications,
                                   record=document_out(i.record) if i.record else None) for i in app.instructors],
        documents=[document_out(d) for d in app.live_documents if d.instructor_id is None],
        contact_name=app.contact_name, contact_email=app.contact_email, contact_phone=app.contact_phone,
        attestation_name=app.attestation_name, attestation_title=app.attestation_title, attested=app.attested,
        first_submitted_at=app.first_submitted_at, revision_count=app.revision_count or 0,
        assigned_reviewer=person(people.get(app.assigned_reviewer_id)) if post else None,
        decision=decision, approval=approval,
        revisions=[RevisionRef(number=r.number, created_at=r.created_at,
                               submitted_by=person(people.get(r.submitted_by_id)),
                               url=url_for("api.get_revision", app_id=app.id, number=r.number))
                   for r in app.revisions],
        history=[HistoryEvent(at=e.created_at, action=e.action, summary=e.summary, actor=person(e.actor),
                              internal=e.internal,
                              message=(e.data or {}).get("message") if e.action == "application.changes_requested"
                              else None)
                 for e in timeline(app, viewer)],
        comments=[CommentOut(id=c.id, author=PersonRef(id=c.author.id, name=c.author.name), body=c.body,
                             internal=c.internal, revision_number=c.revision_number, created_at=c.created_at)
                  for c in comments],
        checklist=(app.checklist or None) if post else None,
        actions=actions(app, viewer),
    )


def _people(app: Application) -> dict[int, User]:
    ids = {app.assigned_reviewer_id, app.decided_by_id, *(r.submitted_by_id for r in app.revisions)} - {None}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))} if ids else {}

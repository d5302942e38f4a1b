"""What the review page shows and the forms it offers, built for one application."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from approvals.extensions import db
from approvals.models import (
    Application, ApplicationState, AuditEvent, Comment, Document, Instructor, ReviewerConflict, Role, User,
)
from approvals.models.application import AREAS, DESIGNATIONS, HOUR_FIELDS
from approvals.review.forms import (
    choices,
    CHECKLIST, HOUR_LABELS, ApproveForm, AssignForm, ChecklistForm, CommentForm, DenyForm,
    RequestChangesForm,
)
from approvals.revisions import diff_snapshots, display_value, snapshot_of
from approvals.workflow import DENIAL_REASONS, TRANSITIONS

# States whose decision fields describe the current outcome (after changes
# were requested and the agency resubmitted, they describe an old round).
DECIDED_STATES = frozenset({ApplicationState.APPROVED, ApplicationState.DENIED, ApplicationState.REVOKED,
                            ApplicationState.EXPIRED})


def load_application(app_id: int, user: User) -> Application:
    """The application with everything the page shows, in a fixed number of
    queries. Aborts 404 when it does not exist or *user* may not see it."""
    app = db.session.scalar(
        sa.select(Application).where(Application.id == app_id).options(
            joinedload(Application.agency), joinedload(Application.assigned_reviewer),
            joinedload(Application.decided_by), joinedload(Application.created_by),
            selectinload(Application.objectives),
            selectinload(Application.instructors).selectinload(Instructor.documents),
            selectinload(Application.documents), selectinload(Application.revisions),
        )
    )
    if app is None or not app.can_view(user) or not user.role.is_post:
        abort(404)
    return app


def can_reassign(app: Application, user: User) -> bool:
    return app.can_assign(user) and app.state in TRANSITIONS["assign"][0]


def reviewer_choices(app: Application) -> list[Any]:
    """Active POST staff without a conflict with the agency; leave is shown, not hidden."""
    conflicted = set(db.session.scalars(
        sa.select(ReviewerConflict.reviewer_id).where(ReviewerConflict.agency_id == app.agency_id)))
    users = db.session.scalars(sa.select(User).where(
        User.role.in_([Role.POST_REVIEWER, Role.POST_ADMIN]), User.active).order_by(User.name))
    return choices((u.id, u.name + (" (on leave)" if u.on_leave else "")
                    + (" — administrator" if u.role == Role.POST_ADMIN else ""))
                   for u in users if u.id not in conflicted)


def build_forms(app: Application, *, posted: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every form of the page, prefilled; *posted* replaces the ones just submitted (with their errors)."""
    forms: dict[str, Any] = {
        "approve": ApproveForm(formdata=None, seen_version=app.version,
                               **{f"approved_{k}": app.requested_hours()[k] for k in HOUR_FIELDS}),
        "changes": RequestChangesForm(formdata=None, seen_version=app.version),
        "deny": DenyForm(formdata=None, seen_version=app.version),
        "comment": CommentForm(formdata=None),
        "checklist": ChecklistForm(formdata=None, notes=(app.checklist or {}).get("notes", ""),
                                   **{k: bool((app.checklist or {}).get("items", {}).get(k)) for k in CHECKLIST}),
        "assign": AssignForm(formdata=None, reviewer_id=app.assigned_reviewer_id),
    }
    forms["deny"].codes.choices = choices(DENIAL_REASONS.items())
    forms["assign"].reviewer_id.choices = reviewer_choices(app)
    if posted:
        for name, form in posted.items():
            if name == "deny":
                form.codes.choices = choices(DENIAL_REASONS.items())
            if name == "assign":
                form.reviewer_id.choices = forms["assign"].reviewer_id.choices
            # A rejected decision keeps the version the reviewer saw, so a
            # conflict is still detected when they correct and resend it.
            forms[name] = form
    return forms


def page_context(app: Application, user: User) -> dict[str, Any]:
    """Submitted content (the latest revision), the change since the one
    before, the comment thread and the full (internal) timeline."""
    revisions = app.revisions
    current = revisions[-1].snapshot if revisions else snapshot_of(app)
    changes = diff_snapshots(revisions[-2].snapshot, current) if len(revisions) >= 2 else []
    comments = db.session.scalars(
        sa.select(Comment).where(Comment.application_id == app.id)
        .options(joinedload(Comment.author)).order_by(Comment.created_at, Comment.id)).all()
    timeline = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.application_id == app.id)
        .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.created_at, AuditEvent.id)).all()
    documents = {d.id: d for d in app.documents}
    checklist = app.checklist or {}
    checklist_by = db.session.get(User, checklist["by"]) if checklist.get("by") else None
    return {
        "app": app, "snapshot": current, "revision_number": revisions[-1].number if revisions else None,
        "changes": changes, "previous_number": revisions[-2].number if len(revisions) >= 2 else None,
        "comments": comments, "timeline": timeline, "documents": documents,
        "areas": AREAS, "designations": DESIGNATIONS, "hour_labels": HOUR_LABELS,
        "checklist_items": CHECKLIST, "checklist": checklist, "checklist_by": checklist_by,
        "can_decide": app.can_decide(user), "can_reassign": can_reassign(app, user),
        "decided": app.state in DECIDED_STATES,
        "can_comment": app.can_comment(user), "denial_reasons": DENIAL_REASONS, "display_value": display_value,
    }


def document_for(app: Application, doc_id: int) -> Document | None:
    return next((d for d in app.documents if d.id == doc_id), None)

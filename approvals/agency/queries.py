"""Loading applications for the current user, and what the pages say about them."""
from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user

from approvals.extensions import db
from approvals.models import Application, ApplicationState, AuditEvent, Document, Revision
from approvals.web import Conflict

S = ApplicationState


def viewable_application(app_id: int) -> Application:
    """The application if the current user may see it. Aborts 404 otherwise
    (another agency's application does not exist as far as they know)."""
    app = db.session.get(Application, app_id)
    if app is None or not app.can_view(current_user):
        abort(404)
    return app


def editable_application(app_id: int) -> Application:
    """The application if the current user may edit it now. Aborts 404 for one
    they may not see or change; raises Conflict (409) for their own
    application whose state does not allow editing."""
    app = viewable_application(app_id)
    if not app.can_edit(current_user):
        if current_user.role.is_agency and current_user.agency_id == app.agency_id:
            raise Conflict(f"This application is {app.state.label.lower()}; it can only be changed as a draft "
                           "or after POST asks for changes.")
        abort(404)
    return app


def application_document(app: Application, doc_id: int) -> Document:
    """A document of *app*. Aborts 404 for another application's document."""
    doc = db.session.get(Document, doc_id)
    if doc is None or doc.application_id != app.id:
        abort(404)
    return doc


def application_revision(app: Application, number: int) -> Revision:
    revision = db.session.scalar(
        db.select(Revision).where(Revision.application_id == app.id, Revision.number == number)
    )
    if revision is None:
        abort(404)
    return revision


def check_version(app: Application, seen: int | None) -> None:
    """Raises Conflict when someone saved the application after the page was shown."""
    if seen is not None and seen != app.version:
        raise Conflict("Someone else saved changes to this application after you opened this page, so your "
                       "changes were not saved. Go back, reload the page to see the latest, and make your "
                       "changes again.")


def next_action(app: Application) -> tuple[str, str]:
    """Who is expected to act next, and what they should do."""
    if app.state == S.DRAFT:
        return "Agency", "finish and submit"
    if app.state == S.SUBMITTED and app.assigned_reviewer_id is None:
        return "POST", "assign a reviewer"
    if app.state in (S.SUBMITTED, S.IN_REVIEW):
        return "POST", "review"
    if app.state == S.CHANGES_REQUESTED:
        return "Agency", "answer change request"
    return "", "—"


def timeline(app: Application, viewer: Any) -> list[AuditEvent]:
    """The application's audit events, oldest first; internal ones only for POST."""
    stmt = (db.select(AuditEvent).where(AuditEvent.application_id == app.id)
            .options(db.joinedload(AuditEvent.actor)).order_by(AuditEvent.created_at, AuditEvent.id))
    if not viewer.role.is_post:
        stmt = stmt.where(AuditEvent.internal.is_(False))
    return list(db.session.scalars(stmt))


def latest_change_request(events: list[AuditEvent]) -> AuditEvent | None:
    requests = [e for e in events if e.action == "application.changes_requested"]
    return requests[-1] if requests else None


STATE_TAG = {
    S.DRAFT: "bg-base-lighter text-ink", S.SUBMITTED: "bg-primary", S.IN_REVIEW: "bg-primary-dark",
    S.CHANGES_REQUESTED: "bg-gold text-ink", S.APPROVED: "bg-green", S.DENIED: "bg-secondary-dark",
    S.WITHDRAWN: "bg-base", S.REVOKED: "bg-secondary-darker", S.EXPIRED: "bg-base-dark",
}

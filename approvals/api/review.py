"""The review queue and what POST staff do to an application: assign,
comment, approve, request changes, deny; revoke an approval."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from approvals import permissions as perm
from approvals import workflow
from approvals.api.errors import problem
from approvals.api.present import summary_fields, application_out, person
from approvals.api.registry import operation
from approvals.api.schemas.applications import ApplicationOut
from approvals.api.schemas.common import Pagination
from approvals.api.schemas.review import (
    ApproveIn, AssignIn, CommentCreated, CommentIn, DenyIn, Queue, QueueItem, QueueQuery, ReasonIn,
    RequestChangesIn,
)
from approvals.extensions import db
from approvals.models import Application, User
from approvals.models._types import utcnow
from approvals.models.application import HOUR_FIELDS
from approvals.review import page as review_page
from approvals.review import queue as q

TAG = "Review"


@operation("GET", "/review/queue", summary="The review queue", tag=TAG, auth=perm.REVIEW_QUEUE, query=QueueQuery,
           response=Queue, description="As the queue page: tabs, filters, counts per state, oldest submission "
                                       f"first, {q.PER_PAGE} a page.")
def review_queue(query: QueueQuery) -> Queue:
    default_tab = "all" if current_user.role == "post_admin" else "mine"
    filters = q.QueueFilters(tab=query.tab or default_tab, state=query.state or "",
                             area=query.area.value if query.area else "",
                             designation=query.designation.value if query.designation else "",
                             agency_id=query.agency_id or 0, age=query.age or "")
    now = utcnow()
    counts = q.state_counts(filters, current_user, now)
    page = q.queue_page(filters, current_user, query.page, now)
    items = []
    for app in page.items:
        badge = q.badge(app, now)
        items.append(QueueItem(**summary_fields(app), assigned_reviewer=person(app.assigned_reviewer),
                               sla=badge.css.removeprefix("sla-"), sla_label=badge.label,
                               age_days=q.age_days(app, now)))
    return Queue(tab=filters.tab, items=items, pagination=Pagination.of(query.page, q.PER_PAGE, page.total or 0),
                 counts={s.value: counts.get(s, 0) for s in q.STATE_ORDER})


def _load(app_id: int) -> Application:
    """The application for POST staff (404 for anyone else, as on the review page)."""
    return review_page.load_application(app_id, current_user)


@operation("POST", "/applications/<int:app_id>/assign", summary="Assign or reassign a reviewer", tag=TAG,
           auth=perm.REVIEW_ASSIGN, body=AssignIn, response=ApplicationOut, errors=(409, 422))
def assign_reviewer(app_id: int, body: AssignIn) -> ApplicationOut:
    app = _load(app_id)
    if not review_page.can_reassign(app, current_user):
        raise workflow.TransitionError(
            f"This application is {app.state.label.lower()}; it can only be assigned while submitted or in review.")
    eligible = {choice.value for choice in review_page.reviewer_choices(app)}
    if body.reviewer_id not in eligible:
        abort(problem(422, "That reviewer cannot take this application.", kind="invalid", errors=[
            ("reviewer_id", "Choose an active POST reviewer without a conflict of interest with this agency.")]))
    reviewer = db.session.get(User, body.reviewer_id)
    workflow.assign(app, reviewer, current_user, note=body.note.strip())
    db.session.commit()
    return application_out(app, current_user)


@operation("POST", "/applications/<int:app_id>/comments", summary="Comment", tag=TAG, auth=perm.REVIEW_QUEUE,
           body=CommentIn, response=CommentCreated, status=201, errors=(422,),
           description="An internal note (POST staff only) or a message to the agency (e-mailed to them).")
def add_comment(app_id: int, body: CommentIn) -> tuple[CommentCreated, int]:
    app = _load(app_id)
    comment = workflow.add_comment(app, current_user, body.body, internal=body.visibility != "agency")
    db.session.commit()
    return CommentCreated(id=comment.id, internal=comment.internal, body=comment.body), 201


@operation("POST", "/applications/<int:app_id>/approve", summary="Approve", tag=TAG, auth=perm.REVIEW_DECIDE,
           body=ApproveIn, response=ApplicationOut, errors=(409, 422),
           description="Approve with the hours given (figures left out as requested); a change from the "
                       "request needs a note. Assigns the approval number; the letter follows by e-mail. "
                       "A stale `version` (someone decided or edited first) is a 409 and nothing is saved.")
def approve(app_id: int, body: ApproveIn) -> ApplicationOut:
    app = _load(app_id)
    requested = app.requested_hours()
    sent = body.hours.model_dump(include=body.hours.model_fields_set)
    hours = {k: sent[k] if k in sent else requested[k] for k in HOUR_FIELDS}
    workflow.approve(app, current_user, hours, body.note, seen_version=body.version)
    db.session.commit()
    return application_out(app, current_user)


@operation("POST", "/applications/<int:app_id>/request-changes", summary="Request changes", tag=TAG,
           auth=perm.REVIEW_DECIDE, body=RequestChangesIn, response=ApplicationOut, errors=(409, 422),
           description="Send the application back to the agency with a message. A stale `version` is a 409.")
def request_changes(app_id: int, body: RequestChangesIn) -> ApplicationOut:
    app = _load(app_id)
    workflow.request_changes(app, current_user, body.message, seen_version=body.version)
    db.session.commit()
    return application_out(app, current_user)


@operation("POST", "/applications/<int:app_id>/deny", summary="Deny", tag=TAG, auth=perm.REVIEW_DECIDE,
           body=DenyIn, response=ApplicationOut, errors=(409, 422),
           description="Deny with reason codes and an explanation. A stale `version` is a 409.")
def deny(app_id: int, body: DenyIn) -> ApplicationOut:
    app = _load(app_id)
    workflow.deny(app, current_user, [c.value for c in body.codes], body.reason, seen_version=body.version)
    db.session.commit()
    return application_out(app, current_user)


@operation("POST", "/applications/<int:app_id>/revoke", summary="Revoke an approval", tag=TAG,
           auth=perm.APPROVALS_REVOKE, body=ReasonIn, response=ApplicationOut, errors=(409, 422),
           description="POST administrators: the course leaves the catalog and verification shows it revoked.")
def revoke(app_id: int, body: ReasonIn) -> ApplicationOut:
    app = _load(app_id)
    workflow.revoke(app, current_user, body.reason)
    db.session.commit()
    return application_out(app, current_user)

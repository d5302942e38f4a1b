"""The life cycle of an application, as plain verb functions.

Each function checks the transition table and the actor's permission, changes
fields, writes an audit event (and any outbox work) in the caller's
transaction, flushes, and never commits or reads the request. An illegal
transition raises TransitionError (HTTP 409 in the web layer), never a silent
no-op.
"""
from __future__ import annotations

from datetime import date


from approvals import outbox
from approvals.extensions import db
from approvals.models import Application, ApplicationState, Comment, Revision, User, record
from approvals.models._types import utcnow
from approvals.models.application import AREAS, DESIGNATIONS, HOUR_FIELDS
from approvals.numbering import next_approval_number  # noqa: F401  (part of the workflow's API)
from approvals.revisions import snapshot_of
from approvals.validation import Problem, hours_problems, submission_problems
from approvals.web import Conflict

S = ApplicationState

# verb -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[ApplicationState], ApplicationState]] = {
    "submit": (frozenset({S.DRAFT}), S.SUBMITTED),
    "resubmit": (frozenset({S.CHANGES_REQUESTED}), S.SUBMITTED),
    "withdraw": (frozenset({S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED}), S.WITHDRAWN),
    "assign": (frozenset({S.SUBMITTED, S.IN_REVIEW}), S.IN_REVIEW),
    "request_changes": (frozenset({S.SUBMITTED, S.IN_REVIEW}), S.CHANGES_REQUESTED),
    "approve": (frozenset({S.SUBMITTED, S.IN_REVIEW}), S.APPROVED),
    "deny": (frozenset({S.SUBMITTED, S.IN_REVIEW}), S.DENIED),
    "revoke": (frozenset({S.APPROVED}), S.REVOKED),
    "expire": (frozenset({S.APPROVED}), S.EXPIRED),
}

DENIAL_REASONS: dict[str, str] = {
    "not_law_enforcement": "Content is not law enforcement or criminal justice related",
    "synopsis_inadequate": "Synopsis does not describe the course in enough detail",
    "objectives_not_measurable": "Learning objectives are missing or not measurable",
    "instructor_unqualified": "Instructor qualifications are insufficient",
    "hours_unsupported": "Requested hours are not supported by the content",
    "certificate_noncompliant": "Sample certificate does not meet the requirements",
    "duplicate": "Duplicates a course already approved",
    "other": "Other (see explanation)",
}


class TransitionError(Conflict):
    """The application's state does not allow this action (HTTP 409)."""


class StaleVersion(TransitionError):
    """Someone else changed the application since the actor looked at it."""


class NotPermitted(Exception):
    """The actor may not do this to this application (HTTP 404 in the web layer)."""


class Incomplete(Exception):
    """The application or decision has problems; `.problems` lists them by field."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _move(app: Application, verb: str) -> ApplicationState:
    sources, target = TRANSITIONS[verb]
    if app.state not in sources:
        raise TransitionError(
            f"This application is {app.state.label.lower()}; it cannot be {_PAST[verb]} now."
        )
    before = app.state
    app.state = target
    app.last_activity_at = utcnow()
    return before


_PAST = {
    "submit": "submitted", "resubmit": "resubmitted", "withdraw": "withdrawn", "assign": "assigned",
    "request_changes": "sent back for changes", "approve": "approved", "deny": "denied",
    "revoke": "revoked", "expire": "marked expired",
}


def _check_version(app: Application, seen_version: int | None) -> None:
    if seen_version is not None and seen_version != app.version:
        raise StaleVersion(
            "Someone else changed this application while you were looking at it "
            "(another decision or an edit). Your decision was not saved; reload the page to see the latest."
        )


def _freeze(app: Application, actor: User) -> Revision:
    app.revision_count = (app.revision_count or 0) + 1
    revision = Revision(application=app, number=app.revision_count, submitted_by_id=actor.id,
                        snapshot=snapshot_of(app))
    db.session.add(revision)
    return revision


def submit(app: Application, actor: User) -> Revision:
    """Submit a draft, or resubmit after a change request. Raises NotPermitted,
    TransitionError, or Incomplete (with every problem by field)."""
    _require_agency_member(app, actor, "submit")
    verb = "resubmit" if app.state == S.CHANGES_REQUESTED else "submit"
    if app.state not in TRANSITIONS[verb][0]:
        _move(app, verb)  # raises TransitionError with the clear message
    problems = submission_problems(app)
    if problems:
        raise Incomplete(problems)
    _move(app, verb)
    now = utcnow()
    app.submitted_at = now
    app.first_submitted_at = app.first_submitted_at or now
    app.reminded_at = app.escalated_at = None
    revision = _freeze(app, actor)
    db.session.flush()
    record(f"application.{verb}ted", actor=actor, subject=app, application_id=app.id, agency_id=app.agency_id,
           summary=f"{'Resubmitted' if verb == 'resubmit' else 'Submitted'} as revision {revision.number}",
           revision=revision.number)
    outbox.emit(outbox.ROUTE_APPLICATION, application_id=app.id, revision=revision.number)
    outbox.emit(outbox.NOTIFY, application_id=app.id, event=f"{verb}ted", revision=revision.number)
    return revision


def resubmit(app: Application, actor: User) -> Revision:
    """Resubmit after changes were requested (same checks as submit)."""
    if app.state != S.CHANGES_REQUESTED:
        raise TransitionError(f"This application is {app.state.label.lower()}; only one sent back for changes can be resubmitted.")
    return submit(app, actor)


def withdraw(app: Application, actor: User, reason: str = "") -> None:
    """The agency takes the application back. Raises NotPermitted, TransitionError."""
    _require_agency_member(app, actor, "withdraw")
    _move(app, "withdraw")
    db.session.flush()
    record("application.withdrawn", actor=actor, subject=app, application_id=app.id, agency_id=app.agency_id,
           summary="Withdrawn by the agency" + (f": {reason}" if reason else ""), reason=reason)
    outbox.emit(outbox.NOTIFY, application_id=app.id, event="withdrawn")


def assign(app: Application, reviewer: User, actor: User | None, *, note: str = "") -> None:
    """Give the application to *reviewer* (routing job when actor is None, or a
    POST admin). Raises NotPermitted, TransitionError, ValueError for a reviewer
    who cannot review."""
    if actor is not None and not (actor.active and actor.role == "post_admin"):
        raise NotPermitted("Only POST administrators may assign applications.")
    if not reviewer.active or not reviewer.role.is_post:
        raise ValueError(f"{reviewer.name} is not an active POST reviewer.")
    previous = app.assigned_reviewer
    _move(app, "assign")
    now = utcnow()
    app.assigned_reviewer_id = reviewer.id
    app.assigned_at = now
    reviewer.last_assigned_at = now
    db.session.flush()
    how = "by routing" if actor is None else f"by {actor.name}"
    summary = f"Assigned to {reviewer.name} {how}" + (f" (was {previous.name})" if previous and previous.id != reviewer.id else "")
    record("application.assigned", actor=actor, subject=app, application_id=app.id, agency_id=app.agency_id,
           summary=summary, internal=True, reviewer_id=reviewer.id, note=note,
           previous_reviewer_id=previous.id if previous else None)
    outbox.emit(outbox.NOTIFY, application_id=app.id, event="assigned", reviewer_id=reviewer.id)


def _require_agency_member(app: Application, actor: User, verb: str) -> None:
    if not (actor.active and actor.role.is_agency and actor.agency_id == app.agency_id):
        raise NotPermitted(f"Only the agency's own staff may {verb} its applications.")


def _decision_checks(app: Application, reviewer: User, seen_version: int | None) -> None:
    if not (reviewer.active and reviewer.role.is_post):
        raise NotPermitted("Only POST reviewers may decide applications.")
    if reviewer.role != "post_admin" and app.assigned_reviewer_id != reviewer.id:
        raise NotPermitted("This application is assigned to another reviewer.")
    _check_version(app, seen_version)


def request_changes(app: Application, reviewer: User, message: str, *, seen_version: int | None = None) -> Comment:
    """Send the application back to the agency with *message*. Raises
    NotPermitted, StaleVersion, TransitionError, Incomplete (empty message)."""
    _decision_checks(app, reviewer, seen_version)
    if app.state not in TRANSITIONS["request_changes"][0]:
        _move(app, "request_changes")
    if not message.strip():
        raise Incomplete([Problem("message", "Tell the agency what to change.")])
    _move(app, "request_changes")
    app.decided_at, app.decided_by_id = utcnow(), reviewer.id
    comment = Comment(application_id=app.id, author_id=reviewer.id, body=message.strip(), internal=False,
                      revision_number=app.revision_count)
    db.session.add(comment)
    db.session.flush()
    record("application.changes_requested", actor=reviewer, subject=app, application_id=app.id,
           agency_id=app.agency_id, summary="Changes requested", message=message.strip())
    outbox.emit(outbox.NOTIFY, application_id=app.id, event="changes_requested")
    return comment


def deny(app: Application, reviewer: User, codes: list[str], text: str, *, seen_version: int | None = None) -> None:
    """Deny with reason codes and an explanation. Raises NotPermitted,
    StaleVersion, TransitionError, Incomplete."""
    _decision_checks(app, reviewer, seen_version)
    if app.state not in TRANSITIONS["deny"][0]:
        _move(app, "deny")
    problems = []
    if not codes:
        problems.append(Problem("codes", "Choose at least one reason for the denial."))
    unknown = [c for c in codes if c not in DENIAL_REASONS]
    if unknown:
        problems.append(Problem("codes", f"Unknown reason code(s): {', '.join(unknown)}."))
    if not text.strip():
        problems.append(Problem("reason", "Explain the denial to the agency."))
    if problems:
        raise Incomplete(problems)
    _move(app, "deny")
    app.decided_at, app.decided_by_id = utcnow(), reviewer.id
    app.denial_codes, app.decision_reason = list(codes), text.strip()
    db.session.flush()
    record("application.denied", actor=reviewer, subject=app, application_id=app.id, agency_id=app.agency_id,
           summary="Denied: " + "; ".join(DENIAL_REASONS[c] for c in codes), codes=list(codes), reason=text.strip())
    outbox.emit(outbox.NOTIFY, application_id=app.id, event="denied")


def approve(
    app: Application, reviewer: User, hours: dict[str, float | None], note: str = "",
    *, seen_version: int | None = None, today: date | None = None,
) -> str:
    """Approve with *hours* (total, areas, designations). A change from the
    requested hours needs *note*. Returns the approval number. Raises
    NotPermitted, StaleVersion, TransitionError, Incomplete."""
    from flask import current_app

    _decision_checks(app, reviewer, seen_version)
    if app.state not in TRANSITIONS["approve"][0]:
        _move(app, "approve")  # raises TransitionError with the clear message
    hours = {k: hours.get(k) for k in HOUR_FIELDS}
    problems = hours_problems(hours, app.delivery_method, prefix="approved_")
    changed = [k for k in HOUR_FIELDS if hours[k] != app.requested_hours()[k]]
    if changed and not note.strip():
        labels = {"total": "Total", **AREAS, **DESIGNATIONS}
        problems.append(Problem("note", "Explain why the approved hours differ from the request ("
                                + ", ".join(labels[k] for k in changed) + ")."))
    if problems:
        raise Incomplete(problems)
    today = today or date.today()
    # Take the number before touching the row: the counter query autoflushes,
    # and an approved row without its number breaks a CHECK constraint.
    number = next_approval_number(today.year)
    _move(app, "approve")
    for key in HOUR_FIELDS:
        setattr(app, f"approved_{key}", hours[key])
    app.approval_number = number
    app.approved_on = today
    years = current_app.config["APPROVAL_VALIDITY_YEARS"]
    try:
        app.expires_on = today.replace(year=today.year + years)
    except ValueError:  # 29 February
        app.expires_on = today.replace(year=today.year + years, day=28)
    app.decided_at, app.decided_by_id, app.decision_reason = utcnow(), reviewer.id, note.strip()
    db.session.flush()
    record("application.approved", actor=reviewer, subject=app, application_id=app.id, agency_id=app.agency_id,
           summary=f"Approved as {app.approval_number} for {hours['total']:g} hours", approval_number=app.approval_number,
           hours=hours, changed=changed, note=note.strip())
    # The "approved" e-mail carries the letter, so the letter job emits it
    # once the PDF is stored.
    outbox.emit(outbox.RENDER_LETTER, application_id=app.id)
    return app.approval_number


def revoke(app: Application, admin: User, reason: str) -> None:
    """Revoke an approval. Raises NotPermitted, TransitionError, Incomplete."""
    if not (admin.active and admin.role == "post_admin"):
        raise NotPermitted("Only POST administrators may revoke approvals.")
    if app.state not in TRANSITIONS["revoke"][0]:
        _move(app, "revoke")
    if not reason.strip():
        raise Incomplete([Problem("reason", "Give the reason for revoking this approval.")])
    _move(app, "revoke")
    app.revoked_at, app.revoked_reason = utcnow(), reason.strip()
    db.session.flush()
    record("application.revoked", actor=admin, subject=app, application_id=app.id, agency_id=app.agency_id,
           summary=f"Approval {app.approval_number} revoked: {reason.strip()}", reason=reason.strip())
    outbox.emit(outbox.NOTIFY, application_id=app.id, event="revoked")


def expire(app: Application, *, today: date | None = None) -> bool:
    """Mark an approval past its expiry date as expired (system action).
    Returns False when it is not yet due; raises TransitionError if not approved."""
    today = today or date.today()
    if app.state == S.APPROVED and app.expires_on and app.expires_on >= today:
        return False
    _move(app, "expire")
    db.session.flush()
    record("application.expired", actor=None, subject=app, application_id=app.id, agency_id=app.agency_id,
           summary=f"Approval {app.approval_number} expired on {app.expires_on}")
    return True


def add_comment(app: Application, author: User, body: str, *, internal: bool) -> Comment:
    """A message to the agency, or (POST only) an internal note. Raises
    NotPermitted, Incomplete."""
    if not app.can_comment(author) or (internal and not author.role.is_post):
        raise NotPermitted("You may not comment on this application.")
    if not body.strip():
        raise Incomplete([Problem("body", "Write a message first.")])
    comment = Comment(application_id=app.id, author_id=author.id, body=body.strip(), internal=internal,
                      revision_number=app.revision_count)
    db.session.add(comment)
    app.last_activity_at = utcnow()
    db.session.flush()
    record("comment.added", actor=author, subject=comment, application_id=app.id, agency_id=app.agency_id,
           internal=internal, summary=("Internal note" if internal else "Message") + f" from {author.name}")
    if not internal:
        outbox.emit(outbox.NOTIFY, application_id=app.id, event="comment", comment_id=comment.id)
    return comment

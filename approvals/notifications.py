"""E-mail and in-app notifications for application events (the "notify" job).

Who hears about what:
  submitted, resubmitted, changes_requested, approved, denied, revoked
      → the application's contact (e-mail) and the agency users behind it (in-app)
  assigned → the reviewer;  withdrawn → the assigned reviewer, if any
  comment  → the agency when POST wrote it, else the assigned reviewer (or the admins)
  unassigned, escalation → every active POST administrator
  reminder → the assigned reviewer, or the administrators when nobody has it

Each delivery is recorded as a "mail.sent" audit event carrying a key
(outbox id + address); a re-run of the same outbox row skips addresses whose
key is already recorded, so nobody gets the same message twice. The record is
committed right after each send: a crash between SMTP accepting a message and
that commit can repeat that one message (at-least-once), never lose it.
Mails only POST staff receive are audited as internal.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from werkzeug.routing import BuildError

from approvals.dispatch import current_outbox_id
from approvals.extensions import db
from approvals.mail import Attachment, send_template
from approvals.models import (
    Application, ApprovalLetter, AuditEvent, Comment, Notification, Role, User, record,
)

AGENCY, REVIEWER, ADMINS, REVIEWER_OR_ADMINS, REVIEWER_ONLY = "agency", "reviewer", "admins", "reviewer|admins", "reviewer?"

# event -> (audience, subject)
EVENTS: dict[str, tuple[str, str]] = {
    "submitted": (AGENCY, "Received: {title}"),
    "resubmitted": (AGENCY, "Resubmission received: {title}"),
    "assigned": (REVIEWER, "Assigned to you for review: {title}"),
    "changes_requested": (AGENCY, "Changes requested: {title}"),
    "approved": (AGENCY, "Approved {number}: {title}"),
    "denied": (AGENCY, "Not approved: {title}"),
    "withdrawn": (REVIEWER_ONLY, "Withdrawn by the agency: {title}"),
    "revoked": (AGENCY, "Approval {number} revoked: {title}"),
    "comment": (AGENCY, "New message about {title}"),
    "unassigned": (ADMINS, "No reviewer available: {title}"),
    "reminder": (REVIEWER_OR_ADMINS, "Review due: {title}"),
    "escalation": (ADMINS, "Review overdue: {title}"),
}


@dataclass
class Recipient:
    email: str
    user_ids: list[int] = field(default_factory=list)


def notify(application_id: int | None, event: str, **args: Any) -> int:
    """Job: tell the people concerned about *event* on the application, by
    e-mail (templates/mail/<event>.txt) and in-app. Returns how many e-mails
    it sent now. Raises KeyError for an unknown event, FileNotFoundError when
    the approval letter to attach is missing, smtplib/OSError when mail
    cannot be delivered (the runner records it and the sweep retries)."""
    audience, subject_fmt = EVENTS[event]
    app = db.session.get(Application, application_id) if application_id is not None else None
    if app is None:
        return 0
    comment = db.session.get(Comment, args["comment_id"]) if args.get("comment_id") else None
    if event == "comment":
        if comment is None or comment.internal:
            return 0
        if not comment.author.role.is_agency:
            audience = AGENCY
        else:
            audience = REVIEWER_OR_ADMINS
    recipients = _recipients(app, audience, args)
    internal = audience != AGENCY
    subject = "[CLEE] " + subject_fmt.format(title=app.title or "Untitled course", number=app.approval_number or "")
    context = _context(app, event, args, comment, audience)
    attachments = _letter_attachment(args["letter_id"]) if event == "approved" and args.get("letter_id") else ()
    key_base = current_outbox_id() or _args_key(application_id, event, args)
    sent = 0
    for recipient in recipients:
        key = f"{key_base}:{recipient.email.lower()}"
        if _already_sent(app.id, key):
            continue
        where = send_template(recipient.email, subject, event, attachments=attachments, **context)
        record("mail.sent", actor=None, subject=app, application_id=app.id, agency_id=app.agency_id,
               internal=internal, summary=f"E-mail “{subject}” sent to {recipient.email}",
               key=key, event=event, to=recipient.email, transport="smtp" if where.startswith("smtp") else "file",
               attachments=[a.filename for a in attachments])
        for user_id in recipient.user_ids:
            db.session.add(Notification(user_id=user_id, application_id=app.id, kind=event,
                                        message=subject.removeprefix("[CLEE] ")))
        db.session.commit()
        sent += 1
    return sent


def _already_sent(application_id: int, key: str) -> bool:
    return db.session.scalar(
        sa.select(AuditEvent.id).where(
            AuditEvent.application_id == application_id, AuditEvent.action == "mail.sent",
            AuditEvent.data["key"].as_string() == key,
        ).limit(1)
    ) is not None


def _args_key(application_id: int | None, event: str, args: dict[str, Any]) -> str:
    # Outside a job (a direct call) the event and its arguments identify the message.
    raw = json.dumps([application_id, event, args], sort_keys=True, default=str)
    return "direct-" + hashlib.sha256(raw.encode()).hexdigest()[:24]


def _admins() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.role == Role.POST_ADMIN, User.active).order_by(User.id)
    ))


def _recipients(app: Application, audience: str, args: dict[str, Any]) -> list[Recipient]:
    if audience == AGENCY:
        if not app.contact_email:
            return []
        users = db.session.scalars(sa.select(User).where(
            User.agency_id == app.agency_id, User.active,
            sa.or_(User.id == app.created_by_id, User.email == app.contact_email.lower()),
        )).all()
        return [Recipient(app.contact_email, [u.id for u in users])]
    reviewer = None
    if audience == REVIEWER and args.get("reviewer_id"):
        reviewer = db.session.get(User, args["reviewer_id"])
    elif audience in (REVIEWER_ONLY, REVIEWER_OR_ADMINS):
        reviewer = app.assigned_reviewer
    if reviewer is not None and reviewer.active:
        return [Recipient(reviewer.email, [reviewer.id])]
    if audience in (ADMINS, REVIEWER_OR_ADMINS):
        return [Recipient(u.email, [u.id]) for u in _admins()]
    return []


def _context(app: Application, event: str, args: dict[str, Any], comment: Comment | None,
             audience: str) -> dict[str, Any]:
    from approvals.workflow import DENIAL_REASONS

    if audience == AGENCY:
        link = (_external("agency.application", app_id=app.id) or _external("agency.dashboard")
                or current_app.config["PUBLIC_BASE_URL"])
    else:
        link = _external("review.application", app_id=app.id) or current_app.config["PUBLIC_BASE_URL"]
    if event == "changes_requested" and comment is None:
        comment = db.session.scalars(
            sa.select(Comment).where(Comment.application_id == app.id, Comment.internal.is_(False))
            .order_by(Comment.id.desc()).limit(1)
        ).first()
    return {
        "app": app, "event": event, "args": args, "link": link, "comment": comment,
        "denial_reasons": [DENIAL_REASONS.get(c, c) for c in app.denial_codes or []],
        "has_letter": bool(args.get("letter_id")),
        "review_sla_days": current_app.config["REVIEW_SLA_DAYS"],
        "escalation_sla_days": current_app.config["ESCALATION_SLA_DAYS"],
    }


def _external(endpoint: str, **values: Any) -> str | None:
    """An absolute link for a mail, or None when that page does not exist."""
    if endpoint not in current_app.view_functions:
        return None
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with current_app.test_request_context("/", base_url=base):
        try:
            return base + url_for(endpoint, **values)
        except BuildError:
            return None


def letter_path(letter: ApprovalLetter) -> Path:
    """Where the approval-letter PDF is stored (the letter job's own answer when
    it gives one)."""
    try:
        from approvals import letter_jobs
    except ImportError:
        letter_jobs = None  # type: ignore[assignment]
    finder = getattr(letter_jobs, "letter_path", None)
    if finder is not None:
        return Path(finder(letter))
    return Path(current_app.config["UPLOAD_DIR"]) / "letters" / letter.stored_name


def _letter_attachment(letter_id: int) -> tuple[Attachment, ...]:
    letter = db.session.get(ApprovalLetter, letter_id)
    if letter is None:
        raise FileNotFoundError(f"Approval letter {letter_id} does not exist.")
    data = letter_path(letter).read_bytes()  # FileNotFoundError: the job fails and is retried
    return (Attachment(f"{letter.approval_number}.pdf", "application/pdf", data),)

"""Approval letters in the database and on disk: the render job, reissue, lookups.

`render_letter` is the outbox job "render_letter" (approvals/tasks.py). It
runs after an approval commits, and again after an admin asks for a reissue
(`request_reissue`, which supersedes the current letter and queues the job
with ``reissue=<new issue number>``). The job renders the letter from the
application as it stands, stores the PDF once under UPLOAD_DIR/letters/
(random name, never overwritten), records an ApprovalLetter with the facts
it states and their code, and queues the "approved" e-mail that attaches it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from approvals import outbox, permissions, storage
from approvals.extensions import db
from approvals.letters import (
    LetterFacts, default_conditions, letter_code, render_letter_html, render_letter_pdf, verification_url,
)
from approvals.models import Application, ApplicationState, ApprovalLetter, User, record
from approvals.models._types import utcnow
from approvals.models.application import APPROVED_STATES, AREAS, DESIGNATIONS
from approvals.validation import Problem

log = logging.getLogger(__name__)


def letters_dir() -> Path:
    """Where letter PDFs are stored: UPLOAD_DIR/letters."""
    return Path(current_app.config["UPLOAD_DIR"]) / "letters"


def letter_path(letter: ApprovalLetter) -> Path:
    """The stored PDF of *letter*. Raises ValueError for a stored name the job could not have made."""
    return storage.path_for(letters_dir(), letter.stored_name)


def letters_of(application_id: int) -> list[ApprovalLetter]:
    """Every letter of the application, newest issue first."""
    return list(db.session.scalars(
        sa.select(ApprovalLetter).where(ApprovalLetter.application_id == application_id)
        .order_by(ApprovalLetter.issue.desc())
    ))


def current_letter(application_id: int) -> ApprovalLetter | None:
    """The letter in force (not superseded), if one has been rendered."""
    return db.session.scalar(
        sa.select(ApprovalLetter).where(ApprovalLetter.application_id == application_id,
                                        ApprovalLetter.superseded_at.is_(None))
        .order_by(ApprovalLetter.issue.desc()).limit(1)
    )


def letter_facts(app: Application, *, issue: int = 1, issued_on: date | None = None) -> LetterFacts:
    """What the letter for *app* states, from its approved hours and dates.

    Raises ValueError when the application was never approved or its
    approved hours cannot appear on a letter.
    """
    if app.state not in APPROVED_STATES or not (app.approval_number and app.approved_on and app.expires_on):
        raise ValueError(f"Application {app.id} is {app.state}; only approvals have letters.")
    hours = app.approved_hours()
    cfg = current_app.config
    facts = LetterFacts(
        approval_number=app.approval_number,
        agency_name=app.agency.name,
        agency_ori=app.agency.ori,
        agency_address=None,  # agencies have no postal address on file yet
        contact_name=app.contact_name or "Training Coordinator",
        contact_email=app.contact_email,
        course_title=app.title,
        delivery_method=app.delivery_method.value if app.delivery_method else "",
        approved_total_hours=hours["total"] or 0.0,
        area_hours={k: hours[k] or 0.0 for k in AREAS},
        designation_hours={k: hours[k] or 0.0 for k in DESIGNATIONS},
        approved_on=app.approved_on,
        expires_on=app.expires_on,
        reviewer_name=app.decided_by.name if app.decided_by else "POST program staff",
        signatory_name=cfg["LETTER_SIGNATORY_NAME"],
        signatory_title=cfg["LETTER_SIGNATORY_TITLE"],
        issue=issue,
        issued_on=issued_on,
    )
    return dataclasses.replace(facts, conditions=default_conditions(facts))


def render_letter(application_id: int, reissue: int | None = None, **_: Any) -> ApprovalLetter | None:
    """Job: render, store and record the approval letter of an application.

    Idempotent: does nothing when the application is not approved (or since
    revoked/expired), when a letter is in force, or when issue *reissue*
    already exists; re-running after a crash renders at most the one missing
    letter. Returns the letter in force, or None when there is nothing to do.
    Does not commit (the outbox runner commits with the row's "done").

    Raises ValueError for facts that cannot appear on a letter,
    LetterAssetRefused if the template reaches outside the static folder,
    OSError when the PDF cannot be written, a DBAPIError (IntegrityError,
    or "database is locked" on SQLite) when another run stored the same
    issue first: its file is removed, and the outbox retry is a no-op.
    """
    # On PostgreSQL the row lock makes concurrent runs for one application
    # take turns; SQLite serialises writers anyway.
    app = db.session.get(Application, application_id, with_for_update=True)
    if app is None or app.state not in APPROVED_STATES:
        log.info("No letter for application %s: not an approval.", application_id)
        return None
    letters = letters_of(app.id)
    in_force = next((letter for letter in letters if letter.superseded_at is None), None)
    if in_force is not None:
        return in_force
    if reissue is not None and any(letter.issue >= reissue for letter in letters):
        return None  # that reissue was rendered, and superseded again since
    issue = letters[0].issue + 1 if letters else 1
    facts = letter_facts(app, issue=issue, issued_on=date.today() if issue > 1 else None)
    letter = _store(app, facts)
    record("letter.issued", actor=None, subject=letter, application_id=app.id, agency_id=app.agency_id,
           summary=f"Approval letter {'reissued' if issue > 1 else 'issued'} for {app.approval_number}"
                   + (f" (issue {issue})" if issue > 1 else ""),
           issue=issue, sha256=letter.sha256)
    if app.state == ApplicationState.APPROVED:
        # The approval e-mail carries the letter (approvals/notifications.py attaches it by letter_id).
        outbox.emit(outbox.NOTIFY, application_id=app.id, event="approved", letter_id=letter.id,
                    **({"reissued": issue} if issue > 1 else {}))
    return letter


def _store(app: Application, facts: LetterFacts) -> ApprovalLetter:
    cfg = current_app.config
    code = letter_code(facts, cfg["LETTER_SIGNING_KEY"])
    html = render_letter_html(
        facts, verify_url=verification_url(cfg["PUBLIC_BASE_URL"], facts.approval_number, code),
        program_name=cfg["PROGRAM_NAME"], page_size=cfg["LETTER_PAGE_SIZE"])
    pdf = render_letter_pdf(html, static_dir=Path(current_app.static_folder or "static"))
    inspected = storage.InspectedFile(
        original_name=f"{facts.approval_number}-approval-letter.pdf", content_type=storage.PDF,
        extension="pdf", size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), data=pdf)
    stored = storage.store(inspected, letters_dir())
    letter = ApprovalLetter(application_id=app.id, issue=facts.issue, approval_number=facts.approval_number,
                            code=code, facts=facts.to_dict(), stored_name=stored.stored_name,
                            sha256=stored.sha256, size=stored.size)
    db.session.add(letter)
    try:
        db.session.flush()
    except sa.exc.DBAPIError:  # e.g. another run stored this issue first
        storage.delete_stored(letters_dir(), stored.stored_name)
        raise
    return letter


def request_reissue(app: Application, admin: User, reason: str) -> ApprovalLetter:
    """Supersede the letter in force (kept, marked with *reason*) and queue a
    new issue. Returns the superseded letter; does not commit.

    Raises NotPermitted (not a POST admin), TransitionError (the approval is
    no longer current, or its letter is still being prepared), Incomplete
    (no reason).
    """
    from approvals.workflow import Incomplete, NotPermitted, TransitionError

    if not permissions.can(admin, permissions.LETTERS_REISSUE):
        raise NotPermitted("Only POST administrators may reissue approval letters.")
    if app.state != ApplicationState.APPROVED:
        raise TransitionError(f"This approval is {app.state.label.lower()}; its letter cannot be reissued.")
    if not reason.strip():
        raise Incomplete([Problem("reason", "Say why the letter is being reissued.")])
    current = db.session.scalar(
        sa.select(ApprovalLetter).where(ApprovalLetter.application_id == app.id,
                                        ApprovalLetter.superseded_at.is_(None)).with_for_update()
    )
    if current is None:
        raise TransitionError("The approval letter is still being prepared; reissue it once it is there.")
    current.superseded_at, current.superseded_reason = utcnow(), reason.strip()
    record("letter.superseded", actor=admin, subject=current, application_id=app.id, agency_id=app.agency_id,
           summary=f"Approval letter {current.approval_number} (issue {current.issue}) superseded for reissue: "
                   f"{reason.strip()}", issue=current.issue, reason=reason.strip())
    outbox.emit(outbox.RENDER_LETTER, application_id=app.id, reissue=current.issue + 1)
    return current

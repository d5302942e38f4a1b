"""Public verification of approval letters: is this letter genuine, and is the approval current?

`check(number, code)` compares the code against the facts STORED with each
letter of that approval number (every issue), so a letter verifies exactly
as it was printed even if the application's rows changed since. The status
(current, expired, revoked) comes from the approval as it stands now, so a
revocation shows at once.

An unknown number and a wrong code give the same answer (None) after the
same work: the caller must not be able to tell which it was.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from approvals.extensions import db
from approvals.letters import AREA_LABELS, DELIVERY_LABELS, DESIGNATION_LABELS, LetterFacts, verify_code
from approvals.models import Application, ApplicationState, ApprovalLetter

MAX_NUMBER_LENGTH = 40
MAX_CODE_LENGTH = 64

# Compared against when no letter has the number, so that answer costs the
# same HMAC as a wrong code (the facts themselves do not matter).
_DECOY = LetterFacts(
    approval_number="MO-IS-0000-00000", agency_name="-", agency_ori="-", agency_address=None,
    contact_name="-", contact_email="-", course_title="-", delivery_method="in_person",
    approved_total_hours=0.0, area_hours=dict.fromkeys(AREA_LABELS, 0.0),
    designation_hours=dict.fromkeys(DESIGNATION_LABELS, 0.0), approved_on=date(2000, 1, 1),
    expires_on=date(2000, 1, 2), reviewer_name="-", signatory_name="-", signatory_title="-",
)


class ApprovalStatus(enum.StrEnum):
    CURRENT = "current"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Verdict:
    """A genuine letter: what it certifies and where the approval stands.

    Carries only what the letter itself prints about the course, never the
    revocation reason, the reviewer's notes or the application's documents.
    """

    facts: LetterFacts
    status: ApprovalStatus
    revoked_on: date | None
    superseded: bool
    latest_issue: int
    latest_issued_on: date | None

    @property
    def is_current(self) -> bool:
        return self.status == ApprovalStatus.CURRENT

    @property
    def is_expired(self) -> bool:
        return self.status == ApprovalStatus.EXPIRED

    @property
    def is_revoked(self) -> bool:
        return self.status == ApprovalStatus.REVOKED

    @property
    def replacement_pending(self) -> bool:
        """Superseded, and the newer letter is not rendered yet."""
        return self.superseded and self.latest_issue == self.facts.issue

    @property
    def area_rows(self) -> list[tuple[str, float]]:
        return [(AREA_LABELS[k], v) for k, v in self.facts.area_hours.items()]

    @property
    def designation_rows(self) -> list[tuple[str, float]]:
        return [(DESIGNATION_LABELS[k], v) for k, v in self.facts.designation_hours.items()]

    @property
    def delivery_label(self) -> str:
        return DELIVERY_LABELS[self.facts.delivery_method]

    def to_json(self) -> dict:
        """The JSON form of a genuine letter (``verified: true``)."""
        facts = self.facts
        return {
            "verified": True,
            "approval_number": facts.approval_number,
            "status": self.status.value,
            "revoked_on": self.revoked_on.isoformat() if self.revoked_on else None,
            "superseded": self.superseded,
            "letter": {"issue": facts.issue, "dated": facts.letter_date.isoformat()},
            "latest_letter": {"issue": self.latest_issue,
                              "dated": self.latest_issued_on.isoformat() if self.latest_issued_on else None},
            "agency": {"name": facts.agency_name, "ori": facts.agency_ori},
            "course_title": facts.course_title,
            "delivery_method": facts.delivery_method,
            "approved_on": facts.approved_on.isoformat(),
            "expires_on": facts.expires_on.isoformat(),
            "hours": {"total": facts.approved_total_hours, **facts.area_hours, **facts.designation_hours},
        }


def normalise_number(number: str) -> str:
    return (number or "").strip().upper()[:MAX_NUMBER_LENGTH]


def check(number: str, code: str, *, today: date | None = None) -> Verdict | None:
    """The verdict on the letter numbered *number* that carries *code*, or
    None when no letter matches (unknown number and wrong code alike).

    Raises ValueError when LETTER_SIGNING_KEY is not configured.
    """
    key = current_app.config["LETTER_SIGNING_KEY"]
    if not key:
        raise ValueError("LETTER_SIGNING_KEY is not configured")
    code = (code or "")[:MAX_CODE_LENGTH]
    letters = list(db.session.scalars(
        sa.select(ApprovalLetter).where(ApprovalLetter.approval_number == normalise_number(number))
        .order_by(ApprovalLetter.issue.desc())
    ))
    match: tuple[ApprovalLetter, LetterFacts] | None = None
    for letter in letters:  # every issue is checked: no early exit on a match
        facts = LetterFacts.from_dict(letter.facts)
        if verify_code(facts, key, code) and match is None:
            match = (letter, facts)
    if not letters:
        verify_code(_DECOY, key, code)
    if match is None:
        return None
    letter, facts = match
    app = db.session.get(Application, letter.application_id)
    latest = letters[0]
    return Verdict(
        facts=facts,
        status=approval_status(app, today),
        revoked_on=app.revoked_at.date() if app.state == ApplicationState.REVOKED and app.revoked_at else None,
        superseded=letter.superseded_at is not None,
        latest_issue=latest.issue,
        latest_issued_on=LetterFacts.from_dict(latest.facts).letter_date,
    )


def approval_status(app: Application, today: date | None = None) -> ApprovalStatus:
    """Revoked, expired (also when past its expiry date before the nightly
    job has marked it), or current."""
    today = today or date.today()
    if app.state == ApplicationState.REVOKED:
        return ApprovalStatus.REVOKED
    if app.state == ApplicationState.EXPIRED or (app.expires_on is not None and app.expires_on < today):
        return ApprovalStatus.EXPIRED
    return ApprovalStatus.CURRENT

"""What templates/letters/_panel.html shows for one application and the signed-in user.

Application pages include the panel with ``application`` in their context;
the panel calls the template global ``letter_panel(application)`` (registered
by the letters blueprint), so pages need not load letters themselves and the
template only reads answers, never compares states.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_login import current_user

from approvals import permissions
from approvals.letter.forms import REISSUE_PREFIX, REVOKE_PREFIX, ReissueForm, RevokeForm
from approvals.letter_jobs import letters_of
from approvals.letters import LetterFacts
from approvals.models import Application, ApplicationState, ApprovalLetter
from approvals.models.application import APPROVED_STATES
from approvals.verification import ApprovalStatus, approval_status


@dataclass(frozen=True)
class LetterRow:
    letter: ApprovalLetter
    issue: int
    dated: date
    superseded: bool

    @property
    def size_kb(self) -> int:
        return max(1, round(self.letter.size / 1024))


@dataclass
class LetterPanel:
    """Everything the panel needs; ``shown`` is False when there is nothing to say
    (not an approval, or a user who may not see its letters)."""

    shown: bool = False
    status: ApprovalStatus | None = None
    revoked_on: date | None = None
    expires_on: date | None = None
    current: LetterRow | None = None
    earlier: list[LetterRow] = field(default_factory=list)
    preparing: bool = False  # approved, but the (re)issued letter is not rendered yet
    can_reissue: bool = False
    can_revoke: bool = False
    reissue_form: ReissueForm | None = None
    revoke_form: RevokeForm | None = None

    @property
    def is_current(self) -> bool:
        return self.status == ApprovalStatus.CURRENT

    @property
    def is_expired(self) -> bool:
        return self.status == ApprovalStatus.EXPIRED

    @property
    def is_revoked(self) -> bool:
        return self.status == ApprovalStatus.REVOKED


def _row(letter: ApprovalLetter) -> LetterRow:
    return LetterRow(letter=letter, issue=letter.issue, dated=LetterFacts.from_dict(letter.facts).letter_date,
                     superseded=letter.superseded_at is not None)


def letter_panel(application: Application) -> LetterPanel:
    """The panel for *application* as the current user may see it."""
    if application.state not in APPROVED_STATES or not application.can_download_letter(current_user):
        return LetterPanel()
    rows = [_row(letter) for letter in letters_of(application.id)]
    current = next((r for r in rows if not r.superseded), None)
    approved = application.state == ApplicationState.APPROVED
    can_reissue = approved and current is not None and permissions.can(current_user, permissions.LETTERS_REISSUE)
    can_revoke = application.can_revoke(current_user)
    return LetterPanel(
        shown=True,
        status=approval_status(application),
        revoked_on=application.revoked_at.date() if application.revoked_at else None,
        expires_on=application.expires_on,
        current=current,
        earlier=[r for r in rows if r.superseded],
        preparing=current is None,
        can_reissue=can_reissue,
        can_revoke=can_revoke,
        reissue_form=ReissueForm(formdata=None, prefix=REISSUE_PREFIX) if can_reissue else None,
        revoke_form=RevokeForm(formdata=None, prefix=REVOKE_PREFIX) if can_revoke else None,
    )

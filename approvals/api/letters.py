"""Approval letters: their metadata, the PDF, and reissuing one."""
from __future__ import annotations

from flask import abort, url_for
from flask_login import current_user
from werkzeug import Response

from approvals import permissions as perm
from approvals.agency.queries import viewable_application
from approvals.api.registry import operation
from approvals.api.schemas.letters import LetterList, LetterOut
from approvals.api.schemas.review import ReasonIn
from approvals.extensions import db
from approvals.letter.routes import download
from approvals.letter_jobs import letters_of, request_reissue
from approvals.letters import LetterFacts
from approvals.models import Application, ApplicationState, ApprovalLetter
from approvals.verification import approval_status

TAG = "Letters"


def letter_out(letter: ApprovalLetter) -> LetterOut:
    return LetterOut(
        id=letter.id, application_id=letter.application_id, approval_number=letter.approval_number,
        issue=letter.issue, dated=LetterFacts.from_dict(letter.facts).letter_date,
        superseded=letter.superseded_at is not None, superseded_at=letter.superseded_at,
        superseded_reason=letter.superseded_reason, size=letter.size, sha256=letter.sha256,
        created_at=letter.created_at, pdf=url_for("api.letter_pdf", letter_id=letter.id))


def _approval(app_id: int) -> Application:
    """An approval whose letters the caller may download (404 otherwise, as on the pages)."""
    app = viewable_application(app_id)
    if not app.can_download_letter(current_user):
        abort(404)
    return app


def _listing(app: Application) -> LetterList:
    letters = letters_of(app.id)
    return LetterList(status=approval_status(app).value,
                      preparing=app.state == ApplicationState.APPROVED
                      and not any(letter.superseded_at is None for letter in letters),
                      items=[letter_out(letter) for letter in letters])


@operation("GET", "/applications/<int:app_id>/letters", summary="An approval's letters", tag=TAG,
           auth=perm.API_TOKENS, response=LetterList,
           description="Every issue of the approval letter, newest first, and whether the approval is current.")
def application_letters(app_id: int) -> LetterList:
    return _listing(_approval(app_id))


@operation("GET", "/letters/<int:letter_id>", summary="A letter's metadata", tag=TAG, auth=perm.API_TOKENS,
           response=LetterOut)
def get_letter(letter_id: int) -> LetterOut:
    letter = db.session.get(ApprovalLetter, letter_id)
    if letter is None:
        abort(404)
    _approval(letter.application_id)
    return letter_out(letter)


@operation("GET", "/letters/<int:letter_id>/pdf", summary="Download a letter", tag=TAG, auth=perm.API_TOKENS,
           media_type="application/pdf", description="The PDF as an attachment (checked against its recorded SHA-256).")
def letter_pdf(letter_id: int) -> Response:
    # The page's own view, unwrapped from its login redirect: the token already signed the caller in.
    return download.__wrapped__(letter_id)  # type: ignore[attr-defined]


@operation("POST", "/applications/<int:app_id>/letters/reissue", summary="Reissue the letter", tag=TAG,
           auth=perm.LETTERS_REISSUE, body=ReasonIn, response=LetterList, status=202, errors=(409, 422),
           description="POST administrators: the letter in force is kept, marked superseded with the reason, "
                       "and a new issue is prepared and e-mailed.")
def reissue_letter(app_id: int, body: ReasonIn) -> tuple[LetterList, int]:
    app = _approval(app_id)
    request_reissue(app, current_user, body.reason)
    db.session.commit()
    return _listing(app), 202

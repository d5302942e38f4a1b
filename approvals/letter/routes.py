"""The letters area: download an approval letter, reissue it, revoke the approval.

Downloads are for anyone who may see the application (another agency's
letter is a 404). Reissue and revoke are POST-admin actions with a required
reason; a form with problems is shown again on a page of its own.
"""
from __future__ import annotations

import hashlib
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from werkzeug import Response

from approvals import permissions as perm
from approvals import workflow
from approvals.expiry import expire_approvals_command
from approvals.extensions import db
from approvals.letter.forms import REISSUE_PREFIX, REVOKE_PREFIX, ReissueForm, RevokeForm
from approvals.letter.panel import letter_panel
from approvals.letter_jobs import letter_path, request_reissue
from approvals.models import Application, ApprovalLetter

# cli_group=None: the expiry command is `flask expire-approvals`, not `flask letters …`.
bp = Blueprint("letters", __name__, url_prefix="/letters", cli_group=None)
bp.add_app_template_global(letter_panel, "letter_panel")
bp.cli.add_command(expire_approvals_command)

CONFLICT = ("Someone else changed this approval while you were looking at it. "
            "Nothing was saved; reload the page to see the latest.")


def download_name(letter: ApprovalLetter) -> str:
    """e.g. MO-IS-2026-00017-approval-letter.pdf; an older issue says it was superseded."""
    name = f"{letter.approval_number}-approval-letter"
    if letter.superseded_at is not None:
        name += f"-issue-{letter.issue}-superseded"
    return name + ".pdf"


@bp.route("/<int:letter_id>/pdf")
@login_required
def download(letter_id: int) -> Response:
    letter = db.session.get(ApprovalLetter, letter_id)
    if letter is None:
        abort(404)
    app = db.session.get(Application, letter.application_id)
    if app is None or not app.can_download_letter(current_user):
        abort(404)
    data = letter_path(letter).read_bytes()
    if hashlib.sha256(data).hexdigest() != letter.sha256:
        # The stored letter is never rewritten; a mismatch means the file was damaged or replaced.
        current_app.logger.error("Approval letter %s does not match its recorded checksum.", letter.id)
        abort(500)
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=download_name(letter), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/applications/<int:app_id>")
@login_required
def application(app_id: int) -> str:
    """The letters of one approval on a page of their own (the panel, full width)."""
    app = _visible(app_id)
    return render_template("letters/application.html", application=app)


@bp.route("/applications/<int:app_id>/reissue", methods=["POST"])
@perm.require(perm.LETTERS_REISSUE)
def reissue(app_id: int) -> Response | tuple[str, int]:
    app, form = _visible(app_id), ReissueForm(prefix=REISSUE_PREFIX)
    if not form.validate_on_submit():
        return _again(app, form, "reissue")
    try:
        superseded = request_reissue(app, current_user, form.reason.data or "")
    except workflow.NotPermitted:
        abort(404)
    except workflow.Incomplete as exc:
        db.session.rollback()
        form.reason.errors = [p.message for p in exc.problems]
        return _again(app, form, "reissue")
    db.session.commit()
    flash(f"Letter issue {superseded.issue} is superseded and kept. The new letter is being prepared "
          "and will be e-mailed to the agency.", "success")
    return redirect(_back_to(app))


@bp.route("/applications/<int:app_id>/revoke", methods=["POST"])
@perm.require(perm.APPROVALS_REVOKE)
def revoke(app_id: int) -> Response | tuple[str, int]:
    app, form = _visible(app_id), RevokeForm(prefix=REVOKE_PREFIX)
    if not form.validate_on_submit():
        return _again(app, form, "revoke")
    try:
        workflow.revoke(app, current_user, form.reason.data or "")
        db.session.commit()
    except workflow.NotPermitted:
        abort(404)
    except workflow.Incomplete as exc:
        db.session.rollback()
        form.reason.errors = [p.message for p in exc.problems]
        return _again(app, form, "revoke")
    except StaleDataError:
        db.session.rollback()
        raise workflow.StaleVersion(CONFLICT) from None
    flash(f"Approval {app.approval_number} is revoked. The verification page shows it now, "
          "and the agency is being notified.", "success")
    return redirect(_back_to(app))


def _visible(app_id: int) -> Application:
    app = db.session.get(Application, app_id)
    if app is None or not app.can_view(current_user):
        abort(404)
    return app


def _again(app: Application, form: FlaskForm, action: str) -> tuple[str, int]:
    return render_template("letters/confirm.html", application=app, form=form, action=action), 422


def _back_to(app: Application) -> str:
    # The application page of the user's own area, when that area exists.
    endpoint = "review.application" if current_user.role.is_post else "agency.application"
    if endpoint in current_app.view_functions:
        return url_for(endpoint, app_id=app.id)
    return url_for("letters.application", app_id=app.id)

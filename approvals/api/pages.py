"""API tokens on the profile page: create one (its secret shown once), list, revoke.

An ordinary HTML blueprint (CSRF-protected, session sign-in), not part of
/api/v1: a token is made by a person signed in to the site.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug import Response
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from approvals import permissions as perm
from approvals.api.tokens import MAX_NAME, active_tokens, issue_token, revoke_token
from approvals.extensions import db
from approvals.models import ApiToken
from approvals.workflow import Incomplete, NotPermitted

bp = Blueprint("api_tokens", __name__, url_prefix="/profile/api-tokens")


class TokenForm(FlaskForm):
    name = StringField(
        "Token name", validators=[InputRequired("Give the token a name."), Length(max=MAX_NAME)],
        description="Where it is used, e.g. “Records system” — so you know which one to revoke later.",
        render_kw={"autocomplete": "off"})


class RevokeTokenForm(FlaskForm):
    """A button-only form: just the CSRF token."""


def _page(form: TokenForm, secret: str | None = None, created: ApiToken | None = None,
          status: int = 200) -> tuple[str, int]:
    return render_template("api/tokens.html", user=current_user, form=form, tokens=active_tokens(current_user),
                           revoke_form=RevokeTokenForm(formdata=None), secret=secret, created=created), status


@bp.after_request
def _no_store(response: Response) -> Response:
    # The page can show a secret once; it must not linger in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@perm.require(perm.API_TOKENS)
def index() -> tuple[str, int]:
    return _page(TokenForm(formdata=None))


@bp.post("/")
@perm.require(perm.API_TOKENS)
def create() -> tuple[str, int]:
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        token, secret = issue_token(current_user, form.name.data or "", actor=current_user)
    except Incomplete as exc:
        form.name.errors = [p.message for p in exc.problems]
        return _page(form, status=422)
    db.session.commit()
    # Rendered, not redirected: the secret must never travel through the session's flash messages.
    return _page(TokenForm(formdata=None), secret=secret, created=token)


@bp.post("/<int:token_id>/revoke")
@perm.require(perm.API_TOKENS)
def revoke(token_id: int) -> Response:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if not RevokeTokenForm().validate_on_submit():
        abort(400)
    if not token.is_revoked:
        try:
            revoke_token(token, current_user)
        except NotPermitted:
            abort(404)
        db.session.commit()
        flash(f"Revoked the token “{token.name}”. Programs using it can no longer sign in.", "success")
    return redirect(url_for("api_tokens.index"))

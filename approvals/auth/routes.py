"""Sign in and out, change and reset passwords."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug import Response

from approvals.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm
from approvals.auth.tokens import TokenError, make_reset_token, user_for_reset_token
from approvals.extensions import db, limiter
from approvals.models import User, record
from approvals.models._types import utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _account_key() -> str:
    return "login-account:" + (request.form.get("email") or "").strip().lower()


def _failed(response: Response) -> bool:
    # Only failed attempts count against the limits; a success redirects.
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    # Browsers drop tabs and newlines from a URL, so "/\t/evil.example" would
    # leave as "//evil.example": only printable ASCII passes.
    if (target and target.isascii() and target.isprintable()
            and target.startswith("/") and not target.startswith("//") and "\\" not in target):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key, methods=["POST"], deduct_when=_failed
)
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(db.select(User).where(User.email == form.email.data.strip().lower()))
        if user is None or not user.check_password(form.password.data):
            form.password.errors.append("That e-mail address and password do not match an account.")
        elif not user.active:
            form.email.errors.append("This account has been deactivated. Contact your agency administrator or POST.")
        else:
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            record("user.signed_in", actor=user, subject=user, agency_id=user.agency_id, summary="Signed in")
            db.session.commit()
            flash(f"Welcome, {user.name}.", "success")
            return redirect(_safe_next(request.args.get("next")))
        return render_template("auth/login.html", form=form), 200
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> Response | str:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            current_user.set_password(form.password.data)
            record("user.password_changed", actor=current_user, subject=current_user, agency_id=current_user.agency_id)
            db.session.commit()
            # The nonce changed: sign in again under it so this session survives.
            login_user(current_user._get_current_object())
            flash("Your password has been changed. Other devices have been signed out.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"])
def forgot_password() -> Response | str:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = db.session.scalar(db.select(User).where(User.email == form.email.data.strip().lower()))
        if user is not None and user.active:
            from approvals.mail import send_template

            token = make_reset_token(user)
            link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("auth.reset_password", token=token)
            send_template(user.email, "Reset your CLEE Approvals password", "password_reset", user=user, link=link,
                          minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)
            record("user.reset_requested", actor=None, subject=user, agency_id=user.agency_id)
            db.session.commit()
        # Same answer either way, so the form does not reveal who has an account.
        flash("If that address belongs to an active account, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str:
    try:
        user = user_for_reset_token(token)
    except TokenError as exc:
        flash(exc.message, "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        record("user.password_reset", actor=user, subject=user, agency_id=user.agency_id)
        db.session.commit()
        flash("Your password has been reset. Sign in with the new one.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)

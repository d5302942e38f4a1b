"""Administration: POST admins manage agencies and all accounts; agency admins
manage their own agency's accounts."""
from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug import Response

from approvals import permissions as perm
from approvals.admin.forms import AgencyForm, UserForm
from approvals.extensions import db
from approvals.models import Agency, User, record
from approvals.models.user import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/agencies")
@perm.require(perm.ADMIN_AGENCIES)
def agencies() -> str:
    q = (request.args.get("q") or "").strip()
    stmt = db.select(Agency).order_by(Agency.name)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(Agency.name.ilike(like) | Agency.ori.ilike(like) | Agency.county.ilike(like))
    page = db.paginate(stmt, per_page=25)
    return render_template("admin/agencies.html", page=page, q=q)


@bp.route("/agencies/new", methods=["GET", "POST"])
@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@perm.require(perm.ADMIN_AGENCIES)
def agency_edit(agency_id: int | None = None) -> Response | str:
    agency = db.get_or_404(Agency, agency_id) if agency_id else None
    form = AgencyForm(obj=agency)
    if form.validate_on_submit():
        clash = db.session.scalar(db.select(Agency).where(Agency.ori == form.ori.data))
        if clash is not None and clash is not agency:
            form.ori.errors.append(f"{form.ori.data} already belongs to {clash.name}.")
        else:
            created = agency is None
            agency = agency or Agency()
            form.populate_obj(agency)
            db.session.add(agency)
            db.session.flush()
            record("agency.created" if created else "agency.updated", actor=current_user, subject=agency,
                   agency_id=agency.id, summary=agency.name)
            db.session.commit()
            flash(f"Saved {agency.name}.", "success")
            return redirect(url_for("admin.agencies"))
    return render_template("admin/agency_form.html", form=form, agency=agency)


def _managed_users_query():  # type: ignore[no-untyped-def]
    stmt = db.select(User).order_by(User.name)
    if not perm.can(current_user, perm.ADMIN_USERS):
        stmt = stmt.where(User.agency_id == current_user.agency_id)
    return stmt


@bp.route("/users")
@perm.require(perm.AGENCY_MANAGE_USERS)
def users() -> str:
    stmt = _managed_users_query()
    q = (request.args.get("q") or "").strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(User.name.ilike(like) | User.email.ilike(like))
    role = request.args.get("role")
    if role in Role._value2member_map_:
        stmt = stmt.where(User.role == Role(role))
    page = db.paginate(stmt.options(db.joinedload(User.agency)), per_page=25)
    return render_template("admin/users.html", page=page, q=q, role=role, roles=list(Role))


def _agency_choices() -> list[tuple[int, str]]:
    if perm.can(current_user, perm.ADMIN_USERS):
        rows = db.session.scalars(db.select(Agency).where(Agency.active).order_by(Agency.name))
    else:
        rows = [current_user.agency]
    return [(a.id, f"{a.name} ({a.ori})") for a in rows]


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@perm.require(perm.AGENCY_MANAGE_USERS)
def user_edit(user_id: int | None = None) -> Response | str:
    target = db.session.get(User, user_id) if user_id else None
    if user_id and (target is None or not perm.can_manage_user(current_user, target)):
        abort(404)
    manager_role = Role.POST_ADMIN if perm.can(current_user, perm.ADMIN_USERS) else Role.AGENCY_ADMIN
    form = UserForm(obj=target)
    if target is not None and request.method == "GET":
        form.agency_id.data = target.agency_id or 0
        form.role.data = target.role.value
    form.setup(perm.ASSIGNABLE_ROLES[manager_role], _agency_choices())
    if form.validate_on_submit():
        agency_id = form.agency_id.data or None
        if manager_role == Role.AGENCY_ADMIN:
            agency_id = current_user.agency_id  # an agency admin cannot move people elsewhere
        clash = db.session.scalar(db.select(User).where(User.email == form.email.data))
        if clash is not None and clash is not target:
            form.email.errors.append("Another account already uses this e-mail address.")
        elif target is not None and target.id == current_user.id and (
            not form.active.data or Role(form.role.data) != current_user.role
        ):
            form.role.errors.append("You cannot change your own role or deactivate yourself; ask another administrator.")
        else:
            created = target is None
            target = target or User(password_hash="")
            before = {"role": str(target.role) if target.role else None, "active": target.active}
            target.name, target.email = form.name.data, form.email.data
            target.role, target.agency_id, target.active = Role(form.role.data), agency_id, form.active.data
            db.session.add(target)
            if created:
                # No usable password until the person sets one through the reset link.
                target.set_password(secrets.token_urlsafe(24))
            db.session.flush()
            record("user.created" if created else "user.updated", actor=current_user, subject=target,
                   agency_id=target.agency_id, summary=f"{target.name} <{target.email}> as {target.role.label}",
                   before=before, after={"role": target.role.value, "active": target.active})
            db.session.commit()
            flash(f"Saved the account of {target.name}.", "success")
            if created:
                try:
                    _send_welcome(target)
                except OSError:
                    flash("The welcome e-mail could not be sent; the person can use “Forgot password” to set one.", "warning")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, target=target)


def _send_welcome(user: User) -> None:
    from flask import current_app

    from approvals.auth.tokens import make_reset_token
    from approvals.mail import send_template

    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
        "auth.reset_password", token=make_reset_token(user)
    )
    send_template(user.email, "Your CLEE Approvals account", "welcome", user=user, link=link)

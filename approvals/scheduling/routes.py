"""Offerings pages: the agency's list, schedule, change, cancel."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug import Response

from approvals import offerings as domain
from approvals import permissions as perm
from approvals.catalog.course import find_course, public_course
from approvals.extensions import db
from approvals.models import Offering
from approvals.scheduling.forms import CancelForm, OfferingForm
from approvals.workflow import Incomplete, NotPermitted

bp = Blueprint("offerings", __name__, url_prefix="/offerings")

VIEWS = {"upcoming": "Upcoming", "past": "Past", "cancelled": "Cancelled"}


@bp.get("/")
@perm.require(perm.OFFERINGS_SCHEDULE)
def index() -> str:
    view = request.args.get("show", "upcoming")
    view = view if view in VIEWS else "upcoming"
    today = date.today()
    stmt = sa.select(Offering).where(Offering.agency_id == current_user.agency_id)
    if view == "cancelled":
        stmt = stmt.where(Offering.cancelled_at.is_not(None)).order_by(Offering.starts_on.desc())
    elif view == "past":
        stmt = stmt.where(Offering.cancelled_at.is_(None), Offering.ends_on < today).order_by(Offering.starts_on.desc())
    else:
        stmt = stmt.where(Offering.cancelled_at.is_(None), Offering.ends_on >= today).order_by(Offering.starts_on)
    page = db.paginate(stmt.options(sa.orm.joinedload(Offering.application)), per_page=25)
    return render_template("offerings/index.html", page=page, view=view, views=VIEWS, today=today)


def _submitted(form: OfferingForm) -> bool:
    """POSTed with a valid CSRF token. Conversion errors (a mistyped date) stay
    on their fields, and the domain check still runs, so every problem shows at once."""
    if not form.is_submitted():
        return False
    form.validate()
    return "csrf_token" not in form.errors


def _own_offering(offering_id: int) -> Offering:
    offering = db.session.get(Offering, offering_id)
    if offering is None or not offering.can_manage(current_user):
        abort(404)  # another agency's offering is none of this user's business
    return offering


@bp.route("/new/<approval_number>", methods=["GET", "POST"])
@perm.require(perm.OFFERINGS_SCHEDULE)
def new(approval_number: str) -> Response | str:
    course = find_course(approval_number)
    if course is None:
        abort(404)
    domain.check_offerable(course)  # CourseNotOfferable -> 409 with its message
    form = OfferingForm()
    if request.method == "GET":
        form.prefill(contact_name=current_user.name, contact_email=current_user.email)
    if _submitted(form):
        try:
            offering = domain.schedule_offering(course, current_user, form.details())
        except Incomplete as e:
            form.show_problems(e.problems)
        except NotPermitted:
            abort(404)
        else:
            db.session.commit()
            flash(f"Offering of {course.title} scheduled for {offering.starts_on:%B %-d, %Y}.", "success")
            return redirect(url_for("offerings.index"))
    return render_template("offerings/form.html", form=form, course=public_course(course), offering=None)


@bp.route("/<int:offering_id>/edit", methods=["GET", "POST"])
@perm.require(perm.OFFERINGS_SCHEDULE)
def edit(offering_id: int) -> Response | str:
    offering = _own_offering(offering_id)
    form = OfferingForm(obj=offering)
    if _submitted(form):
        try:
            domain.update_offering(offering, current_user, form.details())
        except Incomplete as e:
            form.show_problems(e.problems)
        else:
            db.session.commit()
            flash("Offering updated.", "success")
            return redirect(url_for("offerings.index"))
    return render_template("offerings/form.html", form=form, course=public_course(offering.application),
                           offering=offering, cancel_form=CancelForm(formdata=None))


@bp.post("/<int:offering_id>/cancel")
@perm.require(perm.OFFERINGS_SCHEDULE)
def cancel(offering_id: int) -> Response:
    offering = _own_offering(offering_id)
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)
    domain.cancel_offering(offering, current_user, form.reason.data or "")
    db.session.commit()
    flash(f"The offering of {offering.starts_on:%B %-d, %Y} is cancelled.", "success")
    return redirect(url_for("offerings.index"))

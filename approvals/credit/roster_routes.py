"""Roster pages: post an offering's roster (form or CSV), view it, amend it."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug import Response

from approvals import permissions as perm
from approvals.credit import rosters
from approvals.credit.forms import AmendForm, RosterForm
from approvals.credit.ledger import InvalidCredit
from approvals.credit.routes import bp
from approvals.extensions import db
from approvals.models import CreditEntry, Offering, Officer, Roster

FORM_ROWS = 15


def _offering(offering_id: int) -> Offering:
    """The delivering agency's roster posters and POST staff who enter credit see rosters; others 404."""
    offering = db.session.get(Offering, offering_id)
    if offering is None:
        abort(404)
    own = perm.can(current_user, perm.ROSTERS_POST) and current_user.agency_id == offering.agency_id
    if not (own or perm.can(current_user, perm.CREDITS_ENTER)):
        abort(404)
    return offering


def _lines(form_rows: list, total: float) -> list[rosters.RosterLine]:
    """Filled-in rows; a license number without hours means the whole course."""
    lines = []
    for number, row in enumerate(form_rows, start=1):
        license_number, hours = row.license_number.data or "", row.hours.data or ""
        if license_number or hours:
            lines.append(rosters.RosterLine(number, license_number, hours or f"{total:g}"))
    return lines


def _pad(form: RosterForm | AmendForm, prefill: list[tuple[str, str]], blank: int) -> None:
    while len(form.rows) < len(prefill) + blank:
        form.rows.append_entry()
    for row, (license_number, row_hours) in zip(form.rows, prefill):
        row.license_number.data, row.hours.data = license_number, row_hours


@bp.route("/offerings/<int:offering_id>/roster", methods=["GET", "POST"])
@login_required
def roster(offering_id: int) -> Response | str:
    offering = _offering(offering_id)
    posted = db.session.scalar(sa.select(Roster).where(Roster.offering_id == offering.id))
    total, areas, designations = rosters.course_hours(offering)
    if posted is not None:
        entries = db.session.scalars(
            sa.select(CreditEntry).join(Officer, Officer.id == CreditEntry.officer_id)
            .where(CreditEntry.roster_id == posted.id).order_by(CreditEntry.superseded_at.is_not(None), Officer.name)
            .options(sa.orm.contains_eager(CreditEntry.officer))).all()
        return render_template("credit/roster.html", offering=offering, roster=posted, entries=entries, total=total,
                               may_amend=posted.can_amend(current_user))
    may_post = rosters.can_post(offering, current_user)
    form = RosterForm()
    problems: list[rosters.RosterProblem] = []
    if request.method == "POST":
        if not may_post:
            abort(404)
        if form.validate_on_submit():
            try:
                upload = form.csv_file.data
                if upload is not None and getattr(upload, "filename", ""):
                    lines, via = rosters.parse_csv(upload.read(1024 * 1024)), "csv"
                else:
                    lines, via = _lines(form.rows, total), "form"
                rosters.post(offering, lines, current_user, via=via)
                db.session.commit()
            except rosters.RosterRejected as exc:
                db.session.rollback()
                problems = exc.problems
            except InvalidCredit as exc:
                db.session.rollback()
                problems = [rosters.RosterProblem(None, p) for p in exc.problems]
            except sa.exc.IntegrityError:  # posted at the same moment by someone else
                db.session.rollback()
                flash("This roster was just posted by someone else.", "warning")
                return redirect(url_for("credit.roster", offering_id=offering.id))
            else:
                flash("Roster posted. Each officer's credit is on their transcript.", "success")
                return redirect(url_for("credit.roster", offering_id=offering.id))
    _pad(form, [], max(0, min(FORM_ROWS, offering.seats) - len(form.rows)))
    return render_template("credit/roster_post.html", offering=offering, form=form, problems=problems,
                           may_post=may_post, total=total, areas=areas, designations=designations,
                           today=date.today())


@bp.route("/offerings/<int:offering_id>/roster/amend", methods=["GET", "POST"])
@login_required
def roster_amend(offering_id: int) -> Response | str:
    offering = _offering(offering_id)
    posted = db.session.scalar(sa.select(Roster).where(Roster.offering_id == offering.id))
    if posted is None or not posted.can_amend(current_user):
        abort(404)
    total, _, _ = rosters.course_hours(offering)
    form = AmendForm()
    problems: list[rosters.RosterProblem] = []
    if form.validate_on_submit():
        try:
            amendment = rosters.amend(posted, _lines(form.rows, total), form.reason.data, current_user)
            db.session.commit()
        except rosters.RosterRejected as exc:
            db.session.rollback()
            problems = exc.problems
        except InvalidCredit as exc:
            db.session.rollback()
            problems = [rosters.RosterProblem(None, p) for p in exc.problems]
        else:
            flash(f"Roster corrected ({len(amendment.changes)} change(s)); the change is on the roster's record.",
                  "success")
            return redirect(url_for("credit.roster", offering_id=offering.id))
    if request.method == "GET":
        current = rosters.current_lines(posted)
        _pad(form, [(n, f"{e.hours:g}") for n, e in sorted(current.items(), key=lambda kv: kv[1].officer.name)],
             5)
    return render_template("credit/roster_amend.html", offering=offering, roster=posted, form=form,
                           problems=problems, total=total)

"""Extension pages: the agency asks for an officer; POST grants or denies."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug import Response

from approvals import permissions as perm
from approvals.credit import extensions as domain
from approvals.credit import periods
from approvals.credit.forms import ExtensionDecisionForm, ExtensionRequestForm, choices
from approvals.credit.routes import bp, officer_or_404
from approvals.extensions import db
from approvals.models import Extension
from approvals.models.compliance import ExtensionStatus


@bp.route("/officers/<int:officer_id>/extension", methods=["GET", "POST"])
@perm.require(perm.EXTENSIONS_REQUEST)
def request_extension(officer_id: int) -> Response | str:
    today = date.today()
    officer = officer_or_404(officer_id, today)
    if not officer.can_request_extension(current_user, today):
        abort(404)
    form = ExtensionRequestForm()
    years = [y for y in periods.known_years(today) if y >= today.year - 1]
    form.year.choices = choices((y, str(y)) for y in years)
    if request.method == "GET":
        form.year.data = request.args.get("year", type=int) if request.args.get("year", type=int) in years else years[0]
    if form.validate_on_submit():
        try:
            domain.request_extension(officer, year=form.year.data, kind=form.kind.data,
                                     new_due_date=form.new_due_date.data, reason=form.reason.data,
                                     actor=current_user, today=today)
        except domain.ExtensionInvalid as exc:
            for name, message in exc.problems.items():
                form[name].errors.append(message)
        except domain.NotPermitted:
            abort(404)
        else:
            db.session.commit()
            flash(f"Extension requested for {officer.name}. POST will decide and the officer's standing will show it.",
                  "success")
            return redirect(url_for("credit.transcript", officer_id=officer.id, year=form.year.data))
    return render_template("credit/extension_request.html", officer=officer, form=form)


@bp.get("/extensions")
@perm.require(perm.EXTENSIONS_GRANT)
def extensions() -> str:
    pending = db.session.scalars(sa.select(Extension).where(Extension.status == ExtensionStatus.REQUESTED)
                                 .order_by(Extension.requested_at)).all()
    decided = db.session.scalars(sa.select(Extension).where(Extension.status != ExtensionStatus.REQUESTED)
                                 .order_by(Extension.decided_at.desc()).limit(25)).all()
    return render_template("credit/extensions.html", pending=pending, decided=decided,
                           form=ExtensionDecisionForm(formdata=None))


@bp.post("/extensions/<int:extension_id>")
@login_required
def decide_extension(extension_id: int) -> Response | str:
    extension = db.session.get(Extension, extension_id)
    if extension is None or not perm.can(current_user, perm.EXTENSIONS_GRANT):
        abort(404)
    form = ExtensionDecisionForm()
    if form.validate_on_submit():
        domain.decide_extension(extension, grant=form.decision.data == "grant", actor=current_user,
                                note=form.note.data or "")
        db.session.commit()
        flash(f"Extension for {extension.officer.name} {extension.status.value}.", "success")
        return redirect(url_for("credit.extensions"))
    pending = db.session.scalars(sa.select(Extension).where(Extension.status == ExtensionStatus.REQUESTED)
                                 .order_by(Extension.requested_at)).all()
    return render_template("credit/extensions.html", pending=pending, decided=[], form=form,
                           form_for=extension.id), 400

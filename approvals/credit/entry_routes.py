"""POST's credit entry: Approved-Provider courses, college, military, out-of-state and
federal training (each with its evidence), the CSV import, and withdrawing an entry."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug import Response

from approvals import permissions as perm
from approvals import storage
from approvals.compliance import UnknownPeriod
from approvals.credit import ledger
from approvals.credit.credit_import import CreditImportRejected, import_credits
from approvals.credit.forms import ENTRY_KINDS, CreditForm, CreditImportForm, SupersedeForm
from approvals.credit.routes import bp
from approvals.extensions import db
from approvals.models import CreditEntry, Officer, record

# kind -> (source, fixed provider or None when POST chooses)
_KIND_SOURCE = {
    "approved_provider": ("in_service", "approved_provider"),
    "military": ("military", "licensed_provider"),
    "out_of_state": ("out_of_state", None),
    "federal": ("federal", None),
}


def _values(form: CreditForm, kind: str) -> ledger.CreditInput:
    """Raises UnknownPeriod (from the college conversion) for a year without rules."""
    if kind == "college":
        return ledger.college_input(form.title.data, form.semester_hours.data or 0.0, form.college_area.data,
                                    form.completed_on.data, institution=form.provider_name.data or "",
                                    designations=form.designation_hours(), note=form.note.data or "")
    source, provider = _KIND_SOURCE[kind]
    return ledger.CreditInput(
        title=form.title.data, hours=form.hours.data or 0.0, completed_on=form.completed_on.data, source=source,
        provider=provider or form.provider.data, delivery=form.delivery.data, areas=form.area_hours(),
        designations=form.designation_hours(), provider_name=form.provider_name.data or "", note=form.note.data or "")


@bp.route("/officers/<int:officer_id>/credit/<kind>", methods=["GET", "POST"])
@perm.require(perm.CREDITS_ENTER)
def enter_credit(officer_id: int, kind: str) -> Response | str:
    officer = db.session.get(Officer, officer_id)
    if officer is None or kind not in ENTRY_KINDS:
        abort(404)
    form = CreditForm()
    form.fit(kind)
    problems: list[str] = []
    if form.validate_on_submit():
        if kind == "college" and not form.semester_hours.data:
            form.semester_hours.errors.append("Enter the course's semester hours.")
        elif not form.evidence.inspected:
            form.evidence.errors.append("Attach the evidence: a certificate, or the college transcript and course description.")
        else:
            try:
                values = _values(form, kind)
                problems = ledger.problems_with(values)
            except UnknownPeriod as exc:
                problems = [str(exc)]
            if not problems:
                document = ledger.store_evidence(form.evidence.inspected[0], current_app.config["UPLOAD_DIR"],
                                                 current_user)
                entry = ledger.add_credit(officer.id, values, actor=current_user, evidence=document)
                db.session.flush()
                record("credit.entered", actor=current_user, subject=entry,
                       summary=f"{ENTRY_KINDS[kind]}: {values.hours:g} h for {officer.license_number}",
                       officer_id=officer.id)
                db.session.commit()
                flash(f"{values.hours:g} hours of {ENTRY_KINDS[kind].lower()} credit entered for {officer.name}.",
                      "success")
                return redirect(url_for("credit.transcript", officer_id=officer.id, year=values.completed_on.year))
    return render_template("credit/enter.html", officer=officer, form=form, kind=kind, kind_label=ENTRY_KINDS[kind],
                           problems=problems)


@bp.route("/import", methods=["GET", "POST"])
@perm.require(perm.CREDITS_ENTER)
def import_credit() -> Response | str:
    form = CreditImportForm()
    problems: list = []
    if form.validate_on_submit():
        if not form.evidence.inspected:
            form.evidence.errors.append("Attach the provider's attendance record as evidence.")
        else:
            try:
                document = ledger.store_evidence(form.evidence.inspected[0], current_app.config["UPLOAD_DIR"],
                                                 current_user)
                count = import_credits(form.csv_file.data.read(5 * 1024 * 1024), actor=current_user,
                                       evidence=document)
            except CreditImportRejected as exc:
                db.session.rollback()
                storage.delete_stored(current_app.config["UPLOAD_DIR"], document.stored_name)
                problems = exc.problems
            else:
                record("credit.imported", actor=current_user, subject=document,
                       summary=f"{count} Approved-Provider credit entries imported", entries=count)
                db.session.commit()
                flash(f"{count} credit entries imported.", "success")
                return redirect(url_for("credit.import_credit"))
    return render_template("credit/import.html", form=form, problems=problems)


@bp.route("/entries/<int:entry_id>/withdraw", methods=["GET", "POST"])
@perm.require(perm.CREDITS_ENTER)
def withdraw_entry(entry_id: int) -> Response | str:
    entry = db.session.get(CreditEntry, entry_id)
    if entry is None:
        abort(404)
    if entry.superseded_at is not None:
        flash("This entry was already withdrawn.", "info")
        return redirect(url_for("credit.transcript", officer_id=entry.officer_id, year=entry.completed_on.year))
    if entry.roster_id is not None and request.method == "GET":
        flash("This entry came from a roster; the delivering agency corrects it with a roster amendment. "
              "Withdraw it here only if the agency cannot.", "warning")
    form = SupersedeForm()
    if form.validate_on_submit():
        ledger.supersede(entry, actor=current_user, reason=form.reason.data)
        record("credit.withdrawn", actor=current_user, subject=entry, summary=form.reason.data,
               officer_id=entry.officer_id)
        db.session.commit()
        flash("The entry was withdrawn; it stays on the record but no longer counts.", "success")
        return redirect(url_for("credit.transcript", officer_id=entry.officer_id, year=entry.completed_on.year))
    return render_template("credit/withdraw.html", entry=entry, form=form, today=date.today())

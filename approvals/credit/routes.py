"""Credit pages: transcripts, the agency's officers, the statewide report, evidence.

The blueprint's other pages live beside this module (roster_routes,
entry_routes, extension_routes) and are attached to the same blueprint here.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, render_template, request, send_file
from flask_login import current_user, login_required

from approvals import permissions as perm
from approvals import storage
from approvals.compliance import UnknownPeriod
from approvals.credit import periods, views
from approvals.credit.charts import STATUS_LABELS, STATUSES
from approvals.credit.standing import transcript as build_transcript
from approvals.credit.statewide import standings
from approvals.extensions import db
from approvals.models import Agency, CreditDocument, CreditEntry, Officer
from approvals.models.credit import SOURCE_LABELS

bp = Blueprint("credit", __name__, url_prefix="/credit", cli_group=None)


@bp.app_template_filter("status_label")
def status_label_filter(status: object) -> str:
    return views.status_label(status)


def year_arg(today: date) -> int:
    """?year=, default this year; 404 for a year without rules."""
    year = request.args.get("year", type=int) or today.year
    try:
        periods.period_rules(year)
    except UnknownPeriod:
        abort(404)
    if year > today.year + 1:
        abort(404)
    return year


def officer_or_404(officer_id: int, today: date) -> Officer:
    officer = db.session.get(Officer, officer_id)
    if officer is None or not officer.can_view(current_user, today):
        abort(404)
    return officer


@bp.get("/transcript")
@bp.get("/officers/<int:officer_id>")
@login_required
def transcript(officer_id: int | None = None) -> str:
    today = date.today()
    if officer_id is None:
        if not perm.can(current_user, perm.TRANSCRIPT_OWN):
            abort(404)
        officer = db.session.scalar(sa.select(Officer).where(Officer.user_id == current_user.id))
        if officer is None:
            return render_template("credit/not_linked.html")
    else:
        officer = officer_or_404(officer_id, today)
    year = year_arg(today)
    result = build_transcript(officer, year, today)
    return render_template(
        "credit/transcript.html", t=result, officer=officer, year=year, years=periods.known_years(today),
        own=officer.user_id == current_user.id, today=today, source_labels=SOURCE_LABELS,
        commission=officer.commission_on(today),
        may_request=officer.can_request_extension(current_user, today),
        may_enter=perm.can(current_user, perm.CREDITS_ENTER),
        may_see_evidence=officer.user_id == current_user.id or perm.can(current_user, perm.CREDITS_ENTER),
    )


def _dashboard_agency() -> Agency:
    """The user's own agency, or for POST report users any agency by ?agency=."""
    if perm.can(current_user, perm.REPORTS_STATEWIDE) and request.args.get("agency", type=int):
        agency = db.session.get(Agency, request.args.get("agency", type=int))
    elif perm.can(current_user, perm.AGENCY_DASHBOARD):
        agency = current_user.agency
    else:
        agency = None
    if agency is None:
        abort(404)
    return agency


def _dashboard_rows(agency: Agency, year: int, today: date) -> list[views.DashboardRow]:
    sort = request.args.get("sort", "status")
    sort = sort if sort in views.SORTS else "status"
    descending = request.args.get("dir") == "desc"
    items = standings(year, today, agency_id=agency.id)
    status = request.args.get("status")
    if status in STATUSES:
        items = [i for i in items if str(i.standing.status) == status]
    return views.dashboard_rows(items, sort, descending)


@bp.get("/agency")
@login_required
def agency_officers() -> str:
    today = date.today()
    agency = _dashboard_agency()
    year = year_arg(today)
    rows = _dashboard_rows(agency, year, today)
    everyone = rows if not request.args.get("status") else views.dashboard_rows(
        standings(year, today, agency_id=agency.id), "name", False)
    counts = {s: sum(1 for r in everyone if r.status == s) for s in STATUSES}
    return render_template(
        "credit/agency_officers.html", agency=agency, rows=rows, year=year, years=periods.known_years(today),
        columns=views.COLUMNS, sorts=views.SORTS, sort=request.args.get("sort", "status"),
        direction=request.args.get("dir", "asc"), status=request.args.get("status", ""), counts=counts,
        status_labels=STATUS_LABELS, agency_param=agency.id if agency.id != current_user.agency_id else None,
    )


@bp.get("/agency.csv")
@login_required
def agency_officers_csv() -> Response:
    today = date.today()
    agency = _dashboard_agency()
    year = year_arg(today)
    body = views.dashboard_csv(_dashboard_rows(agency, year, today), year)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="clee-{year}-{agency.ori}.csv"'})


@bp.get("/statewide")
@perm.require(perm.REPORTS_STATEWIDE)
def statewide() -> str:
    today = date.today()
    year = year_arg(today)
    summary = views.statewide_summary(standings(year, today), year, today)
    return render_template("credit/statewide.html", year=year, years=periods.known_years(today), s=summary,
                           statuses=STATUSES, status_labels=STATUS_LABELS, today=today,
                           rules=periods.period_rules(year))


@bp.get("/officers")
@perm.require(perm.CREDITS_ENTER)
def officers() -> str:
    q = (request.args.get("q") or "").strip()
    stmt = sa.select(Officer).order_by(Officer.name)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(Officer.license_number.ilike(like) | Officer.name.ilike(like))
    page = db.paginate(stmt, per_page=25)
    return render_template("credit/officers.html", page=page, q=q, today=date.today())


@bp.get("/evidence/<int:document_id>")
@login_required
def evidence(document_id: int) -> Response:
    """An evidence document, to POST staff who enter credit and to the officer it belongs to."""
    document = db.session.get(CreditDocument, document_id)
    if document is None:
        abort(404)
    officer_ids = set(db.session.scalars(sa.select(CreditEntry.officer_id).where(CreditEntry.evidence_id == document.id)))
    own = db.session.scalar(sa.select(Officer.id).where(Officer.user_id == current_user.id))
    if not (perm.can(current_user, perm.CREDITS_ENTER) or (own is not None and own in officer_ids)):
        abort(404)
    path = storage.path_for(current_app.config["UPLOAD_DIR"], document.stored_name)
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=document.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


from approvals.credit import entry_routes, extension_routes, roster_routes  # noqa: E402,F401  (attach their views to bp)
from approvals.credit import cli  # noqa: E402,F401  (commands on bp.cli)

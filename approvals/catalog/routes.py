"""The public statewide catalog: search, course pages, CSV export. No sign-in."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from urllib.parse import quote

import click
import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from approvals import permissions as perm
from approvals.catalog.course import find_course, public_course, upcoming_offerings
from approvals.catalog.export import csv_lines
from approvals.catalog.forms import CatalogSearchForm
from approvals.catalog.search import iter_courses, search_courses
from approvals.extensions import db, limiter
from approvals.models import Agency, CatalogEntry
from approvals.models.application import AREAS, DESIGNATIONS

bp = Blueprint("catalog", __name__, url_prefix="/catalog")
PER_PAGE = 20


def _agency_choices() -> list[tuple[int, str]]:
    """Agencies holding at least one catalog course (not every agency in the state)."""
    holds = sa.exists().where(CatalogEntry.agency_id == Agency.id)
    return list(db.session.execute(sa.select(Agency.id, Agency.name).where(holds).order_by(Agency.name)))


def _form() -> CatalogSearchForm:
    form = CatalogSearchForm(request.args).setup(_agency_choices())
    form.validate()
    return form


@bp.get("/")
def search() -> tuple[str, int]:
    form = _form()
    page_no = request.args.get("page", 1, type=int) or 1
    query = form.to_query(page=max(page_no, 1), per_page=PER_PAGE)
    results = search_courses(query) if form.check(query) else None
    return render_template("catalog/search.html", form=form, results=results, args=form.args(),
                           searched=bool(form.args()), designations=DESIGNATIONS), 200 if results is not None else 400


@bp.get("/export.csv")
@limiter.limit("20 per minute")
def export() -> Response | tuple[str, int]:
    form = _form()
    query = form.to_query()
    if not form.check(query):
        return render_template("catalog/search.html", form=form, results=None, args=form.args(), searched=True,
                               designations=DESIGNATIONS), 400

    # The body is produced after this view returns, so it reads through its
    # own connection and needs neither the request nor the app context.
    engine = db.engine
    prefix = url_for("catalog.search", _external=True) + "courses/"

    def body() -> Iterator[str]:
        with engine.connect() as conn:
            yield from csv_lines(iter_courses(query, conn), lambda number: prefix + quote(number))

    filename = f"clee-catalog-{date.today():%Y-%m-%d}.csv"
    return Response(
        body(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/courses/<approval_number>")
def course(approval_number: str) -> str:
    app = find_course(approval_number)
    if app is None:
        abort(404)
    facts = public_course(app)
    # Offerings of a revoked or expired course no longer earn credit; they are not advertised.
    offerings = upcoming_offerings(app.id) if facts.is_current else []
    can_schedule = facts.is_current and perm.can(current_user, perm.OFFERINGS_SCHEDULE)
    return render_template("catalog/course.html", course=facts, offerings=offerings, can_schedule=can_schedule,
                           areas=AREAS, designations=DESIGNATIONS)


@bp.cli.command("reindex")
def reindex() -> None:
    """Rebuild the catalog search table (after bulk loads that bypass the ORM)."""
    from approvals.models.catalog import rebuild_entries

    with db.engine.begin() as conn:
        count = rebuild_entries(conn)
    click.echo(f"Catalog rebuilt: {count} current course(s).")

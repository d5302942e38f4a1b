"""The dashboard, the application page, revisions, submit and withdraw."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug import Response

from approvals import permissions as perm
from approvals import workflow
from approvals.agency import bp
from approvals.agency.edit import review_section
from approvals.agency.forms import ActionForm, WithdrawForm
from approvals.agency.queries import (
    STATE_TAG, application_revision, latest_change_request, next_action, timeline, viewable_application,
)
from approvals.agency.sections import Progress, error_items
from approvals.extensions import db
from approvals.models import AREAS, DESIGNATIONS, Application, ApplicationState, DeliveryMethod, DocumentKind, User
from approvals.revisions import EMPTY_SNAPSHOT, cited_document_ids, diff_snapshots, snapshot_of

__all__ = ["bp"]

SORTS = {
    "activity": (Application.last_activity_at.desc(), "Last activity"),
    "title": (Application.title.asc(), "Title"),
    "state": (Application.state.asc(), "State"),
    "submitted": (Application.submitted_at.desc(), "Last submitted"),
    "created": (Application.created_at.desc(), "Started"),
}
PER_PAGE = 20


@bp.app_template_global()
def state_tag_class(state: ApplicationState) -> str:
    return STATE_TAG[state]


@bp.app_template_global("next_action")
def next_action_global(app: Application) -> tuple[str, str]:
    return next_action(app)


@bp.app_template_global()
def delivery_label(value: str | None) -> str:
    return DeliveryMethod(value).label if value else "Not chosen"


@bp.app_template_global()
def kind_label(value: str) -> str:
    return DocumentKind(value).label


bp.add_app_template_global(error_items)


@bp.app_template_global()
def hours_rows() -> list[tuple[str, str, str]]:
    """(key, label, group) for every hours figure, in the order the form shows them."""
    return [("total", "Total contact hours", ""),
            *[(k, v, "core area") for k, v in AREAS.items()],
            *[(k, v, "designation") for k, v in DESIGNATIONS.items()]]


@bp.route("/")
@perm.require(perm.AGENCY_DASHBOARD)
def dashboard() -> str:
    """The agency's applications, filterable by state, sortable, paginated."""
    mine = Application.agency_id == current_user.agency_id
    state = request.args.get("state", "")
    state = state if state in ApplicationState._value2member_map_ else ""
    sort = request.args.get("sort", "activity")
    sort = sort if sort in SORTS else "activity"
    stmt = db.select(Application).where(mine)
    if state:
        stmt = stmt.where(Application.state == ApplicationState(state))
    stmt = stmt.order_by(SORTS[sort][0], Application.id.desc())
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    counts = dict(db.session.execute(
        db.select(Application.state, db.func.count()).where(mine).group_by(Application.state)
    ).all())
    return render_template("agency/dashboard.html", page=page, state=state, sort=sort, sorts=SORTS,
                           counts=counts, states=list(ApplicationState), total=sum(counts.values()))


@bp.route("/applications/<int:app_id>")
@login_required
def application(app_id: int) -> str:
    """Everything about one application, for anyone allowed to see it."""
    app = viewable_application(app_id)
    events = timeline(app, current_user)
    progress = Progress.of(app) if app.can_edit(current_user) else None
    todo = [s.slug for s, _ in progress.grouped()] if progress else []
    return render_template(
        "agency/application.html", app=app, snapshot=snapshot_of(app), events=events,
        change_request=latest_change_request(events) if app.state == ApplicationState.CHANGES_REQUESTED else None,
        progress=progress, first_section=todo[0] if todo else "course",
        viewable_ids={d.id for d in app.live_documents} | cited_document_ids(app.revisions),
    )


@bp.route("/applications/<int:app_id>/revisions/<int:number>")
@login_required
def revision(app_id: int, number: int) -> str:
    """Revision *number* as frozen, and what changed since the one before it."""
    app = viewable_application(app_id)
    rev = application_revision(app, number)
    previous = application_revision(app, number - 1) if number > 1 else None
    changes = diff_snapshots(previous.snapshot if previous else EMPTY_SNAPSHOT, rev.snapshot)
    submitted_by = db.session.get(User, rev.submitted_by_id) if rev.submitted_by_id else None
    return render_template("agency/revision.html", app=app, revision=rev, previous=previous, changes=changes,
                           snapshot=rev.snapshot, viewable_ids=cited_document_ids(app.revisions),
                           submitted_by=submitted_by.name if submitted_by else "")


@bp.route("/applications/<int:app_id>/submit", methods=["POST"])
@perm.require(perm.APPLICATIONS_WORK)
def submit(app_id: int) -> Response | tuple[str, int]:
    """Submit a draft or resubmit after a change request (workflow.submit decides which)."""
    app = viewable_application(app_id)
    if not ActionForm().validate():
        abort(400)
    try:
        revision = workflow.submit(app, current_user)
    except workflow.NotPermitted:
        abort(404)
    except workflow.Incomplete as exc:
        db.session.rollback()
        return review_section(app, exc.problems)
    db.session.commit()
    verb = "Resubmitted" if revision.number > 1 else "Submitted"
    flash(f"{verb} “{app.title}” to POST as revision {revision.number}. You will be notified when it is "
          "reviewed.", "success")
    return redirect(url_for("agency.application", app_id=app.id))


@bp.route("/applications/<int:app_id>/withdraw", methods=["GET", "POST"])
@perm.require(perm.APPLICATIONS_WORK)
def withdraw(app_id: int) -> Response | str:
    """Confirm, then take the application back from POST (or abandon a draft)."""
    app = viewable_application(app_id)
    if not app.can_withdraw(current_user):
        if current_user.agency_id != app.agency_id:
            abort(404)
        raise workflow.TransitionError(f"This application is {app.state.label.lower()}; it cannot be withdrawn now.")
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            workflow.withdraw(app, current_user, (form.reason.data or "").strip())
        except workflow.NotPermitted:
            abort(404)
        db.session.commit()
        flash(f"Withdrew “{app.title or 'untitled draft'}”.", "success")
        return redirect(url_for("agency.application", app_id=app.id))
    return render_template("agency/withdraw.html", app=app, form=form)

"""The POST review area: the queue, the review page, decisions, comments,
the checklist, reassignment and reviewers' leave."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug import Response

from approvals import permissions as perm
from approvals import workflow
from approvals.extensions import db
from approvals.models import Application, Role, User, record
from approvals.models._types import utcnow
from approvals.review import page as review_page
from approvals.review import queue as q
from approvals.review.forms import (
    choices,
    CHECKLIST, ApproveForm, AssignForm, ChecklistForm, CommentForm, DenyForm, LeaveForm, QueueFilterForm,
    RequestChangesForm,
)

bp = Blueprint("review", __name__, url_prefix="/review")

CONFLICT = ("Someone else changed this application while you were looking at it (another decision or an edit). "
            "Your decision was not saved; reload the page to see the latest.")


@bp.route("/")
@perm.require(perm.REVIEW_QUEUE)
def queue() -> str:
    form = QueueFilterForm(request.args)
    default_tab = "all" if current_user.role == "post_admin" else "mine"
    tab = request.args.get("tab", default_tab)
    filters = q.QueueFilters(
        tab=tab if tab in q.TABS else default_tab,
        **({} if not form.validate() else {
            "state": form.state.data or "", "area": form.area.data or "", "designation": form.designation.data or "",
            "agency_id": form.agency.data or 0, "age": form.age.data or ""}),
    )
    now = utcnow()
    counts = q.state_counts(filters, current_user, now)
    page = q.queue_page(filters, current_user, request.args.get("page", 1, type=int), now)
    return render_template(
        "review/queue.html", form=form, filters=filters, tabs=q.TABS, page=page, now=now,
        agency_options=q.agency_options(filters.agency_id),
        counts=[(s, counts.get(s, 0)) for s in q.STATE_ORDER], badge=q.badge, age_days=q.age_days,
        leave_form=LeaveForm(formdata=None, on_leave=0 if current_user.on_leave else 1),
        can_take_leave=current_user.role == Role.POST_REVIEWER,
    )


@bp.route("/leave", methods=["POST"])
@perm.require(perm.REVIEW_QUEUE)
def leave() -> Response:
    form = LeaveForm()
    if form.validate_on_submit():
        current_user.on_leave = bool(form.on_leave.data)
        record("user.leave_changed", actor=current_user, subject=current_user, internal=True,
               summary=f"{current_user.name} is {'on leave' if current_user.on_leave else 'back from leave'}",
               on_leave=current_user.on_leave)
        db.session.commit()
        flash("You are marked on leave: routing will not give you new applications." if current_user.on_leave
              else "Welcome back: routing gives you new applications again.", "success")
    return redirect(url_for("review.queue"))


def _load(app_id: int) -> Application:
    return review_page.load_application(app_id, current_user)


def _render(app: Application, status: int = 200, **posted: Any) -> tuple[str, int]:
    forms = review_page.build_forms(app, posted=posted)
    return render_template("review/application.html", forms=forms,
                           **review_page.page_context(app, current_user)), status


@bp.route("/applications/<int:app_id>")
@perm.require(perm.REVIEW_QUEUE)
def application(app_id: int) -> tuple[str, int]:
    return _render(_load(app_id))


def _act(app: Application, form_name: str, form: Any, action: Callable[[], Any], success: str) -> Response | tuple[str, int]:
    """Run a workflow action and commit it, or show why not. A lost race
    (stale version, row changed under us) is a 409 with the conflict
    message and nothing saved; a refused input re-renders the page (422)."""
    app_id = app.id
    try:
        action()
        db.session.commit()
    except workflow.NotPermitted:
        db.session.rollback()
        abort(404)
    except workflow.Incomplete as exc:
        db.session.rollback()
        for problem in exc.problems:
            target = form[problem.field] if problem.field in form else None
            (target.errors if target is not None else form.form_errors).append(problem.message)
        return _render(_load(app_id), 422, **{form_name: form})
    except StaleDataError:
        db.session.rollback()
        raise workflow.StaleVersion(CONFLICT) from None
    flash(success, "success")
    return redirect(url_for("review.application", app_id=app_id))


@bp.route("/applications/<int:app_id>/approve", methods=["POST"])
@perm.require(perm.REVIEW_DECIDE)
def approve(app_id: int) -> Response | tuple[str, int]:
    app, form = _load(app_id), ApproveForm()
    if not form.validate_on_submit():
        return _render(app, 422, approve=form)
    return _act(app, "approve", form,
                lambda: workflow.approve(app, current_user, form.hours(), form.note.data or "", seen_version=form.seen()),
                "Approved. The approval letter is being prepared and will be e-mailed to the agency.")


@bp.route("/applications/<int:app_id>/request-changes", methods=["POST"])
@perm.require(perm.REVIEW_DECIDE)
def request_changes(app_id: int) -> Response | tuple[str, int]:
    app, form = _load(app_id), RequestChangesForm()
    if not form.validate_on_submit():
        return _render(app, 422, changes=form)
    return _act(app, "changes", form,
                lambda: workflow.request_changes(app, current_user, form.message.data, seen_version=form.seen()),
                "Sent back to the agency for changes.")


@bp.route("/applications/<int:app_id>/deny", methods=["POST"])
@perm.require(perm.REVIEW_DECIDE)
def deny(app_id: int) -> Response | tuple[str, int]:
    app, form = _load(app_id), DenyForm()
    form.codes.choices = choices(workflow.DENIAL_REASONS.items())
    if not form.validate_on_submit():
        return _render(app, 422, deny=form)
    return _act(app, "deny", form,
                lambda: workflow.deny(app, current_user, form.codes.data, form.reason.data, seen_version=form.seen()),
                "Denied. The agency is being notified.")


@bp.route("/applications/<int:app_id>/comments", methods=["POST"])
@perm.require(perm.REVIEW_QUEUE)
def comment(app_id: int) -> Response | tuple[str, int]:
    app, form = _load(app_id), CommentForm()
    if not form.validate_on_submit():
        return _render(app, 422, comment=form)
    internal = form.visibility.data != "agency"
    return _act(app, "comment", form,
                lambda: workflow.add_comment(app, current_user, form.body.data, internal=internal),
                "Internal note added." if internal else "Message sent to the agency.")


@bp.route("/applications/<int:app_id>/checklist", methods=["POST"])
@perm.require(perm.REVIEW_DECIDE)
def checklist(app_id: int) -> Response | tuple[str, int]:
    app, form = _load(app_id), ChecklistForm()
    if not app.can_decide(current_user):
        abort(404)
    if not form.validate_on_submit():
        return _render(app, 422, checklist=form)
    items = {k: bool(form[k].data) for k in CHECKLIST}
    value = {"items": items, "notes": (form.notes.data or "").strip(), "by": current_user.id,
             "at": utcnow().isoformat(timespec="seconds"), "revision": app.revision_count}
    # A plain UPDATE: ticking the checklist must not bump the version and so
    # turn a decision form open in another tab into a conflict.
    table = Application.__table__
    db.session.execute(sa.update(table).where(table.c.id == app.id).values(checklist=value))
    record("review.checklist_saved", actor=current_user, subject=app, application_id=app.id, agency_id=app.agency_id,
           internal=True, summary=f"Checklist saved ({sum(items.values())} of {len(items)} confirmed)", items=items)
    db.session.commit()
    flash("Checklist saved.", "success")
    return redirect(url_for("review.application", app_id=app.id, _anchor="checklist"))


@bp.route("/applications/<int:app_id>/assign", methods=["POST"])
@perm.require(perm.REVIEW_ASSIGN)
def assign(app_id: int) -> Response | tuple[str, int]:
    app, form = _load(app_id), AssignForm()
    form.reviewer_id.choices = review_page.reviewer_choices(app)
    if not review_page.can_reassign(app, current_user):
        raise workflow.TransitionError(
            f"This application is {app.state.label.lower()}; it can only be assigned while submitted or in review.")
    if not form.validate_on_submit():
        return _render(app, 422, assign=form)
    reviewer = db.session.get(User, form.reviewer_id.data)
    return _act(app, "assign", form,
                lambda: workflow.assign(app, reviewer, current_user, note=form.note.data or ""),
                f"Assigned to {reviewer.name}.")

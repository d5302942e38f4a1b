"""Admin: the outbox — background work that failed or was given up on, with a retry button.

Registered on the admin blueprint (imported by create_app before it registers
the blueprint).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug import Response

from approvals import dispatch
from approvals import permissions as perm
from approvals.admin.routes import bp
from approvals.extensions import db
from approvals.models import OutboxMessage, OutboxStatus, record

FILTERS = {
    "problems": ("Needs attention", [OutboxStatus.DEAD, OutboxStatus.FAILED]),
    "dead": ("Dead", [OutboxStatus.DEAD]),
    "failed": ("Failed (will retry)", [OutboxStatus.FAILED]),
    "waiting": ("Waiting", [OutboxStatus.PENDING, OutboxStatus.ENQUEUED]),
    "done": ("Done", [OutboxStatus.DONE]),
}


@bp.route("/outbox")
@perm.require(perm.OUTBOX_VIEW)
def outbox() -> str:
    show = request.args.get("show", "problems")
    if show not in FILTERS:
        show = "problems"
    counts = dict(db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ).all())
    stmt = (sa.select(OutboxMessage).where(OutboxMessage.status.in_(FILTERS[show][1]))
            .order_by(OutboxMessage.created_at.desc()))
    page = db.paginate(stmt, per_page=50)
    filter_counts = {key: sum(counts.get(s, 0) for s in statuses) for key, (_, statuses) in FILTERS.items()}
    return render_template("admin/outbox.html", page=page, show=show, filters=FILTERS, filter_counts=filter_counts,
                           is_running=dispatch.is_running, can_retry=can_retry)


def can_retry(row: OutboxMessage) -> bool:
    return row.status in (OutboxStatus.DEAD, OutboxStatus.FAILED)


@bp.route("/outbox/<outbox_id>/retry", methods=["POST"])
@perm.require(perm.OUTBOX_VIEW)
def outbox_retry(outbox_id: str) -> Response:
    row = db.session.get(OutboxMessage, outbox_id)
    if row is None:
        abort(404)
    if not can_retry(row):
        flash("That job is not failed or dead; nothing to retry.", "warning")
        return redirect(url_for("admin.outbox"))
    before = row.status.value
    dispatch.retry(row)
    record("outbox.retried", actor=current_user, subject=None, application_id=row.application_id,
           internal=True, summary=f"Retried background job {row.task} ({before})", outbox_id=row.id)
    db.session.commit()
    flash(f"Job {row.task} queued again with a fresh set of attempts.", "success")
    return redirect(url_for("admin.outbox", show=request.args.get("show", "problems")))

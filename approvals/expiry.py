"""The daily expiry sweep: approvals past their expiry date become expired.

Run it with ``flask --app approvals expire-approvals`` (cron, daily) or from
the worker's periodic loop via `expire_due`. Pages that show an approval's
status already treat one past its date as expired (see
approvals.verification.approval_status), so a late sweep misleads nobody.
"""
from __future__ import annotations

import logging
from datetime import date

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.orm.exc import StaleDataError

from approvals import workflow
from approvals.extensions import db
from approvals.models import Application, ApplicationState

log = logging.getLogger(__name__)


def expire_due(today: date | None = None) -> list[str]:
    """Mark every approval whose expiry date is before *today* as expired,
    one commit per approval. Returns the approval numbers marked.

    An approval changed by someone else meanwhile (e.g. revoked) is skipped;
    the next run looks at it again. Raises SQLAlchemyError for database
    failures other than that.
    """
    today = today or date.today()
    ids = list(db.session.scalars(
        sa.select(Application.id).where(Application.state == ApplicationState.APPROVED,
                                        Application.expires_on < today)
        .order_by(Application.expires_on, Application.id)
    ))
    expired: list[str] = []
    for app_id in ids:
        app = db.session.get(Application, app_id)
        if app is None or app.state != ApplicationState.APPROVED:
            continue
        try:
            if workflow.expire(app, today=today):
                number = app.approval_number or ""
                db.session.commit()
                expired.append(number)
        except (StaleDataError, workflow.TransitionError):
            db.session.rollback()
            log.info("Approval of application %s changed while expiring; left for the next run.", app_id)
    if expired:
        log.info("Expired %d approval(s): %s", len(expired), ", ".join(expired))
    return expired


@click.command("expire-approvals")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Treat this date (YYYY-MM-DD) as today.")
@with_appcontext
def expire_approvals_command(today: object) -> None:
    """Mark approvals past their expiry date as expired (run daily)."""
    day = today.date() if today is not None else None  # type: ignore[attr-defined]
    numbers = expire_due(day)
    click.echo(f"Expired {len(numbers)} approval(s)" + (f": {', '.join(numbers)}" if numbers else "."))

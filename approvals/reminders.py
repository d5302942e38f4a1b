"""The SLA sweep: remind the reviewer when an application has waited past
REVIEW_SLA_DAYS since its latest submission, escalate to the administrators
past ESCALATION_SLA_DAYS. Run periodically by the worker.

Each application is reminded and escalated at most once per submission
(workflow.submit clears reminded_at/escalated_at). The marks are set with a
conditional UPDATE that does not bump the application's version, so a sweep
never turns a reviewer's open decision form into a conflict.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from approvals import outbox
from approvals.extensions import db
from approvals.models import Application, record
from approvals.models._types import utcnow
from approvals.models.application import REVIEWABLE_STATES


@dataclass
class SlaResult:
    reminded: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)


def sla_status(submitted_at: datetime | None, now: datetime, *, review_days: int, escalation_days: int) -> str:
    """'ok', 'due' (past the review SLA) or 'escalated' (past the second one)."""
    if submitted_at is None:
        return "ok"
    age = now - submitted_at
    if age >= timedelta(days=escalation_days):
        return "escalated"
    if age >= timedelta(days=review_days):
        return "due"
    return "ok"


def sweep_sla(now: datetime | None = None, *, batch: int = 500) -> SlaResult:
    """Emit "reminder" and "escalation" notifications for applications past
    their SLA that have not had one yet for this submission. Commits."""
    now = now or utcnow()
    cfg = current_app.config
    result = SlaResult()
    for mark, days, event, found in (
        ("reminded_at", cfg["REVIEW_SLA_DAYS"], "reminder", result.reminded),
        ("escalated_at", cfg["ESCALATION_SLA_DAYS"], "escalation", result.escalated),
    ):
        column = getattr(Application, mark)
        due = db.session.execute(
            sa.select(Application.id, Application.agency_id).where(
                Application.state.in_(REVIEWABLE_STATES), column.is_(None),
                Application.submitted_at <= now - timedelta(days=days),
            ).order_by(Application.submitted_at).limit(batch)
        ).all()
        table = Application.__table__
        for app_id, agency_id in due:
            claimed = db.session.execute(
                sa.update(table).where(table.c.id == app_id, table.c[mark].is_(None)).values({mark: now})
            ).rowcount
            if not claimed:
                continue  # another sweep got it
            record(f"application.{event}", actor=None, subject=None, application_id=app_id, agency_id=agency_id,
                   internal=True, summary=f"Waiting more than {days} days: {event} sent")
            outbox.emit(outbox.NOTIFY, application_id=app_id, event=event)
            found.append(app_id)
        db.session.commit()
    return result

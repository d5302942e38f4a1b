"""The daily CLEE job: record today's compliance snapshot and send the due reminders.

The worker's periodic sweep calls :func:`schedule_daily` (cheap: one query);
it writes one outbox row "clee_daily" per day, which RQ runs as
:func:`daily_compliance` like any other job, so a long reminder run never
blocks the worker loop and a failure is retried by the outbox sweep.
"""
from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa

from approvals import outbox
from approvals.compliance import UnknownPeriod
from approvals.credit.periods import period_rules
from approvals.credit.reminders import send_reminders
from approvals.credit.snapshots import record_snapshot
from approvals.extensions import db
from approvals.models.outbox import OutboxMessage

TASK = "clee_daily"


def schedule_daily(today: date | None = None) -> bool:
    """Emit today's "clee_daily" outbox row unless there is one; commits. True if emitted."""
    today = today or date.today()
    since = datetime.combine(today, time.min)
    if db.session.scalar(sa.select(OutboxMessage.id).where(
            OutboxMessage.task == TASK, OutboxMessage.created_at >= since).limit(1)) is not None:
        return False
    outbox.emit(TASK, as_of=today.isoformat())
    db.session.commit()
    return True


def daily_compliance(application_id: int | None = None, as_of: str | None = None) -> dict[str, int]:
    """Snapshot this year's (and, until its grace date, last year's) standings,
    then send the due reminders. Idempotent for a day: the snapshot of the
    day is replaced and reminders already sent are not sent again."""
    day = date.fromisoformat(as_of) if as_of else date.today()
    for year in (day.year - 1, day.year):
        try:
            rules = period_rules(year)
        except UnknownPeriod:
            continue
        if rules.start <= day <= rules.grace_date:
            record_snapshot(year, day)
    db.session.commit()
    return send_reminders(day)

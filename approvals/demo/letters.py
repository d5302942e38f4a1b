"""Demo step: every approved demo application gets its approval letter.

Runs after the other demo steps, which approve some applications through the
workflow (that queues the letter job, but the worker may not be running
yet). Rendering here makes the demo's letters exist as soon as it is loaded;
the queued jobs then find them and do nothing.
"""
from __future__ import annotations

import sqlalchemy as sa

from approvals.extensions import db
from approvals.letter_jobs import render_letter
from approvals.models import Application, ApprovalLetter
from approvals.models.application import APPROVED_STATES


def load() -> None:
    """Render the letter of each approved (or revoked/expired) demo application that has none."""
    has_letter = sa.select(ApprovalLetter.id).where(ApprovalLetter.application_id == Application.id).exists()
    ids = db.session.scalars(
        sa.select(Application.id).where(Application.state.in_(APPROVED_STATES), ~has_letter).order_by(Application.id)
    ).all()
    for application_id in ids:
        render_letter(application_id=application_id)
    db.session.flush()

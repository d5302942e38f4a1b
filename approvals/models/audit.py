"""The append-only audit trail.

Rows are only ever inserted: an ORM guard refuses updates and deletes, and the
migration adds database triggers so raw SQL cannot rewrite history either.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from approvals.extensions import db
from approvals.models._types import utcnow
from approvals.models.user import User


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # e.g. "application.submitted", "user.created", "mail.sent"
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[int | None]
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    # Internal events (reviewer notes, routing details) are hidden from agencies.
    internal: Mapped[bool] = mapped_column(default=False)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship()


class AuditImmutableError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_audit_rewrites(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditImmutableError("Audit events are append-only.")


def record(
    action: str,
    *,
    actor: User | None,
    subject: Any = None,
    summary: str = "",
    application_id: int | None = None,
    agency_id: int | None = None,
    internal: bool = False,
    **data: Any,
) -> AuditEvent:
    """Add an audit event to the current session (the caller commits)."""
    subject_type = subject.__tablename__ if subject is not None else "system"
    event_row = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=subject_type,
        subject_id=getattr(subject, "id", None),
        application_id=application_id,
        agency_id=agency_id,
        internal=internal,
        summary=summary,
        data=data,
    )
    db.session.add(event_row)
    return event_row

"""Revisions: an immutable snapshot frozen at each submission."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from approvals.extensions import db
from approvals.models._types import utcnow

if TYPE_CHECKING:
    from approvals.models.application import Application


class Revision(db.Model):
    __tablename__ = "revisions"
    __table_args__ = (sa.UniqueConstraint("application_id", "number", name="uq_revisions_application_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Fields, objectives, instructors and document metadata (ids + sha256).
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    application: Mapped[Application] = relationship(back_populates="revisions")


class RevisionImmutableError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_revision_rewrites(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in session.dirty:
        if isinstance(obj, Revision) and session.is_modified(obj):
            raise RevisionImmutableError("A submitted revision cannot be changed.")

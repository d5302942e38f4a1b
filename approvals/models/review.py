"""What reviewing needs besides the application: comments, conflicts,
notifications and the per-year approval number counter."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from approvals.extensions import db
from approvals.models._types import utcnow
from approvals.models.user import User


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    # Internal notes are for POST only; the agency never sees them.
    internal: Mapped[bool] = mapped_column(default=False)
    revision_number: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()


class ReviewerConflict(db.Model):
    """A reviewer who must not review an agency's courses (e.g. former member)."""

    __tablename__ = "reviewer_conflicts"
    __table_args__ = (sa.UniqueConstraint("reviewer_id", "agency_id", name="uq_reviewer_conflicts_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(db.Model):
    """An in-app notification; the same events also go out by e-mail."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    message: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class ApprovalCounter(db.Model):
    """Last approval number issued per year; incremented under a row lock."""

    __tablename__ = "approval_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)

"""The transactional outbox: background work recorded with the change that needs it."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from approvals.extensions import db
from approvals.models._types import enum_column, utcnow


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"      # written, not yet on the queue
    ENQUEUED = "enqueued"    # on RQ with job id == outbox id
    DONE = "done"            # the job finished
    FAILED = "failed"        # last run failed; the sweep will retry
    DEAD = "dead"            # gave up after OUTBOX_MAX_ATTEMPTS; shown to admins


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=lambda: uuid.uuid4().hex)
    task: Mapped[str] = mapped_column(sa.String(64))
    args: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id", ondelete="SET NULL"))
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    enqueued_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(sa.Text, default="")

"""Approval letters: rendered once, never silently replaced."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from approvals.extensions import db
from approvals.models._types import utcnow


class ApprovalLetter(db.Model):
    __tablename__ = "approval_letters"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "issue", name="uq_approval_letters_application_issue"),
        sa.CheckConstraint(
            "(superseded_at IS NULL) = (superseded_reason = '')", name="superseded_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"), index=True)
    issue: Mapped[int] = mapped_column(default=1)  # 1 = original, 2.. = reissues
    approval_number: Mapped[str] = mapped_column(sa.String(20), index=True)
    code: Mapped[str] = mapped_column(sa.String(64))
    facts: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None]
    superseded_reason: Mapped[str] = mapped_column(sa.Text, default="")

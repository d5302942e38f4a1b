"""Compliance records: extensions, the rules of each period, reminders sent, snapshots."""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from approvals.extensions import db
from approvals.models._types import enum_column, utcnow

if TYPE_CHECKING:
    from approvals.models.agency import Agency
    from approvals.models.officer import Officer
    from approvals.models.user import User


class ExtensionKind(enum.StrEnum):
    MEDICAL = "medical"
    MILITARY = "military"

    @property
    def label(self) -> str:
        return {"medical": "Medical leave", "military": "Military leave of absence"}[self.value]


class ExtensionStatus(enum.StrEnum):
    REQUESTED = "requested"
    GRANTED = "granted"
    DENIED = "denied"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Extension(db.Model):
    """A medical or military extension of one officer's deadline for one period.

    Requested by the commissioning agency, decided by POST.
    """

    __tablename__ = "extensions"
    __table_args__ = (
        sa.CheckConstraint(
            "(status = 'requested') = (decided_at IS NULL)", name="decided_iff_not_requested"
        ),
        sa.Index("ix_extensions_year_status", "year", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id"), index=True)
    year: Mapped[int]
    kind: Mapped[ExtensionKind] = mapped_column(enum_column(ExtensionKind, "extension_kind"))
    new_due_date: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ExtensionStatus] = mapped_column(
        enum_column(ExtensionStatus, "extension_status"), default=ExtensionStatus.REQUESTED
    )
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    officer: Mapped[Officer] = relationship()
    agency: Mapped[Agency | None] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_granted(self) -> bool:
        return self.status == ExtensionStatus.GRANTED


class ReportingPeriod(db.Model):
    """The rules of one reporting year as data: ``PeriodRules.to_dict()``."""

    __tablename__ = "reporting_periods"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    rules: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReminderLog(db.Model):
    """One reminder round sent to one officer or one agency: never sent twice."""

    __tablename__ = "reminder_log"
    __table_args__ = (
        sa.UniqueConstraint("year", "round", "officer_id", name="uq_reminder_log_officer_round"),
        sa.UniqueConstraint("year", "round", "agency_id", name="uq_reminder_log_agency_round"),
        sa.CheckConstraint("(officer_id IS NULL) <> (agency_id IS NULL)", name="officer_xor_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    # e.g. "before-10-01", "after-01-15": the scheduled round it belongs to.
    round: Mapped[str] = mapped_column(sa.String(32))
    officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("officers.id"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    recipients: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class ComplianceSnapshot(db.Model):
    """Counts of officers by status, per agency, as of one day (for the yearly chart).

    ``by_agency`` maps agency id (as a string; "none" for officers without a
    commission) to {status: count}.
    """

    __tablename__ = "compliance_snapshots"
    __table_args__ = (sa.UniqueConstraint("year", "taken_on", name="uq_compliance_snapshots_year_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    taken_on: Mapped[date]
    by_agency: Mapped[dict[str, dict[str, int]]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for counts in self.by_agency.values():
            for status, n in counts.items():
                out[status] = out.get(status, 0) + n
        return out

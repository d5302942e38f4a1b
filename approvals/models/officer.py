"""Licensed peace officers and their commission history.

An officer is licensed by POST and commissioned by zero or more agencies over
time. The CLEE requirement follows the license, not the commission: a
non-commissioned officer who wants to keep the license must meet it too.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from approvals.extensions import db
from approvals.models._types import utcnow

if TYPE_CHECKING:
    from approvals.models.agency import Agency
    from approvals.models.user import User


def normalise_license(value: str | None) -> str:
    """License numbers compare case- and space-insensitively: stored upper-case, trimmed."""
    return (value or "").strip().upper()


class Officer(db.Model):
    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    license_number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    licensed_on: Mapped[date]
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    # The officer's own sign-in (role "officer"), when they have onboarded.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()
    commissions: Mapped[list[Commission]] = relationship(
        back_populates="officer", order_by="Commission.started_on", cascade="all, delete-orphan"
    )

    @validates("license_number")
    def _normalise_license(self, _key: str, value: str) -> str:
        return normalise_license(value)

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return (value or "").strip().lower()

    def commission_on(self, day: date) -> Commission | None:
        """The commission in force on *day* (the latest started, if records overlap)."""
        current = [c for c in self.commissions if c.is_active_on(day)]
        return max(current, key=lambda c: c.started_on) if current else None

    def agency_on(self, day: date) -> Agency | None:
        commission = self.commission_on(day)
        return commission.agency if commission else None

    # --- permission predicates ----------------------------------------------
    def can_view(self, user: Any, today: date | None = None) -> bool:
        """The officer themself, POST staff who report or enter credit, and
        staff of the agency that commissions the officer today."""
        from approvals import permissions as perm

        if not getattr(user, "is_authenticated", False) or not user.active:
            return False
        if perm.can(user, perm.REPORTS_STATEWIDE) or perm.can(user, perm.CREDITS_ENTER):
            return True
        if perm.can(user, perm.TRANSCRIPT_OWN):
            return self.user_id is not None and self.user_id == user.id
        if perm.can(user, perm.AGENCY_DASHBOARD) and user.agency_id is not None:
            commission = self.commission_on(today or date.today())
            return commission is not None and commission.agency_id == user.agency_id
        return False

    def can_request_extension(self, user: Any, today: date | None = None) -> bool:
        """Only the commissioning agency asks POST for an extension."""
        from approvals import permissions as perm

        if not perm.can(user, perm.EXTENSIONS_REQUEST):
            return False
        commission = self.commission_on(today or date.today())
        return commission is not None and commission.agency_id == user.agency_id

    def __repr__(self) -> str:
        return f"<Officer {self.license_number} {self.name!r}>"


class Commission(db.Model):
    """An agency's commission of an officer, from a date until a date (or still)."""

    __tablename__ = "commissions"
    __table_args__ = (
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ends_after_start"),
        sa.Index("ix_commissions_agency_dates", "agency_id", "started_on", "ended_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]

    officer: Mapped[Officer] = relationship(back_populates="commissions")
    agency: Mapped[Agency] = relationship()

    def is_active_on(self, day: date) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)

    def __repr__(self) -> str:
        return f"<Commission officer={self.officer_id} agency={self.agency_id} {self.started_on}..{self.ended_on}>"

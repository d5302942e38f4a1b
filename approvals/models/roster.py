"""Rosters: the delivering agency's record of who completed an offering.

A roster is posted once, whole, and is locked from then on; each line became
a credit entry. Corrections are amendments: each one is kept with who made
it, when, why and what changed, and works by superseding credit entries.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from approvals.extensions import db
from approvals.models._types import utcnow

if TYPE_CHECKING:
    from approvals.models.offering import Offering
    from approvals.models.user import User


class Roster(db.Model):
    __tablename__ = "rosters"

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(sa.ForeignKey("offerings.id"), unique=True)
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)
    posted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # Always true once posted: the lines change only by amendment.
    locked: Mapped[bool] = mapped_column(default=True)
    # "csv" or "form": how the lines arrived.
    posted_via: Mapped[str] = mapped_column(sa.String(8), default="form")
    line_count: Mapped[int] = mapped_column(default=0)

    offering: Mapped[Offering] = relationship()
    posted_by: Mapped[User] = relationship()
    amendments: Mapped[list[RosterAmendment]] = relationship(
        back_populates="roster", order_by="RosterAmendment.id"
    )

    def can_amend(self, user: Any) -> bool:
        """The delivering agency's staff who may post rosters, and nobody else."""
        from approvals.permissions import ROSTERS_POST, can

        return can(user, ROSTERS_POST) and user.agency_id == self.offering.agency_id


class RosterAmendment(db.Model):
    """One audited correction of a posted roster (append-only)."""

    __tablename__ = "roster_amendments"
    __table_args__ = (sa.CheckConstraint("reason <> ''", name="has_reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(sa.ForeignKey("rosters.id"), index=True)
    amended_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    amended_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(sa.Text)
    # [{"license_number", "name", "before": hours|None, "after": hours|None}]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)

    roster: Mapped[Roster] = relationship(back_populates="amendments")
    amended_by: Mapped[User] = relationship()


@event.listens_for(Session, "before_flush")
def _refuse_amendment_rewrites(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, RosterAmendment) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("Roster amendments are append-only.")

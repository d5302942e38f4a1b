"""An offering: one scheduled delivery of a catalog course by some agency.

Any agency may deliver any approved course, so the delivering agency
(`agency_id`) is often not the agency that holds the approval. Offerings are
created and changed only through approvals/offerings.py.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from approvals.extensions import db
from approvals.models._types import utcnow

if TYPE_CHECKING:
    from approvals.models.agency import Agency
    from approvals.models.application import Application
    from approvals.models.user import User

MAX_SEATS = 1000


class Offering(db.Model):
    __tablename__ = "offerings"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint(f"seats BETWEEN 1 AND {MAX_SEATS}", name="seats_in_range"),
        sa.CheckConstraint("online OR location <> ''", name="location_unless_online"),
        sa.CheckConstraint("NOT online OR online_url <> ''", name="online_has_url"),
        sa.Index("ix_offerings_application_starts", "application_id", "starts_on"),
        sa.Index("ix_offerings_agency_starts", "agency_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id"))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    online: Mapped[bool] = mapped_column(default=False)
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    # Names as the public should read them, one per line.
    instructors: Mapped[str] = mapped_column(sa.Text, default="")
    # Officer license numbers of licensed instructors, comma-separated: the
    # roster step posts 1:1 instruction credit against them.
    instructor_licenses: Mapped[str] = mapped_column(sa.String(500), default="")
    seats: Mapped[int]
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(254))
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")

    application: Mapped[Application] = relationship()
    agency: Mapped[Agency] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    @property
    def license_numbers(self) -> list[str]:
        return [n for n in re.split(r"[\s,;]+", self.instructor_licenses or "") if n]

    @property
    def instructor_names(self) -> list[str]:
        return [line.strip() for line in (self.instructors or "").splitlines() if line.strip()]

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def is_over(self, today: date | None = None) -> bool:
        return self.ends_on < (today or date.today())

    # --- permission predicates ----------------------------------------------
    def can_manage(self, user: Any) -> bool:
        """Only the delivering agency's own staff change or cancel an offering."""
        from approvals.permissions import OFFERINGS_SCHEDULE, can

        return can(user, OFFERINGS_SCHEDULE) and user.agency_id == self.agency_id

    def can_edit(self, user: Any, today: date | None = None) -> bool:
        return self.can_manage(user) and not self.is_cancelled and not self.is_over(today)

    def can_cancel(self, user: Any, today: date | None = None) -> bool:
        return self.can_edit(user, today)

    def __repr__(self) -> str:
        return f"<Offering {self.id} of application {self.application_id} on {self.starts_on}>"

"""The credit ledger: one row per credited training, never edited in place.

A correction supersedes an entry (``superseded_at`` is set, once) and, if
the officer still earned something, adds a new entry that ``replaces`` it.
An ORM guard refuses any other change to a stored entry.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from approvals.extensions import db
from approvals.models._types import Hours, enum_column, utcnow
from approvals.models.application import DeliveryMethod

if TYPE_CHECKING:
    from approvals.models.officer import Officer
    from approvals.models.user import User

# Hour columns of an entry, evaluator key -> column suffix.
AREA_KEYS = ("legal", "technical", "interpersonal", "skill_development")
DESIGNATION_KEYS = ("firearms", "racial_profiling", "implicit_bias", "deescalation")


class CreditSource(enum.StrEnum):
    IN_SERVICE = "in_service"
    COLLEGE = "college"
    INSTRUCTION = "instruction"
    MILITARY = "military"
    OUT_OF_STATE = "out_of_state"
    FEDERAL = "federal"

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]


SOURCE_LABELS = {
    CreditSource.IN_SERVICE: "Course",
    CreditSource.COLLEGE: "College course",
    CreditSource.INSTRUCTION: "Instruction (courses taught)",
    CreditSource.MILITARY: "Military training",
    CreditSource.OUT_OF_STATE: "Out-of-state training",
    CreditSource.FEDERAL: "Federal training",
}


class CreditProvider(enum.StrEnum):
    APPROVED_PROVIDER = "approved_provider"
    LICENSED_PROVIDER = "licensed_provider"
    IN_SERVICE = "in_service"

    @property
    def label(self) -> str:
        return {
            "approved_provider": "Approved Provider",
            "licensed_provider": "Licensed Provider",
            "in_service": "Agency in-service",
        }[self.value]


class CreditDocument(db.Model):
    """Evidence for a credit entry (certificate, college transcript), stored via approvals.storage."""

    __tablename__ = "credit_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


_designations_within_areas = " AND ".join(
    f"hours_{d} <= hours_legal + hours_technical + hours_interpersonal + hours_skill_development"
    for d in DESIGNATION_KEYS
)


class CreditEntry(db.Model):
    __tablename__ = "credit_entries"
    __table_args__ = (
        sa.CheckConstraint("hours >= 0", name="hours_not_negative"),
        sa.CheckConstraint("(source = 'college') = (semester_hours IS NOT NULL)", name="college_has_semester_hours"),
        sa.CheckConstraint("hours_firearms <= hours_skill_development", name="firearms_within_skill"),
        sa.CheckConstraint(_designations_within_areas, name="designations_within_areas"),
        sa.CheckConstraint(
            "(superseded_at IS NULL) = (superseded_by_id IS NULL)", name="superseded_has_actor"
        ),
        sa.Index("ix_credit_entries_officer_completed", "officer_id", "completed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(sa.ForeignKey("officers.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    # Who delivered it: the agency, college, provider or military unit.
    provider_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # The entry's own measure: contact hours, hours taught, or for college the
    # credited hours (2 per semester hour under the 2023 rules).
    hours: Mapped[float] = mapped_column(Hours)
    completed_on: Mapped[date]
    source: Mapped[CreditSource] = mapped_column(enum_column(CreditSource, "credit_source"))
    provider: Mapped[CreditProvider] = mapped_column(enum_column(CreditProvider, "credit_provider"))
    delivery: Mapped[DeliveryMethod] = mapped_column(
        enum_column(DeliveryMethod, "delivery_method"), default=DeliveryMethod.IN_PERSON
    )
    hours_legal: Mapped[float] = mapped_column(Hours, default=0.0)
    hours_technical: Mapped[float] = mapped_column(Hours, default=0.0)
    hours_interpersonal: Mapped[float] = mapped_column(Hours, default=0.0)
    hours_skill_development: Mapped[float] = mapped_column(Hours, default=0.0)
    hours_firearms: Mapped[float] = mapped_column(Hours, default=0.0)
    hours_racial_profiling: Mapped[float] = mapped_column(Hours, default=0.0)
    hours_implicit_bias: Mapped[float] = mapped_column(Hours, default=0.0)
    hours_deescalation: Mapped[float] = mapped_column(Hours, default=0.0)
    semester_hours: Mapped[float | None] = mapped_column(Hours)

    offering_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offerings.id"), index=True)
    roster_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rosters.id"), index=True)
    amendment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("roster_amendments.id"))
    evidence_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_documents.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The entry this one corrects, and when/by whom this one was superseded.
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("credit_entries.id"))
    superseded_at: Mapped[datetime | None]
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    supersede_reason: Mapped[str] = mapped_column(sa.Text, default="")

    officer: Mapped[Officer] = relationship()
    evidence: Mapped[CreditDocument | None] = relationship()
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    def areas(self) -> dict[str, float]:
        """Core-area hours, non-zero only."""
        return {k: v for k in AREA_KEYS if (v := getattr(self, f"hours_{k}") or 0.0)}

    def designations(self) -> dict[str, float]:
        """Designation hours, non-zero only."""
        return {k: v for k in DESIGNATION_KEYS if (v := getattr(self, f"hours_{k}") or 0.0)}

    def __repr__(self) -> str:
        return f"<CreditEntry {self.id} officer={self.officer_id} {self.hours}h {self.source}>"


class LedgerImmutableError(RuntimeError):
    """A stored credit entry was changed other than by superseding it once."""


_SUPERSEDE_FIELDS = {"superseded_at", "superseded_by_id", "supersede_reason"}


@event.listens_for(Session, "before_flush")
def _refuse_ledger_rewrites(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, CreditEntry):
            raise LedgerImmutableError("Credit entries are never deleted; supersede them.")
    for obj in session.dirty:
        if not isinstance(obj, CreditEntry) or not session.is_modified(obj):
            continue
        state = sa.inspect(obj)
        changed = {a.key for a in state.attrs if a.history.has_changes()}
        superseded = state.attrs.superseded_at.history
        if (changed - _SUPERSEDE_FIELDS or any(v is not None for v in superseded.deleted)
                or ("superseded_at" in changed and obj.superseded_at is None)):
            raise LedgerImmutableError("Credit entries are never edited in place; supersede them.")

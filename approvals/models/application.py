"""A course application: what an agency asks POST to approve.

The state column drives the life cycle (see approvals/workflow.py, the only
code that changes it); CHECK constraints tie dependent columns to the state.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from approvals.extensions import db
from approvals.models._types import Hours, enum_column, utcnow

if TYPE_CHECKING:
    from approvals.models.agency import Agency
    from approvals.models.parts import Document, Instructor, Objective
    from approvals.models.revision import Revision
    from approvals.models.user import User


class ApplicationState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    REVOKED = "revoked"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


OPEN_STATES = frozenset(
    {ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW, ApplicationState.CHANGES_REQUESTED}
)
# States the reviewer queue works on.
REVIEWABLE_STATES = frozenset({ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW})
APPROVED_STATES = frozenset(
    {ApplicationState.APPROVED, ApplicationState.REVOKED, ApplicationState.EXPIRED}
)


class DeliveryMethod(enum.StrEnum):
    IN_PERSON = "in_person"
    COMPUTER_BASED = "computer_based"

    @property
    def label(self) -> str:
        return {"in_person": "In person (live, hands-on)", "computer_based": "Computer-based"}[self.value]


AREAS: dict[str, str] = {
    "legal": "Legal Studies",
    "technical": "Technical Studies",
    "interpersonal": "Interpersonal Perspectives",
    "skill_development": "Skill Development",
}
DESIGNATIONS: dict[str, str] = {
    "firearms": "Firearms",
    "racial_profiling": "Racial Profiling",
    "implicit_bias": "Implicit Bias",
    "deescalation": "De-escalation",
}
HOUR_FIELDS = ("total", *AREAS, *DESIGNATIONS)

_approved_states_sql = "('approved', 'revoked', 'expired')"


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        sa.CheckConstraint(
            f"(state IN {_approved_states_sql}) = (approval_number IS NOT NULL)",
            name="approval_number_iff_approved",
        ),
        sa.CheckConstraint(
            f"(state NOT IN {_approved_states_sql}) OR "
            "(approved_on IS NOT NULL AND expires_on IS NOT NULL AND approved_total IS NOT NULL)",
            name="approved_has_dates_and_hours",
        ),
        sa.CheckConstraint("state <> 'revoked' OR revoked_at IS NOT NULL", name="revoked_has_time"),
        sa.Index("ix_applications_state_submitted", "state", "submitted_at"),
        # The reviewer's own queue (migration 0004).
        sa.Index("ix_applications_reviewer_state_submitted", "assigned_reviewer_id", "state", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    state: Mapped[ApplicationState] = mapped_column(
        enum_column(ApplicationState, "application_state"), default=ApplicationState.DRAFT
    )
    # Optimistic locking: every UPDATE checks and bumps it (SQLAlchemy version_id_col).
    version: Mapped[int] = mapped_column(default=1)

    title: Mapped[str] = mapped_column(sa.String(200), default="")
    synopsis: Mapped[str] = mapped_column(sa.Text, default="")
    delivery_method: Mapped[DeliveryMethod | None] = mapped_column(enum_column(DeliveryMethod, "delivery_method"))
    attendance_policy: Mapped[str] = mapped_column(sa.Text, default="")
    evaluation_method: Mapped[str] = mapped_column(sa.Text, default="")

    hours_total: Mapped[float | None] = mapped_column(Hours)
    hours_legal: Mapped[float | None] = mapped_column(Hours)
    hours_technical: Mapped[float | None] = mapped_column(Hours)
    hours_interpersonal: Mapped[float | None] = mapped_column(Hours)
    hours_skill_development: Mapped[float | None] = mapped_column(Hours)
    hours_firearms: Mapped[float | None] = mapped_column(Hours)
    hours_racial_profiling: Mapped[float | None] = mapped_column(Hours)
    hours_implicit_bias: Mapped[float | None] = mapped_column(Hours)
    hours_deescalation: Mapped[float | None] = mapped_column(Hours)

    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    attestation_name: Mapped[str] = mapped_column(sa.String(200), default="")
    attestation_title: Mapped[str] = mapped_column(sa.String(200), default="")
    attested: Mapped[bool] = mapped_column(default=False)

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    submitted_at: Mapped[datetime | None]  # latest (re)submission: the queue's age
    first_submitted_at: Mapped[datetime | None]
    revision_count: Mapped[int] = mapped_column(default=0)

    # Review.
    assigned_reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime | None]
    checklist: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    denial_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]

    # Approval.
    approval_number: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    approved_on: Mapped[date | None]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    approved_total: Mapped[float | None] = mapped_column(Hours)
    approved_legal: Mapped[float | None] = mapped_column(Hours)
    approved_technical: Mapped[float | None] = mapped_column(Hours)
    approved_interpersonal: Mapped[float | None] = mapped_column(Hours)
    approved_skill_development: Mapped[float | None] = mapped_column(Hours)
    approved_firearms: Mapped[float | None] = mapped_column(Hours)
    approved_racial_profiling: Mapped[float | None] = mapped_column(Hours)
    approved_implicit_bias: Mapped[float | None] = mapped_column(Hours)
    approved_deescalation: Mapped[float | None] = mapped_column(Hours)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str] = mapped_column(sa.Text, default="")

    agency: Mapped[Agency] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    assigned_reviewer: Mapped[User | None] = relationship(foreign_keys=[assigned_reviewer_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    objectives: Mapped[list[Objective]] = relationship(
        back_populates="application", order_by="Objective.position", cascade="all, delete-orphan"
    )
    instructors: Mapped[list[Instructor]] = relationship(
        back_populates="application", order_by="Instructor.position", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="application", order_by="Document.id", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="application", order_by="Revision.number", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    # --- hours helpers -------------------------------------------------------
    def requested_hours(self) -> dict[str, float | None]:
        return {f: getattr(self, f"hours_{f}") for f in HOUR_FIELDS}

    def approved_hours(self) -> dict[str, float | None]:
        return {f: getattr(self, f"approved_{f}") for f in HOUR_FIELDS}

    @property
    def live_documents(self) -> list[Document]:
        return [d for d in self.documents if d.removed_at is None]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    # --- permission predicates (templates and routes ask these) -------------
    def can_view(self, user: Any) -> bool:
        if not getattr(user, "is_authenticated", False) or not user.active:
            return False
        if user.role.is_post:
            return self.state != ApplicationState.DRAFT or user.role == "post_admin"
        return user.role.is_agency and user.agency_id == self.agency_id

    def can_edit(self, user: Any) -> bool:
        return (
            self.state in (ApplicationState.DRAFT, ApplicationState.CHANGES_REQUESTED)
            and getattr(user, "is_authenticated", False)
            and user.role.is_agency
            and user.agency_id == self.agency_id
        )

    def can_submit(self, user: Any) -> bool:
        return self.can_edit(user)

    def can_withdraw(self, user: Any) -> bool:
        return (
            self.state in (ApplicationState.DRAFT, *OPEN_STATES)
            and getattr(user, "is_authenticated", False)
            and user.role.is_agency
            and user.agency_id == self.agency_id
        )

    def can_decide(self, user: Any) -> bool:
        return (
            self.state in REVIEWABLE_STATES
            and getattr(user, "is_authenticated", False)
            and user.role.is_post
            and (user.role == "post_admin" or self.assigned_reviewer_id == user.id)
        )

    def can_comment(self, user: Any) -> bool:
        return self.can_view(user) and self.state != ApplicationState.DRAFT

    def can_assign(self, user: Any) -> bool:
        return (
            self.state in OPEN_STATES
            and getattr(user, "is_authenticated", False)
            and user.role == "post_admin"
        )

    def can_revoke(self, user: Any) -> bool:
        return (
            self.state == ApplicationState.APPROVED
            and getattr(user, "is_authenticated", False)
            and user.role == "post_admin"
        )

    def can_download_letter(self, user: Any) -> bool:
        return self.state in APPROVED_STATES and self.can_view(user)

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.state} {self.title!r}>"

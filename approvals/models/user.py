"""Accounts and roles."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from approvals.extensions import db
from approvals.models._types import enum_column, utcnow

if TYPE_CHECKING:
    from approvals.models.agency import Agency


class Role(enum.StrEnum):
    AGENCY_STAFF = "agency_staff"
    AGENCY_ADMIN = "agency_admin"
    POST_REVIEWER = "post_reviewer"
    POST_ADMIN = "post_admin"
    OFFICER = "officer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_agency(self) -> bool:
        return self in (Role.AGENCY_STAFF, Role.AGENCY_ADMIN)

    @property
    def is_post(self) -> bool:
        return self in (Role.POST_REVIEWER, Role.POST_ADMIN)


ROLE_LABELS = {
    Role.AGENCY_STAFF: "Agency staff (training coordinator)",
    Role.AGENCY_ADMIN: "Agency administrator",
    Role.POST_REVIEWER: "POST reviewer",
    Role.POST_ADMIN: "POST administrator",
    Role.OFFICER: "Officer",
}


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # E-mail is stored lower-cased; the functional index also guards raw SQL.
        sa.Index("uq_users_email_lower", sa.text("lower(email)"), unique=True),
        # Agency roles belong to an agency; POST roles never do.
        sa.CheckConstraint(
            "(role NOT IN ('agency_staff', 'agency_admin')) OR agency_id IS NOT NULL",
            name="agency_role_has_agency",
        ),
        sa.CheckConstraint(
            "(role NOT IN ('post_reviewer', 'post_admin')) OR agency_id IS NULL",
            name="post_role_has_no_agency",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256), default="")
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped on password change/reset: invalidates other sessions and used tokens.
    session_nonce: Mapped[int] = mapped_column(default=0)
    # Reviewer routing.
    on_leave: Mapped[bool] = mapped_column(default=False)
    last_assigned_at: Mapped[datetime | None]

    agency: Mapped[Agency | None] = relationship()

    @validates("email")
    def _normalise_email(self, _key: str, value: str) -> str:
        return value.strip().lower()

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)
        self.session_nonce = (self.session_nonce or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # Flask-Login: the session id carries the nonce, so a password change logs
    # out every other session of the account.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce or 0}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return bool(self.active)

    def can(self, capability: str) -> bool:
        from approvals.permissions import can

        return can(self, capability)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"

"""Personal API tokens: how agencies' own records systems sign in to /api/v1.

Only the SHA-256 of the secret is stored; the secret itself is shown once,
when the token is created, and cannot be recovered. The prefix (the first
characters of the secret) is kept so people can tell their tokens apart.
Tokens are created and revoked through approvals/api/tokens.py.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from approvals.extensions import db
from approvals.models._types import utcnow

if TYPE_CHECKING:
    from approvals.models.user import User


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (
        sa.Index("ix_api_tokens_user_revoked", "user_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(sa.String(100))
    # hex SHA-256 of the whole secret; the secret is random (256 bits), so a
    # fast hash is enough: there is nothing to guess.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def can_revoke(self, user: object) -> bool:
        """Only the owner revokes a token (an administrator deactivates the account instead)."""
        return getattr(user, "id", None) == self.user_id and not self.is_revoked

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… of user {self.user_id}>"

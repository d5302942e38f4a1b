"""Law enforcement agencies."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from approvals.extensions import db
from approvals.models._types import utcnow


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # NCIC Originating Agency Identifier, e.g. MO0950000.
    ori: Mapped[str] = mapped_column(sa.String(9), unique=True)
    county: Mapped[str] = mapped_column(sa.String(100), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Agency {self.ori} {self.name!r}>"

"""The repeating parts of an application: objectives, instructors, documents."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from approvals.extensions import db
from approvals.models._types import enum_column, utcnow

if TYPE_CHECKING:
    from approvals.models.application import Application


class Objective(db.Model):
    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text)

    application: Mapped[Application] = relationship(back_populates="objectives")


class Instructor(db.Model):
    __tablename__ = "instructors"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    # Officer license number, when the instructor is a licensed peace officer
    # (instruction credit, 1:1, is posted against it).
    license_number: Mapped[str] = mapped_column(sa.String(32), default="")
    qualifications: Mapped[str] = mapped_column(sa.Text, default="")

    application: Mapped[Application] = relationship(back_populates="instructors")
    documents: Mapped[list[Document]] = relationship(back_populates="instructor")

    @property
    def record(self) -> Document | None:
        live = [d for d in self.documents if d.removed_at is None]
        return live[-1] if live else None


class DocumentKind(enum.StrEnum):
    INSTRUCTOR_RECORD = "instructor_record"
    SAMPLE_CERTIFICATE = "sample_certificate"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "instructor_record": "Instructor's record",
            "sample_certificate": "Sample certificate",
            "other": "Other document",
        }[self.value]


class Document(db.Model):
    """An uploaded file. Removal only detaches it: a frozen revision may still cite it."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    instructor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("instructors.id", ondelete="SET NULL"))
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "document_kind"))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship(back_populates="documents")
    instructor: Mapped[Instructor | None] = relationship(back_populates="documents")

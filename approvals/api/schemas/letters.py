"""Approval letters."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from approvals.api.schemas.common import Timestamp


class LetterOut(BaseModel):
    id: int
    application_id: int
    approval_number: str
    issue: int = Field(description="1 for the original, 2… for reissues.")
    dated: date
    superseded: bool
    superseded_at: Timestamp | None
    superseded_reason: str
    size: int
    sha256: str
    created_at: Timestamp
    pdf: str = Field(description="Path of the PDF (GET, same token).")


class LetterList(BaseModel):
    status: Literal["current", "expired", "revoked"]
    preparing: bool = Field(description="Approved, but the letter in force is not rendered yet.")
    items: list[LetterOut] = Field(description="Newest issue first.")

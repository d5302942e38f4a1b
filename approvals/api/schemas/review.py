"""The review queue and decisions."""
from __future__ import annotations

import enum
from typing import Literal

from pydantic import BaseModel, Field

from approvals.api.schemas.applications import ApplicationSummary
from approvals.api.schemas.common import Body, HoursValue, Pagination, PersonRef, Query
from approvals.models.application import AREAS, DESIGNATIONS
from approvals.workflow import DENIAL_REASONS

DenialCode = enum.StrEnum("DenialCode", {code: code for code in DENIAL_REASONS})  # type: ignore[misc]
Area = enum.StrEnum("Area", {key: key for key in AREAS})  # type: ignore[misc]
Designation = enum.StrEnum("Designation", {key: key for key in DESIGNATIONS})  # type: ignore[misc]


class QueueQuery(Query):
    tab: Literal["mine", "unassigned", "all"] | None = Field(
        None, description="Default: all for administrators, mine for reviewers.")
    state: Literal["submitted", "in_review", "changes_requested"] | None = None
    area: Area | None = Field(None, description="Has hours in this core curriculum area.")
    designation: Designation | None = Field(None, description="Carries hours of this designation.")
    agency_id: int | None = Field(None, ge=1, le=2**31 - 1)
    age: Literal["ok", "due", "escalated"] | None = Field(None, description="Against the review SLA.")
    page: int = Field(1, ge=1, le=100_000)


class QueueItem(ApplicationSummary):
    assigned_reviewer: PersonRef | None
    sla: Literal["ok", "due", "escalated", "paused"]
    sla_label: str
    age_days: int


class Queue(BaseModel):
    tab: str
    items: list[QueueItem]
    pagination: Pagination
    counts: dict[str, int] = Field(description="Applications of the tab per open state (other filters applied).")


class AssignIn(Body):
    reviewer_id: int = Field(ge=1, le=2**31 - 1)
    note: str = Field("", max_length=1000, description="Internal.")


class CommentIn(Body):
    body: str = Field(max_length=8000)
    visibility: Literal["internal", "agency"] = Field(
        "internal", description="An internal note (POST staff only) or a message to the agency.")


class CommentCreated(BaseModel):
    id: int
    internal: bool
    body: str


class ApprovedHours(Body):
    """Approved hours; figures left out are approved as requested."""

    total: HoursValue | None = None
    legal: HoursValue | None = None
    technical: HoursValue | None = None
    interpersonal: HoursValue | None = None
    skill_development: HoursValue | None = None
    firearms: HoursValue | None = None
    racial_profiling: HoursValue | None = None
    implicit_bias: HoursValue | None = None
    deescalation: HoursValue | None = None


class Versioned(Body):
    version: int = Field(description="The application's version you decided on; if it changed since, 409.")


class ApproveIn(Versioned):
    hours: ApprovedHours = Field(default_factory=ApprovedHours)
    note: str = Field("", max_length=4000, description="Required when the approved hours differ from the request.")


class RequestChangesIn(Versioned):
    message: str = Field(max_length=8000, description="What the agency must change.")


class DenyIn(Versioned):
    codes: list[DenialCode] = Field(max_length=len(DENIAL_REASONS))
    reason: str = Field(max_length=8000, description="The explanation for the agency.")


class ReasonIn(Body):
    reason: str = Field(max_length=4000)

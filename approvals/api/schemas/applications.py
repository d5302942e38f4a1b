"""Applications: what the API reads and writes about course applications."""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from approvals.api.schemas.common import (
    AgencyRef, Body, DocumentOut, Hours, HoursValue, PageQuery, Pagination, PersonRef, Timestamp,
)
from approvals.models.application import ApplicationState, DeliveryMethod


class ApplicationsQuery(PageQuery):
    state: ApplicationState | None = Field(None, description="Only applications in this state.")
    sort: Literal["activity", "title", "state", "submitted", "created"] = "activity"


class Actions(BaseModel):
    """What the caller may do to the application now (the pages' own predicates)."""

    edit: bool
    submit: bool
    withdraw: bool
    decide: bool
    comment: bool
    assign: bool
    revoke: bool


class ApplicationSummary(BaseModel):
    id: int
    state: ApplicationState
    version: int = Field(description="Send it back with edits and decisions: a stale one is a 409.")
    title: str
    agency: AgencyRef
    approval_number: str | None
    created_at: Timestamp
    submitted_at: Timestamp | None
    last_activity_at: Timestamp
    url: str


class ApplicationList(BaseModel):
    items: list[ApplicationSummary]
    pagination: Pagination
    counts: dict[str, int] = Field(description="How many of the agency's applications are in each state.")


class InstructorOut(BaseModel):
    id: int
    name: str
    email: str
    license_number: str
    qualifications: str
    record: DocumentOut | None


class RevisionRef(BaseModel):
    number: int
    created_at: Timestamp
    submitted_by: PersonRef | None
    url: str


class HistoryEvent(BaseModel):
    at: Timestamp
    action: str
    summary: str
    actor: PersonRef | None
    internal: bool
    message: str | None = Field(None, description="The reviewer's words, for a change request.")


class CommentOut(BaseModel):
    id: int
    author: PersonRef
    body: str
    internal: bool
    revision_number: int | None
    created_at: Timestamp


class Decision(BaseModel):
    decided_at: Timestamp | None
    decided_by: PersonRef | None
    reason: str
    denial_codes: list[str]


class Approval(BaseModel):
    number: str
    approved_on: date
    expires_on: date
    hours: Hours
    revoked_at: Timestamp | None
    letters: str = Field(description="Path of the approval's letters.")


class ApplicationOut(ApplicationSummary):
    synopsis: str
    delivery_method: DeliveryMethod | None
    attendance_policy: str
    evaluation_method: str
    hours: Hours
    objectives: list[str]
    instructors: list[InstructorOut]
    documents: list[DocumentOut] = Field(description="Sample certificate and other documents in force.")
    contact_name: str
    contact_email: str
    contact_phone: str
    attestation_name: str
    attestation_title: str
    attested: bool
    first_submitted_at: Timestamp | None
    revision_count: int
    assigned_reviewer: PersonRef | None = Field(description="Shown to POST staff only.")
    decision: Decision | None
    approval: Approval | None
    revisions: list[RevisionRef]
    history: list[HistoryEvent] = Field(description="The audit trail; agencies do not see internal events.")
    comments: list[CommentOut] = Field(description="Messages; internal notes only for POST staff.")
    checklist: dict[str, Any] | None = Field(description="The reviewer's checklist (POST staff only).")
    actions: Actions


class HoursPatch(Body):
    """Requested hours; send only those that change, null clears one."""

    total: HoursValue | None = None
    legal: HoursValue | None = None
    technical: HoursValue | None = None
    interpersonal: HoursValue | None = None
    skill_development: HoursValue | None = None
    firearms: HoursValue | None = None
    racial_profiling: HoursValue | None = None
    implicit_bias: HoursValue | None = None
    deescalation: HoursValue | None = None


class ApplicationFields(Body):
    """Fields of a draft; send only those that change (null clears one). A
    draft may be incomplete: what submitting needs is checked on submit. The
    attestation (attestation_name, attestation_title, attested) is signed by
    an agency administrator only."""

    version: int | None = Field(None, description="The version you read; a stale one is refused (409).")
    title: str | None = None
    synopsis: str | None = None
    delivery_method: DeliveryMethod | None = None
    attendance_policy: str | None = None
    evaluation_method: str | None = None
    hours: HoursPatch | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    attestation_name: str | None = None
    attestation_title: str | None = None
    attested: bool | None = None


class ObjectivesIn(Body):
    version: int | None = None
    objectives: list[str] = Field(max_length=100, description="All objectives, in order (blank ones are dropped).")


class InstructorIn(Body):
    id: int | None = Field(None, description="An instructor of this application to update; omit for a new one.")
    name: str = ""
    email: str = ""
    license_number: str = ""
    qualifications: str = ""


class InstructorsIn(Body):
    version: int | None = None
    instructors: list[InstructorIn] = Field(
        max_length=50, description="All instructors, in order; those left out are removed with their records.")


class DocumentForm(Body):
    kind: Literal["sample_certificate", "other"] = Field(
        description="A new sample certificate replaces the current one.")


class WithdrawIn(Body):
    reason: str = Field("", max_length=2000)


class RevisionOut(BaseModel):
    number: int
    created_at: Timestamp
    submitted_by: PersonRef | None
    snapshot: dict[str, Any] = Field(description="Fields, objectives, instructors and documents as submitted.")
    changes: list[ChangeOut] = Field(description="What changed since the revision before (all of it for the first).")


class ChangeOut(BaseModel):
    part: str
    label: str
    kind: Literal["added", "removed", "changed"]
    before: str | None
    after: str | None


RevisionOut.model_rebuild()

"""The public catalog, offerings, and letter verification."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from approvals.api.schemas.common import Body, Hours, PageQuery, Pagination, Query, Timestamp
from approvals.api.schemas.review import Area, Designation
from approvals.catalog.search import MAX_TEXT
from approvals.models.application import DeliveryMethod


class CatalogQuery(PageQuery):
    text: str = Field("", max_length=MAX_TEXT, description="Words to find in title, synopsis and objectives; "
                                                          "\"quoted phrases\" allowed.")
    area: Area | None = None
    designation: Designation | None = None
    min_hours: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    max_hours: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    delivery_method: DeliveryMethod | None = None
    agency_id: int | None = Field(None, ge=1, le=2**31 - 1, description="The agency holding the approval.")
    sort: Literal["relevance", "newest", "title"] = "relevance"


class AgencyName(BaseModel):
    id: int
    name: str


class CourseOut(BaseModel):
    approval_number: str
    title: str
    synopsis: str
    objectives: list[str]
    agency: AgencyName
    delivery_method: DeliveryMethod | None
    approved_on: date
    expires_on: date
    hours: Hours = Field(description="Approved hours.")
    rank: float | None = Field(None, description="Relevance, when searching for words.")
    url: str


class CourseList(BaseModel):
    items: list[CourseOut]
    pagination: Pagination


class PublicOffering(BaseModel):
    id: int
    agency: AgencyName
    starts_on: date
    ends_on: date
    online: bool
    location: str
    instructors: list[str]
    seats: int
    contact_name: str
    contact_email: str
    contact_phone: str


class CourseDetail(CourseOut):
    status: Literal["current", "expired", "revoked"]
    revoked_on: date | None
    offerings: list[PublicOffering] = Field(description="Upcoming offerings (none once the approval ended).")


class CourseRef(BaseModel):
    approval_number: str
    title: str


class OfferingOut(PublicOffering):
    course: CourseRef
    online_url: str
    instructor_licenses: list[str]
    created_at: Timestamp
    cancelled_at: Timestamp | None
    cancel_reason: str
    url: str


class OfferingsQuery(PageQuery):
    show: Literal["upcoming", "past", "cancelled"] = "upcoming"


class OfferingList(BaseModel):
    items: list[OfferingOut]
    pagination: Pagination


class OfferingFields(Body):
    """What the delivering agency says about an offering; the rules (dates,
    seats, location or web address, contact) are the pages' own."""

    starts_on: date | None = None
    ends_on: date | None = None
    online: bool | None = None
    location: str | None = Field(None, max_length=300)
    online_url: str | None = Field(None, max_length=500)
    instructors: list[str] | None = Field(None, max_length=50, description="Names, one per instructor.")
    instructor_licenses: list[str] | None = Field(None, max_length=50)
    seats: int | None = Field(None, ge=-2**31, le=2**31 - 1)
    contact_name: str | None = Field(None, max_length=200)
    contact_email: str | None = Field(None, max_length=254)
    contact_phone: str | None = Field(None, max_length=40)


class OfferingIn(OfferingFields):
    approval_number: str = Field(max_length=40, description="The catalog course to offer.")


class CancelIn(Body):
    reason: str = Field("", max_length=2000)


class VerifyQuery(Query):
    code: str = Field("", max_length=64, description="The verification code printed on the letter.")


class LetterIssue(BaseModel):
    issue: int
    dated: date | None


class VerifyOut(BaseModel):
    """A genuine letter (verified: true, with what it certifies), or verified: false
    for an unknown number and a wrong code alike."""

    verified: bool
    approval_number: str | None = None
    status: Literal["current", "expired", "revoked"] | None = None
    revoked_on: date | None = None
    superseded: bool | None = None
    letter: LetterIssue | None = None
    latest_letter: LetterIssue | None = None
    agency: dict[str, str] | None = None
    course_title: str | None = None
    delivery_method: str | None = None
    approved_on: date | None = None
    expires_on: date | None = None
    hours: dict[str, float] | None = None

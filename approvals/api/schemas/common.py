"""Shapes shared by several resources: pages, links, people, agencies, documents, hours."""
from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

from flask import request, url_for
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Timestamps are stored as naive UTC; the API states the zone (RFC 3339, "…Z").
Timestamp = Annotated[datetime, AfterValidator(_as_utc)]

# An hours figure as a client sends it: a finite number (the half-hour and
# range rules are the domain's, checked after parsing).
HoursValue = Annotated[float, Field(allow_inf_nan=False, ge=-1e6, le=1e6)]


def _no_nul(value: Any) -> Any:
    # PostgreSQL cannot store NUL in text; nobody types one, so it is refused up front.
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("Text cannot contain NUL characters.")
    if isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


class Body(BaseModel):
    """A request body: unknown keys are refused, so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_storable(cls, value: Any) -> Any:
        return _no_nul(value)


class Query(BaseModel):
    """Query parameters: unknown ones are ignored (cache-busters and the like)."""

    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_storable(cls, value: Any) -> Any:
        return _no_nul(value)


class PageQuery(Query):
    page: int = Field(1, ge=1, le=100_000, description="Page number, from 1.")
    per_page: int = Field(20, ge=1, le=100, description="Items per page (at most 100).")


class Links(BaseModel):
    self: str
    first: str
    last: str
    prev: str | None
    next: str | None


class Pagination(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int
    links: Links

    @classmethod
    def of(cls, page: int, per_page: int, total: int) -> Pagination:
        """Page numbers and links for the current request's endpoint and query."""
        pages = max(1, math.ceil(total / per_page))

        def link(number: int) -> str:
            args: dict[str, Any] = {**request.args.to_dict(flat=True), "page": number, "per_page": per_page}
            return url_for(request.endpoint or "", **(request.view_args or {}), **args)

        return cls(page=page, per_page=per_page, total=total, pages=pages, links=Links(
            self=link(page), first=link(1), last=link(pages),
            prev=link(page - 1) if page > 1 else None, next=link(page + 1) if page < pages else None))


class Hours(BaseModel):
    """Hours by total, core curriculum area and designation (null: not given yet)."""

    total: float | None
    legal: float | None
    technical: float | None
    interpersonal: float | None
    skill_development: float | None
    firearms: float | None
    racial_profiling: float | None
    implicit_bias: float | None
    deescalation: float | None


class PersonRef(BaseModel):
    id: int
    name: str


class AgencyRef(BaseModel):
    id: int
    name: str
    ori: str


class DocumentOut(BaseModel):
    id: int
    kind: str = Field(description="instructor_record, sample_certificate or other")
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: Timestamp
    instructor_id: int | None
    download: str = Field(description="Path of the file (GET, same token).")


class ProblemDetail(BaseModel):
    """An error, as RFC 9457 application/problem+json."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = Field(None, description="Invalid input, field by field (422).")


class FieldError(BaseModel):
    field: str = Field(description="The body or query key, dotted for nested values (hours.total, instructors.0.name).")
    message: str


ProblemDetail.model_rebuild()

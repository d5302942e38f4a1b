"""One catalog course as the public may see it.

`PublicCourse` carries only public facts, so a template or API response built
from it cannot leak uploaded documents, instructors' records, reviewer notes,
contact details of the applicant or the revocation reason: they are simply
not in it.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from approvals.extensions import db
from approvals.models.application import AREAS, DESIGNATIONS, HOUR_FIELDS, Application, ApplicationState, DeliveryMethod
from approvals.models.offering import Offering


class CourseStatus(enum.StrEnum):
    CURRENT = "current"
    EXPIRED = "expired"
    REVOKED = "revoked"

    @property
    def label(self) -> str:
        return {"current": "Current", "expired": "Expired", "revoked": "Revoked"}[self.value]


def course_status(app: Application, today: date | None = None) -> CourseStatus:
    """Current, expired or revoked. An approval past its expiry date counts as
    expired even before the nightly job marks it so. Raises ValueError for an
    application that was never approved."""
    today = today or date.today()
    if app.state == ApplicationState.REVOKED:
        return CourseStatus.REVOKED
    if app.state == ApplicationState.EXPIRED:
        return CourseStatus.EXPIRED
    if app.state != ApplicationState.APPROVED or app.expires_on is None:
        raise ValueError(f"Application {app.id} is {app.state}, not an approved course.")
    return CourseStatus.CURRENT if app.expires_on >= today else CourseStatus.EXPIRED


@dataclass(frozen=True)
class PublicCourse:
    approval_number: str
    title: str
    synopsis: str
    objectives: tuple[str, ...]
    agency_id: int
    agency_name: str
    delivery_method: DeliveryMethod | None
    approved_on: date
    expires_on: date
    revoked_on: date | None
    status: CourseStatus
    hours: dict[str, float]

    @property
    def is_current(self) -> bool:
        return self.status == CourseStatus.CURRENT

    @property
    def area_hours(self) -> dict[str, float]:
        return {k: self.hours[k] for k in AREAS}

    @property
    def designation_hours(self) -> dict[str, float]:
        return {k: self.hours[k] for k in DESIGNATIONS}


def find_course(approval_number: str) -> Application | None:
    """The approved (or since revoked/expired) application with this number."""
    return db.session.scalar(
        sa.select(Application).where(Application.approval_number == approval_number.strip().upper())
    )


def public_course(app: Application, today: date | None = None) -> PublicCourse:
    """The public facts of an approved application. Raises ValueError if it was never approved."""
    status = course_status(app, today)
    assert app.approval_number and app.approved_on and app.expires_on
    return PublicCourse(
        approval_number=app.approval_number, title=app.title, synopsis=app.synopsis,
        objectives=tuple(o.text for o in app.objectives if o.text.strip()),
        agency_id=app.agency_id, agency_name=app.agency.name, delivery_method=app.delivery_method,
        approved_on=app.approved_on, expires_on=app.expires_on,
        revoked_on=app.revoked_at.date() if app.revoked_at else None, status=status,
        hours={k: float(getattr(app, f"approved_{k}") or 0) for k in HOUR_FIELDS},
    )


def upcoming_offerings(application_id: int, today: date | None = None, limit: int = 50) -> list[Offering]:
    """Offerings of the course that are not cancelled and not yet over, soonest first."""
    today = today or date.today()
    return list(db.session.scalars(
        sa.select(Offering)
        .where(Offering.application_id == application_id, Offering.cancelled_at.is_(None), Offering.ends_on >= today)
        .options(sa.orm.joinedload(Offering.agency))
        .order_by(Offering.starts_on, Offering.id)
        .limit(limit)
    ))

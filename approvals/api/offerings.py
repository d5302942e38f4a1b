"""Offerings: the agency's own list, schedule, read, change, cancel."""
from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from approvals import offerings as domain
from approvals import permissions as perm
from approvals.api.catalog import public_offering
from approvals.api.errors import problem
from approvals.api.registry import operation
from approvals.api.schemas.catalog import (
    CancelIn, CourseRef, OfferingFields, OfferingIn, OfferingList, OfferingOut, OfferingsQuery,
)
from approvals.api.schemas.common import Pagination
from approvals.catalog.course import find_course
from approvals.extensions import db
from approvals.models import Offering

TAG = "Offerings"


def offering_out(o: Offering) -> OfferingOut:
    return OfferingOut(
        **public_offering(o).model_dump(), course=CourseRef(approval_number=o.application.approval_number or "",
                                                            title=o.application.title),
        online_url=o.online_url, instructor_licenses=o.license_numbers, created_at=o.created_at,
        cancelled_at=o.cancelled_at, cancel_reason=o.cancel_reason, url=url_for("api.get_offering", offering_id=o.id))


def _details(body: OfferingFields, base: domain.OfferingDetails | None = None) -> domain.OfferingDetails:
    """The domain's details: *base* (an offering as it is) with the fields the client sent."""
    details = base or domain.OfferingDetails()
    sent: dict[str, Any] = body.model_dump(include=body.model_fields_set & {f.name for f in fields(details)})
    if "instructors" in sent:
        sent["instructors"] = "\n".join(sent["instructors"] or [])
    if "instructor_licenses" in sent:
        sent["instructor_licenses"] = ", ".join(sent["instructor_licenses"] or [])
    for key, value in sent.items():
        if value is None and key not in ("starts_on", "ends_on", "seats"):
            value = False if key == "online" else ""
        setattr(details, key, value)
    return details


def _own(offering_id: int) -> Offering:
    offering = db.session.get(Offering, offering_id)
    if offering is None or not offering.can_manage(current_user):
        abort(404)  # another agency's offering is none of this caller's business
    return offering


@operation("GET", "/offerings", summary="Your agency's offerings", tag=TAG, auth=perm.OFFERINGS_SCHEDULE,
           query=OfferingsQuery, response=OfferingList,
           description="Upcoming (soonest first), past or cancelled offerings delivered by the caller's agency.")
def list_offerings(query: OfferingsQuery) -> OfferingList:
    today = date.today()
    stmt = sa.select(Offering).where(Offering.agency_id == current_user.agency_id)
    if query.show == "cancelled":
        stmt = stmt.where(Offering.cancelled_at.is_not(None)).order_by(Offering.starts_on.desc())
    elif query.show == "past":
        stmt = stmt.where(Offering.cancelled_at.is_(None), Offering.ends_on < today).order_by(Offering.starts_on.desc())
    else:
        stmt = stmt.where(Offering.cancelled_at.is_(None), Offering.ends_on >= today).order_by(Offering.starts_on)
    stmt = stmt.order_by(Offering.id).options(joinedload(Offering.application), joinedload(Offering.agency))
    page = db.paginate(stmt, page=query.page, per_page=query.per_page, error_out=False, max_per_page=100)
    return OfferingList(items=[offering_out(o) for o in page.items],
                        pagination=Pagination.of(query.page, query.per_page, page.total or 0))


@operation("POST", "/offerings", summary="Schedule an offering", tag=TAG, auth=perm.OFFERINGS_SCHEDULE,
           body=OfferingIn, response=OfferingOut, status=201, errors=(409, 422),
           description="An offering of a current catalog course, delivered by the caller's agency. An expired "
                       "or revoked course takes no new offerings (409).")
def schedule_offering(body: OfferingIn) -> tuple[OfferingOut, int, dict[str, str]]:
    course = find_course(body.approval_number)
    if course is None:
        abort(problem(422, "No catalog course has this approval number.", kind="invalid",
                      errors=[("approval_number", "No catalog course has this approval number.")]))
    offering = domain.schedule_offering(course, current_user, _details(body))
    db.session.commit()
    return offering_out(offering), 201, {"Location": url_for("api.get_offering", offering_id=offering.id)}


@operation("GET", "/offerings/<int:offering_id>", summary="An offering of your agency", tag=TAG,
           auth=perm.OFFERINGS_SCHEDULE, response=OfferingOut)
def get_offering(offering_id: int) -> OfferingOut:
    return offering_out(_own(offering_id))


@operation("PATCH", "/offerings/<int:offering_id>", summary="Change an offering", tag=TAG,
           auth=perm.OFFERINGS_SCHEDULE, body=OfferingFields, response=OfferingOut, errors=(409, 422),
           description="Send only what changes. A cancelled or past offering, or one of a course no longer "
                       "current, cannot change (409).")
def patch_offering(offering_id: int, body: OfferingFields) -> OfferingOut:
    offering = _own(offering_id)
    domain.update_offering(offering, current_user, _details(body, domain.OfferingDetails.of(offering)))
    db.session.commit()
    return offering_out(offering)


@operation("POST", "/offerings/<int:offering_id>/cancel", summary="Cancel an offering", tag=TAG,
           auth=perm.OFFERINGS_SCHEDULE, body=CancelIn, response=OfferingOut, errors=(409,))
def cancel_offering(offering_id: int, body: CancelIn) -> OfferingOut:
    offering = _own(offering_id)
    domain.cancel_offering(offering, current_user, body.reason)
    db.session.commit()
    return offering_out(offering)

"""Scheduling offerings of catalog courses, as plain functions.

Any agency's staff may schedule an offering of any current catalog course;
only the delivering agency may change or cancel it. Like the workflow, these
functions check permission and state, change rows, audit, flush, and never
commit or read the request.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from approvals import permissions
from approvals.catalog.course import CourseStatus, course_status
from approvals.extensions import db
from approvals.models import Application, Offering, User, record
from approvals.models._types import utcnow
from approvals.models.offering import MAX_SEATS
from approvals.validation import Problem
from approvals.web import Conflict
from approvals.workflow import Incomplete, NotPermitted

_LICENSE = re.compile(r"^[A-Za-z0-9-]{1,20}$")
_PHONE = re.compile(r"^[0-9()+.\- ]{7,40}(\s*(x|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)


class CourseNotOfferable(Conflict):
    """The course's approval is expired or revoked (HTTP 409)."""


class OfferingClosed(Conflict):
    """The offering is cancelled or over; it cannot change now (HTTP 409)."""


@dataclass
class OfferingDetails:
    """What the scheduling agency says about an offering (form or API)."""

    starts_on: date | None = None
    ends_on: date | None = None
    online: bool = False
    location: str = ""
    online_url: str = ""
    instructors: str = ""
    instructor_licenses: str = ""
    seats: int | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    @classmethod
    def of(cls, offering: Offering) -> OfferingDetails:
        return cls(**{f.name: getattr(offering, f.name) for f in fields(cls)})


def check_offerable(course: Application, today: date | None = None) -> None:
    """Raise CourseNotOfferable unless the course is current in the catalog."""
    try:
        status = course_status(course, today)
    except ValueError:
        raise CourseNotOfferable("This course is not in the catalog; only approved courses can be offered.") from None
    if status == CourseStatus.REVOKED:
        raise CourseNotOfferable(
            f"Approval {course.approval_number} was revoked, so this course can take no new offerings "
            "and its existing ones cannot be changed.")
    if status == CourseStatus.EXPIRED:
        raise CourseNotOfferable(
            f"Approval {course.approval_number} expired on {course.expires_on:%B %-d, %Y}, so this course can "
            "take no new offerings. The agency holding the approval may apply to have it approved again.")


def offering_problems(details: OfferingDetails, course: Application, today: date,
                      *, check_start: bool = True) -> list[Problem]:
    """Everything wrong with *details*, by field. *check_start* is False when
    an existing offering keeps its (possibly past) first day."""
    p: list[Problem] = []
    d = details
    if d.starts_on is None:
        p.append(Problem("starts_on", "Enter the first day of the offering."))
    elif check_start and d.starts_on < today:
        p.append(Problem("starts_on", "The first day cannot be in the past."))
    if d.ends_on is None:
        p.append(Problem("ends_on", "Enter the last day of the offering (the first day again for a one-day course)."))
    elif d.starts_on is not None and d.ends_on < d.starts_on:
        p.append(Problem("ends_on", "The last day cannot be before the first day."))
    elif course.expires_on is not None and d.ends_on > course.expires_on:
        p.append(Problem("ends_on", f"This course's approval runs until {course.expires_on:%B %-d, %Y}; "
                                    "the offering must end by then to count for credit."))
    if d.seats is None:
        p.append(Problem("seats", "Enter the number of seats."))
    elif not 1 <= d.seats <= MAX_SEATS:
        p.append(Problem("seats", f"Seats must be between 1 and {MAX_SEATS:,}."))
    if d.online:
        url = (d.online_url or "").strip()
        if not url:
            p.append(Problem("online_url", "Enter the web address students use to join."))
        elif urlsplit(url).scheme not in ("https", "http") or not urlsplit(url).netloc or len(url) > 500:
            p.append(Problem("online_url", "Enter a full web address starting with https://."))
    elif not (d.location or "").strip():
        p.append(Problem("location", "Enter where the offering takes place, or mark it as online."))
    if len(d.location or "") > 300:
        p.append(Problem("location", "The location can be at most 300 characters."))
    if not (d.instructors or "").strip() and not (d.instructor_licenses or "").strip():
        p.append(Problem("instructors", "Name at least one instructor, or give their license numbers."))
    bad = [n for n in re.split(r"[\s,;]+", d.instructor_licenses or "") if n and not _LICENSE.match(n)]
    if bad:
        p.append(Problem("instructor_licenses", f"“{bad[0][:30]}” is not a license number: use letters, digits "
                                                "and hyphens, separated by commas."))
    elif len(", ".join(n for n in re.split(r"[\s,;]+", d.instructor_licenses or "") if n)) > 500:
        # Measured as stored ("A, B"), which can be longer than what was typed ("a,b").
        p.append(Problem("instructor_licenses", "List at most 500 characters of license numbers."))
    if not (d.contact_name or "").strip():
        p.append(Problem("contact_name", "Enter the name of the person to contact about this offering."))
    elif len(d.contact_name.strip()) > 200:
        p.append(Problem("contact_name", "The contact name can be at most 200 characters."))
    if not (d.contact_email or "").strip():
        p.append(Problem("contact_email", "Enter the contact's e-mail address."))
    else:
        try:
            validate_email(d.contact_email.strip(), check_deliverability=False)
        except EmailNotValidError:
            p.append(Problem("contact_email", "Enter an e-mail address like name@agency.mo.gov."))
    phone = (d.contact_phone or "").strip()
    if phone and (not _PHONE.match(phone) or len(phone) > 40):
        p.append(Problem("contact_phone", "Enter a phone number like (573) 555-0100."))
    return p


def _apply(offering: Offering, d: OfferingDetails) -> None:
    offering.starts_on, offering.ends_on, offering.seats = d.starts_on, d.ends_on, d.seats  # type: ignore[assignment]
    offering.online = bool(d.online)
    offering.location = (d.location or "").strip()
    offering.online_url = (d.online_url or "").strip() if d.online else ""
    offering.instructors = "\n".join(line.strip() for line in (d.instructors or "").splitlines() if line.strip())
    offering.instructor_licenses = ", ".join(n.upper() for n in re.split(r"[\s,;]+", d.instructor_licenses or "") if n)
    offering.contact_name = d.contact_name.strip()
    offering.contact_email = d.contact_email.strip().lower()
    offering.contact_phone = (d.contact_phone or "").strip()


def _require_scheduler(actor: User) -> None:
    if not permissions.can(actor, permissions.OFFERINGS_SCHEDULE) or actor.agency_id is None:
        raise NotPermitted("Only agency staff may schedule offerings.")


def schedule_offering(course: Application, actor: User, details: OfferingDetails,
                      *, today: date | None = None) -> Offering:
    """Schedule an offering of *course* delivered by the actor's agency.
    Raises NotPermitted, CourseNotOfferable, Incomplete (problems by field)."""
    today = today or date.today()
    _require_scheduler(actor)
    check_offerable(course, today)
    problems = offering_problems(details, course, today)
    if problems:
        raise Incomplete(problems)
    offering = Offering(application_id=course.id, agency_id=actor.agency_id, created_by_id=actor.id)
    _apply(offering, details)
    db.session.add(offering)
    db.session.flush()
    record("offering.scheduled", actor=actor, subject=offering, application_id=course.id, agency_id=actor.agency_id,
           summary=f"Scheduled {course.approval_number} for {offering.starts_on:%b %-d, %Y}"
                   f"{' (online)' if offering.online else ' at ' + offering.location}",
           starts_on=offering.starts_on.isoformat(), ends_on=offering.ends_on.isoformat(), seats=offering.seats)
    return offering


def _require_manager(offering: Offering, actor: User) -> None:
    if not offering.can_manage(actor):
        raise NotPermitted("Only the delivering agency may change this offering.")


def update_offering(offering: Offering, actor: User, details: OfferingDetails, *, today: date | None = None) -> None:
    """Change an offering of the actor's agency. Raises NotPermitted,
    OfferingClosed, CourseNotOfferable, Incomplete."""
    today = today or date.today()
    _require_manager(offering, actor)
    if offering.is_cancelled or offering.is_over(today):
        raise OfferingClosed("This offering is " + ("cancelled" if offering.is_cancelled else "over")
                             + "; it can no longer be changed.")
    check_offerable(offering.application, today)
    problems = offering_problems(details, offering.application, today,
                                 check_start=details.starts_on != offering.starts_on)
    if problems:
        raise Incomplete(problems)
    before = OfferingDetails.of(offering)
    _apply(offering, details)
    changed = sorted(f.name for f in fields(OfferingDetails) if getattr(before, f.name) != getattr(offering, f.name))
    db.session.flush()
    record("offering.updated", actor=actor, subject=offering, application_id=offering.application_id,
           agency_id=offering.agency_id, summary=f"Changed the offering of {offering.starts_on:%b %-d, %Y}",
           changed=changed)


def cancel_offering(offering: Offering, actor: User, reason: str = "", *, today: date | None = None) -> None:
    """Cancel an offering of the actor's agency (allowed even if the course
    has since been revoked). Raises NotPermitted, OfferingClosed."""
    today = today or date.today()
    _require_manager(offering, actor)
    if offering.is_cancelled:
        raise OfferingClosed("This offering is already cancelled.")
    if offering.is_over(today):
        raise OfferingClosed("This offering is over; post its roster instead of cancelling it.")
    offering.cancelled_at, offering.cancelled_by_id = utcnow(), actor.id
    offering.cancel_reason = (reason or "").strip()[:2000]
    db.session.flush()
    record("offering.cancelled", actor=actor, subject=offering, application_id=offering.application_id,
           agency_id=offering.agency_id, summary=f"Cancelled the offering of {offering.starts_on:%b %-d, %Y}"
           + (f": {offering.cancel_reason}" if offering.cancel_reason else ""), reason=offering.cancel_reason)

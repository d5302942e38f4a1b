"""Rows the credit tests need: officers, approved courses, past offerings (committed)."""
from __future__ import annotations

import io
from datetime import date, timedelta
from itertools import count

from approvals.extensions import db
from approvals.models import (
    Application,
    ApplicationState,
    Commission,
    DeliveryMethod,
    Offering,
    Officer,
)

_numbers = count(1)
TODAY = date.today()
YEAR = TODAY.year
# Hours of the standard test course: 8 h, Firearms 2 (in person), De-escalation 1.
COURSE_HOURS = {"total": 8, "legal": 2, "technical": 2, "interpersonal": 2, "skill_development": 2,
                "firearms": 2, "racial_profiling": 0, "implicit_bias": 0, "deescalation": 1}


def officer(license_number: str, agency=None, *, name: str | None = None, licensed_on: date | None = None,
            email: str = "", user=None, since: date | None = None) -> Officer:
    licensed_on = licensed_on or date(YEAR - 5, 3, 1)
    row = Officer(license_number=license_number, name=name or f"Officer {license_number}", licensed_on=licensed_on,
                  email=email, user_id=user.id if user is not None else None)
    if agency is not None:
        row.commissions.append(Commission(agency_id=agency.id, started_on=since or licensed_on))
    db.session.add(row)
    db.session.commit()
    return row


def approved_course(agency, author, *, title: str = "Test course", hours: dict | None = None,
                    delivery: DeliveryMethod = DeliveryMethod.IN_PERSON) -> Application:
    hours = hours or COURSE_HOURS
    n = next(_numbers)
    app = Application(agency_id=agency.id, created_by_id=author.id, title=title, synopsis="Synopsis",
                      delivery_method=delivery, state=ApplicationState.APPROVED,
                      approval_number=f"MO-IS-{YEAR}-{n:05d}", approved_on=TODAY - timedelta(days=200),
                      expires_on=TODAY + timedelta(days=500))
    for key, value in hours.items():
        setattr(app, f"hours_{key}", float(value))
        setattr(app, f"approved_{key}", float(value))
    db.session.add(app)
    db.session.commit()
    return app


def past_offering(course: Application, agency, author, *, days_ago: int = 3, instructors: str = "",
                  online: bool = False) -> Offering:
    ends_on = max(TODAY - timedelta(days=days_ago), date(YEAR, 1, 1))
    offering = Offering(application_id=course.id, agency_id=agency.id, starts_on=ends_on, ends_on=ends_on,
                        online=online, location="" if online else "Range", online_url="https://x.example" if online else "",
                        instructor_licenses=instructors, seats=40, contact_name="C", contact_email="c@example.gov",
                        created_by_id=author.id)
    db.session.add(offering)
    db.session.commit()
    return offering


def csv_bytes(*rows: str) -> io.BytesIO:
    return io.BytesIO(("\n".join(rows) + "\n").encode())


def pdf_bytes() -> io.BytesIO:
    from approvals.demo.pdf import tiny_pdf

    return io.BytesIO(tiny_pdf("Certificate", ["Completed"]))

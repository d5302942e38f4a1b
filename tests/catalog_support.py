"""Helpers for the catalog and offerings tests: approved courses, written
consistently (the rows workflow.approve would leave), and offering details."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from approvals.extensions import db
from approvals.models import Application, ApplicationState, DeliveryMethod, Objective
from approvals.offerings import OfferingDetails

LOREM = ("This course gives patrol officers practical, scenario-based training. Officers review policy, "
         "case law and agency procedure, practise the skills in realistic exercises and are evaluated "
         "by written test and observed performance against a checklist.")


class Courses:
    """Makes approved catalog courses for tests."""

    def __init__(self, make: Any):
        self.make = make
        self._n = 0

    def approved(self, agency: Any = None, *, title: str = "Course", synopsis: str = LOREM,
                 objectives: tuple[str, ...] = ("Explain the policy.",), delivery: str = "in_person",
                 hours: dict[str, float] | None = None, approved_on: date | None = None,
                 expires_on: date | None = None, commit: bool = True) -> Application:
        self._n += 1
        agency = agency or self.make.agency()
        creator = self.make.user("agency_staff", agency=agency)
        h = {"total": 4.0, "legal": 1.0, "technical": 1.0, "interpersonal": 1.0, "skill_development": 1.0,
             "firearms": 0.0, "racial_profiling": 0.0, "implicit_bias": 0.0, "deescalation": 0.0}
        h.update(hours or {})
        approved_on = approved_on or date.today() - timedelta(days=30)
        app = Application(
            agency_id=agency.id, created_by_id=creator.id, state=ApplicationState.APPROVED, title=title,
            synopsis=synopsis, delivery_method=DeliveryMethod(delivery),
            approval_number=f"MO-IS-2026-{90000 + self._n:05d}", approved_on=approved_on,
            expires_on=expires_on or approved_on + timedelta(days=730),
            **{f"hours_{k}": v for k, v in h.items()}, **{f"approved_{k}": v for k, v in h.items()},
        )
        app.objectives = [Objective(position=i, text=t) for i, t in enumerate(objectives)]
        db.session.add(app)
        if commit:
            db.session.commit()
        return app


def details(**changes: Any) -> OfferingDetails:
    """Valid offering details starting a week from today, with *changes*."""
    start = date.today() + timedelta(days=7)
    base = dict(starts_on=start, ends_on=start + timedelta(days=1), online=False,
                location="Training Center, 600 E. Walnut St., Columbia", instructors="Sgt. Ana Ruiz",
                instructor_licenses="B123456", seats=24, contact_name="Dana Whitfield",
                contact_email="dana@columbiapd.example.gov", contact_phone="(573) 555-0100")
    base.update(changes)
    return OfferingDetails(**base)

"""The sections of the application form, and which submission problems belong to which.

A section is complete when approvals.validation reports no problem for any of
its fields, so the section nav and the submit check can never disagree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from typing import Any

from flask import render_template, url_for
from flask_login import current_user

from approvals.extensions import db
from approvals.models import AREAS, DESIGNATIONS, Application, ApplicationState, Role, User
from approvals.validation import Problem, submission_problems


@dataclass(frozen=True)
class Section:
    slug: str
    number: int
    title: str
    # Problem fields that belong here: exact names, or prefixes ending in "_" or "-".
    fields: tuple[str, ...]

    def owns(self, field: str) -> bool:
        return any(field == f or (f[-1] in "_-" and field.startswith(f)) for f in self.fields)


SECTIONS: tuple[Section, ...] = (
    Section("course", 1, "Course", ("title", "synopsis", "delivery_method", "attendance_policy", "evaluation_method")),
    Section("hours", 2, "Hours", ("hours_",)),
    Section("objectives", 3, "Learning objectives", ("objectives",)),
    Section("instructors", 4, "Instructors", ("instructors", "instructors-")),
    Section("documents", 5, "Documents", ("sample_certificate", "documents")),
    Section("contact", 6, "Contact & attestation", ("contact_", "attestation_", "attested")),
    Section("review", 7, "Review & submit", ()),
)
BY_SLUG = {s.slug: s for s in SECTIONS}
ROW_NOUNS = {"objectives": "Objective", "instructors": "Instructor"}
_INSTRUCTOR_FIELD = re.compile(r"^instructors-(\d+)-(\w+)$")


def section_of(field: str) -> Section:
    """The section a problem's field is edited in (review for anything unknown)."""
    for section in SECTIONS:
        if section.owns(field):
            return section
    return BY_SLUG["review"]


def anchor_of(field: str) -> str:
    """The id of the input for a problem's field.

    Validation numbers instructors from 1 as people do; the form's rows are
    numbered from 0 (WTForms FieldList).
    """
    m = _INSTRUCTOR_FIELD.match(field)
    if m:
        return f"instructors-{int(m.group(1)) - 1}-{m.group(2)}"
    return field


def problem_url(app: Application, problem: Problem) -> str:
    section = section_of(problem.field)
    return url_for("agency.edit", app_id=app.id, section=section.slug) + "#" + anchor_of(problem.field)


@dataclass(frozen=True)
class Progress:
    """Submission problems of an application, grouped by section."""

    problems: list[Problem]

    @classmethod
    def of(cls, app: Application) -> Progress:
        return cls(submission_problems(app))

    def for_section(self, slug: str) -> list[Problem]:
        if slug == "review":
            return list(self.problems)
        return [p for p in self.problems if section_of(p.field).slug == slug]

    def complete(self, slug: str) -> bool:
        return not self.for_section(slug)

    def grouped(self) -> list[tuple[Section, list[Problem]]]:
        return [(s, self.for_section(s.slug)) for s in SECTIONS[:-1] if self.for_section(s.slug)]

    def field_messages(self, slug: str) -> dict[str, list[str]]:
        """Outstanding problems of a section keyed by input id (shown as hints, not errors)."""
        out: dict[str, list[str]] = {}
        for p in self.for_section(slug):
            out.setdefault(anchor_of(p.field), []).append(p.message)
        return out


def next_section(slug: str) -> str:
    index = [s.slug for s in SECTIONS].index(slug)
    return SECTIONS[min(index + 1, len(SECTIONS) - 1)].slug


def error_items(form: Any) -> list[tuple[str, str, str]]:
    """(input id, label, message) of every error in *form*, rows of a FieldList included."""
    items: list[tuple[str, str, str]] = []
    for field in form:
        if field.type != "FieldList":
            items += [(field.id, field.label.text, message) for message in field.errors]
            continue
        noun = ROW_NOUNS.get(field.name, field.label.text)
        for number, entry in enumerate(field.entries, start=1):
            subfields = list(entry.form) if entry.type == "FormField" else [entry]
            for sub in subfields:
                label = f"{noun} {number}" + (f": {sub.label.text}" if sub is not entry else "")
                items += [(sub.id, label, message) for message in sub.errors]
    return items


def render_section(app: Application | None, slug: str, form: Any, **context: Any) -> tuple[str, int]:
    """A section page: the form, the section nav with each section's state, and
    the outstanding problems of this section as reminders next to their fields."""
    progress = Progress.of(app) if app is not None else None
    # A field showing an error needs no second, older message about the saved value.
    with_errors = {field_id for field_id, _, _ in error_items(form)}
    outstanding = {k: v for k, v in progress.field_messages(slug).items() if k not in with_errors} if progress else {}
    return render_template(
        f"agency/section_{slug}.html", app=app, form=form, section=BY_SLUG[slug], sections=SECTIONS,
        progress=progress, outstanding=outstanding,
        change_request=change_request_of(app), **(_section_context(app, slug) if app else {}), **context,
    ), 200


def may_attest(user: Any) -> bool:
    """The attestation is signed by an agency official: the agency's administrator."""
    return bool(user.role == Role.AGENCY_ADMIN)


def _section_context(app: Application, slug: str) -> dict[str, Any]:
    if slug == "hours":
        return {"area_keys": list(AREAS), "designation_keys": list(DESIGNATIONS),
                "area_sum": sum(getattr(app, f"hours_{k}") or 0 for k in AREAS)}
    if slug == "instructors":
        return {"records": {i.id: i.record for i in app.instructors if i.record is not None}}
    if slug == "contact":
        admins = db.session.scalars(db.select(User.name).where(
            User.agency_id == app.agency_id, User.role == Role.AGENCY_ADMIN, User.active).order_by(User.name))
        return {"may_attest": may_attest(current_user), "agency_admins": list(admins)}
    if slug == "documents":
        return {"documents": app.live_documents}
    return {}


def change_request_of(app: Application | None) -> Any:
    from approvals.agency.queries import latest_change_request, timeline

    if app is None or app.state != ApplicationState.CHANGES_REQUESTED:
        return None
    return latest_change_request(timeline(app, current_user))

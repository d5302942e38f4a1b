"""The rules an application must meet before it can be submitted.

Pure functions over an Application; each problem names the field it is about,
so the form and the API can show it next to that field.
"""
from __future__ import annotations

from dataclasses import dataclass

from approvals.models.application import AREAS, DESIGNATIONS, Application, DeliveryMethod
from approvals.models.parts import DocumentKind

MAX_COURSE_HOURS = 80.0
MIN_SYNOPSIS_CHARS = 200


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def hours_problem(value: float | None, label: str, *, required: bool, maximum: float = MAX_COURSE_HOURS) -> str | None:
    """The message for a bad hours value, or None when it is fine."""
    if value is None:
        return f"Enter the {label} (0 if none)." if required else None
    if value < 0:
        return f"The {label} cannot be negative."
    if value > maximum:
        return f"The {label} cannot be more than {maximum:g}."
    if (value * 2) != int(value * 2):
        return f"The {label} must be in half-hour steps (for example 2 or 2.5)."
    return None


def hours_problems(hours: dict[str, float | None], delivery: DeliveryMethod | None, *, prefix: str = "hours_") -> list[Problem]:
    """Check a set of hours (total, areas, designations) against each other."""
    problems: list[Problem] = []
    total = hours.get("total")
    msg = hours_problem(total, "total contact hours", required=True)
    if msg is None and total is not None and total < 0.5:
        msg = "The total contact hours must be at least 0.5."
    if msg:
        problems.append(Problem(f"{prefix}total", msg))
    for key, label in {**AREAS, **DESIGNATIONS}.items():
        m = hours_problem(hours.get(key), f"{label} hours", required=True)
        if m:
            problems.append(Problem(f"{prefix}{key}", m))
    if problems:
        return problems
    assert total is not None
    area_sum = sum(hours[k] or 0 for k in AREAS)
    if area_sum != total:
        problems.append(Problem(
            f"{prefix}total",
            f"The hours by core area add up to {area_sum:g}, but the total is {total:g}; they must be equal.",
        ))
    for key, label in DESIGNATIONS.items():
        if (hours[key] or 0) > total:
            problems.append(Problem(f"{prefix}{key}", f"{label} hours ({hours[key]:g}) cannot exceed the total ({total:g})."))
    firearms = hours["firearms"] or 0
    if firearms > (hours["skill_development"] or 0):
        problems.append(Problem(
            f"{prefix}firearms",
            f"Firearms hours ({firearms:g}) cannot exceed the Skill Development hours ({hours['skill_development'] or 0:g}).",
        ))
    if firearms > 0 and delivery == DeliveryMethod.COMPUTER_BASED:
        problems.append(Problem(
            f"{prefix}firearms",
            "Firearms hours must be delivered in person, hands-on; choose in-person delivery or set firearms hours to 0.",
        ))
    return problems


def submission_problems(app: Application) -> list[Problem]:
    """Everything that stops *app* from being submitted, field by field."""
    p: list[Problem] = []

    def need(field: str, value: str, message: str) -> None:
        if not (value or "").strip():
            p.append(Problem(field, message))

    need("title", app.title, "Enter the course title.")
    need("synopsis", app.synopsis, "Enter a detailed synopsis or summary of the course.")
    if app.synopsis.strip() and len(app.synopsis.strip()) < MIN_SYNOPSIS_CHARS:
        p.append(Problem("synopsis", f"The synopsis must be detailed: at least {MIN_SYNOPSIS_CHARS} characters "
                                     f"(it has {len(app.synopsis.strip())})."))
    if app.delivery_method is None:
        p.append(Problem("delivery_method", "Choose how the course is delivered."))
    need("attendance_policy", app.attendance_policy, "Describe the attendance policy.")
    need("evaluation_method", app.evaluation_method, "Describe how students are evaluated.")
    p.extend(hours_problems(app.requested_hours(), app.delivery_method))
    if not [o for o in app.objectives if o.text.strip()]:
        p.append(Problem("objectives", "Add at least one learning objective."))
    if not app.instructors:
        p.append(Problem("instructors", "Add at least one instructor."))
    for i, instructor in enumerate(app.instructors, start=1):
        if not instructor.name.strip():
            p.append(Problem(f"instructors-{i}-name", f"Enter the name of instructor {i}."))
        if not instructor.qualifications.strip():
            p.append(Problem(f"instructors-{i}-qualifications", f"Describe the qualifications of instructor {i}."))
        if instructor.record is None:
            p.append(Problem(f"instructors-{i}-record", f"Upload the instructor's record of instructor {i}."))
    if not [d for d in app.live_documents if d.kind == DocumentKind.SAMPLE_CERTIFICATE]:
        p.append(Problem("sample_certificate", "Upload a sample certificate."))
    need("contact_name", app.contact_name, "Enter the contact person's name.")
    need("contact_email", app.contact_email, "Enter the contact person's e-mail address.")
    if app.contact_email and "@" not in app.contact_email:
        p.append(Problem("contact_email", "Enter an e-mail address like name@agency.mo.gov."))
    need("attestation_name", app.attestation_name, "Enter the name of the agency official attesting.")
    need("attestation_title", app.attestation_title, "Enter the title of the agency official attesting.")
    if not app.attested:
        p.append(Problem("attested", "The agency official must confirm the attestation."))
    return p

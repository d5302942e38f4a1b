"""Every submission rule, as tables. Pure: no database, no app."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

import pytest

from approvals.models import Application, DeliveryMethod, Document, DocumentKind, Instructor, Objective
from approvals.validation import MAX_COURSE_HOURS, hours_problems, submission_problems
from tests.applications_support import VALID_FIELDS, VALID_HOURS

IN_PERSON, ONLINE = DeliveryMethod.IN_PERSON, DeliveryMethod.COMPUTER_BASED


def hours(**changes: float | None) -> dict[str, float | None]:
    return {**VALID_HOURS, **changes}


HOURS_CASES: list[tuple[str, dict[str, float | None], DeliveryMethod | None, str | None, str | None]] = [
    # (case, hours, delivery, field with a problem or None, words of the message)
    ("valid", hours(), IN_PERSON, None, None),
    ("valid, half-hour steps everywhere", hours(total=2.5, legal=0.5, technical=0.5, interpersonal=0.5,
                                                skill_development=1, firearms=0.5, deescalation=0.5), IN_PERSON, None, None),
    ("valid at the maximum", hours(total=MAX_COURSE_HOURS, legal=MAX_COURSE_HOURS - 3, firearms=1), IN_PERSON, None, None),
    ("no firearms online is fine", hours(firearms=0), ONLINE, None, None),
    ("total missing", hours(total=None), IN_PERSON, "hours_total", "Enter the total contact hours"),
    ("total zero", hours(total=0, legal=0, technical=0, interpersonal=0, skill_development=0, firearms=0,
                         implicit_bias=0, deescalation=0), IN_PERSON, "hours_total", "at least 0.5"),
    ("total negative", hours(total=-1), IN_PERSON, "hours_total", "cannot be negative"),
    ("total over the bound", hours(total=MAX_COURSE_HOURS + 0.5), IN_PERSON, "hours_total", "cannot be more than"),
    ("total quarter hour", hours(total=4.25), IN_PERSON, "hours_total", "half-hour steps"),
    ("area quarter hour", hours(legal=1.25), IN_PERSON, "hours_legal", "half-hour steps"),
    ("area negative", hours(technical=-0.5), IN_PERSON, "hours_technical", "cannot be negative"),
    ("area missing", hours(interpersonal=None), IN_PERSON, "hours_interpersonal", "Enter the Interpersonal"),
    ("designation missing", hours(racial_profiling=None), IN_PERSON, "hours_racial_profiling", "Enter the Racial"),
    ("designation third of an hour", hours(implicit_bias=0.3), IN_PERSON, "hours_implicit_bias", "half-hour"),
    ("areas short of the total", hours(legal=0.5), IN_PERSON, "hours_total", "add up to 3.5, but the total is 4"),
    ("areas over the total", hours(technical=1.5), IN_PERSON, "hours_total", "add up to 5, but the total is 4"),
    ("de-escalation over total", hours(deescalation=4.5), IN_PERSON, "hours_deescalation", "cannot exceed the total"),
    ("racial profiling over total", hours(racial_profiling=5), IN_PERSON, "hours_racial_profiling", "cannot exceed the total"),
    ("implicit bias over total", hours(implicit_bias=6), IN_PERSON, "hours_implicit_bias", "cannot exceed the total"),
    ("designation equal to total is fine", hours(deescalation=4), IN_PERSON, None, None),
    ("firearms over skill development", hours(firearms=1.5), IN_PERSON, "hours_firearms",
     "cannot exceed the Skill Development hours"),
    ("firearms computer-based", hours(), ONLINE, "hours_firearms", "must be delivered in person"),
]


@pytest.mark.parametrize(("case", "values", "delivery", "field", "words"), HOURS_CASES, ids=[c[0] for c in HOURS_CASES])
def test_hours_rules(case, values, delivery, field, words):
    problems = hours_problems(values, delivery)
    if field is None:
        assert problems == []
    else:
        assert [p.field for p in problems] == [field], problems
        assert words in problems[0].message


def valid_application() -> Application:
    """A transient application meeting every rule."""
    app = Application(**{**VALID_FIELDS, "delivery_method": IN_PERSON}, attested=True)
    for key, value in VALID_HOURS.items():
        setattr(app, f"hours_{key}", value)
    app.objectives = [Objective(text="Demonstrate three de-escalation techniques.")]
    record = Document(kind=DocumentKind.INSTRUCTOR_RECORD, original_name="cv.pdf")
    app.instructors = [Instructor(name="Jane Q. Trainer", qualifications="CIT instructor", documents=[record])]
    app.documents = [record, Document(kind=DocumentKind.SAMPLE_CERTIFICATE, original_name="cert.pdf")]
    return app


def _set(**values: Any) -> Callable[[Application], None]:
    return lambda app: [setattr(app, k, v) for k, v in values.items()]


def _remove_record(app: Application) -> None:
    app.instructors[0].documents[0].removed_at = datetime(2026, 1, 1)


def _second_instructor_without_record(app: Application) -> None:
    app.instructors.append(Instructor(name="Sam Second", qualifications="Range master"))


def _remove_certificate(app: Application) -> None:
    app.documents[1].removed_at = datetime(2026, 1, 1)


RULES: list[tuple[str, Callable[[Application], Any], str, str]] = [
    ("title missing", _set(title=""), "title", "Enter the course title."),
    ("title only spaces", _set(title="   "), "title", "Enter the course title."),
    ("synopsis missing", _set(synopsis=""), "synopsis", "Enter a detailed synopsis"),
    ("synopsis too short", _set(synopsis="A short course."), "synopsis", "at least 200 characters (it has 15)"),
    ("delivery method missing", _set(delivery_method=None, hours_firearms=0), "delivery_method", "Choose how"),
    ("attendance policy missing", _set(attendance_policy=""), "attendance_policy", "attendance policy"),
    ("evaluation method missing", _set(evaluation_method=" "), "evaluation_method", "how students are evaluated"),
    ("hours checked too", _set(hours_total=4.5), "hours_total", "add up to 4, but the total is 4.5"),
    ("no objectives", _set(objectives=[]), "objectives", "Add at least one learning objective."),
    ("only blank objectives", lambda a: setattr(a, "objectives", [Objective(text="  ")]), "objectives", "at least one"),
    ("no instructors", _set(instructors=[]), "instructors", "Add at least one instructor."),
    ("instructor without a name", lambda a: setattr(a.instructors[0], "name", ""), "instructors-1-name", "name of instructor 1"),
    ("instructor without qualifications", lambda a: setattr(a.instructors[0], "qualifications", ""),
     "instructors-1-qualifications", "qualifications of instructor 1"),
    ("instructor's record removed", _remove_record, "instructors-1-record", "record of instructor 1"),
    ("second instructor without a record", _second_instructor_without_record, "instructors-2-record", "instructor 2"),
    ("no sample certificate", _remove_certificate, "sample_certificate", "Upload a sample certificate."),
    ("contact name missing", _set(contact_name=""), "contact_name", "contact person's name"),
    ("contact e-mail missing", _set(contact_email=""), "contact_email", "contact person's e-mail"),
    ("contact e-mail malformed", _set(contact_email="dana.example.gov"), "contact_email", "e-mail address like"),
    ("attesting official missing", _set(attestation_name=""), "attestation_name", "official attesting"),
    ("official's title missing", _set(attestation_title=""), "attestation_title", "title of the agency official"),
    ("not attested", _set(attested=False), "attested", "must confirm the attestation"),
]


def test_the_valid_application_is_valid():
    assert submission_problems(valid_application()) == []


@pytest.mark.parametrize(("case", "change", "field", "words"), RULES, ids=[r[0] for r in RULES])
def test_submission_rules(case, change, field, words):
    app = valid_application()
    change(app)
    problems = submission_problems(app)
    assert [p.field for p in problems] == [field], problems
    assert words in problems[0].message


def test_an_empty_draft_lists_every_required_field():
    app = Application(title="", synopsis="", attendance_policy="", evaluation_method="", contact_name="",
                      contact_email="", attestation_name="", attestation_title="", attested=False)
    fields = {p.field for p in submission_problems(app)}
    assert fields >= {"title", "synopsis", "delivery_method", "attendance_policy", "evaluation_method",
                      "hours_total", "hours_legal", "hours_firearms", "objectives", "instructors",
                      "sample_certificate", "contact_name", "contact_email", "attestation_name",
                      "attestation_title", "attested"}

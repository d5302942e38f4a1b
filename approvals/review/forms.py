"""Forms of the review area: queue filters, checklist, comments, decisions, assignment."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DecimalField, HiddenField, IntegerField, RadioField, SelectField, SelectMultipleField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from approvals.models import ApplicationState
from approvals.models.application import AREAS, DESIGNATIONS, HOUR_FIELDS, OPEN_STATES

def choices(pairs: Any) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects, not (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]


HOUR_LABELS = {"total": "Total contact hours", **{k: f"{v} hours" for k, v in {**AREAS, **DESIGNATIONS}.items()}}
CHECKLIST: dict[str, str] = {
    "synopsis_adequate": "Synopsis is detailed enough to judge the course",
    "objectives_measurable": "Learning objectives are measurable",
    "instructors_qualified": "Instructors are qualified for the content",
    "certificate_compliant": "Sample certificate shows agency, title, total hours and hours by area",
    "hours_consistent": "Hours by area and designation are consistent with the content",
}


class QueueFilterForm(FlaskForm):
    """GET filters of the queue (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    state = SelectField("State", choices=choices([("", "Any open state")] + [
        (s.value, s.label) for s in ApplicationState if s in OPEN_STATES]), default="")
    area = SelectField("Core area", choices=choices([("", "Any area"), *AREAS.items()]), default="")
    designation = SelectField("Designation", choices=choices([("", "Any designation"), *DESIGNATIONS.items()]),
                              default="")
    # Rendered by hand in the template: WTForms' option widgets cost ~10 ms
    # for a few hundred agencies on every queue page.
    agency = IntegerField("Agency", default=0, validators=[Optional()])
    age = SelectField("Age", default="", choices=choices([
        ("", "Any age"), ("ok", "Within the review SLA"), ("due", "Past the review SLA"),
        ("escalated", "Past the escalation SLA")]))


class VersionedForm(FlaskForm):
    # The version of the application the reviewer was looking at.
    seen_version = HiddenField(validators=[InputRequired(message="Reload the page and try again.")])

    def seen(self) -> int | None:
        try:
            return int(self.seen_version.data)
        except (TypeError, ValueError):
            return None


def _hours_field(key: str) -> DecimalField:
    return DecimalField(HOUR_LABELS[key], places=1, validators=[
        InputRequired(message=f"Enter the approved {HOUR_LABELS[key].lower()} (0 when none)."),
        NumberRange(min=0, max=200, message="Hours must be between 0 and 200.")])


class ApproveForm(VersionedForm):
    note = TextAreaField("Reason for changed hours, or a note for the agency",
                         description="Required when the approved hours differ from the request.",
                         validators=[Optional(), Length(max=4000)])

    def hours(self) -> dict[str, float | None]:
        return {k: (float(self[f"approved_{k}"].data) if self[f"approved_{k}"].data is not None else None)
                for k in HOUR_FIELDS}


for _key in HOUR_FIELDS:
    setattr(ApproveForm, f"approved_{_key}", _hours_field(_key))


class RequestChangesForm(VersionedForm):
    message = TextAreaField("What the agency must change", validators=[
        InputRequired(message="Tell the agency what to change."), Length(max=8000)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DenyForm(VersionedForm):
    codes = MultiCheckboxField("Reasons for the denial", validators=[
        InputRequired(message="Choose at least one reason for the denial.")])
    reason = TextAreaField("Explanation for the agency", validators=[
        InputRequired(message="Explain the denial to the agency."), Length(max=8000)])


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[InputRequired(message="Write a message first."), Length(max=8000)])
    visibility = RadioField("Who sees it", default="internal", choices=choices([
        ("internal", "Internal note (POST staff only)"), ("agency", "Message to the agency")]))


class ChecklistForm(FlaskForm):
    notes = TextAreaField("Checklist notes (POST staff only)", validators=[Optional(), Length(max=4000)])


for _key, _label in CHECKLIST.items():
    setattr(ChecklistForm, _key, BooleanField(_label))


class AssignForm(FlaskForm):
    reviewer_id = SelectField("Reviewer", coerce=int, validators=[InputRequired()])
    note = TextAreaField("Note (internal)", validators=[Optional(), Length(max=1000)])


class LeaveForm(FlaskForm):
    on_leave = IntegerField(validators=[NumberRange(min=0, max=1)])

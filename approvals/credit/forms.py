"""Forms of the credit pages. Field checks only; the ledger and roster services judge the rest."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from approvals.agency.forms import HoursField, UploadField
from approvals.models.application import AREAS, DESIGNATIONS
from approvals.models.compliance import ExtensionKind

UPLOAD_HINT = "PDF, Word (.docx), PNG or JPEG."
DATE_MESSAGE = "Enter a date like 2023-06-30."


def choices(pairs: Any) -> list[SelectChoice]:
    """WTForms 3.3 wants SelectChoice objects, not (value, label) tuples."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class RosterRowForm(Form):
    license_number = StringField("License number", filters=[_strip], validators=[Length(max=32)])
    hours = StringField("Hours completed", filters=[_strip], validators=[Length(max=10)],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})


class RosterForm(FlaskForm):
    # Text, so not an UploadField (those take documents); approvals.credit.rosters reads it.
    csv_file = FileField("Or upload the roster as a CSV file",
                         description="A header row with license_number and hours, then one officer per row.")
    rows = FieldList(FormField(RosterRowForm), min_entries=0)


class AmendForm(FlaskForm):
    rows = FieldList(FormField(RosterRowForm), min_entries=0)
    reason = TextAreaField("Why is the roster being corrected?", filters=[_strip],
                           validators=[DataRequired("Say why the roster is being corrected."), Length(max=2000)])


_KINDS = {
    "approved_provider": "Approved-Provider course",
    "military": "Military training",
    "out_of_state": "Out-of-state training",
    "federal": "Federal training",
    "college": "College course",
}
ENTRY_KINDS = _KINDS


class CreditForm(FlaskForm):
    """POST's entry of credit earned outside in-service rosters."""

    title = StringField("Course or training title", filters=[_strip],
                        validators=[DataRequired("Enter the title."), Length(max=200)])
    provider_name = StringField("Provider", filters=[_strip], validators=[Length(max=200)],
                                description="The Approved Provider, college, military unit or agency that delivered it.")
    completed_on = DateField("Completed on", validators=[InputRequired(DATE_MESSAGE)])
    provider = SelectField("Provider type", choices=choices([("approved_provider", "Approved Provider"),
                                                             ("licensed_provider", "Licensed Provider")]))
    delivery = SelectField("Delivery", choices=choices([("in_person", "In person (live, hands-on)"),
                                                        ("computer_based", "Computer-based")]))
    hours = HoursField("Total hours", "total hours")
    semester_hours = HoursField("Semester hours", "semester hours",
                                description="Each semester hour earns the year's college rate (2 hours under the 2023 rules).")
    college_area = SelectField("Core area POST awards the hours in", choices=choices(AREAS.items()))
    evidence = UploadField("Evidence (certificate, college transcript and course description)",
                           description=UPLOAD_HINT)
    note = TextAreaField("Note", filters=[_strip], validators=[Optional(), Length(max=2000)])

    def area_hours(self) -> dict[str, float]:
        return {k: self[f"area_{k}"].data or 0.0 for k in AREAS}

    def designation_hours(self) -> dict[str, float]:
        return {k: self[f"designation_{k}"].data or 0.0 for k in DESIGNATIONS if f"designation_{k}" in self}

    def fit(self, kind: str) -> None:
        """Drop the fields this kind of credit does not use, so they are neither shown nor validated."""
        if kind == "college":
            unused = ["hours", "delivery", "provider", "designation_firearms", *(f"area_{k}" for k in AREAS)]
        else:
            unused = ["semester_hours", "college_area"] + ([] if kind in ("out_of_state", "federal") else ["provider"])
        for name in unused:
            delattr(self, name)


for _key, _label in AREAS.items():
    setattr(CreditForm, f"area_{_key}", HoursField(f"{_label} hours", f"{_label} hours"))
for _key, _label in DESIGNATIONS.items():
    setattr(CreditForm, f"designation_{_key}", HoursField(f"{_label} hours", f"{_label} hours"))


class CreditImportForm(FlaskForm):
    csv_file = FileField("Credit CSV file", validators=[FileRequired("Choose the CSV file.")])
    evidence = UploadField("Evidence for the whole file (the provider's attendance record)", description=UPLOAD_HINT)


class SupersedeForm(FlaskForm):
    reason = TextAreaField("Why does this entry no longer count?", filters=[_strip],
                           validators=[DataRequired("Say why the entry is withdrawn."), Length(max=2000)])


class ExtensionRequestForm(FlaskForm):
    year = SelectField("Reporting year", coerce=int)
    kind = RadioField("Reason", choices=choices((k.value, k.label) for k in ExtensionKind),
                      validators=[InputRequired("Choose medical leave or military leave of absence.")])
    new_due_date = DateField("New due date requested", validators=[InputRequired(DATE_MESSAGE)])
    reason = TextAreaField("Details", filters=[_strip],
                           description="Dates of the leave and anything POST should know.",
                           validators=[DataRequired("Describe the leave."), Length(max=4000)])


class ExtensionDecisionForm(FlaskForm):
    decision = RadioField("Decision", choices=choices([("grant", "Grant"), ("deny", "Deny")]),
                          validators=[InputRequired("Choose grant or deny.")])
    note = TextAreaField("Note to the agency", filters=[_strip], validators=[Length(max=2000)])

    def validate_note(self, field: TextAreaField) -> None:
        if self.decision.data == "deny" and not field.data:
            raise ValidationError("Say why the extension is denied; the agency will read it.")

"""Forms of the application sections.

Drafts may be incomplete, so nothing here is required; but every value that
is given must be well-formed (a number of hours, an e-mail address, a length
limit). Whether the whole application may be submitted is decided by
approvals.validation, not here.
"""
from __future__ import annotations

import math
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField, EmailField, FieldList, Form, FormField, HiddenField, IntegerField, RadioField,
    StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, Length, Optional, Regexp, ValidationError

from approvals.agency.uploads import inspect_field
from approvals.models.application import AREAS, DESIGNATIONS, DeliveryMethod
from approvals.storage import InspectedFile, UploadRejected
from approvals.validation import hours_problem

EMAIL_MESSAGE = "Enter an e-mail address like name@agency.mo.gov."
UPLOAD_HINT = "PDF, Word (.docx), PNG or JPEG, up to {mb} MB per file."


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class VersionedForm(FlaskForm):
    """Carries the application version the page showed, to refuse lost updates."""

    version = IntegerField(validators=[Optional()], widget=HiddenField.widget)


class HoursField(StringField):
    """Hours as text, so "abc" gets a coordinator's message rather than a crash;
    blank is allowed (a draft), anything given must be a sane half-hour value."""

    def __init__(self, label: str, noun: str, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, **kwargs)
        self.noun = noun

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return  # not sent at all: keep the saved value, as the other fields do
        raw = valuelist[0].strip()
        self.data = None
        if not raw:
            return
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"Enter the {self.noun} as a number of hours, like 2 or 2.5.") from None
        if not math.isfinite(value):
            raise ValueError(f"Enter the {self.noun} as a number of hours, like 2 or 2.5.")
        self.data = value

    def pre_validate(self, form: Any) -> None:
        message = hours_problem(self.data, self.noun, required=False)
        if message:
            raise ValidationError(message)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return f"{self.data:g}" if self.data is not None else ""


class UploadField(FileField):
    """A file input checked as part of validation (name policy, then content);
    ``inspected`` holds the accepted file, if one was chosen."""

    inspected: list[InspectedFile]

    def pre_validate(self, form: Any) -> None:
        self.inspected = []
        try:
            found = inspect_field(self.data)
        except UploadRejected as exc:
            raise ValidationError(exc.message) from None
        if found is not None:
            self.inspected.append(found)


class MultipleUploadField(MultipleFileField):
    """Several files, each checked as UploadField checks one; all or nothing."""

    inspected: list[InspectedFile]

    def pre_validate(self, form: Any) -> None:
        self.inspected = []
        for upload in self.data or []:
            try:
                found = inspect_field(upload)
            except UploadRejected as exc:
                raise ValidationError(exc.message) from None
            if found is not None:
                self.inspected.append(found)


class CourseForm(VersionedForm):
    title = StringField("Course title", filters=[_strip], validators=[Length(max=200)])
    synopsis = TextAreaField(
        "Detailed synopsis or summary",
        description="What the course covers and how, in enough detail for POST to judge its content "
                    "(at least 200 characters). A lesson plan is not required.",
        validators=[Length(max=20000)],
    )
    delivery_method = RadioField(
        "Delivery method", choices=[SelectChoice(m.value, m.label) for m in DeliveryMethod], validators=[Optional()],
        description="Firearms hours must be delivered in person, hands-on.",
    )
    attendance_policy = TextAreaField(
        "Attendance policy", validators=[Length(max=5000)],
        description="For example: attendance at every session is required for credit; sign-in sheets are kept.",
    )
    evaluation_method = TextAreaField(
        "Evaluation method", validators=[Length(max=5000)],
        description="How students show they met the objectives: written test, practical exercise, qualification…",
    )


class HoursForm(VersionedForm):
    hours_total = HoursField("Total contact hours", "total contact hours",
                             description="In half-hour steps, for example 4 or 7.5.")


for _key, _label in {**AREAS, **DESIGNATIONS}.items():
    setattr(HoursForm, f"hours_{_key}", HoursField(_label, f"{_label} hours"))


class ObjectivesForm(VersionedForm):
    objectives = FieldList(
        TextAreaField("Objective", filters=[_strip], validators=[Length(max=1000)]), min_entries=1,
    )


class InstructorRow(Form):
    id = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    name = StringField("Name", filters=[_strip], validators=[Length(max=200)])
    email = EmailField("E-mail", filters=[_strip], validators=[Optional(), Email(EMAIL_MESSAGE), Length(max=254)])
    license_number = StringField(
        "Peace officer license number (if licensed)", filters=[_strip],
        validators=[Optional(), Length(max=32),
                    Regexp(r"^[A-Za-z0-9-]+$", message="Use only letters, digits and dashes.")],
    )
    qualifications = TextAreaField(
        "Qualifications", validators=[Length(max=5000)],
        description="Certifications, instructor training and experience that qualify this person to teach the course.",
    )
    record = UploadField("Instructor's record (résumé or training record)")


class InstructorsForm(VersionedForm):
    instructors = FieldList(FormField(InstructorRow), min_entries=1)


class DocumentsForm(FlaskForm):
    sample_certificate = UploadField(
        "Sample certificate",
        description="It must show the agency, the course title, the total hours and the hours by area. "
                    "A new upload replaces the current one.",
    )
    other_documents = MultipleUploadField("Other documents (optional)")


class ContactForm(VersionedForm):
    contact_name = StringField("Contact person", filters=[_strip], validators=[Length(max=200)])
    contact_email = EmailField("Contact e-mail", filters=[_strip],
                               validators=[Optional(), Email(EMAIL_MESSAGE), Length(max=254)])
    contact_phone = StringField(
        "Contact telephone (optional)", filters=[_strip],
        validators=[Optional(), Length(max=40),
                    Regexp(r"^[0-9()+.\- ext]+$", message="Enter a telephone number like (573) 555-0100.")],
    )
    attestation_name = StringField("Name of the attesting agency official", filters=[_strip],
                                   validators=[Length(max=200)])
    attestation_title = StringField("Official's title", filters=[_strip], validators=[Length(max=200)],
                                    description="For example: Chief of Police, Sheriff, Training Commander.")
    attested = BooleanField(
        "I attest that the information in this application is true and complete, that the listed "
        "instructors are qualified, and that the course will be delivered as described."
    )

    ATTESTATION_FIELDS = ("attestation_name", "attestation_title", "attested")


class WithdrawForm(FlaskForm):
    reason = TextAreaField("Reason (optional)", validators=[Length(max=2000)],
                           description="Shown to POST in the application's history.")


class ActionForm(FlaskForm):
    """A button-only form (submit, remove a document): just the CSRF token."""

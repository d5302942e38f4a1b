"""Offering forms. Field names match OfferingDetails, whose checks (in
approvals/offerings.py) give the messages; the form only converts types."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, IntegerField, StringField, SubmitField, TextAreaField, URLField
from wtforms.validators import Optional

from approvals.offerings import OfferingDetails
from approvals.validation import Problem


class FriendlyDateField(DateField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a date like 2026-03-14.") from None


class FriendlyIntegerField(IntegerField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a whole number, like 24.") from None


class OfferingForm(FlaskForm):
    starts_on = FriendlyDateField("First day", validators=[Optional()])
    ends_on = FriendlyDateField("Last day", description="The same as the first day for a one-day course.",
                                validators=[Optional()])
    online = BooleanField("Delivered online (live, by video link)")
    location = StringField("Location", description="Building, street address and city, e.g. "
                           "Training Center, 600 E. Walnut St., Columbia.")
    online_url = URLField("Web address to join", description="Only for online offerings; shown to "
                          "your agency, not on the public catalog.")
    instructors = TextAreaField("Instructors", description="One name per line.")
    instructor_licenses = StringField("Instructors' officer license numbers",
                                      description="Optional. Comma-separated; licensed instructors receive "
                                                  "instruction credit from the roster.")
    seats = FriendlyIntegerField("Seats", validators=[Optional()])
    contact_name = StringField("Contact name")
    contact_email = EmailField("Contact e-mail")
    contact_phone = StringField("Contact phone", description="Optional.")
    submit = SubmitField("Save offering")

    def details(self) -> OfferingDetails:
        return OfferingDetails(
            starts_on=self.starts_on.data, ends_on=self.ends_on.data, online=bool(self.online.data),
            location=self.location.data or "", online_url=self.online_url.data or "",
            instructors=self.instructors.data or "", instructor_licenses=self.instructor_licenses.data or "",
            seats=self.seats.data, contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "", contact_phone=self.contact_phone.data or "",
        )

    def show_problems(self, problems: list[Problem]) -> None:
        for problem in problems:
            field = self._fields.get(problem.field)
            if field is not None and not field.errors:  # a conversion error already says it
                field.errors = [problem.message]

    def prefill(self, *, contact_name: str, contact_email: str) -> None:
        self.contact_name.data = self.contact_name.data or contact_name
        self.contact_email.data = self.contact_email.data or contact_email


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason (optional)", description="Shown in your agency's history.")
    submit = SubmitField("Cancel this offering")

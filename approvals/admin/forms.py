from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from approvals.models.user import ROLE_LABELS, Role

ORI_RE = re.compile(r"^MO[0-9A-Z]{7}$")


class AgencyForm(FlaskForm):
    name = StringField("Agency name", validators=[DataRequired("Enter the agency's name."), Length(max=200)])
    ori = StringField(
        "ORI",
        description="The agency's 9-character NCIC Originating Agency Identifier, e.g. MO0950000.",
        validators=[
            DataRequired("Enter the agency's ORI."),
            Regexp(ORI_RE, message="An ORI is MO followed by 7 letters or digits, e.g. MO0950000."),
        ],
        filters=[lambda v: v.strip().upper() if v else v],
    )
    county = StringField("County", validators=[Optional(), Length(max=100)])
    active = BooleanField("Active", default=True)
    submit = SubmitField("Save agency")


class UserForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired("Enter the person's name."), Length(max=200)])
    email = EmailField(
        "E-mail address",
        validators=[DataRequired("Enter an e-mail address."), Email("Enter an e-mail address like name@agency.mo.gov."), Length(max=254)],
        filters=[lambda v: v.strip().lower() if v else v],
    )
    role = SelectField("Role", validators=[DataRequired("Choose a role.")])
    agency_id = SelectField("Agency", coerce=int, validators=[Optional()])
    active = BooleanField("Active (may sign in)", default=True)
    submit = SubmitField("Save account")

    def setup(self, roles: tuple[Role, ...], agencies: list[tuple[int, str]]) -> None:
        self.role.choices = [(r.value, ROLE_LABELS[r]) for r in roles]
        self.agency_id.choices = [(0, "— None (POST staff) —"), *agencies]

    def validate_agency_id(self, field: SelectField) -> None:
        role = Role(self.role.data) if self.role.data in Role._value2member_map_ else None
        if role and role.is_agency and not field.data:
            raise ValidationError("Agency staff and agency administrators must belong to an agency.")
        if role and role.is_post and field.data:
            raise ValidationError("POST reviewers and administrators do not belong to an agency.")

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

MIN_PASSWORD = 12


class LoginForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired("Enter your e-mail address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    remember = BooleanField("Keep me signed in on this device")
    submit = SubmitField("Sign in")


def _strong(form: FlaskForm, field: PasswordField) -> None:
    value = field.data or ""
    if len(value) < MIN_PASSWORD:
        raise ValidationError(f"Use at least {MIN_PASSWORD} characters.")
    if value.lower() == value or value.upper() == value or not any(c.isdigit() for c in value):
        raise ValidationError("Use upper- and lower-case letters and at least one number.")


class NewPasswordMixin:
    password = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password."), Length(max=200), _strong],
        description=f"At least {MIN_PASSWORD} characters, with upper- and lower-case letters and a number.",
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[DataRequired("Repeat the new password."), EqualTo("password", "The two passwords do not match.")],
    )


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
    submit = SubmitField("Change password")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[DataRequired("Enter your e-mail address."), Email("Enter an e-mail address like name@agency.mo.gov."), Length(max=254)],
    )
    submit = SubmitField("Send reset link")


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    submit = SubmitField("Set new password")

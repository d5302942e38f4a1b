"""The public form: approval number and verification code, as printed on the letter."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, Regexp


class LookupForm(FlaskForm):
    """A GET form (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    number = StringField(
        "Approval number",
        validators=[InputRequired("Enter the approval number printed at the top of the letter."), Length(max=40),
                    Regexp(r"^\s*[A-Za-z0-9-]+\s*$", message="An approval number has only letters, digits and "
                                                            "dashes, for example MO-IS-2026-00017.")],
        description="At the top right of the letter, for example MO\u2011IS\u20112026\u201100017.",
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )
    code = StringField(
        "Verification code",
        validators=[InputRequired("Enter the verification code printed beside the QR code."), Length(max=64)],
        description="20 letters and digits, printed beside the QR code in the letter's lower right corner.",
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )

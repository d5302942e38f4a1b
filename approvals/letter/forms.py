"""Forms of the letters area: the reason an admin gives to reissue a letter or revoke an approval."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

# Prefixes keep these fields' ids unique on application pages that have other "reason" fields.
REISSUE_PREFIX = "letter-reissue"
REVOKE_PREFIX = "letter-revoke"


class ReissueForm(FlaskForm):
    reason = TextAreaField(
        "Reason for reissuing the letter",
        validators=[InputRequired("Say why the letter is being reissued."), Length(max=2000)],
        description="Recorded with the old letter, which is kept and marked superseded. The agency sees it.",
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        "Reason for revoking the approval",
        validators=[InputRequired("Give the reason for revoking this approval."), Length(max=4000)],
        description="Sent to the agency and kept in the record. The public verification page shows only "
                    "that the approval was revoked and when, not this reason.",
    )

"""Signed, expiring, single-use password-reset tokens."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from approvals.extensions import db
from approvals.models.user import User

_SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def make_reset_token(user: User) -> str:
    # The nonce changes when the password does, so a used token stops working.
    return _serializer().dumps({"uid": user.id, "n": user.session_nonce or 0})


class TokenError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def user_for_reset_token(token: str) -> User:
    """Return the user the token was issued to. Raises TokenError if it is
    expired, forged, already used, or for a deactivated account."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired as exc:
        raise TokenError("This reset link has expired. Ask for a new one.") from exc
    except BadSignature as exc:
        raise TokenError("This reset link is not valid. Ask for a new one.") from exc
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or (user.session_nonce or 0) != data.get("n"):
        raise TokenError("This reset link has already been used or is no longer valid. Ask for a new one.")
    return user

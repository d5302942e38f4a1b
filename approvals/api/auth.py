"""Who is calling the API: the bearer token, and nothing else.

The session cookie is never consulted under /api/v1: before every API
request the signed-in user is set from the ``Authorization: Bearer`` header
alone (anonymous without one), so a browser's cookie cannot act through the
API and CSRF has nothing to protect there. Flask-Login's ``current_user`` is
that token's user, so helpers shared with the pages (which ask
``current_user``) see the same person the API authenticated.
"""
from __future__ import annotations

import os

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import AnonymousUserMixin

from approvals.extensions import db
from approvals.models import ApiToken, User

_UNSET = object()
DEFAULT_RATE_LIMIT = "300 per minute"


def presented_secret() -> str | None:
    """The token in ``Authorization: Bearer <token>``, if one was sent."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def api_token() -> ApiToken | None:
    """The working token of this request (looked up once per request)."""
    cached = g.get("_api_token", _UNSET)
    if cached is _UNSET:
        from approvals.api.tokens import token_for_secret

        secret = presented_secret()
        cached = token_for_secret(secret) if secret else None
        g._api_token = cached
    return cached  # type: ignore[return-value]


def api_user() -> User | None:
    token = api_token()
    return token.user if token is not None else None


def sign_in_from_token() -> None:
    """Make the token's user (or nobody) the current user of this request,
    and note the token's use. Runs before every API view."""
    from approvals.api.tokens import touch

    token = api_token()
    # Flask-Login reads g._login_user before it would look at the session.
    g._login_user = token.user if token is not None else AnonymousUserMixin()
    if token is not None and touch(token):
        db.session.commit()


def bad_token_sent() -> bool:
    """A token was sent but does not work (revoked, unknown, account deactivated)."""
    return presented_secret() is not None and api_token() is None


def rate_limit_key() -> str:
    """Per token for signed-in calls, per address otherwise (bad tokens included,
    so inventing tokens buys no extra budget)."""
    token = api_token()
    return f"api-token:{token.id}" if token is not None else f"api-addr:{get_remote_address()}"


def rate_limit() -> str:
    """The per-token budget: API_RATE_LIMIT from the app config or the environment."""
    return str(current_app.config.get("API_RATE_LIMIT") or os.environ.get("API_RATE_LIMIT") or DEFAULT_RATE_LIMIT)


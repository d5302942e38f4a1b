"""Personal API tokens as plain functions: issue, revoke, look up.

Like the workflow, these check permission, change rows, audit, flush, and
never commit or read the request. The secret is returned once by
`issue_token` and never stored: only its SHA-256 is.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.orm import joinedload

from approvals import permissions
from approvals.extensions import db
from approvals.models import ApiToken, User, record
from approvals.models._types import utcnow
from approvals.validation import Problem
from approvals.workflow import Incomplete, NotPermitted

SECRET_PREFIX = "clee_"
PREFIX_LENGTH = 12        # "clee_" and 7 characters of the random part
MAX_NAME = 100
MAX_ACTIVE_TOKENS = 20    # per account
# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=5)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def active_tokens(user: User) -> list[ApiToken]:
    """The user's tokens that still work, newest first."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def issue_token(user: User, name: str, *, actor: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for *user* called *name*; returns it and its secret
    (shown once). *actor* is who does it (the user, or None from the command
    line). Raises NotPermitted (no API access), Incomplete (name missing or
    too long, too many tokens)."""
    if not permissions.can(user, permissions.API_TOKENS):
        raise NotPermitted("This account may not use the API.")
    name = " ".join((name or "").split())
    problems = []
    if not name:
        problems.append(Problem("name", "Give the token a name that says where it is used, like “Records system”."))
    elif len(name) > MAX_NAME:
        problems.append(Problem("name", f"The name can be at most {MAX_NAME} characters."))
    if len(active_tokens(user)) >= MAX_ACTIVE_TOKENS:
        problems.append(Problem("name", f"You already have {MAX_ACTIVE_TOKENS} tokens; revoke one you no "
                                        "longer use first."))
    if problems:
        raise Incomplete(problems)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_secret(secret), prefix=secret[:PREFIX_LENGTH])
    db.session.add(token)
    db.session.flush()
    record("api_token.created", actor=actor, subject=token, agency_id=user.agency_id,
           summary=f"API token “{name}” ({token.prefix}…) created for {user.name}", prefix=token.prefix)
    return token, secret


def revoke_token(token: ApiToken, actor: User) -> None:
    """Revoke *token* (its owner only). Raises NotPermitted."""
    if not token.can_revoke(actor):
        raise NotPermitted("Only the token's owner may revoke it.")
    token.revoked_at = utcnow()
    db.session.flush()
    record("api_token.revoked", actor=actor, subject=token, agency_id=actor.agency_id,
           summary=f"API token “{token.name}” ({token.prefix}…) revoked", prefix=token.prefix)


def token_for_secret(secret: str) -> ApiToken | None:
    """The working token with this secret: not revoked, its account active.
    None otherwise (the caller cannot tell which). What the account may do
    is the capabilities' business, checked per operation."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))
        .options(joinedload(ApiToken.user)))
    if token is None or token.is_revoked or not token.user.active:
        return None
    return token


def touch(token: ApiToken) -> bool:
    """Note that the token was used, at most every TOUCH_EVERY. Returns True
    when a write was made (the caller commits it)."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return False
    # A plain UPDATE: the ORM object stays as loaded, and no version is bumped.
    db.session.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return True


@click.command("create-token")
@click.option("--email", required=True, help="The account the token signs in as.")
@click.option("--name", required=True, help="What the token is for, e.g. 'Records system'.")
@with_appcontext
def create_token_command(email: str, name: str) -> None:
    """Create a personal API token and print its secret (shown only this once)."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise click.BadParameter("No active account has this e-mail address.", param_hint="--email")
    try:
        token, secret = issue_token(user, name)
    except NotPermitted as exc:
        raise click.BadParameter(str(exc), param_hint="--email") from None
    except Incomplete as exc:
        raise click.BadParameter(str(exc), param_hint="--name") from None
    db.session.commit()
    click.echo(f"Created API token “{token.name}” for {user.email}.")
    click.echo("Its secret is shown only now; store it safely:")
    click.echo(secret)

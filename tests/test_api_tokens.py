"""Personal API tokens: made on the profile page or the command line, shown once,
stored hashed, refused once revoked or when the account is deactivated; the
API never accepts the session cookie."""
from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa

from approvals.api.tokens import MAX_ACTIVE_TOKENS, TOUCH_EVERY, issue_token
from approvals.extensions import db
from approvals.models import ApiToken, AuditEvent
from approvals.models._types import utcnow
from tests.api_support import bearer
from tests.conftest import PASSWORD

SECRET = re.compile(r'id="new-token"[^>]*value="(clee_[A-Za-z0-9_-]+)"')


def _create_on_page(client, name: str = "Records system") -> tuple[str, str]:  # type: ignore[no-untyped-def]
    page = client.post("/profile/api-tokens/", data={"name": name})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    match = SECRET.search(html)
    assert match, html
    return match.group(1), html


def test_profile_links_to_the_token_page(client, auth, make):
    auth.login(make.user("agency_staff"))
    assert "/profile/api-tokens/" in client.get("/profile").get_data(as_text=True)


def test_token_made_on_the_profile_page_is_shown_once_and_stored_hashed(client, auth, make):
    user = make.user("agency_staff")
    auth.login(user)
    secret, html = _create_on_page(client)
    assert "shown only this once" in html
    token = db.session.scalar(sa.select(ApiToken))
    assert token.user_id == user.id and token.name == "Records system"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) < len(secret) // 3
    # The secret is in no column, and never shown again.
    row = db.session.execute(sa.select(ApiToken.__table__)).one()
    assert secret not in [str(v) for v in row]
    again = client.get("/profile/api-tokens/").get_data(as_text=True)
    assert secret not in again and token.prefix in again
    # It works.
    me = client.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200 and me.json["id"] == user.id and me.json["token"]["prefix"] == token.prefix
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "api_token.created"))
    assert secret not in str(audit.data) + audit.summary


def test_the_token_page_is_not_cached(client, auth, make):
    auth.login(make.user("post_reviewer"))
    response = client.post("/profile/api-tokens/", data={"name": "Queue dashboard"})
    assert response.headers["Cache-Control"] == "no-store"


def test_a_token_needs_a_name(client, auth, make):
    auth.login(make.user("agency_staff"))
    response = client.post("/profile/api-tokens/", data={"name": "  "})
    assert response.status_code == 422
    assert "Give the token a name" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_revoked_token_is_refused_with_401(client, auth, make):
    user = make.user("agency_admin")
    auth.login(user)
    secret, _ = _create_on_page(client)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    token = db.session.scalar(sa.select(ApiToken))
    response = client.post(f"/profile/api-tokens/{token.id}/revoke", follow_redirects=True)
    assert "Revoked the token" in response.get_data(as_text=True)
    refused = client.get("/api/v1/me", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    # A revoked token is refused on public operations too: its holder should hear it is dead.
    assert client.get("/api/v1/catalog/courses", headers=bearer(secret)).status_code == 401
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None


def test_only_the_owner_revokes_a_token(client, auth, make):
    owner, other = make.user("agency_staff"), make.user("post_admin")
    token, secret = issue_token(owner, "Mine")
    db.session.commit()
    auth.login(other)
    assert client.post(f"/profile/api-tokens/{token.id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_deactivated_account_tokens_are_refused(client, make):
    user = make.user("post_reviewer")
    _, secret = issue_token(user, "Dashboard")
    db.session.commit()
    assert client.get("/api/v1/review/queue", headers=bearer(secret)).status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/review/queue", headers=bearer(secret)).status_code == 401
    user.active = True
    db.session.commit()
    assert client.get("/api/v1/review/queue", headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer clee_nope",
                                    "Bearer not-even-ours", "Token clee_x"])
def test_missing_or_malformed_credentials_are_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json["type"] in ("about:blank", "urn:clee-approvals:problem:invalid-token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_session_cookie_is_never_accepted(client, auth, make):
    """Signed in on the site, a browser still cannot act through the API: no CSRF to fear."""
    auth.login(make.user("agency_staff"))
    assert client.get("/agency/").status_code == 200  # signed in for pages
    assert client.get("/api/v1/me").status_code == 401
    assert client.post("/api/v1/applications", json={"title": "Forged"}).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_api_writes_need_no_csrf_token_but_pages_do(app, client, make):
    """CSRF is exempt for the API blueprint only (token auth), not for the token page."""
    user = make.user("agency_staff")
    _, secret = issue_token(user, "Records system")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/api/v1/applications", json={"title": "Via API"},
                           headers=bearer(secret)).status_code == 201
        login_page = client.get("/auth/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
        client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf})
        assert client.get("/profile/api-tokens/").status_code == 200  # signed in
        assert client.post("/profile/api-tokens/", data={"name": "No CSRF"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_last_use_is_written_at_most_every_few_minutes(client, make):
    user = make.user("agency_staff")
    token, secret = issue_token(user, "Records system")
    db.session.commit()
    assert token.last_used_at is None
    client.get("/api/v1/me", headers=bearer(secret))
    db.session.expire_all()
    first = db.session.get(ApiToken, token.id).last_used_at
    assert first is not None
    client.get("/api/v1/me", headers=bearer(secret))
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at == first
    token = db.session.get(ApiToken, token.id)
    token.last_used_at = utcnow() - TOUCH_EVERY * 2
    db.session.commit()
    client.get("/api/v1/me", headers=bearer(secret))
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at > first - TOUCH_EVERY


def test_officers_have_no_token_page_and_cannot_make_tokens(client, auth, make):
    officer = make.user("officer")
    auth.login(officer)
    assert client.get("/profile/api-tokens/").status_code == 404
    assert "api-tokens" not in client.get("/profile").get_data(as_text=True)


def test_create_token_command(runner, make):
    user = make.user("agency_admin", email="coordinator@example.gov")
    result = runner.invoke(args=["create-token", "--email", "Coordinator@example.gov", "--name", "Records system"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    token = db.session.scalar(sa.select(ApiToken))
    assert token.user_id == user.id and token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    bad = runner.invoke(args=["create-token", "--email", "nobody@example.gov", "--name", "x"])
    assert bad.exit_code != 0 and "No active account" in bad.output
    officer = make.user("officer", email="officer@example.gov")
    refused = runner.invoke(args=["create-token", "--email", officer.email, "--name", "x"])
    assert refused.exit_code != 0 and "may not use the API" in refused.output


def test_token_count_is_capped(make):
    user = make.user("agency_staff")
    for n in range(MAX_ACTIVE_TOKENS):
        issue_token(user, f"token {n}")
    from approvals.workflow import Incomplete

    with pytest.raises(Incomplete, match="revoke one"):
        issue_token(user, "one too many")

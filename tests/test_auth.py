"""Every auth flow: sign in/out, deactivated accounts, throttling, password change and reset."""
from __future__ import annotations

import re
from email import message_from_bytes
from pathlib import Path

import pytest

from approvals.extensions import db
from tests.conftest import PASSWORD


def test_login_page_renders(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<label class="usa-label" for="email">' in page
    assert '<label class="usa-label" for="password">' in page


def test_login_and_logout(client, auth, make):
    user = make.user("agency_staff")
    response = auth.login(user)
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200
    db.session.refresh(user)
    assert user.last_login_at is not None
    auth.logout()
    assert client.get("/profile").status_code == 302


def test_email_is_case_insensitive(client, auth, make):
    user = make.user("agency_staff", email="Mixed.Case@Example.gov")
    assert user.email == "mixed.case@example.gov"
    assert auth.login("MIXED.case@example.GOV").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, auth, make):
    user = make.user("agency_staff")
    response = auth.login(user, "Wrong-password-1")
    assert response.status_code == 200
    assert "do not match an account" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302


def test_deactivated_account_is_refused(client, auth, make):
    user = make.user("agency_staff", active=False)
    response = auth.login(user)
    assert response.status_code == 200
    assert "deactivated" in response.get_data(as_text=True)


def test_deactivating_ends_an_open_session(client, auth, make):
    user = make.user("agency_staff")
    auth.login(user)
    user.active = False
    db.session.commit()
    assert client.get("/profile").status_code == 302


def test_open_redirect_is_refused(client, make):
    user = make.user("agency_staff")
    response = client.post("/auth/login?next=//evil.example.com/x", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_login_throttled_per_account(app, client, make):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    user = make.user("agency_staff")
    for _ in range(3):
        assert client.post("/auth/login", data={"email": user.email, "password": "nope"}).status_code == 200
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    # Another account from the same address is not locked by this one's failures.
    other = make.user("agency_staff")
    assert client.post("/auth/login", data={"email": other.email, "password": PASSWORD}).status_code == 302


def test_login_throttled_per_address(app, client, make):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "4 per 15 minutes"
    for i in range(4):
        client.post("/auth/login", data={"email": f"nobody{i}@example.gov", "password": "nope"})
    user = make.user("agency_staff")
    assert client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code == 429
    # A different address is unaffected.
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert response.status_code == 302


def test_successful_logins_do_not_count(app, client, make):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    user = make.user("agency_staff")
    for _ in range(4):
        assert client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
        client.post("/auth/logout")


def test_change_password_signs_out_other_sessions(app, client, auth, make):
    user = make.user("agency_staff")
    other_device = app.test_client()
    other_device.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    auth.login(user)
    response = client.post("/auth/password", data={"current": PASSWORD, "password": "New-Password-2027", "confirm": "New-Password-2027"})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200  # this session survives
    assert other_device.get("/profile").status_code == 302  # the other one is gone
    auth.logout()
    assert auth.login(user.email, "New-Password-2027").status_code == 302


@pytest.mark.parametrize("new, confirm, message", [
    ("short1A", "short1A", "at least 12 characters"),
    ("alllowercase123", "alllowercase123", "upper- and lower-case"),
    ("No-Digits-Here-At-All", "No-Digits-Here-At-All", "upper- and lower-case letters and at least one number"),
    ("Good-Password-2027", "Different-2027", "do not match"),
])
def test_change_password_rules(client, auth, make, new, confirm, message):
    user = make.user("agency_staff")
    auth.login(user)
    response = client.post("/auth/password", data={"current": PASSWORD, "password": new, "confirm": confirm})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def _reset_link(app) -> str:
    mails = sorted((Path(app.config["INSTANCE_DIR"]) / "mail").glob("*.eml"))
    assert mails, "a reset e-mail was written"
    body = message_from_bytes(mails[-1].read_bytes()).get_payload(decode=True).decode()
    return re.search(r"http://localhost(/auth/reset/\S+)", body).group(1)


def test_password_reset_flow(app, client, auth, make):
    user = make.user("agency_staff")
    response = client.post("/auth/forgot", data={"email": user.email})
    assert response.status_code == 302
    link = _reset_link(app)
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "Fresh-Password-99", "confirm": "Fresh-Password-99"})
    assert response.status_code == 302
    assert auth.login(user.email, "Fresh-Password-99").status_code == 302
    auth.logout()
    # The link is single-use.
    response = client.get(link, follow_redirects=True)
    assert "already been used" in response.get_data(as_text=True)


def test_reset_token_expires(app, client, make):
    user = make.user("agency_staff")
    client.post("/auth/forgot", data={"email": user.email})
    link = _reset_link(app)
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    response = client.get(link, follow_redirects=True)
    assert "expired" in response.get_data(as_text=True)


def test_forged_reset_token(client):
    response = client.get("/auth/reset/not-a-real-token", follow_redirects=True)
    assert "not valid" in response.get_data(as_text=True)


def test_reset_for_unknown_address_reveals_nothing(app, client):
    response = client.post("/auth/forgot", data={"email": "nobody@example.gov"}, follow_redirects=True)
    assert "If that address belongs to an active account" in response.get_data(as_text=True)
    assert not (Path(app.config["INSTANCE_DIR"]) / "mail").exists()


def test_reset_for_deactivated_account_sends_nothing(app, client, make):
    user = make.user("agency_staff", active=False)
    client.post("/auth/forgot", data={"email": user.email})
    assert not (Path(app.config["INSTANCE_DIR"]) / "mail").exists()


def test_csrf_is_enforced(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/auth/login", data={"email": "a@b.gov", "password": "x"})
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": "a@b.gov", "password": "x", "csrf_token": token})
    assert response.status_code == 200  # got past CSRF to the credential check

"""Administration: POST admins manage agencies and accounts; agency admins only their own agency's."""
from __future__ import annotations

import pytest

from approvals.extensions import db
from approvals.models import Agency, AuditEvent, Role, User

PAGES = ["/", "/profile", "/auth/password", "/admin/agencies", "/admin/agencies/new", "/admin/users", "/admin/users/new"]

# role -> page -> expected status (302 = redirect to sign in)
EXPECTED = {
    None:            {"/": 200, "/profile": 302, "/auth/password": 302, "/admin/agencies": 302, "/admin/agencies/new": 302, "/admin/users": 302, "/admin/users/new": 302},
    "agency_staff":  {"/": 200, "/profile": 200, "/auth/password": 200, "/admin/agencies": 404, "/admin/agencies/new": 404, "/admin/users": 404, "/admin/users/new": 404},
    "agency_admin":  {"/": 200, "/profile": 200, "/auth/password": 200, "/admin/agencies": 404, "/admin/agencies/new": 404, "/admin/users": 200, "/admin/users/new": 200},
    "post_reviewer": {"/": 200, "/profile": 200, "/auth/password": 200, "/admin/agencies": 404, "/admin/agencies/new": 404, "/admin/users": 404, "/admin/users/new": 404},
    "post_admin":    {"/": 200, "/profile": 200, "/auth/password": 200, "/admin/agencies": 200, "/admin/agencies/new": 200, "/admin/users": 200, "/admin/users/new": 200},
    "officer":       {"/": 200, "/profile": 200, "/auth/password": 200, "/admin/agencies": 404, "/admin/agencies/new": 404, "/admin/users": 404, "/admin/users/new": 404},
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("page", PAGES)
def test_role_page_table(client, auth, make, role, page):
    if role is not None:
        auth.login(make.user(role))
    response = client.get(page)
    assert response.status_code == EXPECTED[role][page]
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/auth/login")


def test_post_admin_creates_agency_and_duplicate_ori_is_refused(client, auth, make):
    auth.login(make.user("post_admin"))
    response = client.post("/admin/agencies/new", data={"name": "Joplin Police Department", "ori": "mo0490200", "county": "Jasper", "active": "y"})
    assert response.status_code == 302
    agency = db.session.scalar(db.select(Agency).where(Agency.ori == "MO0490200"))
    assert agency.name == "Joplin Police Department"
    response = client.post("/admin/agencies/new", data={"name": "Other", "ori": "MO0490200"})
    assert "already belongs to Joplin Police Department" in response.get_data(as_text=True)
    response = client.post("/admin/agencies/new", data={"name": "Bad", "ori": "XX12"})
    assert "An ORI is MO followed by 7 letters or digits" in response.get_data(as_text=True)


def test_post_admin_creates_user_who_gets_a_welcome_mail(app, client, auth, make):
    agency = make.agency()
    auth.login(make.user("post_admin"))
    response = client.post("/admin/users/new", data={"name": "New Coordinator", "email": "New@Agency.gov", "role": "agency_staff", "agency_id": agency.id, "active": "y"})
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "new@agency.gov"))
    assert user.role == Role.AGENCY_STAFF and user.agency_id == agency.id
    mails = list((app.config["INSTANCE_DIR"] / "mail").glob("*.eml"))
    assert len(mails) == 1 and b"new@agency.gov" in mails[0].read_bytes()
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert event.subject_id == user.id


@pytest.mark.parametrize("role, agency_id, message", [
    ("agency_staff", 0, "must belong to an agency"),
    ("post_reviewer", "agency", "do not belong to an agency"),
])
def test_role_agency_consistency(client, auth, make, role, agency_id, message):
    agency = make.agency()
    auth.login(make.user("post_admin"))
    data = {"name": "X", "email": "x@example.gov", "role": role, "agency_id": agency.id if agency_id == "agency" else agency_id}
    assert message in client.post("/admin/users/new", data=data).get_data(as_text=True)


def test_duplicate_email_refused(client, auth, make):
    existing = make.user("agency_staff")
    auth.login(make.user("post_admin"))
    response = client.post("/admin/users/new", data={"name": "X", "email": existing.email.upper(), "role": "post_reviewer", "agency_id": 0})
    assert "already uses this e-mail" in response.get_data(as_text=True)


def test_post_admin_deactivates_and_changes_role(client, auth, make):
    target = make.user("post_reviewer")
    auth.login(make.user("post_admin"))
    response = client.post(f"/admin/users/{target.id}", data={"name": target.name, "email": target.email, "role": "post_admin", "agency_id": 0})
    assert response.status_code == 302
    db.session.expire_all()
    assert target.role == Role.POST_ADMIN and target.active is False


def test_admin_cannot_deactivate_self(client, auth, make):
    admin = make.user("post_admin")
    auth.login(admin)
    response = client.post(f"/admin/users/{admin.id}", data={"name": admin.name, "email": admin.email, "role": "post_admin", "agency_id": 0})
    assert "cannot change your own role or deactivate yourself" in response.get_data(as_text=True)


def test_agency_admin_manages_only_own_agency(client, auth, make):
    mine, theirs = make.agency(), make.agency()
    admin = make.user("agency_admin", agency=mine)
    colleague = make.user("agency_staff", agency=mine)
    stranger = make.user("agency_staff", agency=theirs)
    reviewer = make.user("post_reviewer")
    auth.login(admin)
    listing = client.get("/admin/users").get_data(as_text=True)
    assert colleague.email in listing and stranger.email not in listing and reviewer.email not in listing
    assert client.get(f"/admin/users/{stranger.id}").status_code == 404
    assert client.get(f"/admin/users/{reviewer.id}").status_code == 404
    assert client.get(f"/admin/users/{colleague.id}").status_code == 200


def test_agency_admin_cannot_create_post_roles_or_other_agencies(client, auth, make):
    mine, theirs = make.agency(), make.agency()
    auth.login(make.user("agency_admin", agency=mine))
    response = client.post("/admin/users/new", data={"name": "X", "email": "x@example.gov", "role": "post_admin"})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    response = client.post("/admin/users/new", data={"name": "Y", "email": "y@example.gov", "role": "agency_staff", "agency_id": theirs.id})
    assert response.status_code in (200, 302)
    created = db.session.scalar(db.select(User).where(User.email == "y@example.gov"))
    assert created is None or created.agency_id == mine.id

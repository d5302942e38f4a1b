"""The holes the hostile-input suite found, each pinned by a test.

- After signing in, ``?next=/\\t/evil.example`` sent people to
  //evil.example (browsers drop tabs and newlines from URLs); ``?next=`` with
  CR LF was a 500.
- A URL id past 2**63 (``/agency/applications/99999999999999999999``) and a
  query-string number as large (``?page=``, ``?agency=``, ``?year=``) were
  500s: SQLite cannot bind them, PostgreSQL's INTEGER cannot hold them.
- NUL in a form value reached the database (PostgreSQL refuses it: a 500).
- An offering's contact name past 200 characters, a phone with an extension
  past 40, or licenses typed "a,a,…" that grow past 500 when stored as
  "A, A, …" reached PostgreSQL's VARCHAR columns (500s; the API too).
- Credit completed in 9999 (and ?year=9999) asked for rules dated in year
  10000: a 500 instead of "no rules for that year".
- Roster hours of 1e308 overflowed the half-hour check: a 500.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import io
from datetime import date

import pytest

from approvals.compliance import UnknownPeriod
from approvals.compliance.rules import rules_for_year
from approvals.credit import rosters
from approvals.extensions import db
from approvals.models import Application
from approvals.offerings import offering_problems
from tests.applications_support import complete_application
from tests.catalog_support import Courses, details
from tests.credit_helpers import officer, past_offering
from tests.workflow_helpers import tiny_pdf

HUGE = "99999999999999999999"


@pytest.mark.parametrize("target", [
    "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\t\t/evil.example/x", "//evil.example",
    "/\\evil.example", "https://evil.example/", "/\r\nSet-Cookie: x=1", "/\x0b/evil.example", "/\u3000/evil.example",
])
def test_sign_in_never_sends_you_to_another_site(client, make, target):
    user = make.user("agency_staff")
    response = client.post("/auth/login", query_string={"next": target},
                           data={"email": user.email, "password": "Correct-Horse-42"})
    assert response.status_code == 302
    location = response.headers["Location"]
    # What a browser would follow: whitespace and controls removed.
    followed = "".join(ch for ch in location if ch.isprintable() and not ch.isspace())
    assert not followed.startswith("//") and not urlsplit(followed).netloc, location


def test_sign_in_still_returns_to_the_page_asked_for(client, make):
    user = make.user("agency_staff")
    response = client.post("/auth/login", query_string={"next": "/catalog/?q=use%20of%20force&page=2"},
                           data={"email": user.email, "password": "Correct-Horse-42"})
    assert response.headers["Location"] == "/catalog/?q=use%20of%20force&page=2"


@pytest.mark.parametrize("url", [
    f"/agency/applications/{HUGE}", "/agency/applications/2147483648", f"/letters/{HUGE}/pdf",
    f"/credit/officers/{HUGE}", f"/review/applications/{2**63}", f"/offerings/{HUGE}/edit",
    f"/admin/users/{HUGE}", "/catalog/courses/MO-IS%00", "/verify/MO-IS-2026-00001%00",
])
def test_ids_no_row_can_have_are_404(client, auth, make, url):
    auth.login(make.user("post_admin"))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", [
    f"/agency/?page={HUGE}", f"/review/?agency={HUGE}", f"/review/?page=-{HUGE}", f"/credit/agency?agency={HUGE}",
    f"/credit/agency?year={HUGE}", f"/admin/users?page={HUGE}", f"/catalog/?page={HUGE}", f"/offerings/?page={HUGE}",
    "/admin/agencies?q=%00", "/credit/officers?q=a%00b", "/catalog/?q=%00",
])
def test_unusable_query_values_are_400_with_the_sites_page(client, auth, make, url):
    auth.login(make.user("post_admin"))
    response = client.get(url)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Something was wrong with that request" in page and 'class="usa-header' in page


def test_nul_in_a_form_is_refused_and_nothing_is_saved(client, auth, make):
    staff = make.user("agency_staff")
    draft = complete_application(staff.agency, staff)
    auth.login(staff)
    response = client.post(f"/agency/applications/{draft.id}/edit/course",
                           data={"title": "Night\x00Patrol", "synopsis": draft.synopsis})
    assert response.status_code == 400
    assert "cannot be saved (NUL)" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, draft.id).title == "Crisis Intervention Basics"


def test_the_api_keeps_its_own_answers(client):
    response = client.get(f"/api/v1/applications/{HUGE}")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert client.get("/api/v1/catalog/courses", query_string={"text": "a\x00b"}).status_code in (200, 422)


@pytest.mark.parametrize(("change", "field"), [
    ({"contact_name": "x" * 201}, "contact_name"),
    ({"contact_phone": "573 555 0100 " * 3 + "ext 123456"}, "contact_phone"),
    ({"instructor_licenses": "a," * 250}, "instructor_licenses"),
])
def test_offering_values_that_would_not_fit_their_columns_are_problems(make, change, field):
    course = Courses(make).approved()
    problems = offering_problems(details(**change), course, date.today())
    assert [p.field for p in problems] == [field]


def test_offering_values_at_their_limits_fit(make):
    course = Courses(make).approved()
    fits = details(contact_name="x" * 200, contact_phone="(573) 555-0100 ext 12", instructor_licenses="a," * 166)
    assert offering_problems(fits, course, date.today()) == []


@pytest.mark.parametrize("year", [9999, 10**6])
def test_years_a_calendar_cannot_date_have_no_rules(year):
    with pytest.raises(UnknownPeriod):
        rules_for_year(year)


def test_credit_completed_in_9999_is_a_message(client, auth, make):
    target = officer("MO-99999")
    auth.login(make.user("post_admin"))
    response = client.post(f"/credit/officers/{target.id}/credit/approved_provider", data={
        "title": "Legal update", "completed_on": "9999-12-31", "hours": "2", "area_legal": "2",
        "delivery": "in_person", "evidence": (io.BytesIO(tiny_pdf("certificate")), "certificate.pdf")})
    assert response.status_code == 200
    assert "future" in response.get_data(as_text=True)


def test_roster_hours_past_any_float_are_a_problem_on_their_row(make):
    agency = make.agency()
    staff = make.user("agency_staff", agency=agency)
    course = Courses(make).approved(agency)
    offering = past_offering(course, agency, staff)
    target = officer("MO-77777", agency)
    _, problems = rosters.check(offering, [rosters.RosterLine(2, target.license_number, "1e308")])
    assert [p.row for p in problems] == [2]

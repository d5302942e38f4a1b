"""The public catalog pages: search form, course page (public facts only) and CSV export."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from approvals import workflow
from approvals.catalog.export import safe_cell
from approvals.extensions import db
from approvals.models import Comment, Document, DocumentKind, Instructor
from tests.catalog_support import Courses, details


@pytest.fixture
def courses(make) -> Courses:  # type: ignore[no-untyped-def]
    return Courses(make)


def test_search_page_is_public_with_labelled_filters(client, courses) -> None:
    courses.approved(title="Crisis Intervention Team Basics", hours={"deescalation": 2.0})
    courses.approved(title="Evidence Collection")
    r = client.get("/catalog/", query_string={"q": "crisis", "designation": "deescalation", "sort": "title"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Crisis Intervention Team Basics" in html and "Evidence Collection" not in html
    assert "1 course matches" in html
    for name in ("q", "area", "designation", "min_hours", "max_hours", "delivery", "agency", "sort"):
        assert f'for="{name}"' in html and f'id="{name}"' in html
    assert '<option value="deescalation" selected>' in html
    assert "/catalog/export.csv?" in html and "designation=deescalation" in html


def test_search_page_pages_keep_the_filters(client, courses) -> None:
    for i in range(25):
        courses.approved(title=f"Patrol Course {i:02d}", commit=False)
    db.session.commit()
    html = client.get("/catalog/?q=patrol&sort=title").get_data(as_text=True)
    assert "25 courses match" in html and "page 1 of 2" in html
    assert "Patrol Course 19" in html and "Patrol Course 20" not in html
    assert "page=2" in html and "q=patrol" in html
    page2 = client.get("/catalog/?q=patrol&sort=title&page=2").get_data(as_text=True)
    assert "Patrol Course 24" in page2 and "Patrol Course 00" not in page2


@pytest.mark.parametrize(("args", "message"), [
    ({"min_hours": "lots"}, "Enter a number of hours"),
    ({"min_hours": "9", "max_hours": "2"}, "cannot be fewer than"),
    ({"area": "cooking"}, "Choose one of the listed core curriculum areas"),
    ({"sort": "price"}, "Sort by best match"),
])
def test_bad_filters_are_explained(client, args: dict, message: str) -> None:
    r = client.get("/catalog/", query_string=args)
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)
    assert 'usa-error-message' in r.get_data(as_text=True)


def test_course_page_shows_public_facts_only(client, courses, make) -> None:
    app = courses.approved(title="Defensive Tactics Refresher", objectives=("Demonstrate three escape techniques.",),
                           hours={"total": 8, "legal": 1, "technical": 1, "interpersonal": 2, "skill_development": 4,
                                  "firearms": 1.5, "deescalation": 2})
    instructor = Instructor(application_id=app.id, name="Pat Secretname", qualifications="PRIVATE-QUALIFICATIONS",
                            license_number="LIC-PRIVATE-1")
    db.session.add(instructor)
    db.session.flush()
    for kind, name in ((DocumentKind.INSTRUCTOR_RECORD, "resume-of-pat.pdf"),
                       (DocumentKind.SAMPLE_CERTIFICATE, "sample-cert.png")):
        db.session.add(Document(application_id=app.id, instructor_id=instructor.id, kind=kind, original_name=name,
                                stored_name=f"{name}.bin", content_type="application/pdf", size=10, sha256="0" * 64))
    reviewer = make.user("post_reviewer")
    db.session.add(Comment(application_id=app.id, author_id=reviewer.id, body="INTERNAL-REVIEW-NOTE", internal=True))
    app.contact_email, app.decision_reason = "private.contact@example.gov", "PRIVATE-DECISION-NOTE"
    db.session.commit()

    r = client.get(f"/catalog/courses/{app.approval_number}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    for public in ("Defensive Tactics Refresher", "Demonstrate three escape techniques.", app.approval_number,
                   app.agency.name, "Current", "In person (live, hands-on)", "Skill Development", "1.5",
                   app.expires_on.strftime("%b %-d, %Y")):
        assert public in html, public
    for private in ("resume-of-pat", "sample-cert", ".bin", "PRIVATE-QUALIFICATIONS", "LIC-PRIVATE-1",
                    "Secretname", "INTERNAL-REVIEW-NOTE", "private.contact", "PRIVATE-DECISION-NOTE", "/documents/"):
        assert private not in html, private


def test_course_page_status_and_unknown_numbers(client, courses, make) -> None:
    revoked = courses.approved(title="Old Radar Course")
    workflow.revoke(revoked, make.user("post_admin"), "SECRET-REVOCATION-REASON")
    expired = courses.approved(title="Lapsed Course", approved_on=date.today() - timedelta(days=800),
                               expires_on=date.today() - timedelta(days=10))
    db.session.commit()
    html = client.get(f"/catalog/courses/{revoked.approval_number}").get_data(as_text=True)
    assert "Revoked" in html and "cannot be offered" in html and "SECRET-REVOCATION-REASON" not in html
    html = client.get(f"/catalog/courses/{expired.approval_number.lower()}").get_data(as_text=True)
    assert "Expired" in html and "can take no new offerings" in html and "Schedule an offering" not in html
    assert client.get("/catalog/courses/MO-IS-2026-99999").status_code == 404


def test_course_page_lists_upcoming_offerings(client, courses, make) -> None:
    from approvals.offerings import cancel_offering, schedule_offering

    course = courses.approved(title="Bike Patrol")
    other = make.agency("Jefferson City Police Department")
    staff = make.user("agency_staff", agency=other)
    soon = schedule_offering(course, staff, details(location="JCPD Annex, 401 Monroe St."))
    later = schedule_offering(course, staff, details(starts_on=date.today() + timedelta(days=40),
                                                     ends_on=date.today() + timedelta(days=40), online=True,
                                                     location="", online_url="https://meet.example.gov/secret-room"))
    gone = schedule_offering(course, staff, details(location="Cancelled Hall"))
    cancel_offering(gone, staff, "Instructor ill")
    db.session.commit()
    html = client.get(f"/catalog/courses/{course.approval_number}").get_data(as_text=True)
    assert "Jefferson City Police Department" in html and "JCPD Annex" in html and "Online" in html
    assert html.index("JCPD Annex") < html.index("Online")
    assert "Cancelled Hall" not in html
    assert "secret-room" not in html and "B123456" not in html  # join links and license numbers stay private
    assert soon.id and later.id


def test_csv_export_streams_the_search_with_formula_guard(client, courses) -> None:
    courses.approved(title="=HYPERLINK(\"http://evil.example\",\"click\")", synopsis="+cmd|' /C calc'!A0 patrol")
    courses.approved(title="@SUM(1+1) Patrol Basics", objectives=("-2+3 patrol objective",))
    courses.approved(title="Firearms Only", synopsis="Live-fire qualification on the range.", hours={"total": 4, "skill_development": 4, "legal": 0, "technical": 0,
                                                    "interpersonal": 0, "firearms": 4})
    r = client.get("/catalog/export.csv", query_string={"q": "patrol", "sort": "title"})
    assert r.status_code == 200
    assert r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="clee-catalog-')
    assert r.is_streamed
    text = r.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Approval number", "Title", "Agency"]
    assert len(rows) == 3
    titles = {row[1] for row in rows[1:]}
    assert titles == {"'=HYPERLINK(\"http://evil.example\",\"click\")", "'@SUM(1+1) Patrol Basics"}
    synopses = {row[-2] for row in rows[1:]}
    assert "'+cmd|' /C calc'!A0 patrol" in synopses
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert rows[1][-1].startswith("http://localhost/catalog/courses/MO-IS-")


def test_csv_export_refuses_bad_filters(client) -> None:
    r = client.get("/catalog/export.csv", query_string={"min_hours": "x"})
    assert r.status_code == 400 and "Enter a number of hours" in r.get_data(as_text=True)


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("\tx", "'\tx"), ("plain", "plain"),
    ("a=b", "a=b"), (4.5, 4.5), ("", ""),
])
def test_safe_cell(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert safe_cell(value) == expected


def test_nav_shows_catalog_to_everyone_and_offerings_to_agency_staff(client, auth, make) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'href="/catalog/"' in html and 'href="/offerings/"' not in html
    auth.login(make.user("agency_staff"))
    html = client.get("/catalog/").get_data(as_text=True)
    assert 'href="/offerings/"' in html

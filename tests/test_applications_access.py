"""Who may see and do what: another agency's application, document or revision
is a 404 everywhere; POST may read but not edit; agencies never see internal events."""
from __future__ import annotations

import pytest

from approvals import workflow
from approvals.extensions import db
from approvals.models import Application, ApplicationState, DocumentKind
from tests.applications_support import complete_application


@pytest.fixture
def submitted(make):
    """An application of agency A, submitted once, with its author."""
    agency = make.agency("Agency A")
    author = make.user("agency_staff", agency=agency)
    app = complete_application(agency, author)
    workflow.submit(app, author)
    db.session.commit()
    return app


def _urls(app: Application) -> list[tuple[str, str]]:
    doc = next(d for d in app.documents if d.kind == DocumentKind.SAMPLE_CERTIFICATE)
    base = f"/agency/applications/{app.id}"
    return [
        ("GET", base), ("GET", f"{base}/revisions/1"), ("GET", f"{base}/documents/{doc.id}"),
        ("GET", f"{base}/edit/course"), ("POST", f"{base}/edit/hours"), ("GET", f"{base}/edit/review"),
        ("POST", f"{base}/documents/{doc.id}/remove"), ("POST", f"{base}/submit"),
        ("GET", f"{base}/withdraw"), ("POST", f"{base}/withdraw"),
    ]


@pytest.mark.parametrize("role", ["agency_staff", "agency_admin"])
def test_another_agencys_application_is_404_everywhere(client, auth, make, submitted, role):
    auth.login(make.user(role, agency=make.agency("Agency B")))
    for method, url in _urls(submitted):
        assert client.open(url, method=method).status_code == 404, (method, url)
    db.session.expire_all()
    assert db.session.get(Application, submitted.id).state == ApplicationState.SUBMITTED


def test_a_document_or_revision_of_another_application_is_404(client, auth, make, submitted):
    mine = complete_application(make.agency("Agency B"), make.user("agency_staff"))
    user = make.user("agency_staff", agency=mine.agency)
    auth.login(user)
    theirs = next(d for d in submitted.documents if d.kind == DocumentKind.SAMPLE_CERTIFICATE)
    # Own application id, other application's document id: still 404.
    assert client.get(f"/agency/applications/{mine.id}/documents/{theirs.id}").status_code == 404
    assert client.post(f"/agency/applications/{mine.id}/documents/{theirs.id}/remove").status_code == 404
    assert client.get(f"/agency/applications/{mine.id}/revisions/1").status_code == 404  # never submitted


def test_signed_out_visitors_are_sent_to_sign_in(client, submitted):
    for method, url in _urls(submitted):
        r = client.open(url, method=method)
        assert r.status_code == 302 and "/auth/login" in r.headers["Location"], (method, url)


@pytest.mark.parametrize("role", ["post_reviewer", "post_admin"])
def test_post_reads_a_submitted_application_but_cannot_change_it(client, auth, make, submitted, role):
    auth.login(make.user(role))
    doc = next(d for d in submitted.documents if d.kind == DocumentKind.SAMPLE_CERTIFICATE)
    page = client.get(f"/agency/applications/{submitted.id}")
    assert page.status_code == 200
    assert b"Edit and resubmit" not in page.data and b"Withdraw" not in page.data
    assert f'href="/review/applications/{submitted.id}"'.encode() in page.data
    assert client.get(f"/agency/applications/{submitted.id}/revisions/1").status_code == 200
    with client.get(f"/agency/applications/{submitted.id}/documents/{doc.id}") as r:
        assert r.status_code == 200
    for method, url in _urls(submitted)[3:]:
        assert client.open(url, method=method).status_code == 404, (method, url)
    assert client.get("/agency/").status_code == 404  # POST staff have no agency dashboard


def test_a_reviewer_does_not_see_drafts(client, auth, make):
    agency = make.agency()
    draft = complete_application(agency, make.user("agency_staff", agency=agency))
    auth.login(make.user("post_reviewer"))
    assert client.get(f"/agency/applications/{draft.id}").status_code == 404


def test_officers_see_nothing(client, auth, make, submitted):
    auth.login(make.user("officer", agency=submitted.agency))
    assert client.get("/agency/").status_code == 404
    assert client.get(f"/agency/applications/{submitted.id}").status_code == 404


def test_internal_events_are_hidden_from_the_agency(client, auth, make, submitted):
    reviewer, admin = make.user("post_reviewer", name="Priya Natarajan"), make.user("post_admin")
    workflow.assign(submitted, reviewer, admin, note="she knows the subject")
    db.session.commit()
    auth.login(make.user("agency_staff", agency=submitted.agency))
    page = client.get(f"/agency/applications/{submitted.id}").get_data(as_text=True)
    assert "Submitted as revision 1" in page
    assert "Assigned to Priya Natarajan" not in page and "POST only" not in page
    auth.logout()
    auth.login(reviewer)
    page = client.get(f"/agency/applications/{submitted.id}").get_data(as_text=True)
    assert "Assigned to Priya Natarajan" in page and "POST only" in page


def test_dashboard_lists_only_the_agencys_applications_with_next_actions(client, auth, make):
    agency, other = make.agency("Agency A"), make.agency("Agency B")
    staff = make.user("agency_staff", agency=agency)
    reviewer, admin = make.user("post_reviewer"), make.user("post_admin")
    draft = complete_application(agency, staff, title="Draft course")
    waiting = complete_application(agency, staff, title="Waiting course")
    reviewing = complete_application(agency, staff, title="Reviewed course")
    returned = complete_application(agency, staff, title="Returned course")
    complete_application(other, make.user("agency_staff", agency=other), title="Someone else's course")
    for app in (waiting, reviewing, returned):
        workflow.submit(app, staff)
    workflow.assign(reviewing, reviewer, admin)
    workflow.assign(returned, reviewer, admin)
    workflow.request_changes(returned, reviewer, "Fix it.")
    db.session.commit()
    auth.login(staff)
    page = client.get("/agency/").get_data(as_text=True)
    assert "Someone else&#39;s course" not in page and "Someone else's course" not in page
    for title, action in [(draft.title, "<strong>Agency:</strong> finish and submit"),
                          (waiting.title, "<strong>POST:</strong> assign a reviewer"),
                          (reviewing.title, "<strong>POST:</strong> review"),
                          (returned.title, "<strong>Agency:</strong> answer change request")]:
        row = page[page.index(title):].split("</tr>")[0]
        assert action in row, title
    filtered = client.get("/agency/?state=changes_requested").get_data(as_text=True)
    assert "Returned course" in filtered and "Draft course" not in filtered
    by_title = client.get("/agency/?sort=title").get_data(as_text=True)
    assert by_title.index("Draft course") < by_title.index("Returned course") < by_title.index("Waiting course")
    assert client.get("/agency/?state=bogus&sort=bogus&page=99").status_code == 200


def test_dashboard_is_paginated(client, auth, make):
    staff = make.user("agency_staff")
    for n in range(23):
        db.session.add(Application(agency_id=staff.agency_id, created_by_id=staff.id, title=f"Course {n:02d}"))
    db.session.commit()
    auth.login(staff)
    first = client.get("/agency/?sort=title").get_data(as_text=True)
    second = client.get("/agency/?sort=title&page=2").get_data(as_text=True)
    assert "Course 00" in first and "Course 19" in first and "Course 20" not in first
    assert "Course 20" in second and "Course 22" in second and "Course 00" not in second
    assert 'aria-label="Pagination"' in first and "sort=title" in first

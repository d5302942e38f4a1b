"""The whole life of an application through the web pages: draft → submit →
changes requested → resubmit → withdraw."""
from __future__ import annotations

from approvals import workflow
from approvals.extensions import db
from approvals.models import Application, ApplicationState, AuditEvent, Revision
from tests.applications_support import CERT_PDF, PDF, SYNOPSIS, section_url, upload, uploaded_files

HOURS_FORM = {"hours_total": "4", "hours_legal": "1", "hours_technical": "0.5", "hours_interpersonal": "1.5",
              "hours_skill_development": "1", "hours_firearms": "1", "hours_racial_profiling": "0",
              "hours_implicit_bias": "0.5", "hours_deescalation": "2"}


def _app() -> Application:
    db.session.expire_all()
    return db.session.scalars(db.select(Application)).one()


def test_draft_submit_changes_resubmit_withdraw(client, auth, make):
    agency = make.agency("Columbia Police Department")
    staff = make.user("agency_staff", agency=agency, name="Dana Whitfield")
    chief = make.user("agency_admin", agency=agency, name="Marcus Reyes")
    reviewer = make.user("post_reviewer", name="Priya Natarajan")
    post_admin = make.user("post_admin")
    auth.login(staff)

    # Section 1 creates the draft.
    r = client.post("/agency/applications/new", data={
        "title": "Crisis Intervention Basics", "synopsis": SYNOPSIS, "delivery_method": "in_person",
        "attendance_policy": "Full attendance required.", "evaluation_method": "Written test.",
        "action": "continue"})
    app = _app()
    assert r.status_code == 302 and r.headers["Location"].endswith(section_url(app.id, "hours"))
    assert app.state == ApplicationState.DRAFT and app.agency_id == agency.id

    assert client.post(section_url(app.id, "hours"), data={**HOURS_FORM, "version": app.version}).status_code == 302
    assert _app().hours_total == 4.0 and _app().hours_implicit_bias == 0.5

    # Objectives: add a row, then save two.
    r = client.post(section_url(app.id, "objectives"),
                    data={"objectives-0": "Identify signs of crisis.", "action": "add", "version": _app().version})
    assert r.status_code == 200 and b'id="objectives-1"' in r.data
    client.post(section_url(app.id, "objectives"), data={
        "objectives-0": "Identify signs of crisis.", "objectives-1": "Demonstrate active listening.",
        "version": _app().version})
    assert [o.text for o in _app().objectives] == ["Identify signs of crisis.", "Demonstrate active listening."]

    r = client.post(section_url(app.id, "instructors"), content_type="multipart/form-data", data={
        "instructors-0-name": "Jane Q. Trainer", "instructors-0-qualifications": "CIT instructor since 2015.",
        "instructors-0-record": upload(PDF, "jane resume.pdf"), "version": _app().version})
    assert r.status_code == 302
    assert _app().instructors[0].record.original_name == "jane resume.pdf"

    r = client.post(section_url(app.id, "documents"), content_type="multipart/form-data",
                    data={"sample_certificate": upload(CERT_PDF, "certificate.pdf")})
    assert r.status_code == 302

    contact = {"contact_name": "Dana Whitfield", "contact_email": "dana@columbia.example.gov",
               "version": _app().version}
    # Staff may not sign the attestation, even by hand-crafting the form.
    r = client.post(section_url(app.id, "contact"), data={**contact, "attested": "y", "attestation_name": "Dana"})
    assert r.status_code == 200 and b"Only an agency administrator can sign the attestation" in r.data
    assert not _app().attested and _app().contact_name == ""
    assert client.post(section_url(app.id, "contact"), data=contact).status_code == 302

    # Not attested yet: submit refuses and says so.
    r = client.post(f"/agency/applications/{app.id}/submit")
    assert r.status_code == 200 and b"The agency official must confirm the attestation." in r.data
    assert _app().state == ApplicationState.DRAFT

    auth.logout()
    auth.login(chief)
    r = client.post(section_url(app.id, "contact"), data={
        **contact, "version": _app().version, "attestation_name": "Marcus Reyes",
        "attestation_title": "Chief of Police", "attested": "y"})
    assert r.status_code == 302 and _app().attested
    auth.logout()
    auth.login(staff)

    r = client.post(f"/agency/applications/{app.id}/submit")
    assert r.status_code == 302
    app = _app()
    assert app.state == ApplicationState.SUBMITTED and app.revision_count == 1
    assert client.get(section_url(app.id, "hours")).status_code == 409  # frozen while POST has it

    # POST sends it back.
    workflow.assign(app, reviewer, post_admin)
    workflow.request_changes(app, reviewer, "Please add the attendance sign-in procedure.")
    db.session.commit()
    page = client.get(f"/agency/applications/{app.id}")
    assert b"Please add the attendance sign-in procedure." in page.data
    assert b"Edit and resubmit" in page.data

    r = client.post(section_url(app.id, "course"), data={
        "title": "Crisis Intervention Basics", "synopsis": SYNOPSIS, "delivery_method": "in_person",
        "attendance_policy": "Officers sign in and out; full attendance required.",
        "evaluation_method": "Written test.", "version": _app().version})
    assert r.status_code == 302
    review = client.get(section_url(app.id, "review"))
    assert b"Your changes since revision 1" in review.data and b"Officers sign in and out" in review.data

    r = client.post(f"/agency/applications/{app.id}/submit")
    assert r.status_code == 302
    app = _app()
    assert app.state == ApplicationState.SUBMITTED and app.revision_count == 2
    diff = client.get(f"/agency/applications/{app.id}/revisions/2")
    assert diff.status_code == 200
    body = diff.get_data(as_text=True)
    assert "Attendance policy" in body
    assert '<del class="diff-del">Full</del> attendance required.' in body
    assert '<ins class="diff-ins">Officers sign in and out; full</ins> attendance required.' in body

    confirm = client.get(f"/agency/applications/{app.id}/withdraw")
    assert confirm.status_code == 200 and b"Withdraw" in confirm.data
    assert _app().state == ApplicationState.SUBMITTED  # the GET only asks
    r = client.post(f"/agency/applications/{app.id}/withdraw", data={"reason": "Instructor left the agency."})
    assert r.status_code == 302 and _app().state == ApplicationState.WITHDRAWN
    assert client.post(f"/agency/applications/{app.id}/withdraw").status_code == 409

    actions = [e.action for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.application_id == app.id))]
    for expected in ("application.created", "document.uploaded", "application.attested", "application.submitted",
                     "application.changes_requested", "application.resubmitted", "application.withdrawn"):
        assert expected in actions
    page = client.get(f"/agency/applications/{app.id}")
    assert b"Instructor left the agency." in page.data
    assert len(db.session.scalars(db.select(Revision)).all()) == 2
    assert len(uploaded_files()) == 2


def test_submit_lists_every_problem_linked_to_its_field(client, auth, make):
    staff = make.user("agency_staff")
    auth.login(staff)
    client.post("/agency/applications/new", data={"title": "Half a course", "synopsis": "Too short."})
    app = _app()
    r = client.post(f"/agency/applications/{app.id}/submit")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    for fragment in (
        f'href="/agency/applications/{app.id}/edit/course#synopsis"', "at least 200 characters",
        f'/edit/course#delivery_method"', f'/edit/hours#hours_total"', f'/edit/hours#hours_legal"',
        f'/edit/objectives#objectives"', "Add at least one learning objective.",
        f'/edit/instructors#instructors"', f'/edit/documents#sample_certificate"',
        f'/edit/contact#contact_email"', f'/edit/contact#attested"', "Not submitted",
    ):
        assert fragment in body
    assert _app().state == ApplicationState.DRAFT and _app().revision_count == 0

"""The sectioned form: drafts keep partial values but refuse malformed ones,
rows are added and removed without JavaScript, lost updates are refused."""
from __future__ import annotations

import pytest

from approvals.extensions import db
from approvals.models import Application, AuditEvent
from tests.applications_support import PDF, complete_application, section_url, upload, uploaded_files

SECTIONS = ["course", "hours", "objectives", "instructors", "documents", "contact", "review"]


@pytest.fixture
def staff(make, auth):
    user = make.user("agency_staff")
    auth.login(user)
    return user


@pytest.fixture
def draft(staff):
    app = Application(agency_id=staff.agency_id, created_by_id=staff.id, title="Partial draft")
    db.session.add(app)
    db.session.commit()
    return app


def _fresh(app: Application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, app.id)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_renders_with_the_section_nav(client, draft, section):
    r = client.get(section_url(draft.id, section))
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert 'aria-label="Sections of the application"' in body
    assert "1. Course" in body and "7. Review &amp; submit" in body
    assert "to do</span>" in body  # an almost empty draft has work left in most sections


def test_a_complete_section_is_marked_complete(client, staff):
    app = complete_application(staff.agency, staff)
    body = client.get(section_url(app.id, "hours")).get_data(as_text=True)
    assert "to do</span>" not in body and body.count("Complete</span>") == 6 and "Ready</span>" in body


def test_new_page_and_unknown_section(client, draft):
    assert client.get("/agency/applications/new").status_code == 200
    assert client.get(section_url(draft.id, "nonsense")).status_code == 404
    assert client.get(f"/agency/applications/{draft.id}/edit").status_code == 200


def test_a_draft_keeps_partial_values(client, draft):
    r = client.post(section_url(draft.id, "hours"), data={"hours_total": "6", "version": draft.version})
    assert r.status_code == 302
    app = _fresh(draft)
    assert app.hours_total == 6.0 and app.hours_legal is None
    page = client.get(section_url(draft.id, "hours")).get_data(as_text=True)
    assert "Enter the Legal Studies hours (0 if none)." in page  # a reminder, not an error


MALFORMED = [
    ("hours", {"hours_total": "abc"}, "Enter the total contact hours as a number of hours, like 2 or 2.5."),
    ("hours", {"hours_legal": "two"}, "Enter the Legal Studies hours as a number of hours"),
    ("hours", {"hours_total": "nan"}, "as a number of hours"),
    ("hours", {"hours_total": "2.25"}, "The total contact hours must be in half-hour steps"),
    ("hours", {"hours_firearms": "-1"}, "The Firearms hours cannot be negative."),
    ("hours", {"hours_total": "1000"}, "The total contact hours cannot be more than 80."),
    ("course", {"title": "x" * 201}, "Field cannot be longer than 200 characters."),
    ("course", {"delivery_method": "carrier_pigeon"}, "Not a valid choice"),
    ("contact", {"contact_email": "not-an-address"}, "Enter an e-mail address like name@agency.mo.gov."),
    ("contact", {"contact_phone": "call me<script>"}, "Enter a telephone number like"),
    ("objectives", {"objectives-0": "y" * 1001}, "Field cannot be longer than 1000 characters."),
    ("instructors", {"instructors-0-email": "jane-at-example"}, "Enter an e-mail address like"),
    ("instructors", {"instructors-0-license_number": "12/34"}, "Use only letters, digits and dashes."),
]


@pytest.mark.parametrize(("section", "data", "message"), MALFORMED, ids=[f"{m[0]}-{next(iter(m[1]))}" for m in MALFORMED])
def test_malformed_values_are_refused_and_nothing_is_saved(client, draft, section, data, message):
    before = _fresh(draft).version
    r = client.post(section_url(draft.id, section), data={**data, "version": before})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert message in body and "usa-error-message" in body and "Please correct" in body
    assert _fresh(draft).version == before
    assert _fresh(draft).title == "Partial draft"


def test_objectives_are_added_and_removed_without_javascript(client, draft):
    r = client.post(section_url(draft.id, "objectives"), data={"objectives-0": "First.", "action": "add", "version": draft.version})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert 'id="objectives-1"' in body and "autofocus" in body
    assert [o.text for o in _fresh(draft).objectives] == ["First."]  # the blank new row is not stored
    version = _fresh(draft).version
    client.post(section_url(draft.id, "objectives"),
                data={"objectives-0": "First.", "objectives-1": "Second.", "objectives-2": "Third.", "version": version})
    assert [o.text for o in _fresh(draft).objectives] == ["First.", "Second.", "Third."]
    r = client.post(section_url(draft.id, "objectives"), data={
        "objectives-0": "First.", "objectives-1": "Second, edited.", "objectives-2": "Third.",
        "action": "remove-0", "version": _fresh(draft).version})
    assert r.status_code == 302
    assert [o.text for o in _fresh(draft).objectives] == ["Second, edited.", "Third."]
    assert [o.position for o in _fresh(draft).objectives] == [0, 1]


def test_instructors_are_added_and_removed_with_their_records(client, draft):
    r = client.post(section_url(draft.id, "instructors"), content_type="multipart/form-data", data={
        "instructors-0-name": "Jane Trainer", "instructors-0-record": upload(PDF, "jane.pdf"),
        "action": "add", "version": draft.version})
    assert r.status_code == 200 and 'id="instructors-1-name"' in r.get_data(as_text=True)
    app = _fresh(draft)
    jane = app.instructors[0]
    assert jane.record.original_name == "jane.pdf" and len(uploaded_files()) == 1
    client.post(section_url(draft.id, "instructors"), content_type="multipart/form-data", data={
        "instructors-0-id": jane.id, "instructors-0-name": "Jane Trainer",
        "instructors-1-name": "Sam Second", "instructors-1-qualifications": "Range master",
        "version": app.version})
    app = _fresh(draft)
    assert [i.name for i in app.instructors] == ["Jane Trainer", "Sam Second"]
    r = client.post(section_url(draft.id, "instructors"), data={
        "instructors-0-id": app.instructors[0].id, "instructors-0-name": "Jane Trainer",
        "instructors-1-id": app.instructors[1].id, "instructors-1-name": "Sam Second",
        "action": "remove-0", "version": app.version})
    assert r.status_code == 302
    app = _fresh(draft)
    assert [i.name for i in app.instructors] == ["Sam Second"]
    assert app.live_documents == [] and uploaded_files() == []  # never submitted: the file goes
    removed = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "document.removed")).one()
    assert "Removed with instructor Jane Trainer" in removed.summary


def test_pressing_enter_saves_rather_than_removing(client, draft):
    body = client.get(section_url(draft.id, "objectives")).get_data(as_text=True)
    first_button = body[body.index('<form class="usa-form'):].split("<button", 2)[1]
    assert 'value="save"' in first_button


def test_a_lost_update_is_refused(client, draft):
    stale = draft.version
    assert client.post(section_url(draft.id, "course"), data={"title": "Mine", "version": stale}).status_code == 302
    r = client.post(section_url(draft.id, "course"), data={"title": "Theirs", "version": stale})
    assert r.status_code == 409 and b"Someone else saved changes" in r.data
    assert _fresh(draft).title == "Mine"


def test_saves_are_audited_with_what_changed(client, draft):
    client.post(section_url(draft.id, "course"), data={"title": "Renamed", "synopsis": "Some words",
                                                       "version": draft.version})
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "application.updated")).one()
    assert event.summary == "Saved course: Course title, Synopsis"
    # Saving again without changes adds nothing.
    client.post(section_url(draft.id, "course"), data={"title": "Renamed", "synopsis": "Some words",
                                                       "version": _fresh(draft).version})
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "application.updated")) == 1


def test_every_form_carries_a_csrf_token_and_needs_it(app, client, staff):
    from tests.applications_support import complete_application

    application = complete_application(staff.agency, staff)
    app.config["WTF_CSRF_ENABLED"] = True
    pages = [section_url(application.id, s) for s in SECTIONS]
    pages += [f"/agency/applications/{application.id}/withdraw", "/agency/applications/new"]
    for url in pages:
        body = client.get(url).get_data(as_text=True)
        forms = [chunk.split("</form>")[0] for chunk in body.split('<form')[1:] if 'method="post"' in chunk.split(">")[0]]
        assert forms, url
        for form in forms:
            assert 'name="csrf_token"' in form, (url, form[:200])
    r = client.post(section_url(application.id, "course"), data={"title": "No token", "version": application.version})
    assert r.status_code == 400
    assert _fresh(application).title != "No token"

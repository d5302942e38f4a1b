"""The approval-letter job, reissue, downloads, revocation, the panel, expiry and the demo step."""
from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from email.message import EmailMessage

import pytest
import sqlalchemy as sa

from approvals import dispatch
from approvals.extensions import db
from approvals.letter_jobs import letter_path, render_letter
from approvals.letters import verification_url
from approvals.models import ApplicationState, AuditEvent, OutboxMessage
from tests.letters_support import approve, letters, pdf_text, people, run_letter_jobs, stored_files  # noqa: F401
from tests.review_support import smtp  # noqa: F401  (fixture)
from tests.workflow_helpers import complete_application


def notify_rows(application_id: int) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.application_id == application_id, OutboxMessage.task == "notify",
        OutboxMessage.args["event"].as_string() == "approved").order_by(OutboxMessage.created_at)))


def test_approval_renders_and_stores_the_letter_through_the_outbox(app, people):
    app_row = approve(app, people)
    assert run_letter_jobs(app_row.id) == ["done"]
    [letter] = letters(app_row.id)
    assert (letter.issue, letter.approval_number, letter.superseded_at) == (1, app_row.approval_number, None)
    data = letter_path(letter).read_bytes()
    assert letter_path(letter).parent == app.config["UPLOAD_DIR"] / "letters"
    assert hashlib.sha256(data).hexdigest() == letter.sha256 and len(data) == letter.size
    text = pdf_text(data)
    assert app_row.approval_number in text and app_row.title in text
    assert people.agency.name in text and "Dana R. Okafor" not in text  # the admin decided, not the reviewer
    assert "Pat Admin" in text and app.config["LETTER_SIGNATORY_NAME"] in text
    for label, hours in [("Legal Studies", "2.0"), ("Technical Studies", "1.0"),
                         ("Interpersonal Perspectives", "3.0"), ("Skill Development", "2.0"),
                         ("Total approved hours", "8.0"), ("De-escalation", "4.0")]:
        assert re.search(rf"{re.escape(label)}\s+{re.escape(hours)}\b", text), label
    url = verification_url("http://localhost", app_row.approval_number, letter.code)
    assert url in "".join(text.split())
    # Audited, and the approval e-mail is queued with the letter to attach.
    assert db.session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.subject_type == "approval_letters", AuditEvent.subject_id == letter.id)) == "letter.issued"
    [notify] = notify_rows(app_row.id)
    assert notify.args == {"event": "approved", "letter_id": letter.id}


def test_the_job_is_idempotent(app, people):
    app_row = approve(app, people)
    run_letter_jobs(app_row.id)
    first = letters(app_row.id)
    assert render_letter(application_id=app_row.id).id == first[0].id  # run again: nothing new
    db.session.commit()
    assert len(letters(app_row.id)) == 1 and len(stored_files()) == 1
    assert len(notify_rows(app_row.id)) == 1


@pytest.mark.parametrize("state_change", ["submitted", "denied"])
def test_the_job_renders_nothing_for_an_application_that_is_not_an_approval(app, people, state_change):
    from approvals import workflow

    app_row = complete_application(app, people.agency, people.staff)
    workflow.submit(app_row, people.staff)
    if state_change == "denied":
        workflow.deny(app_row, people.admin, ["other"], "Not a law enforcement course.")
    db.session.commit()
    assert render_letter(application_id=app_row.id) is None
    assert render_letter(application_id=987654) is None
    db.session.commit()
    assert letters(app_row.id) == [] and stored_files() == []


def test_reissue_keeps_the_old_letter_and_renders_a_new_issue(app, people, client, auth):
    app_row = approve(app, people)
    run_letter_jobs(app_row.id)
    auth.login(people.admin)
    response = client.post(f"/letters/applications/{app_row.id}/reissue",
                           data={"letter-reissue-reason": "Contact person changed."})
    assert response.status_code == 302
    db.session.expire_all()
    [old] = letters(app_row.id)
    assert old.superseded_at is not None and old.superseded_reason == "Contact person changed."
    assert run_letter_jobs(app_row.id) == ["done"]
    old, new = letters(app_row.id)
    assert (new.issue, new.superseded_at) == (2, None) and old.superseded_at is not None
    assert letter_path(old).exists() and letter_path(new).exists() and old.code != new.code
    assert "Issue 2" in pdf_text(letter_path(new).read_bytes())
    assert new.facts["issued_on"] == date.today().isoformat()
    # The reissue job again, e.g. a duplicate delivery: still two letters, two files.
    assert render_letter(application_id=app_row.id, reissue=2).id == new.id
    db.session.commit()
    assert len(letters(app_row.id)) == 2 and len(stored_files()) == 2
    assert [r.args for r in notify_rows(app_row.id)][-1] == {"event": "approved", "letter_id": new.id, "reissued": 2}


@pytest.mark.parametrize("reason", ["", "   "])
def test_reissue_needs_a_reason(app, people, client, auth, reason):
    app_row = approve(app, people)
    run_letter_jobs(app_row.id)
    auth.login(people.admin)
    response = client.post(f"/letters/applications/{app_row.id}/reissue", data={"letter-reissue-reason": reason})
    assert response.status_code == 422
    assert "Say why the letter is being reissued." in response.get_data(as_text=True)
    db.session.expire_all()
    assert letters(app_row.id)[0].superseded_at is None


def test_reissue_before_the_letter_exists_is_a_conflict(app, people, client, auth):
    app_row = approve(app, people)
    auth.login(people.admin)
    response = client.post(f"/letters/applications/{app_row.id}/reissue", data={"letter-reissue-reason": "x"})
    assert response.status_code == 409 and "still being prepared" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["staff", "reviewer"])
def test_only_admins_reissue_or_revoke(app, people, client, auth, who):
    app_row = approve(app, people)
    run_letter_jobs(app_row.id)
    auth.login(getattr(people, who))
    assert client.post(f"/letters/applications/{app_row.id}/reissue",
                       data={"letter-reissue-reason": "x"}).status_code == 404
    assert client.post(f"/letters/applications/{app_row.id}/revoke",
                       data={"letter-revoke-reason": "x"}).status_code == 404
    db.session.expire_all()
    assert app_row.state == ApplicationState.APPROVED and letters(app_row.id)[0].superseded_at is None


def test_the_agency_downloads_its_letter_and_others_get_404(app, people, client, auth):
    app_row = approve(app, people)
    run_letter_jobs(app_row.id)
    [letter] = letters(app_row.id)
    url = f"/letters/{letter.id}/pdf"
    assert client.get(url).status_code == 302  # sign in first
    auth.login(people.staff)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename={app_row.approval_number}-approval-letter.pdf")
    assert response.data == letter_path(letter).read_bytes()
    auth.logout()
    auth.login(people.other_staff)
    assert client.get(url).status_code == 404
    assert client.get(f"/letters/applications/{app_row.id}").status_code == 404
    assert client.get(f"/letters/{letter.id + 100}/pdf").status_code == 404


def test_a_superseded_letter_downloads_marked_as_such(app, people, client, auth):
    app_row = approve(app, people)
    run_letter_jobs(app_row.id)
    auth.login(people.admin)
    client.post(f"/letters/applications/{app_row.id}/reissue", data={"letter-reissue-reason": "Typo."})
    run_letter_jobs(app_row.id)
    old, new = letters(app_row.id)
    assert client.get(f"/letters/{old.id}/pdf").headers["Content-Disposition"].endswith(
        f"{app_row.approval_number}-approval-letter-issue-1-superseded.pdf")
    page = client.get(f"/letters/applications/{app_row.id}").get_data(as_text=True)
    assert f"/letters/{new.id}/pdf" in page and f"/letters/{old.id}/pdf" in page and "Superseded" in page


def test_the_panel_shows_admin_forms_only_to_admins(app, people, client, auth):
    app_row = approve(app, people)
    run_letter_jobs(app_row.id)
    auth.login(people.staff)
    page = client.get(f"/letters/applications/{app_row.id}").get_data(as_text=True)
    assert "Download the letter" in page and "Reissue the letter" not in page and "Revoke" not in page
    auth.logout()
    auth.login(people.admin)
    page = client.get(f"/letters/applications/{app_row.id}").get_data(as_text=True)
    assert "Reissue the letter" in page and "Revoke this approval" in page
    assert 'for="letter-revoke-reason"' in page and 'for="letter-reissue-reason"' in page


def test_admin_revokes_with_a_reason(app, people, client, auth):
    app_row = approve(app, people)
    run_letter_jobs(app_row.id)
    auth.login(people.admin)
    response = client.post(f"/letters/applications/{app_row.id}/revoke", data={"letter-revoke-reason": " "})
    assert response.status_code == 422 and "Give the reason for revoking" in response.get_data(as_text=True)
    response = client.post(f"/letters/applications/{app_row.id}/revoke",
                           data={"letter-revoke-reason": "Instructor credentials withdrawn."})
    assert response.status_code == 302
    db.session.expire_all()
    assert app_row.state == ApplicationState.REVOKED and app_row.revoked_reason == "Instructor credentials withdrawn."
    response = client.post(f"/letters/applications/{app_row.id}/revoke", data={"letter-revoke-reason": "again"})
    assert response.status_code == 409


def test_the_approval_email_attaches_the_letter(app, people, smtp):
    app_row = approve(app, people)
    run_letter_jobs(app_row.id)
    [letter] = letters(app_row.id)
    [notify] = notify_rows(app_row.id)
    assert dispatch.run_outbox_job(notify.id) == "done"
    [message] = smtp.to(app_row.contact_email)
    assert isinstance(message, EmailMessage)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == letter_path(letter).read_bytes()


def test_expire_approvals_command(app, people, runner):
    due = approve(app, people)
    current = approve(app, people, title="Legal Update 2026")
    due.expires_on = date.today() - timedelta(days=1)
    current.expires_on = date.today()  # valid through its last day
    db.session.commit()
    result = runner.invoke(args=["expire-approvals"])
    assert result.exit_code == 0, result.output
    assert f"Expired 1 approval(s): {due.approval_number}" in result.output
    db.session.expire_all()
    assert (due.state, current.state) == (ApplicationState.EXPIRED, ApplicationState.APPROVED)
    assert "Expired 0 approval(s)." in runner.invoke(args=["expire-approvals"]).output


def test_demo_step_gives_approved_applications_their_letters(app, people):
    from approvals.demo import letters as demo_letters

    with_letter, without = approve(app, people), approve(app, people, title="Legal Update 2026")
    run_letter_jobs(with_letter.id)
    demo_letters.load()
    db.session.commit()
    assert [len(letters(with_letter.id)), len(letters(without.id))] == [1, 1]


def test_the_issue_number_and_date_are_signed_and_round_trip(app, people):
    import dataclasses

    from approvals.letters import LetterFacts, letter_code, verify_code

    app_row = approve(app, people)
    run_letter_jobs(app_row.id)
    [letter] = letters(app_row.id)
    facts = LetterFacts.from_dict(letter.facts)
    key = app.config["LETTER_SIGNING_KEY"]
    assert (facts.issue, facts.issued_on, facts.letter_date) == (1, None, app_row.approved_on)
    assert verify_code(facts, key, letter.code) and LetterFacts.from_dict(facts.to_dict()) == facts
    reissued = dataclasses.replace(facts, issue=2, issued_on=date.today())
    assert LetterFacts.from_dict(reissued.to_dict()) == reissued
    assert not verify_code(reissued, key, letter.code) and letter_code(reissued, key) != letter.code
    for bad in ({"issue": 0}, {"issued_on": app_row.approved_on - timedelta(days=1)}):
        with pytest.raises(ValueError):
            dataclasses.replace(facts, **bad)


def test_two_runs_at_once_store_one_letter(app, people):
    import threading

    app_row = approve(app, people)
    start, errors = threading.Barrier(2), []

    def run() -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                render_letter(application_id=app_row.id)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - the loser may fail; the outbox would retry it
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.expire_all()
    assert len(letters(app_row.id)) == 1 and len(stored_files()) == 1, errors
    assert render_letter(application_id=app_row.id).id == letters(app_row.id)[0].id  # the retry: nothing new

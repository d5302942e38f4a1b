"""Public verification of approval letters: genuine or not, current / expired / revoked / superseded."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from approvals import workflow
from approvals.extensions import db
from approvals.letter_jobs import request_reissue
from approvals.models import Application
from tests.letters_support import approve, letters, people, run_letter_jobs  # noqa: F401

NOT_VERIFIED = "We could not verify this letter"


@pytest.fixture
def approved(app, people) -> Application:
    app_row = approve(app, people)
    run_letter_jobs(app_row.id)
    return app_row


def code_of(app_row: Application, issue: int = 1) -> str:
    return next(letter.code for letter in letters(app_row.id) if letter.issue == issue)


def verify(client, number: str, code: str):  # type: ignore[no-untyped-def]
    return client.get(f"/verify/{number}", query_string={"code": code})


def tampered(code: str) -> str:
    return code[:5] + ("A" if code[5] != "A" else "B") + code[6:]


def test_a_genuine_current_letter(client, approved):
    response = verify(client, approved.approval_number, code_of(approved))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Genuine letter" in page and "The approval is current" in page and NOT_VERIFIED not in page
    assert approved.title in page and approved.agency.name in page
    for label, hours in [("Legal Studies", "2"), ("Interpersonal Perspectives", "3"), ("De-escalation", "4")]:
        assert f'<th scope="row">{label}</th><td class="text-right">{hours}</td>' in page
    assert response.headers["Cache-Control"] == "no-store"
    assert approved.contact_email not in page  # the letter's addressee is not public


def test_the_code_is_forgiving_about_case_and_spaces(client, approved):
    page = verify(client, approved.approval_number.lower(), f" {code_of(approved).lower()} ").get_data(as_text=True)
    assert "Genuine letter" in page


@pytest.mark.parametrize("bad", [tampered, lambda c: c[:-1], lambda c: "", lambda c: c + "A", lambda c: "x" * 500])
def test_a_tampered_code_fails(client, approved, bad):
    page = verify(client, approved.approval_number, bad(code_of(approved))).get_data(as_text=True)
    assert NOT_VERIFIED in page and "Genuine" not in page and approved.title not in page


def test_unknown_number_and_wrong_code_give_the_same_answer(client, approved):
    code = code_of(approved)
    unknown_number = approved.approval_number[:-5] + "99999"
    wrong_code = verify(client, approved.approval_number, tampered(code))
    unknown = verify(client, unknown_number, tampered(code))
    assert wrong_code.status_code == unknown.status_code == 200
    assert wrong_code.headers.get("Content-Type") == unknown.headers.get("Content-Type")
    assert (wrong_code.get_data(as_text=True).replace(approved.approval_number, "N")
            == unknown.get_data(as_text=True).replace(unknown_number, "N"))
    # The code of a real letter under another letter's number verifies nothing either.
    assert NOT_VERIFIED in verify(client, unknown_number, code).get_data(as_text=True)


def test_a_revoked_approval_shows_at_once_with_its_date_not_its_reason(client, people, approved):
    workflow.revoke(approved, people.admin, "Lead instructor's certification was withdrawn.")
    db.session.commit()
    page = verify(client, approved.approval_number, code_of(approved)).get_data(as_text=True)
    assert "Genuine letter" in page
    assert f"The approval was revoked on {date.today():%b %-d, %Y}" in page
    assert "certification was withdrawn" not in page and "The approval is current" not in page


def test_an_approval_past_its_expiry_date_verifies_as_expired_before_the_nightly_job(client, approved):
    approved.expires_on = date.today() - timedelta(days=1)
    db.session.commit()
    page = verify(client, approved.approval_number, code_of(approved)).get_data(as_text=True)
    assert "Genuine letter" in page and "The approval expired on" in page and "is current" not in page
    workflow.expire(approved)
    db.session.commit()
    assert "The approval expired on" in verify(client, approved.approval_number, code_of(approved)).get_data(as_text=True)


def test_a_superseded_letter_is_genuine_but_superseded(client, people, approved):
    request_reissue(approved, people.admin, "Signatory changed.")
    db.session.commit()
    page = verify(client, approved.approval_number, code_of(approved)).get_data(as_text=True)
    assert "Genuine letter" in page and "superseded by a newer letter" in page
    assert "A replacement letter is being issued." in page and "Signatory changed." not in page
    run_letter_jobs(approved.id)
    page = verify(client, approved.approval_number, code_of(approved)).get_data(as_text=True)
    assert f"The current letter is issue 2, dated {date.today():%b %-d, %Y}" in page
    page = verify(client, approved.approval_number, code_of(approved, 2)).get_data(as_text=True)
    assert "Genuine letter" in page and "superseded" not in page and "Issue 2, dated" in page


def test_verification_uses_the_facts_as_printed(client, approved):
    printed_title = approved.title
    approved.title = "A title changed after the letter was printed"
    db.session.commit()
    page = verify(client, approved.approval_number, code_of(approved)).get_data(as_text=True)
    assert "Genuine letter" in page and printed_title in page and approved.title not in page


def test_json_twin(client, people, approved):
    body = client.get(f"/verify/{approved.approval_number}.json", query_string={"code": code_of(approved)}).json
    assert body["verified"] is True and body["status"] == "current" and body["superseded"] is False
    assert body["course_title"] == approved.title and body["hours"]["legal"] == 2.0
    assert body["letter"] == {"issue": 1, "dated": approved.approved_on.isoformat()}
    wrong = client.get(f"/verify/{approved.approval_number}.json", query_string={"code": tampered(code_of(approved))})
    unknown = client.get("/verify/MO-IS-1999-00001.json", query_string={"code": code_of(approved)})
    assert wrong.json == unknown.json == {"verified": False}
    workflow.revoke(approved, people.admin, "Reason.")
    db.session.commit()
    body = client.get(f"/verify/{approved.approval_number}.json", query_string={"code": code_of(approved)}).json
    assert body["status"] == "revoked" and body["revoked_on"] == date.today().isoformat()


def test_the_lookup_form(client, approved):
    page = client.get("/verify/").get_data(as_text=True)
    assert 'for="number"' in page and 'for="code"' in page
    response = client.get("/verify/", query_string={"number": f" {approved.approval_number.lower()} ",
                                                    "code": code_of(approved).lower()})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/verify/{approved.approval_number}?code={code_of(approved)}"
    page = client.get("/verify/", query_string={"number": "", "code": ""}).get_data(as_text=True)
    assert "Enter the approval number" in page and "Enter the verification code" in page


def test_verification_is_rate_limited_per_address(app, client, approved):
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    number, code = approved.approval_number, code_of(approved)
    statuses = [verify(client, number, code).status_code for _ in range(3)]
    statuses.append(client.get(f"/verify/{number}.json", query_string={"code": code}).status_code)
    assert statuses == [200, 200, 200, 429]
    other = client.get("/verify/", environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert other.status_code == 200


def test_a_malformed_number_is_a_form_error_not_a_lookup(client):
    page = client.get("/verify/", query_string={"number": "MO/IS 2026", "code": "X"}).get_data(as_text=True)
    assert "only letters, digits and dashes" in page

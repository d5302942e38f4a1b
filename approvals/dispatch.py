"""Outbox → RQ: enqueue after commit, run a row as a job, sweep what was left behind.

The write side is approvals/outbox.py (`emit()` adds a row to the caller's
transaction). This module:

- after every commit of a session, enqueues that transaction's new rows on RQ
  with job id == outbox id (a session event, so no route has to remember it).
  A Redis outage is logged and the rows stay ``pending``; the request succeeds.
- `run_outbox_job(outbox_id)` is the one RQ job function: it records the run
  on the row, calls the task from approvals/tasks.py and marks the row done in
  the same transaction as the task's own changes; on error it records
  ``failed`` + the error and re-raises so RQ's failed registry sees it too.
- `sweep()` re-dispatches rows left ``pending``, ``failed``, or ``enqueued``
  whose RQ job vanished, failed or was abandoned by a dead worker; after
  OUTBOX_MAX_ATTEMPTS runs a row becomes ``dead`` (shown to admins).

"Running" is not a status of its own: it is a row whose ``started_at`` is later
than its ``finished_at`` (see `is_running`).
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import Any, Callable

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy import event
from sqlalchemy.orm import Session

from approvals.extensions import db
from approvals.models import OutboxMessage, OutboxStatus
from approvals.models._types import utcnow

log = logging.getLogger(__name__)

JOB_FUNCTION = "approvals.dispatch.run_outbox_job"
# RQ job states in which the job will still run without our help.
_ALIVE = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED,
          JobStatus.CREATED, JobStatus.READY_TO_ENQUEUE, JobStatus.RATE_LIMITED}
_current_outbox_id: ContextVar[str | None] = ContextVar("current_outbox_id", default=None)
_fresh_app: list[Flask] = []


def init_dispatch(app: Flask) -> None:
    """Install the after-commit dispatcher (once per process; it serves every app)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


def _after_rollback(session: Session) -> None:
    session.info.pop("outbox_new", None)


def _after_commit(session: Session) -> None:
    rows = session.info.pop("outbox_new", None)
    if not rows or not has_app_context():
        return  # outside an app (a script): the sweep picks the rows up
    # Rows inserted in a rolled-back savepoint are transient again: no identity.
    ids = [ident[0] for ident in (sa.inspect(r).identity for r in rows) if ident]
    if not ids:
        return
    try:
        enqueue_ids(ids, expected=OutboxStatus.PENDING)
    except Exception:  # noqa: BLE001 - the change is committed; never fail the request over its echo
        log.exception("Dispatching %d outbox row(s) failed; the sweep will deliver them", len(ids))


def current_outbox_id() -> str | None:
    """The id of the outbox row whose task is running now (None outside a job)."""
    return _current_outbox_id.get()


def queue() -> Queue:
    """The app's RQ queue, on a client that fails fast: a request that commits
    while Redis is down waits at most a second, not redis-py's default
    retries with back-off; the sweep delivers later."""
    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from approvals.redis_conn import redis_url

    url = redis_url(current_app._get_current_object())
    clients = current_app.extensions.setdefault("dispatch_redis", {})
    if url not in clients:
        clients[url] = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5, retry=Retry(NoBackoff(), 0))
    return Queue(current_app.config["RQ_QUEUE"], connection=clients[url])


def enqueue_ids(ids: Iterable[str], *, expected: OutboxStatus | None = None) -> list[str]:
    """Put each outbox row on RQ (job id == outbox id) unless its job is still
    alive there, then mark the rows ``enqueued`` — only where the status is
    still *expected* (or pending/failed when None), so a job that already
    finished is never set back. Returns the ids now on the queue (a job
    already waiting there is not duplicated). Never raises for a Redis outage:
    it logs, and the rows keep their status for the sweep."""
    ids = list(ids)
    done: list[str] = []
    try:
        q = queue()
        for outbox_id in ids:
            if _enqueue_one(q, outbox_id):
                done.append(outbox_id)
    except RedisError as exc:
        log.warning("Redis unavailable; %d outbox row(s) stay for the sweep: %s", len(ids) - len(done), exc)
    if done:
        statuses = [expected] if expected else [OutboxStatus.PENDING, OutboxStatus.FAILED]
        table = OutboxMessage.__table__
        # A connection of its own: in after_commit the session cannot run SQL.
        with db.engine.begin() as conn:
            conn.execute(
                sa.update(table)
                .where(table.c.id.in_(done), table.c.status.in_([s.value for s in statuses]))
                .values(status=OutboxStatus.ENQUEUED.value, enqueued_at=utcnow())
            )
    return done


def _enqueue_one(q: Queue, outbox_id: str) -> bool:
    try:
        job = Job.fetch(outbox_id, connection=q.connection)
    except NoSuchJobError:
        job = None
    if job is not None:
        if job.get_status(refresh=False) in _ALIVE:
            return True  # already on its way: no second copy
        _delete_job(job)  # finished/failed/stopped: replace it with a fresh run
    try:
        q.enqueue(JOB_FUNCTION, outbox_id, job_id=outbox_id, unique=True,
                  description=f"outbox {outbox_id}", result_ttl=24 * 3600, failure_ttl=7 * 24 * 3600,
                  job_timeout=current_app.config["OUTBOX_JOB_TIMEOUT"])
    except DuplicateJobError:
        pass  # another dispatcher got there first
    return True


def _delete_job(job: Job) -> None:
    try:
        job.delete()
    except ValueError:
        # RQ 3 keeps listing the execution of a job abandoned by a killed
        # worker for a minute after the execution itself expired, and
        # delete() refuses such a job ("Execution … not found"); that stale
        # listing is all that is left of the run, so drop it and delete.
        job.connection.delete(job.execution_registry.key)
        job.delete()


def resolve(task: str) -> Callable[..., Any]:
    """The function for *task* from approvals.tasks.TASKS. Raises KeyError for
    an unknown task, ImportError/AttributeError when its module is missing."""
    from approvals.tasks import TASKS

    module, _, name = TASKS[task].rpartition(".")
    return getattr(import_module(module), name)


def run_outbox_job(outbox_id: str) -> str:
    """The RQ job for one outbox row. Uses the current app (the worker's) or
    builds one from the environment when called in a fresh process. Returns
    what happened ("done", "skipped", "missing"); re-raises the task's error
    after recording it on the row."""
    if has_app_context():
        app = current_app._get_current_object()
    else:
        if not _fresh_app:
            from approvals import create_app

            _fresh_app.append(create_app())
        app = _fresh_app[0]
    # A context (and so a database session) of its own for every job.
    with app.app_context():
        return _run(outbox_id)


def _run(outbox_id: str) -> str:
    row = db.session.get(OutboxMessage, outbox_id)
    if row is None:
        log.warning("Outbox row %s no longer exists; nothing to do.", outbox_id)
        return "missing"
    if row.status in (OutboxStatus.DONE, OutboxStatus.DEAD):
        return "skipped"  # dispatched twice, or given up: the first run's effect stands
    row.attempts += 1
    row.started_at = utcnow()
    task, application_id, args = row.task, row.application_id, dict(row.args or {})
    db.session.commit()

    token = _current_outbox_id.set(outbox_id)
    try:
        resolve(task)(application_id=application_id, **args)
        row = db.session.get(OutboxMessage, outbox_id)
        row.status, row.finished_at, row.last_error = OutboxStatus.DONE, utcnow(), ""
        db.session.commit()  # the task's own changes and "done" land together
    except Exception as exc:
        db.session.rollback()
        _record_failure(outbox_id, exc)
        raise
    finally:
        _current_outbox_id.reset(token)
    return "done"


def _record_failure(outbox_id: str, exc: BaseException) -> None:
    row = db.session.get(OutboxMessage, outbox_id)
    if row is None:
        return
    limit = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    row.status = OutboxStatus.DEAD if row.attempts >= limit else OutboxStatus.FAILED
    row.finished_at = utcnow()
    row.last_error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[-4000:]
    db.session.commit()


def is_running(row: OutboxMessage) -> bool:
    return row.started_at is not None and (row.finished_at is None or row.started_at > row.finished_at)


def retry(row: OutboxMessage) -> None:
    """Give a dead or failed row a fresh set of attempts; it is enqueued after
    the caller commits."""
    row.status, row.attempts = OutboxStatus.PENDING, 0
    db.session.info.setdefault("outbox_new", []).append(row)


@dataclass
class SweepResult:
    dispatched: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)
    redis_down: bool = False


def sweep(now: datetime | None = None, *, batch: int = 500) -> SweepResult:
    """Re-dispatch what the after-commit dispatcher could not deliver, or what
    RQ lost: rows pending (older than OUTBOX_PENDING_GRACE_SECONDS), failed, or
    enqueued whose job is missing, failed or abandoned. Rows past
    OUTBOX_MAX_ATTEMPTS become dead. Commits; never raises for a Redis outage."""
    now = now or utcnow()
    cfg = current_app.config
    grace = timedelta(seconds=cfg.get("OUTBOX_PENDING_GRACE_SECONDS", 10))
    result = SweepResult()
    try:
        q = queue()
        # A job whose worker died stays "started" until its heartbeat expires;
        # RQ's cleanup then moves it to the failed registry.
        StartedJobRegistry(queue=q).cleanup(timestamp=now.replace(tzinfo=UTC).timestamp())  # now is naive UTC
    except RedisError as exc:
        log.warning("Outbox sweep skipped, Redis unavailable: %s", exc)
        result.redis_down = True
        return result

    M, S = OutboxMessage, OutboxStatus
    rows = db.session.scalars(
        sa.select(M).where(sa.or_(
            sa.and_(M.status == S.PENDING, M.created_at <= now - grace),
            M.status == S.FAILED,
            sa.and_(M.status == S.ENQUEUED, M.enqueued_at <= now - grace),
        )).order_by(M.created_at).limit(batch)
    ).all()
    retry_by_status: dict[OutboxStatus, list[str]] = {}
    try:
        for row in rows:
            try:
                alive = row.status == S.ENQUEUED and _job_alive(q, row.id)
            except RedisError:
                raise
            except Exception:  # noqa: BLE001 - one odd job record must not stall the whole sweep
                log.exception("Outbox sweep: could not inspect job %s; the next sweep tries again", row.id)
                continue
            if alive:
                continue
            if row.attempts >= cfg["OUTBOX_MAX_ATTEMPTS"]:
                row.status, row.finished_at = S.DEAD, now
                row.last_error = row.last_error or "Gave up: the job never completed."
                result.dead.append(row.id)
                continue
            retry_by_status.setdefault(row.status, []).append(row.id)
    except RedisError as exc:
        log.warning("Outbox sweep interrupted, Redis unavailable: %s", exc)
        result.redis_down = True
    db.session.commit()
    for status, ids in retry_by_status.items():
        result.dispatched += enqueue_ids(ids, expected=status)
    if result.dispatched or result.dead:
        log.info("Outbox sweep: %d re-dispatched, %d dead", len(result.dispatched), len(result.dead))
    return result


def _job_alive(q: Queue, outbox_id: str) -> bool:
    try:
        job = Job.fetch(outbox_id, connection=q.connection)
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) in _ALIVE

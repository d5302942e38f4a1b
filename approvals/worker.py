"""The RQ worker, run inside the app context (`flask --app approvals worker`).

SimpleWorker runs each job in this process, so jobs share the app and its
database pool (no fork with an open pool); every job still gets an app
context and session of its own (approvals.dispatch.run_outbox_job).

Besides jobs, the worker runs two periodic sweeps from its own loop — no
threads, no separate scheduler process:
  - the outbox sweep (re-dispatch what never reached RQ or was lost there),
    every OUTBOX_SWEEP_SECONDS (default 15);
  - the SLA sweep (reminders and escalations), every SLA_SWEEP_SECONDS
    (default 300);
  - the expiry sweep (approvals past expires_on become expired), every
    EXPIRY_SWEEP_SECONDS (default 3600);
  - the daily CLEE compliance job scheduler, every CLEE_SWEEP_SECONDS.
The blocking dequeue is capped at the shorter interval so the loop comes back
round in time; RQ's own maintenance hook is where the sweeps run.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, current_app
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from rq.exceptions import StopRequested

from approvals.redis_conn import get_redis

log = logging.getLogger(__name__)


class ApprovalsWorker(SimpleWorker):
    def __init__(self, *args: Any, app: Flask, **kwargs: Any) -> None:
        self.app = app
        cfg = app.config
        self.periodic: dict[str, float] = {
            "outbox": float(cfg.get("OUTBOX_SWEEP_SECONDS", 15)),
            "sla": float(cfg.get("SLA_SWEEP_SECONDS", 300)),
        }
        # Queues the daily CLEE job; off in tests unless a test asks for it.
        clee_every = cfg.get("CLEE_SWEEP_SECONDS", None if app.testing else 3600)
        if clee_every:
            self.periodic["clee"] = float(clee_every)
        # Marks approvals past their expiry date; off in tests unless asked for.
        expiry_every = cfg.get("EXPIRY_SWEEP_SECONDS", None if app.testing else 3600)
        if expiry_every:
            self.periodic["expiry"] = float(expiry_every)
        self.last_run: dict[str, float] = {}
        self.stop_signalled = False
        super().__init__(*args, **kwargs)  # reads dequeue_timeout, so the intervals come first

    def request_stop(self, signum: Any, frame: Any) -> None:
        # SIGINT/SIGTERM: someone wants the worker gone; run_worker must not start it again.
        self.stop_signalled = True
        super().request_stop(signum, frame)

    @property
    def dequeue_timeout(self) -> int:
        return max(1, min(super().dequeue_timeout, int(min(self.periodic.values()))))

    def _due(self) -> list[str]:
        now = time.monotonic()
        return [name for name, every in self.periodic.items()
                if now - self.last_run.get(name, float("-inf")) >= every]

    @property
    def should_run_maintenance_tasks(self) -> bool:
        return bool(self._due()) or super().should_run_maintenance_tasks

    def run_maintenance_tasks(self) -> None:
        if super().should_run_maintenance_tasks:
            super().run_maintenance_tasks()
        for name in self._due():
            self.last_run[name] = time.monotonic()
            run_periodic(self.app, name)


def run_periodic(app: Flask, name: str) -> None:
    """Run one sweep in a fresh app context; a failing sweep is logged, never
    allowed to stop the worker (the next round tries again)."""
    from approvals import dispatch, reminders

    try:
        with app.app_context():
            if name == "outbox":
                dispatch.sweep()
            elif name == "sla":
                result = reminders.sweep_sla()
                if result.reminded or result.escalated:
                    log.info("SLA sweep: %d reminders, %d escalations", len(result.reminded), len(result.escalated))
            elif name == "expiry":
                from approvals.expiry import expire_due

                expired = expire_due()
                if expired:
                    log.info("Expired approvals: %s", ", ".join(expired))
            elif name == "clee":
                from approvals.credit.jobs import schedule_daily

                schedule_daily()
    except Exception:  # noqa: BLE001 - logged; the worker keeps serving jobs
        log.exception("The %s sweep failed", name)


def make_worker(app: Flask | None = None) -> ApprovalsWorker:
    app = app or current_app._get_current_object()
    conn = get_redis()
    queue = Queue(app.config["RQ_QUEUE"], connection=conn)
    return ApprovalsWorker([queue], connection=conn, app=app)


def run_worker(burst: bool = False) -> bool:
    """Work the app's queue (with the periodic sweeps). In burst mode: one
    round of both sweeps, then every job until the queue is empty. Otherwise
    until SIGINT/SIGTERM, outliving Redis outages: RQ's loop gives up when
    Redis drops while a job runs (the process used to exit), so a fresh
    worker starts once Redis answers again; what was in flight is still in
    the outbox for the sweep. Returns whether any job ran."""
    if burst:
        return make_worker().work(burst=True, with_scheduler=False, logging_level="WARNING")
    worked = False
    while True:
        worker = make_worker()
        try:
            worked = worker.work(with_scheduler=False, logging_level="INFO") or worked
        except RedisError:
            log.warning("Worker %s lost Redis; starting again when it is back", worker.name, exc_info=True)
            if worker.pubsub_thread is not None:
                worker.pubsub_thread.stop()  # its teardown never ran
        if worker.stop_signalled or not _wait_for_redis(worker):
            return worked
        log.warning("Starting a fresh worker after %s stopped unasked", worker.name)


def _wait_for_redis(worker: ApprovalsWorker) -> bool:
    """Wait (backing off) until Redis answers; False if a stop is asked for meanwhile."""
    delay = 1.0
    while not worker.stop_signalled:
        try:
            time.sleep(delay)  # also keeps a loop that fails at once from spinning
            worker.connection.ping()
            return True
        except RedisError:
            delay = min(delay * 2, 30.0)
        except StopRequested:  # raised by the old loop's signal handler when it was idle
            return False
    return False

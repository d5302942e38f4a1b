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
from rq import Queue, SimpleWorker

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
        super().__init__(*args, **kwargs)  # reads dequeue_timeout, so the intervals come first

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
    round of both sweeps, then every job until the queue is empty. Returns
    whether any job ran."""
    worker = make_worker()
    return worker.work(burst=burst, with_scheduler=False, logging_level="WARNING" if burst else "INFO")

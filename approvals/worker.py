"""The RQ worker, run inside the app context (`flask --app approvals worker`)."""
from __future__ import annotations

from flask import current_app
from rq import Queue, SimpleWorker

from approvals.redis_conn import get_redis


def run_worker(burst: bool = False) -> None:
    """Work the app's queue. SimpleWorker runs jobs in this process, so they
    share the app context and its database pool (no fork with an open pool)."""
    conn = get_redis()
    queue = Queue(current_app.config["RQ_QUEUE"], connection=conn)
    SimpleWorker([queue], connection=conn).work(burst=burst, with_scheduler=False)

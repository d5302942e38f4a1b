"""The worker's periodic loop marks approvals past their expiry date as expired."""
from __future__ import annotations

from datetime import date, timedelta

from approvals.extensions import db
from approvals.models import ApplicationState
from approvals.worker import make_worker
from tests.letters_support import approve, people  # noqa: F401


def test_worker_expiry_sweep(app, people):
    app.config["EXPIRY_SWEEP_SECONDS"] = 60
    app_row = approve(app, people, today=date.today() - timedelta(days=3 * 366))
    worker = make_worker(app)
    assert "expiry" in worker.periodic
    worker.run_maintenance_tasks()
    db.session.expire_all()
    assert app_row.state == ApplicationState.EXPIRED


def test_expiry_sweep_is_off_in_tests_unless_asked(app):
    assert "expiry" not in make_worker(app).periodic

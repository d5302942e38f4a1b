"""The background jobs, by the task names the workflow writes into the outbox.

Each value is the dotted path of a plain function taking ``application_id=``
plus the outbox row's args as keyword arguments. approvals.dispatch.run_outbox_job
looks the name up here, runs the function inside an app context and commits
its changes together with the row's "done" mark; the function must be
idempotent (re-check state first) and let errors it cannot handle propagate.
"""
from __future__ import annotations

TASKS: dict[str, str] = {
    "route_application": "approvals.routing.route_application",
    "notify": "approvals.notifications.notify",
    # Written by the approval-letter engineer (issue 5).
    "render_letter": "approvals.letter_jobs.render_letter",
    # CLEE compliance (issue 7): daily snapshot and reminders.
    "clee_daily": "approvals.credit.jobs.daily_compliance",
}

"""Outbox: background work is written in the same transaction as the change
that needs it, and only reaches RQ after that transaction commits.

`emit()` is the write side (used by the workflow). Dispatch to RQ after
commit, the periodic sweep and the worker side live in approvals/dispatch.py.
"""
from __future__ import annotations

from typing import Any

from approvals.extensions import db
from approvals.models.outbox import OutboxMessage

# Task names the workflow emits; approvals/tasks.py maps each to a job.
ROUTE_APPLICATION = "route_application"
NOTIFY = "notify"
RENDER_LETTER = "render_letter"


def emit(task: str, *, application_id: int | None = None, **args: Any) -> OutboxMessage:
    """Add an outbox row to the current session (the caller commits)."""
    message = OutboxMessage(task=task, args=args, application_id=application_id)
    db.session.add(message)
    db.session.info.setdefault("outbox_new", []).append(message)
    return message

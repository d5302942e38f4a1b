"""After a load run: wait for the queue to drain, then account for every
submission — routed once per revision, decided as the reviewers decided,
every outbox row done, every e-mail sent exactly once, approval numbers
unique and sequential, one letter per approval.

`account()` returns every problem it finds (an empty list means all is
well) with the figures of the run, so a failing test names all of them.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import sqlalchemy as sa

from approvals.extensions import db
from approvals.models import (
    Application, ApplicationState as S, ApprovalLetter, AuditEvent, OutboxMessage, OutboxStatus, Revision, User,
)
from tests.load_actors import Ledger

AGENCY_EVENTS = {"submitted", "resubmitted", "changes_requested", "approved", "denied"}
DECISION_ACTIONS = {"approve": "application.approved", "changes": "application.changes_requested",
                    "deny": "application.denied"}
SETTLED = {S.IN_REVIEW, S.CHANGES_REQUESTED, S.APPROVED, S.DENIED}
SUBJECT = re.compile(r"E-mail “(.*)” sent to ")


def drain(timeout: float, alive: Callable[[], list[int]]) -> float:
    """Wait until no outbox row is left undone and no application waits for
    routing; return the seconds it took. Raises AssertionError on timeout or
    when a worker process died meanwhile."""
    started = time.monotonic()
    while True:
        db.session.rollback()  # a fresh snapshot each round
        open_rows = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.status != OutboxStatus.DONE))
        waiting = db.session.scalar(sa.select(sa.func.count()).select_from(Application)
                                    .where(Application.state == S.SUBMITTED))
        if not open_rows and not waiting:
            return time.monotonic() - started
        dead = alive()
        assert not dead, f"worker process(es) {dead} exited while {open_rows} outbox row(s) were open"
        if time.monotonic() - started > timeout:
            rows = db.session.execute(sa.select(OutboxMessage.task, OutboxMessage.status, OutboxMessage.attempts,
                                                OutboxMessage.last_error)
                                      .where(OutboxMessage.status != OutboxStatus.DONE).limit(20)).all()
            raise AssertionError(f"not drained after {timeout:.0f} s: {open_rows} outbox row(s) open, "
                                 f"{waiting} application(s) unrouted; e.g. {rows}")
        time.sleep(0.5)


@dataclass
class Accounts:
    problems: list[str] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)

    def expect(self, ok: bool, message: str) -> None:
        if not ok:
            self.problems.append(message)


def _eml_messages(mail_dir: Path) -> Counter:
    found: Counter = Counter()
    for path in mail_dir.glob("*.eml"):
        msg = message_from_bytes(path.read_bytes(), policy=policy.default)
        found[(str(msg["To"]).lower(), " ".join(str(msg["Subject"]).split()))] += 1
    return found


def account(ledgers: list[Ledger], mail_dir: Path, repeatable: set[str] = frozenset()) -> Accounts:  # type: ignore[assignment]
    """Check the whole database against what the actors of *ledgers* did.
    *repeatable* holds ids of notify rows a killed worker was running: their
    e-mail may have left once more than recorded (at-least-once delivery)."""
    acc = Accounts()
    submissions: Counter = Counter()
    decisions: dict[int, list[str]] = {}
    for ledger in ledgers:
        submissions.update(ledger.submissions)
        for app_id, made in ledger.decisions.items():
            decisions.setdefault(app_id, []).extend(made)
    db.session.rollback()
    apps = {a.id: a for a in db.session.scalars(sa.select(Application).where(Application.state != S.DRAFT))}
    acc.expect(set(apps) == set(submissions),
               f"submitted applications {sorted(set(apps) ^ set(submissions))} differ from what the coordinators saw")
    events: dict[int, Counter] = {}
    for app_id, action in db.session.execute(sa.select(AuditEvent.application_id, AuditEvent.action)
                                             .where(AuditEvent.application_id.in_(list(apps)))):
        events.setdefault(app_id, Counter())[action] += 1
    revisions = Counter(db.session.scalars(sa.select(Revision.application_id)))
    for app_id, n in submissions.items():
        app, seen = apps.get(app_id), events.get(app_id, Counter())
        if app is None:
            continue
        acc.expect(app.revision_count == n == revisions[app_id],
                   f"application {app_id}: {n} submission(s), revision_count {app.revision_count}, "
                   f"{revisions[app_id]} revision row(s)")
        acc.expect(app.state in SETTLED and app.assigned_reviewer_id is not None,
                   f"application {app_id} is {app.state} (reviewer {app.assigned_reviewer_id})")
        acc.expect(seen["application.assigned"] == n,
                   f"application {app_id}: {seen['application.assigned']} assignment(s) for {n} submission(s)")
        acc.expect(seen["application.submitted"] + seen["application.resubmitted"] == n,
                   f"application {app_id}: submit events {seen} for {n} submission(s)")
        made = Counter(DECISION_ACTIONS[d] for d in decisions.get(app_id, []))
        acc.expect(all(seen[a] == made[a] for a in DECISION_ACTIONS.values()),
                   f"application {app_id}: decisions made {dict(made)}, recorded {dict(seen)}")
    _account_outbox(acc, apps, submissions, decisions)
    _account_mail(acc, mail_dir, repeatable)
    _account_approvals(acc, apps)
    acc.figures.update(submissions=sum(submissions.values()), applications=len(submissions),
                       resubmissions=sum(submissions.values()) - len(submissions),
                       decisions=dict(Counter(d for made in decisions.values() for d in made)))
    return acc


def _account_outbox(acc: Accounts, apps: dict[int, Application], submissions: Counter,
                    decisions: dict[int, list[str]]) -> None:
    rows = list(db.session.scalars(sa.select(OutboxMessage)))
    acc.expect(all(r.status == OutboxStatus.DONE for r in rows),
               f"outbox rows not done: {Counter(r.status.value for r in rows if r.status != OutboxStatus.DONE)}")
    notify: dict[int, Counter] = {}
    for r in rows:
        if r.task == "notify" and r.application_id is not None:
            notify.setdefault(r.application_id, Counter())[r.args["event"]] += 1
    for app_id, n in submissions.items():
        made = Counter(decisions.get(app_id, []))
        want = Counter({"submitted": 1, "resubmitted": n - 1, "assigned": n, "changes_requested": made["changes"],
                        "approved": made["approve"], "denied": made["deny"]})
        got = notify.get(app_id, Counter())
        acc.expect(+got == +want, f"application {app_id}: notifications {dict(+got)}, expected {dict(+want)}")
    acc.figures.update(outbox_rows=len(rows), outbox_by_task=dict(Counter(r.task for r in rows)),
                       outbox_redelivered=sum(1 for r in rows if r.attempts > 1),
                       outbox_max_attempts=max((r.attempts for r in rows), default=0))


def _account_mail(acc: Accounts, mail_dir: Path, repeatable: set[str]) -> None:
    sent = list(db.session.execute(sa.select(AuditEvent.data, AuditEvent.summary)
                                   .where(AuditEvent.action == "mail.sent")))
    keys = Counter(data["key"] for data, _ in sent)
    acc.expect(max(keys.values(), default=1) == 1,
               f"mails recorded twice: {[k for k, n in keys.items() if n > 1]}")
    rows = list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.task == "notify")))
    reviewers = {u.id: u.email for u in db.session.scalars(sa.select(User).where(User.agency_id.is_(None)))}
    contacts = dict(db.session.execute(sa.select(Application.id, Application.contact_email)).all())
    for r in rows:
        event = r.args["event"]
        to = contacts.get(r.application_id) if event in AGENCY_EVENTS else reviewers.get(r.args.get("reviewer_id"))
        times = keys[f"{r.id}:{(to or '').lower()}"]
        acc.expect(to is not None and times == 1, f"notify {r.id} ({event}) to {to}: recorded {times} time(s)")
    recorded = Counter((data["to"].lower(), " ".join(SUBJECT.search(summary).group(1).split()))
                       for data, summary in sent)
    on_disk = _eml_messages(mail_dir)
    missing, extra = recorded - on_disk, on_disk - recorded
    acc.expect(not missing, f"mails recorded as sent but not written: {dict(missing)}")
    acc.expect(sum(extra.values()) <= len(repeatable),
               f"mails written more often than recorded: {dict(extra)} (killed mid-send: {len(repeatable)})")
    acc.figures.update(mails_recorded=len(sent), mail_files=sum(on_disk.values()),
                       mail_repeats_after_kill=sum(extra.values()))


def _account_approvals(acc: Accounts, apps: dict[int, Application]) -> None:
    approved = [a for a in apps.values() if a.state == S.APPROVED]
    numbers = sorted(a.approval_number for a in approved)
    acc.expect(len(set(numbers)) == len(numbers), f"approval numbers repeat: {numbers}")
    acc.expect([int(n.rsplit("-", 1)[1]) for n in numbers] == list(range(1, len(numbers) + 1)),
               f"approval numbers are not 1..{len(numbers)}: {numbers}")
    letters = Counter(db.session.scalars(sa.select(ApprovalLetter.application_id)))
    acc.expect(all(letters[a.id] == 1 for a in approved) and sum(letters.values()) == len(approved),
               f"letters per approval: {dict(letters)} for {len(approved)} approval(s)")
    issued = Counter(db.session.scalars(sa.select(AuditEvent.application_id)
                                        .where(AuditEvent.action == "letter.issued")))
    acc.expect(all(issued[a.id] == 1 for a in approved), f"letter.issued events: {dict(issued)}")
    acc.figures.update(approvals=len(approved), letters=sum(letters.values()))

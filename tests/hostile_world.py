"""A seeded world for the hostile-input tests (tests/test_hostile_*.py).

One object of every kind a URL can name — applications in several states with
their documents and revisions, an approval letter, offerings (future, past,
with a posted roster), officers, credit entries and their evidence, an
extension request, a failed background job, API tokens, a notification, a
password-reset link — owned by agency A, plus agency B whose staff try to
reach them. Seven roles each get a signed-in session cookie and an API token.

Built once per test module (a module-scoped app), then put back between
requests that change it: on SQLite by copying the database file back, on
PostgreSQL by truncating and re-inserting the rows. Row ids stay the same, so
URLs and sessions stay valid across a restore.
"""
from __future__ import annotations

import contextvars
import io
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import redis as redis_lib
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from approvals import create_app, storage, workflow
from approvals.auth.tokens import make_reset_token
from approvals.credit import extensions as credit_extensions
from approvals.credit import ledger, rosters
from approvals.extensions import db
from approvals.models import (
    Agency, ApiToken, Commission, Notification, Offering, Officer, OutboxMessage, OutboxStatus, Role, User,
)
from approvals.offerings import schedule_offering
from tests.api_support import store_letter, token_for
from tests.catalog_support import details
from tests.hostile_snapshot import Snapshot, fingerprint, sqlite_path
from tests.letters_support import APPROVED_HOURS
from tests.workflow_helpers import complete_application, tiny_pdf

ROLES = ("anonymous", "staff", "agency_admin", "other_staff", "reviewer", "post_admin", "officer")
PASSWORD = "Correct-Horse-42"

# Text only agency A (and POST) may see: another agency's staff or an officer
# must never find it on a page they are allowed to open.
PRIVATE_TITLES = ("Zq Draft: Night Patrol Tactics", "Zq Review: Legal Updates for Patrol",
                  "Zq Changes: Evidence Handling")
PRIVATE_TO_AGENCY = ("Officer Zq Alpha", "Officer Zq Bravo", "Zq extension: surgery and medical leave")


class IsolatedClient(FlaskClient):
    """Each request in its own context, as in tests/conftest.py."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return contextvars.Context().run(super().open, *args, **kwargs)


@dataclass
class World:
    app: Flask
    ids: dict[str, Any]
    emails: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    snapshot: Snapshot | None = None
    dirty: bool = False

    def client(self, role: str) -> FlaskClient:
        """A fresh client, signed in as *role* (anonymous: no cookie)."""
        client = self.app.test_client()
        if role in self.cookies:
            client.set_cookie(self.app.config["SESSION_COOKIE_NAME"], self.cookies[role])
        return client

    def headers(self, role: str) -> dict[str, str]:
        secret = self.tokens.get(role)
        return {"Authorization": f"Bearer {secret}"} if secret else {}

    def clean(self) -> None:
        """Put the world back if a request may have changed it."""
        if self.dirty:
            assert self.snapshot is not None
            self.snapshot.restore()
            self.dirty = False

    def fingerprint(self) -> str:
        """A hash of every row (volatile columns aside) and every stored file name."""
        return fingerprint(self.app)

    def uploads(self) -> list[str]:
        """Every file under the upload folder (temporary ones included)."""
        return sorted(str(p) for p in Path(self.app.config["UPLOAD_DIR"]).rglob("*") if p.is_file())


def _user(role: str, name: str, agency: Agency | None = None) -> User:
    user = User(email=f"{name.lower().replace(' ', '.')}@example.gov", name=name, role=Role(role),
                agency_id=agency.id if agency is not None and Role(role).is_agency else None)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


def build(flask_app: Flask) -> World:
    """Seed the world (committed) and return its ids."""
    today = date.today()
    a = Agency(name="Columbia Police Department", ori="MO0100100", county="Boone")
    b = Agency(name="Boone County Sheriff's Office", ori="MO0100000", county="Boone")
    db.session.add_all([a, b])
    db.session.commit()
    users = {
        "staff": _user("agency_staff", "Dana Staff", a),
        "agency_admin": _user("agency_admin", "Marcus Admin", a),
        "other_staff": _user("agency_staff", "Bea Otheragency", b),
        "reviewer": _user("post_reviewer", "Priya Reviewer"),
        "post_admin": _user("post_admin", "Pat Postadmin"),
        "officer": _user("officer", "Officer Zq Alpha"),
        "colleague": _user("agency_staff", "Colin Colleague", a),
        "resettable": _user("agency_staff", "Rosa Resetter", a),
    }
    staff, admin, reviewer = users["staff"], users["post_admin"], users["reviewer"]

    draft = complete_application(flask_app, a, staff, title=PRIVATE_TITLES[0])
    in_review = complete_application(flask_app, a, staff, title=PRIVATE_TITLES[1])
    workflow.submit(in_review, staff)
    db.session.commit()
    workflow.assign(in_review, reviewer, admin)
    db.session.commit()
    changes = complete_application(flask_app, a, staff, title=PRIVATE_TITLES[2])
    workflow.submit(changes, staff)
    db.session.commit()
    workflow.request_changes(changes, admin, "Add a second learning objective.")
    db.session.commit()
    approved = complete_application(flask_app, a, staff, title="Firearms Qualification and Judgement")
    workflow.submit(approved, staff)
    db.session.commit()
    workflow.approve(approved, admin, dict(APPROVED_HOURS), today=today - timedelta(days=60))
    db.session.commit()
    letter = store_letter(approved)

    officer = Officer(license_number="MO-ZQ0001", name="Officer Zq Alpha", licensed_on=date(today.year - 5, 3, 1),
                      user_id=users["officer"].id, email=users["officer"].email)
    officer.commissions.append(Commission(agency_id=a.id, started_on=date(today.year - 5, 3, 1)))
    officer2 = Officer(license_number="MO-ZQ0002", name="Officer Zq Bravo", licensed_on=date(today.year - 4, 3, 1))
    officer2.commissions.append(Commission(agency_id=a.id, started_on=date(today.year - 4, 3, 1)))
    db.session.add_all([officer, officer2])
    db.session.commit()

    start = today + timedelta(days=7)
    future = schedule_offering(approved, staff, details(starts_on=start, ends_on=start))
    past_day = max(today - timedelta(days=10), date(today.year, 1, 1))
    past, rostered = (Offering(application_id=approved.id, agency_id=a.id, starts_on=past_day, ends_on=past_day,
                               location="Range", seats=20, instructors="Sgt. Ana Ruiz", contact_name="Dana Staff",
                               contact_email=staff.email, created_by_id=staff.id) for _ in range(2))
    db.session.add_all([past, rostered])
    db.session.commit()
    roster = rosters.post(rostered, [rosters.RosterLine(1, officer.license_number, "8")], staff)
    db.session.commit()

    inspected = storage.inspect_upload(io.BytesIO(tiny_pdf("Certificate")), "certificate.pdf", max_bytes=10_000_000)
    evidence = ledger.store_evidence(inspected, Path(flask_app.config["UPLOAD_DIR"]), admin)
    entry = ledger.add_credit(officer.id, ledger.CreditInput(
        title="Legal Update (Approved Provider)", hours=2.0, completed_on=past_day, source="in_service",
        provider="approved_provider", delivery="in_person", areas={"legal": 2.0}, designations={},
        provider_name="Missouri Sheriffs' Association"), actor=admin, evidence=evidence)
    extension = credit_extensions.request_extension(
        officer2, year=today.year, kind="medical", new_due_date=date(today.year + 1, 6, 30),
        reason=PRIVATE_TO_AGENCY[2], actor=staff, today=today)
    outbox = OutboxMessage(task="notify", args={"event": "comment"}, application_id=in_review.id,
                           status=OutboxStatus.DEAD, attempts=5, last_error="SMTP refused")
    db.session.add_all([outbox, Notification(user_id=staff.id, application_id=in_review.id, kind="comment",
                                             message="POST commented on your application.")])
    db.session.commit()

    tokens = {role: token_for(users[role]) for role in ROLES if role != "anonymous"}
    token_for(staff, "Old records system")  # for revoking
    spare_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.name == "Old records system"))
    in_review_doc = in_review.live_documents[0]
    ids: dict[str, Any] = {
        "agency_a": a.id, "agency_b": b.id, "ori_a": a.ori,
        "draft": draft.id, "in_review": in_review.id, "changes": changes.id, "approved": approved.id,
        "draft_doc": draft.live_documents[0].id, "in_review_doc": in_review_doc.id,
        "instructor": draft.instructors[0].id, "changes_instructor": changes.instructors[0].id,
        "version": in_review.version,
        "letter": letter.id, "number": approved.approval_number, "code": letter.code,
        "offering": future.id, "past_offering": past.id, "rostered_offering": rostered.id, "roster": roster.id,
        "officer": officer.id, "officer2": officer2.id, "license": officer.license_number,
        "entry": entry.id, "evidence": evidence.id, "extension": extension.id, "outbox": outbox.id,
        "spare_token": spare_id, "colleague": users["colleague"].id, "reviewer_id": reviewer.id,
        "reset_token": make_reset_token(users["resettable"]), "today": today.isoformat(),
        "year": today.year, "past_day": past_day.isoformat(),
    }
    world = World(app=flask_app, ids=ids, emails={r: u.email for r, u in users.items()}, tokens=tokens)
    for role in ROLES[1:]:
        client = flask_app.test_client()
        token = csrf_token_in(client.get("/auth/login").get_data(as_text=True))
        response = client.post("/auth/login", data={"email": users[role].email, "password": PASSWORD,
                                                     **({"csrf_token": token} if token else {})})
        assert response.status_code == 302, role
        cookie = client.get_cookie(flask_app.config["SESSION_COOKIE_NAME"])
        assert cookie is not None
        world.cookies[role] = cookie.value
    return world


def csrf_token_in(html: str) -> str | None:
    """The CSRF token of the first form on a page (None when CSRF is off)."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found.group(1) if found else None


def _truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@contextmanager
def hostile_world(folder: Path, database_template: str, redis_url: str,
                  **overrides: Any) -> Iterator[World]:
    """An app (its context pushed) over a seeded world with a snapshot to restore."""
    db_file = sqlite_path(database_template)
    if db_file is not None:
        shutil.copy(db_file, folder / "test.db")
        url = f"sqlite:///{folder / 'test.db'}"
    else:
        url = database_template
    config = {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url, "INSTANCE_DIR": folder / "instance",
              "UPLOAD_DIR": folder / "uploads", "PUBLIC_BASE_URL": "http://localhost", **overrides}
    flask_app = create_app("testing", config)
    flask_app.test_client_class = IsolatedClient
    redis_lib.Redis.from_url(redis_url).flushdb()
    with flask_app.app_context():
        if db_file is None:
            _truncate_all()
        world = build(flask_app)
        (folder / "snapshot").mkdir()
        world.snapshot = Snapshot(flask_app, folder / "snapshot")
        try:
            yield world
        finally:
            db.session.remove()
            db.engine.dispose()


def fill(template: str, ids: dict[str, Any]) -> str:
    """A URL template with {placeholders} filled from the world's ids."""
    return template.format(**ids)

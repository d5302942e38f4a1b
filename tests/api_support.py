"""Helpers for the API tests: a small world of agencies, people with real
tokens, and applications in the states the routes act on."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Flask

from approvals import storage, workflow
from approvals.api.tokens import SECRET_PREFIX, hash_secret, issue_token
from approvals.extensions import db
from approvals.letter_jobs import letter_facts, letters_dir
from approvals.letters import letter_code
from approvals.models import ApiToken, Application, ApprovalLetter, Document, DocumentKind, Offering, User
from approvals.offerings import schedule_offering
from tests.catalog_support import details
from tests.letters_support import APPROVED_HOURS
from tests.workflow_helpers import complete_application, tiny_pdf

ROLES = ("anonymous", "staff", "agency_admin", "other_staff", "reviewer", "post_admin", "officer")


def bearer(secret: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"} if secret else {}


def token_for(user: User, name: str = "test") -> str:
    """A real token for *user*, committed; officers (who may not make one) get
    theirs written directly, as if their role had changed since."""
    try:
        _, secret = issue_token(user, name)
    except workflow.NotPermitted:
        secret = SECRET_PREFIX + f"officer-{user.id}-secret-for-tests-only"
        db.session.add(ApiToken(user_id=user.id, name=name, token_hash=hash_secret(secret), prefix=secret[:12]))
    db.session.commit()
    return secret


def store_letter(app_row: Application) -> ApprovalLetter:
    """A letter row as the render job records it (signed facts, stored PDF),
    with a small PDF in place of the WeasyPrint rendering (tests that prove
    the rendering run the real job)."""
    from flask import current_app

    facts = letter_facts(app_row)
    pdf = tiny_pdf(f"Approval {app_row.approval_number}")
    inspected = storage.inspect_upload(io.BytesIO(pdf), "letter.pdf", max_bytes=10_000_000)
    stored = storage.store(inspected, letters_dir())
    letter = ApprovalLetter(application_id=app_row.id, issue=1, approval_number=facts.approval_number,
                            code=letter_code(facts, current_app.config["LETTER_SIGNING_KEY"]),
                            facts=facts.to_dict(), stored_name=stored.stored_name, sha256=stored.sha256,
                            size=stored.size)
    db.session.add(letter)
    db.session.commit()
    return letter


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]
    draft: Application
    submitted: Application
    approved: Application
    letter: ApprovalLetter
    offering: Offering
    doc: Document
    instructor_id: int

    def headers(self, role: str) -> dict[str, str]:
        return bearer(self.tokens.get(role))

    def ids(self) -> dict[str, Any]:
        return {"draft": self.draft.id, "submitted": self.submitted.id, "approved": self.approved.id,
                "letter": self.letter.id, "offering": self.offering.id, "doc": self.doc.id,
                "instructor": self.instructor_id, "number": self.approved.approval_number,
                "code": self.letter.code, "reviewer": self.users["reviewer"].id,
                "version": self.submitted.version}


def build_world(flask_app: Flask, make: Any) -> World:
    """Agency A (staff, admin) and agency B (staff); a POST reviewer and admin; an
    officer. A's complete draft, an application in review by the reviewer, and an
    approved course with its letter and an offering."""
    a, b = make.agency("Columbia Police Department"), make.agency("Boone County Sheriff's Office")
    users = {
        "staff": make.user("agency_staff", agency=a), "agency_admin": make.user("agency_admin", agency=a),
        "other_staff": make.user("agency_staff", agency=b), "reviewer": make.user("post_reviewer"),
        "post_admin": make.user("post_admin"), "officer": make.user("officer"),
    }
    staff, admin = users["staff"], users["post_admin"]
    draft = complete_application(flask_app, a, staff)
    submitted = complete_application(flask_app, a, staff, title="Legal Updates for Patrol")
    workflow.submit(submitted, staff)
    db.session.commit()
    workflow.assign(submitted, users["reviewer"], admin)
    db.session.commit()
    approved = complete_application(flask_app, a, staff, title="Firearms Qualification")
    workflow.submit(approved, staff)
    db.session.commit()
    workflow.approve(approved, admin, dict(APPROVED_HOURS))
    db.session.commit()
    letter = store_letter(approved)
    start = date.today() + timedelta(days=7)
    offering = schedule_offering(approved, staff, details(starts_on=start, ends_on=start))
    db.session.commit()
    doc = next(d for d in draft.live_documents if d.kind == DocumentKind.SAMPLE_CERTIFICATE)
    tokens = {role: token_for(user) for role, user in users.items()}
    return World(users=users, tokens=tokens, draft=draft, submitted=submitted, approved=approved, letter=letter,
                 offering=offering, doc=doc, instructor_id=draft.instructors[0].id)

"""Helpers for the approval-letter tests: approved applications, running the letter jobs, PDF text."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import pypdf
import pytest
import sqlalchemy as sa
from flask import Flask

from approvals import dispatch, workflow
from approvals.extensions import db
from approvals.letter_jobs import letters_dir
from approvals.models import Agency, Application, ApprovalLetter, OutboxMessage, OutboxStatus, User
from tests.workflow_helpers import complete_application

APPROVED_HOURS: dict[str, float] = {
    "total": 8.0, "legal": 2.0, "technical": 1.0, "interpersonal": 3.0, "skill_development": 2.0,
    "firearms": 0.0, "racial_profiling": 1.0, "implicit_bias": 1.0, "deescalation": 4.0,
}


@dataclass
class People:
    agency: Agency
    staff: User
    other_agency: Agency
    other_staff: User
    reviewer: User
    admin: User


@pytest.fixture
def people(make: Any) -> People:
    agency, other = make.agency("Columbia Police Department"), make.agency("Boone County Sheriff's Office")
    return People(agency=agency, staff=make.user("agency_staff", agency=agency),
                  other_agency=other, other_staff=make.user("agency_staff", agency=other),
                  reviewer=make.user("post_reviewer", name="Dana R. Okafor"),
                  admin=make.user("post_admin", name="Pat Admin"))


def approve(flask_app: Flask, people: People, *, today: date | None = None, **overrides: Any) -> Application:
    """A complete application, submitted and approved by the admin, committed (letter job queued, not run)."""
    app_row = complete_application(flask_app, people.agency, people.staff, **overrides)
    workflow.submit(app_row, people.staff)
    db.session.commit()
    workflow.approve(app_row, people.admin, dict(APPROVED_HOURS), today=today)
    db.session.commit()
    return app_row


def run_letter_jobs(application_id: int) -> list[str]:
    """Run every not-yet-done render_letter outbox row of the application, as RQ would."""
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.application_id == application_id,
                                       OutboxMessage.task == "render_letter",
                                       OutboxMessage.status != OutboxStatus.DONE)
        .order_by(OutboxMessage.created_at)
    ).all()
    results = [dispatch.run_outbox_job(row.id) for row in rows]
    db.session.expire_all()
    return results


def letters(application_id: int) -> list[ApprovalLetter]:
    return list(db.session.scalars(
        sa.select(ApprovalLetter).where(ApprovalLetter.application_id == application_id)
        .order_by(ApprovalLetter.issue)))


def stored_files() -> list[str]:
    folder = letters_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)

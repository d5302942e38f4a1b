"""Helpers shared by the tests/test_applications_*.py files: complete
applications built through the ORM, and files to upload."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from flask import current_app

from approvals import storage
from approvals.demo.pdf import tiny_pdf
from approvals.extensions import db
from approvals.models import Application, Document, DocumentKind, Instructor, Objective

PDF = tiny_pdf("Instructor record", ["Jane Q. Trainer", "POST-licensed instructor since 2015"])
CERT_PDF = tiny_pdf("Certificate of Completion", ["Test Agency", "Total contact hours: 4"])

SYNOPSIS = ("A four-hour course on recognising and responding to people in crisis. " * 5).strip()
VALID_FIELDS: dict[str, Any] = {
    "title": "Crisis Intervention Basics",
    "synopsis": SYNOPSIS,
    "delivery_method": "in_person",
    "attendance_policy": "Full attendance is required for credit.",
    "evaluation_method": "Written test, 80% to pass.",
    "contact_name": "Dana Whitfield",
    "contact_email": "dana@agency.example.gov",
    "contact_phone": "(573) 555-0100",
    "attestation_name": "Marcus Reyes",
    "attestation_title": "Chief of Police",
}
VALID_HOURS = {"total": 4.0, "legal": 1.0, "technical": 0.5, "interpersonal": 1.5, "skill_development": 1.0,
               "firearms": 1.0, "racial_profiling": 0.0, "implicit_bias": 0.5, "deescalation": 2.0}


def upload(data: bytes, name: str = "record.pdf") -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def uploaded_files() -> list[str]:
    """Everything in the upload directory, temporary files included."""
    directory = Path(current_app.config["UPLOAD_DIR"])
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def stored_document(app: Application, kind: DocumentKind, data: bytes = PDF, name: str = "file.pdf",
                    instructor: Instructor | None = None) -> Document:
    inspected = storage.inspect_upload(io.BytesIO(data), name, max_bytes=10 * 1024 * 1024)
    stored = storage.store(inspected, Path(current_app.config["UPLOAD_DIR"]))
    doc = Document(application=app, instructor=instructor, kind=kind, original_name=stored.original_name,
                   stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size,
                   sha256=stored.sha256)
    db.session.add(doc)
    return doc


def complete_application(agency: Any, author: Any, **overrides: Any) -> Application:
    """A draft that passes every submission rule (committed)."""
    app = Application(agency_id=agency.id, created_by_id=author.id, attested=True,
                      **{**VALID_FIELDS, **{k: v for k, v in overrides.items() if k in VALID_FIELDS}})
    for key, value in VALID_HOURS.items():
        setattr(app, f"hours_{key}", value)
    app.objectives = [Objective(text="Demonstrate three de-escalation techniques.", position=0)]
    app.instructors = [Instructor(name="Jane Q. Trainer", qualifications="CIT instructor since 2015.", position=0)]
    db.session.add(app)
    db.session.flush()
    stored_document(app, DocumentKind.INSTRUCTOR_RECORD, name="jane.pdf", instructor=app.instructors[0])
    stored_document(app, DocumentKind.SAMPLE_CERTIFICATE, CERT_PDF, name="certificate.pdf")
    db.session.commit()
    return app


def section_url(app_id: int, section: str) -> str:
    return f"/agency/applications/{app_id}/edit/{section}"

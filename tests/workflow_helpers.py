"""Building complete applications for workflow tests (shared by test modules)."""
from __future__ import annotations

import io

from approvals import storage
from approvals.extensions import db
from approvals.models import Application, DeliveryMethod, Document, DocumentKind, Instructor, Objective

SYNOPSIS = (
    "This eight-hour course prepares patrol officers to recognise and de-escalate encounters with people in "
    "behavioural crisis. It covers the legal framework for emergency detention, communication techniques, "
    "tactical pauses and scenario-based practice with role players, followed by a written evaluation."
)


def tiny_pdf(text: str = "record") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def add_document(app_row: Application, kind: DocumentKind, upload_dir, instructor: Instructor | None = None) -> Document:
    inspected = storage.inspect_upload(io.BytesIO(tiny_pdf(kind.value)), f"{kind.value}.pdf", max_bytes=10_000_000)
    stored = storage.store(inspected, upload_dir)
    doc = Document(application=app_row, instructor=instructor, kind=kind, original_name=stored.original_name,
                   stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size,
                   sha256=stored.sha256)
    db.session.add(doc)
    return doc


def complete_application(flask_app, agency, creator, **overrides) -> Application:
    """A draft that passes every submission rule."""
    values = dict(
        title="Crisis Intervention and De-escalation for Patrol", synopsis=SYNOPSIS,
        delivery_method=DeliveryMethod.IN_PERSON, attendance_policy="100% attendance required.",
        evaluation_method="Written test (80% to pass) and scenario evaluation.",
        hours_total=8.0, hours_legal=2.0, hours_technical=1.0, hours_interpersonal=3.0, hours_skill_development=2.0,
        hours_firearms=0.0, hours_racial_profiling=1.0, hours_implicit_bias=1.0, hours_deescalation=4.0,
        contact_name="Dana Whitfield", contact_email="dana@example.gov", contact_phone="573-555-0100",
        attestation_name="Chief Marcus Reyes", attestation_title="Chief of Police", attested=True,
    )
    values.update(overrides)
    app_row = Application(agency_id=agency.id, created_by_id=creator.id, **values)
    db.session.add(app_row)
    app_row.objectives.append(Objective(position=0, text="Identify five signs of behavioural crisis."))
    instructor = Instructor(position=0, name="Sgt. Lee Park", qualifications="CIT coordinator, 12 years.")
    app_row.instructors.append(instructor)
    db.session.flush()
    upload_dir = flask_app.config["UPLOAD_DIR"]
    add_document(app_row, DocumentKind.INSTRUCTOR_RECORD, upload_dir, instructor)
    add_document(app_row, DocumentKind.SAMPLE_CERTIFICATE, upload_dir)
    db.session.commit()
    return app_row

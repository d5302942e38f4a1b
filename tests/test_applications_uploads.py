"""Uploads through the pages: hostile files refused with a clear message and
nothing written; downloads as attachments; removal only while editable."""
from __future__ import annotations

import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from approvals import workflow
from approvals.extensions import db
from approvals.models import Application, AuditEvent, Document, DocumentKind
from tests.applications_support import CERT_PDF, PDF, complete_application, section_url, upload, uploaded_files

MB = 1024 * 1024


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "a second file format hidden in the first")
    return buf.getvalue()


HOSTILE = [
    ("executable named .pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "certificate.pdf",
     "“certificate.pdf” is not a PDF, Word (.docx), PNG or JPEG file — its contents look like a Windows program."),
    ("ELF named .pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "record.pdf", "look like a Linux program"),
    ("PDF with a ZIP appended (polyglot)", PDF + _zip(), "cert.pdf", "has a ZIP archive hidden inside it"),
    ("PDF that is also a web page", b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n", "cert.pdf",
     "a PDF with web-page code at its start"),
    ("HTML named .pdf", b"<!doctype html><html><body>hi</body></html>", "cert.pdf", "look like a web page"),
    ("zero bytes", b"", "empty.pdf", "“empty.pdf” is empty."),
    ("path traversal", PDF, "../../../etc/cron.d/evil.pdf", "“evil.pdf” includes a folder path"),
    # Backslashes are doubled: the multipart header's quoted-string unescapes them once.
    ("windows path traversal", PDF, "..\\\\..\\\\windows\\\\evil.pdf", "“evil.pdf” includes a folder path"),
    ("control characters in the name", PDF, "cert\x07ificate.pdf", "“certificate.pdf” contains hidden control characters"),
    ("right-to-left override", PDF, "cert\u202efdp.exe", "contains hidden control characters"),
]


@pytest.fixture
def staff(make, auth):
    user = make.user("agency_staff")
    auth.login(user)
    return user


@pytest.fixture
def draft(staff):
    app = Application(agency_id=staff.agency_id, created_by_id=staff.id, title="Draft")
    db.session.add(app)
    db.session.commit()
    return app


def post_in_memory(client, url: str, fields: dict):  # type: ignore[no-untyped-def]
    """POST a large multipart body from memory: given a dict, the test client
    spools a body over 500 KB to a temporary file that it never closes."""
    boundary, body = encode_multipart({key: FileStorage(io.BytesIO(data), filename=name, content_type="application/pdf")
                                       for key, (data, name) in fields.items()})
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _nothing_stored() -> None:
    assert uploaded_files() == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Document)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "document.uploaded")) == 0


@pytest.mark.parametrize(("case", "data", "name", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_certificate_is_refused_and_nothing_written(client, draft, case, data, name, message):
    r = client.post(section_url(draft.id, "documents"), content_type="multipart/form-data",
                    data={"sample_certificate": upload(data, name)})
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    assert b"Nothing was uploaded" in r.data
    _nothing_stored()


@pytest.mark.parametrize(("case", "data", "name", "message"), HOSTILE[:3] + HOSTILE[6:8], ids=[h[0] for h in HOSTILE[:3] + HOSTILE[6:8]])
def test_hostile_instructor_record_is_refused_and_nothing_saved(client, draft, case, data, name, message):
    r = client.post(section_url(draft.id, "instructors"), content_type="multipart/form-data", data={
        "instructors-0-name": "Jane Trainer", "instructors-0-record": upload(data, name), "version": draft.version})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert message in body and "Nothing was saved" in body
    _nothing_stored()
    db.session.expire_all()
    assert db.session.get(Application, draft.id).instructors == []  # the text of the page is not saved either


def test_one_bad_file_among_good_ones_stores_none(client, draft):
    r = client.post(section_url(draft.id, "documents"), content_type="multipart/form-data", data={
        "sample_certificate": upload(CERT_PDF, "certificate.pdf"),
        "other_documents": [upload(PDF, "handout.pdf"), upload(b"MZ" + b"\x00" * 64, "evil.pdf")]})
    assert r.status_code == 200 and "look like a Windows program" in r.get_data(as_text=True)
    _nothing_stored()


def test_a_file_over_the_cap_gets_a_friendly_message(app, client, draft):
    app.config["MAX_UPLOAD_MB"] = 1
    big = PDF[:-6] + b"\n%" + b"x" * MB + b"\n%%EOF\n"
    r = post_in_memory(client, section_url(draft.id, "documents"), {"sample_certificate": (big, "scan.pdf")})
    assert r.status_code == 200
    assert "“scan.pdf” is 1.1 MB; the limit is 1 MB." in r.get_data(as_text=True)
    _nothing_stored()


def test_a_request_over_the_cap_gets_the_413_page(app, client, draft):
    app.config.update(MAX_UPLOAD_MB=1, MAX_CONTENT_LENGTH=2 * MB)
    r = post_in_memory(client, section_url(draft.id, "documents"),
                       {"sample_certificate": (PDF + b"%" * (3 * MB), "huge.pdf")})
    assert r.status_code == 413
    assert "Each document may be at most 1 MB" in r.get_data(as_text=True)
    _nothing_stored()


def test_good_uploads_are_stored_audited_and_replace_the_certificate(client, draft):
    for name in ("first.pdf", "second.pdf"):
        r = client.post(section_url(draft.id, "documents"), content_type="multipart/form-data",
                        data={"sample_certificate": upload(CERT_PDF + name.encode(), name)})
        assert r.status_code == 302
    db.session.expire_all()
    app = db.session.get(Application, draft.id)
    assert [d.original_name for d in app.live_documents] == ["second.pdf"]
    assert len(uploaded_files()) == 1  # the replaced draft certificate was never submitted: its file goes
    actions = list(db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.application_id == app.id)))
    assert actions.count("document.uploaded") == 2 and actions.count("document.removed") == 1


def test_download_is_an_attachment_with_nosniff(client, staff):
    app = complete_application(staff.agency, staff)
    cert = next(d for d in app.documents if d.kind == DocumentKind.SAMPLE_CERTIFICATE)
    with client.get(f"/agency/applications/{app.id}/documents/{cert.id}") as r:
        assert r.status_code == 200 and r.data == CERT_PDF
    assert r.headers["Content-Disposition"] == "attachment; filename=certificate.pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Type"] == "application/pdf"
    assert "no-store" in r.headers["Cache-Control"]


def test_removal_only_while_editable_and_cited_files_are_kept(client, staff, make):
    app = complete_application(staff.agency, staff)
    cert = next(d for d in app.documents if d.kind == DocumentKind.SAMPLE_CERTIFICATE)
    workflow.submit(app, staff)
    db.session.commit()
    url = f"/agency/applications/{app.id}/documents/{cert.id}/remove"
    assert client.post(url).status_code == 409
    reviewer, admin = make.user("post_reviewer"), make.user("post_admin")
    workflow.assign(app, reviewer, admin)
    workflow.request_changes(app, reviewer, "Use the new certificate template.")
    db.session.commit()
    assert client.post(url).status_code == 302
    db.session.expire_all()
    cert = db.session.get(Document, cert.id)
    assert cert.removed_at is not None
    assert len(uploaded_files()) == 2  # revision 1 cites it, so the file stays
    with client.get(f"/agency/applications/{app.id}/documents/{cert.id}") as r:
        assert r.status_code == 200
    assert b"certificate.pdf" in client.get(f"/agency/applications/{app.id}/revisions/1").data


def test_a_removed_uncited_document_is_gone(client, staff):
    app = complete_application(staff.agency, staff)
    cert = next(d for d in app.documents if d.kind == DocumentKind.SAMPLE_CERTIFICATE)
    assert client.post(f"/agency/applications/{app.id}/documents/{cert.id}/remove").status_code == 302
    assert len(uploaded_files()) == 1
    assert client.get(f"/agency/applications/{app.id}/documents/{cert.id}").status_code == 404

"""Documents of an application: upload, download, remove.

Every file is inspected (approvals.storage) before anything is written; files
written in a request are deleted again if its transaction fails, and a removed
document's file is only deleted after the commit and only when no frozen
revision cites it.
"""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug import Response

from approvals import permissions as perm
from approvals import storage
from approvals.agency import bp
from approvals.agency.forms import ActionForm, DocumentsForm
from approvals.agency.queries import application_document, editable_application, viewable_application
from approvals.agency.sections import BY_SLUG, render_section
from approvals.extensions import db
from approvals.models import Application, Document, DocumentKind, Instructor, User, record
from approvals.models._types import utcnow
from approvals.revisions import cited_document_ids


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


class PendingFiles:
    """Files this request wrote or no longer needs, settled with the commit."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.unneeded: list[str] = []

    def commit(self) -> None:
        """Commit the session; on failure delete the files written, then re-raise."""
        try:
            db.session.commit()
        except BaseException:
            db.session.rollback()
            for name in self.written:
                storage.delete_stored(_upload_dir(), name)
            raise
        for name in self.unneeded:
            try:
                storage.delete_stored(_upload_dir(), name)
            except OSError:  # the row already says removed; a leftover file is harmless
                current_app.logger.warning("could not delete unneeded upload %s", name)


def attach(app: Application, inspected: storage.InspectedFile, kind: DocumentKind, actor: User,
           files: PendingFiles, instructor: Instructor | None = None) -> Document:
    """Store the file and add it to *app* (audited). Raises OSError when the disk write fails."""
    stored = storage.store(inspected, _upload_dir())
    files.written.append(stored.stored_name)
    doc = Document(application=app, kind=kind, instructor=instructor, original_name=stored.original_name,
                   stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size,
                   sha256=stored.sha256, uploaded_by_id=actor.id)
    db.session.add(doc)
    db.session.flush()
    whose = f" for {instructor.name or 'an instructor'}" if instructor is not None else ""
    record("document.uploaded", actor=actor, subject=doc, application_id=app.id, agency_id=app.agency_id,
           summary=f"Uploaded {kind.label.lower()}{whose}: “{stored.original_name}”",
           kind=kind.value, sha256=stored.sha256, size=stored.size)
    app.last_activity_at = utcnow()
    return doc


def detach(doc: Document, actor: User, files: PendingFiles, *, why: str = "Removed") -> None:
    """Soft-remove *doc* (audited); its file goes after the commit unless a revision cites it.
    *why* starts the audit summary ("Removed", "Replaced", "Removed with the instructor")."""
    app = doc.application
    doc.removed_at = utcnow()
    record("document.removed", actor=actor, subject=doc, application_id=app.id, agency_id=app.agency_id,
           summary=f"{why}: {doc.kind.label.lower()} “{doc.original_name}”", kind=doc.kind.value)
    if doc.id not in cited_document_ids(app.revisions):
        files.unneeded.append(doc.stored_name)
    app.last_activity_at = utcnow()


def add_documents(app: Application, chosen: list[tuple[DocumentKind, storage.InspectedFile]], actor: User,
                  files: PendingFiles) -> list[Document]:
    """Store the *chosen* files as documents of *app* (audited); a sample
    certificate replaces the current one. Raises OSError when a file cannot be stored."""
    added = []
    for kind, inspected in chosen:
        if kind == DocumentKind.SAMPLE_CERTIFICATE:
            for old in app.live_documents:
                if old.kind == DocumentKind.SAMPLE_CERTIFICATE:
                    detach(old, actor, files, why="Replaced")
        added.append(attach(app, inspected, kind, actor, files))
    return added


def documents_section(app: Application) -> Response | tuple[str, int]:
    """Section 5: the sample certificate and other documents."""
    form = DocumentsForm()
    if request.method == "POST" and form.validate():
        chosen = [(DocumentKind.SAMPLE_CERTIFICATE, f) for f in form.sample_certificate.inspected]
        chosen += [(DocumentKind.OTHER, f) for f in form.other_documents.inspected]
        if not chosen:
            form.sample_certificate.errors.append("Choose a file to upload first.")
        else:
            files = PendingFiles()
            add_documents(app, chosen, current_user, files)
            files.commit()
            flash("Uploaded " + ", ".join(f"“{f.original_name}”" for _, f in chosen) + ".", "success")
            return redirect(url_for("agency.edit", app_id=app.id, section="documents"))
    return render_section(app, "documents", form, remove_form=ActionForm())


@bp.route("/applications/<int:app_id>/documents/<int:doc_id>")
@login_required
def download(app_id: int, doc_id: int) -> Response:
    """The file, as an attachment, to anyone who may see the application."""
    app = viewable_application(app_id)
    doc = application_document(app, doc_id)
    if doc.removed_at is not None and doc.id not in cited_document_ids(app.revisions):
        abort(404)  # removed from a draft: its file is gone
    try:
        path = storage.path_for(_upload_dir(), doc.stored_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        current_app.logger.error("document %s is missing its file %s", doc.id, doc.stored_name)
        abort(404)
    response = send_file(path, mimetype=doc.content_type, as_attachment=True, download_name=doc.original_name,
                         max_age=0, etag=doc.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/applications/<int:app_id>/documents/<int:doc_id>/remove", methods=["POST"])
@perm.require(perm.APPLICATIONS_WORK)
def remove_document(app_id: int, doc_id: int) -> Response:
    app = editable_application(app_id)
    doc = application_document(app, doc_id)
    back = request.form.get("back")
    back = back if back in BY_SLUG else "documents"
    if not ActionForm().validate():
        abort(400)
    if doc.removed_at is None:
        files = PendingFiles()
        detach(doc, current_user, files)
        files.commit()
        flash(f"Removed “{doc.original_name}”.", "success")
    return redirect(url_for("agency.edit", app_id=app.id, section=back))

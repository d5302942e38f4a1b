"""The repeating parts of an application: objectives, instructors and their
records, documents (multipart upload, removal, download)."""
from __future__ import annotations

from flask import abort, request
from flask_login import current_user
from werkzeug import Response

from approvals import permissions as perm
from approvals import storage
from approvals.agency.documents import PendingFiles, add_documents, detach, download
from approvals.agency.forms import InstructorsForm, ObjectivesForm
from approvals.agency.queries import application_document, check_version, editable_application
from approvals.agency.rows import INSTRUCTOR_TEXT, InstructorInput, replace_record, save_instructors, save_objectives
from approvals.agency.uploads import inspect_field
from approvals.api import formcheck
from approvals.api.errors import problem
from approvals.api.present import application_out, document_out
from approvals.api.registry import operation
from approvals.api.schemas.applications import ApplicationOut, DocumentForm, InstructorsIn, ObjectivesIn
from approvals.api.schemas.common import DocumentOut
from approvals.extensions import db
from approvals.models import DocumentKind
from approvals.storage import InspectedFile

TAG = "Applications"


def _refuse(errors: list[tuple[str, str]]) -> None:
    if errors:
        abort(problem(422, "Some values are not valid; nothing was saved. See errors.", kind="invalid",
                      errors=errors))


@operation("PUT", "/applications/<int:app_id>/objectives", summary="Replace the learning objectives", tag=TAG,
           auth=perm.APPLICATIONS_WORK, body=ObjectivesIn, response=ApplicationOut, errors=(409, 422))
def put_objectives(app_id: int, body: ObjectivesIn) -> ApplicationOut:
    app = editable_application(app_id)
    check_version(app, body.version)
    _refuse(formcheck.check(ObjectivesForm, {"objectives": body.objectives})[1])
    save_objectives(app, list(body.objectives), current_user)
    db.session.commit()
    return application_out(app, current_user)


@operation("PUT", "/applications/<int:app_id>/instructors", summary="Replace the instructors", tag=TAG,
           auth=perm.APPLICATIONS_WORK, body=InstructorsIn, response=ApplicationOut, errors=(409, 422),
           description="All instructors in order. Give `id` to keep (and update) an instructor with its "
                       "record; instructors left out are removed with their records. Upload records with "
                       "POST …/instructors/{instructor_id}/record.")
def put_instructors(app_id: int, body: InstructorsIn) -> ApplicationOut:
    app = editable_application(app_id)
    check_version(app, body.version)
    rows = [row.model_dump() for row in body.instructors]
    errors = formcheck.check(InstructorsForm, {"instructors": rows})[1]
    own = {i.id for i in app.instructors}
    errors += [(f"instructors.{n}.id", "This application has no instructor with this id.")
               for n, row in enumerate(rows) if row["id"] is not None and row["id"] not in own]
    _refuse(errors)
    files = PendingFiles()
    save_instructors(app, [InstructorInput(id=row["id"], values={f: row[f].replace("\r\n", "\n") for f in INSTRUCTOR_TEXT})
                           for row in rows], current_user, files)
    files.commit()
    return application_out(app, current_user)


def _upload() -> InspectedFile:
    """The accepted file of the `file` part. Aborts 422 when missing; raises UploadRejected (422)."""
    inspected = inspect_field(request.files.get("file"))
    if inspected is None:
        abort(problem(422, "Send the document as the multipart part `file`.", kind="invalid",
                      errors=[("file", "Choose a file to upload.")]))
    return inspected


@operation("POST", "/applications/<int:app_id>/instructors/<int:instructor_id>/record",
           summary="Upload an instructor's record", tag=TAG, auth=perm.APPLICATIONS_WORK, files=("file",),
           response=DocumentOut, status=201, errors=(409, 422),
           description="PDF, DOCX, PNG or JPEG (by content), replacing the instructor's current record.")
def upload_record(app_id: int, instructor_id: int, form: None) -> tuple[DocumentOut, int]:
    app = editable_application(app_id)
    inst = next((i for i in app.instructors if i.id == instructor_id), None)
    if inst is None:
        abort(404)
    inspected = _upload()
    files = PendingFiles()
    replace_record(app, inst, inspected, current_user, files)
    files.commit()
    record = inst.record
    assert record is not None
    return document_out(record), 201


@operation("POST", "/applications/<int:app_id>/documents", summary="Upload a document", tag=TAG,
           auth=perm.APPLICATIONS_WORK, form=DocumentForm, files=("file",), response=DocumentOut, status=201,
           errors=(409, 422),
           description="A sample certificate (replaces the current one) or another document: PDF, DOCX, PNG "
                       "or JPEG, checked by content.")
def upload_document(app_id: int, form: DocumentForm) -> tuple[DocumentOut, int]:
    app = editable_application(app_id)
    inspected = _upload()
    files = PendingFiles()
    [doc] = add_documents(app, [(DocumentKind(form.kind), inspected)], current_user, files)
    files.commit()
    return document_out(doc), 201


@operation("DELETE", "/applications/<int:app_id>/documents/<int:doc_id>", summary="Remove a document", tag=TAG,
           auth=perm.APPLICATIONS_WORK, response=ApplicationOut, errors=(409,),
           description="Removes a document or an instructor's record from a draft; revisions that cite it keep it.")
def remove_document(app_id: int, doc_id: int) -> ApplicationOut:
    app = editable_application(app_id)
    doc = application_document(app, doc_id)
    if doc.removed_at is not None:
        abort(404)
    files = PendingFiles()
    detach(doc, current_user, files)
    files.commit()
    return application_out(app, current_user)


@operation("GET", "/applications/<int:app_id>/documents/<int:doc_id>", summary="Download a document", tag=TAG,
           auth=perm.API_TOKENS, media_type=tuple(storage.EXTENSIONS),
           description="The file as an attachment, with its own content type, to anyone who may see the application.")
def download_document(app_id: int, doc_id: int) -> Response:
    # The page's own view, unwrapped from its login redirect: the token already signed the caller in.
    return download.__wrapped__(app_id, doc_id)  # type: ignore[attr-defined]

"""Applications: list, start, read, edit, submit, withdraw, revisions."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from approvals import permissions as perm
from approvals import workflow
from approvals.agency.edit import (
    COURSE_FIELDS, CONTACT_FIELDS, HOURS_FIELDS, apply_fields, audit_save, record_attestation, start_draft,
)
from approvals.agency.forms import ContactForm, CourseForm, HoursForm
from approvals.agency.queries import application_revision, check_version, editable_application, viewable_application
from approvals.agency.routes import SORTS
from approvals.agency.sections import may_attest
from approvals.api import formcheck
from approvals.api.errors import problem
from approvals.api.present import application_out, person, summary
from approvals.api.registry import operation
from approvals.api.schemas.applications import (
    ApplicationFields, ApplicationList, ApplicationOut, ApplicationsQuery, ChangeOut, RevisionOut, WithdrawIn,
)
from approvals.api.schemas.common import Pagination
from approvals.extensions import db
from approvals.models import Application, User
from approvals.revisions import EMPTY_SNAPSHOT, diff_snapshots

TAG = "Applications"
ATTESTATION = ContactForm.ATTESTATION_FIELDS
# Which form checks which field, and which section's audit a change belongs to.
SECTIONS: tuple[tuple[str, type, tuple[str, ...]], ...] = (
    ("course", CourseForm, COURSE_FIELDS),
    ("hours", HoursForm, HOURS_FIELDS),
    ("contact", ContactForm, CONTACT_FIELDS + ATTESTATION),
)


@operation("GET", "/applications", summary="List your agency's applications", tag=TAG,
           auth=perm.AGENCY_DASHBOARD, query=ApplicationsQuery, response=ApplicationList,
           description="The applications of the caller's agency, newest activity first by default, "
                       "optionally in one state; with counts per state.")
def list_applications(query: ApplicationsQuery) -> ApplicationList:
    mine = Application.agency_id == current_user.agency_id
    stmt = sa.select(Application).where(mine).options(joinedload(Application.agency))
    if query.state is not None:
        stmt = stmt.where(Application.state == query.state)
    stmt = stmt.order_by(SORTS[query.sort][0], Application.id.desc())
    page = db.paginate(stmt, page=query.page, per_page=query.per_page, error_out=False, max_per_page=100)
    counts = dict(db.session.execute(
        sa.select(Application.state, sa.func.count()).where(mine).group_by(Application.state)).all())
    return ApplicationList(items=[summary(a) for a in page.items],
                           pagination=Pagination.of(query.page, query.per_page, page.total or 0),
                           counts={s.value: n for s, n in counts.items()})


@operation("POST", "/applications", summary="Start a draft", tag=TAG, auth=perm.APPLICATIONS_WORK,
           body=ApplicationFields, response=ApplicationOut, status=201, errors=(422,),
           description="A new draft of the caller's agency, with whatever fields are given (all optional).")
def create_application(body: ApplicationFields) -> tuple[ApplicationOut, int, dict[str, str]]:
    values = _values(body)
    _check(values)
    course = {k: v for k, v in values.items() if k in COURSE_FIELDS}
    form, _ = formcheck.check(CourseForm, course)
    app = start_draft(current_user, form)
    _save(app, {k: v for k, v in values.items() if k not in COURSE_FIELDS})
    db.session.commit()
    return application_out(app, current_user), 201, {"Location": url_for("api.get_application", app_id=app.id)}


@operation("GET", "/applications/<int:app_id>", summary="Read an application", tag=TAG, auth=perm.API_TOKENS,
           response=ApplicationOut, description="Fields, parts, revisions, history and what the caller may do. "
           "Agencies see their own; POST staff see submitted ones (administrators drafts too).")
def get_application(app_id: int) -> ApplicationOut:
    return application_out(viewable_application(app_id), current_user)


@operation("PATCH", "/applications/<int:app_id>", summary="Edit a draft", tag=TAG, auth=perm.APPLICATIONS_WORK,
           body=ApplicationFields, response=ApplicationOut, errors=(409, 422),
           description="Change fields of a draft or of an application sent back for changes. Send `version` "
                       "to be refused (409) if someone saved in between.")
def patch_application(app_id: int, body: ApplicationFields) -> ApplicationOut:
    app = editable_application(app_id)
    check_version(app, body.version)
    values = _values(body)
    _check(values, app)
    _save(app, values)
    db.session.commit()
    return application_out(app, current_user)


@operation("POST", "/applications/<int:app_id>/submit", summary="Submit or resubmit", tag=TAG,
           auth=perm.APPLICATIONS_WORK, response=ApplicationOut, errors=(409, 422),
           description="Freezes a revision and sends the application to POST. Everything missing is "
                       "reported field by field (422).")
def submit_application(app_id: int) -> ApplicationOut:
    app = viewable_application(app_id)
    workflow.submit(app, current_user)
    db.session.commit()
    return application_out(app, current_user)


@operation("POST", "/applications/<int:app_id>/withdraw", summary="Withdraw", tag=TAG,
           auth=perm.APPLICATIONS_WORK, body=WithdrawIn, response=ApplicationOut, errors=(409,),
           description="Take the application back from POST, or abandon a draft.")
def withdraw_application(app_id: int, body: WithdrawIn) -> ApplicationOut:
    app = viewable_application(app_id)
    workflow.withdraw(app, current_user, body.reason.strip())
    db.session.commit()
    return application_out(app, current_user)


@operation("GET", "/applications/<int:app_id>/revisions/<int:number>", summary="A revision and what changed",
           tag=TAG, auth=perm.API_TOKENS, response=RevisionOut,
           description="Revision *number* as submitted, and its changes since the revision before.")
def get_revision(app_id: int, number: int) -> RevisionOut:
    app = viewable_application(app_id)
    rev = application_revision(app, number)
    previous = application_revision(app, number - 1) if number > 1 else None
    changes = diff_snapshots(previous.snapshot if previous else EMPTY_SNAPSHOT, rev.snapshot)
    by = db.session.get(User, rev.submitted_by_id) if rev.submitted_by_id else None
    return RevisionOut(number=rev.number, created_at=rev.created_at, submitted_by=person(by), snapshot=rev.snapshot,
                       changes=[ChangeOut(part=c.part, label=c.label, kind=c.kind, before=c.before, after=c.after)
                                for c in changes])


# --- saving fields ----------------------------------------------------------

def _values(body: ApplicationFields) -> dict[str, Any]:
    """The fields the client sent, named as the model's columns (hours.total -> hours_total)."""
    sent = body.model_dump(include=body.model_fields_set - {"version", "hours"})
    if body.hours is not None:
        sent.update({f"hours_{k}": v for k, v in body.hours.model_dump(include=body.hours.model_fields_set).items()})
    elif "hours" in body.model_fields_set:
        abort(problem(422, "Send hours as an object of the figures to change.", kind="invalid",
                      errors=[("hours", "Send an object, like {\"total\": 4}.")]))
    return sent


def _check(values: dict[str, Any], app: Application | None = None) -> None:
    """Refuse (422) values the page's forms refuse, and any change to the
    attestation by someone who may not sign it. Attestation values sent
    unchanged (a client writing back what it read) are dropped from *values*."""
    errors: list[tuple[str, str]] = []
    for _section, form_cls, names in SECTIONS:
        given = {k: v for k, v in values.items() if k in names}
        if given:
            errors += formcheck.check(form_cls, given, only=given)[1]
    if not may_attest(current_user):
        for name in ATTESTATION:
            if name not in values:
                continue
            current = getattr(app, name) if app is not None else (False if name == "attested" else "")
            if (values[name] or type(current)()) == current:
                del values[name]
            else:
                errors.append((name, "Only an agency administrator can sign the attestation."))
    if errors:
        abort(problem(422, "Some values are not valid; nothing was saved. See errors.", kind="invalid",
                      errors=errors))


def _save(app: Application, values: dict[str, Any]) -> None:
    """Apply checked *values*, audited section by section as the pages do."""
    for section, form_cls, names in SECTIONS:
        given = {k: v for k, v in values.items() if k in names}
        if not given:
            continue
        form, _ = formcheck.check(form_cls, given)
        changed = apply_fields(app, form, tuple(given))
        if section == "contact":
            record_attestation(app, changed, current_user)
        audit_save(app, section, changed, current_user)
    db.session.flush()

"""Starting an application and editing its sections.

Each section is saved on its own: a draft keeps whatever is there, but every
value given must be well-formed. The rules for submitting are checked by
approvals.validation and shown as reminders, not as save errors.
"""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug import Response

from approvals import permissions as perm
from approvals.agency import bp
from approvals.agency.forms import ActionForm, ContactForm, CourseForm, HoursForm
from approvals.agency.queries import check_version, editable_application
from approvals.agency.sections import (
    BY_SLUG, SECTIONS, Progress, change_request_of, may_attest, next_section, problem_url, render_section,
)
from approvals.extensions import db
from approvals.models import Application, ApplicationState, DeliveryMethod, User, record
from approvals.models._types import utcnow
from approvals.revisions import FIELD_LABELS, diff_snapshots, snapshot_of

COURSE_FIELDS = ("title", "synopsis", "delivery_method", "attendance_policy", "evaluation_method")
HOURS_FIELDS = tuple(name for name in FIELD_LABELS if name.startswith("hours_"))
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")
SIMPLE_SECTIONS = {"course": (CourseForm, COURSE_FIELDS), "hours": (HoursForm, HOURS_FIELDS),
                   "contact": (ContactForm, CONTACT_FIELDS)}


def _value(form: Any, name: str) -> Any:
    value = form[name].data
    if name == "delivery_method":
        return DeliveryMethod(value) if value else None
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


def apply_fields(app: Application, form: Any, names: tuple[str, ...]) -> list[str]:
    """Copy *names* from the form onto the application; return the ones that changed."""
    changed = []
    for name in names:
        value = _value(form, name)
        if name != "attested" and value is None and not name.startswith(("hours_", "delivery")):
            value = ""
        if getattr(app, name) != value:
            setattr(app, name, value)
            changed.append(name)
    return changed


def audit_save(app: Application, section: str, changed: list[str], actor: User | None = None) -> None:
    """Audit a save of *section* that changed the fields *changed* (by *actor*, default the current user)."""
    if not changed:
        return
    app.last_activity_at = utcnow()
    labels = [FIELD_LABELS[c][1] if c in FIELD_LABELS else c for c in changed]
    record("application.updated", actor=actor or current_user, subject=app, application_id=app.id,
           agency_id=app.agency_id, summary=f"Saved {BY_SLUG[section].title.lower()}: " + ", ".join(labels),
           section=section, fields=changed)


def record_attestation(app: Application, changed: list[str], actor: User) -> None:
    """Audit a signed or withdrawn attestation, when *changed* touches it."""
    if "attested" in changed or (app.attested and {"attestation_name", "attestation_title"} & set(changed)):
        record("application.attested" if app.attested else "application.attestation_withdrawn",
               actor=actor, subject=app, application_id=app.id, agency_id=app.agency_id,
               summary=(f"Attested by {app.attestation_name}, {app.attestation_title}" if app.attested
                        else "Attestation withdrawn"))


def start_draft(actor: User, form: Any) -> Application:
    """A new draft of the actor's agency with the course fields of *form* (audited, flushed)."""
    app = Application(agency_id=actor.agency_id, created_by_id=actor.id, state=ApplicationState.DRAFT,
                      title="", synopsis="", attendance_policy="", evaluation_method="")
    db.session.add(app)
    apply_fields(app, form, COURSE_FIELDS)
    db.session.flush()
    record("application.created", actor=actor, subject=app, application_id=app.id,
           agency_id=app.agency_id, summary=f"Draft started: {app.title or '(untitled)'}")
    return app


def after_save(app: Application, section: str) -> Response:
    flash(f"Saved {BY_SLUG[section].title.lower()}.", "success")
    target = next_section(section) if request.form.get("action") == "continue" else section
    return redirect(url_for("agency.edit", app_id=app.id, section=target))


@bp.route("/applications/new", methods=["GET", "POST"])
@perm.require(perm.APPLICATIONS_WORK)
def new() -> Response | tuple[str, int]:
    """Start a draft with section 1; it exists once the coordinator saves it."""
    form = CourseForm()
    if form.validate_on_submit():
        app = start_draft(current_user, form)
        db.session.commit()
        return after_save(app, "course")
    return render_section(None, "course", form)


@bp.route("/applications/<int:app_id>/edit")
@bp.route("/applications/<int:app_id>/edit/<section>", methods=["GET", "POST"])
@perm.require(perm.APPLICATIONS_WORK)
def edit(app_id: int, section: str = "course") -> Response | tuple[str, int]:
    from approvals.agency.documents import documents_section
    from approvals.agency.rows import instructors_section, objectives_section

    if section not in BY_SLUG:
        abort(404)
    app = editable_application(app_id)
    if section in SIMPLE_SECTIONS:
        return simple_section(app, section)
    handler = {"objectives": objectives_section, "instructors": instructors_section,
               "documents": documents_section, "review": review_section}[section]
    return handler(app)


def simple_section(app: Application, section: str) -> Response | tuple[str, int]:
    form_cls, names = SIMPLE_SECTIONS[section]
    form = form_cls(obj=app)
    if section == "course" and request.method == "GET" and app.delivery_method is not None:
        form.delivery_method.data = app.delivery_method.value
    attest = may_attest(current_user)
    if form.validate_on_submit():
        check_version(app, form.version.data)
        if section == "contact":
            names = names + ContactForm.ATTESTATION_FIELDS if attest else names
            if not attest and any(request.form.get(f) for f in ContactForm.ATTESTATION_FIELDS):
                form.attested.errors.append("Only an agency administrator can sign the attestation.")
                return render_section(app, section, form)
        changed = apply_fields(app, form, names)
        record_attestation(app, changed, current_user)
        audit_save(app, section, changed)
        db.session.commit()
        return after_save(app, section)
    return render_section(app, section, form)


def review_section(app: Application, problems: list | None = None) -> tuple[str, int]:
    """Section 7: everything still missing, what changed since the last
    revision, and the submit button."""
    progress = Progress(problems) if problems is not None else Progress.of(app)
    current = snapshot_of(app)
    last = app.revisions[-1] if app.revisions else None
    return render_template(
        "agency/section_review.html", app=app, section=BY_SLUG["review"], sections=SECTIONS,
        progress=Progress.of(app), problems=progress.grouped(), problem_url=problem_url,
        refused=problems is not None, snapshot=current, last_revision=last,
        changes=diff_snapshots(last.snapshot, current) if last else None, form=ActionForm(),
        viewable_ids={d.id for d in app.live_documents}, change_request=change_request_of(app),
    ), 200

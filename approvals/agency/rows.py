"""The repeating sections: learning objectives and instructors.

Rows are added and removed by ordinary submit buttons (name="action",
value="add" / "remove-<row>"), so the page works without JavaScript. Every
press saves what is on the page first; blank new rows are never stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug import Response

from approvals.agency.documents import PendingFiles, attach, detach
from approvals.agency.edit import after_save
from approvals.agency.forms import InstructorsForm, ObjectivesForm
from approvals.agency.queries import check_version
from approvals.agency.sections import render_section
from approvals.extensions import db
from approvals.models import Application, DocumentKind, Instructor, Objective, User, record
from approvals.models._types import utcnow
from approvals.storage import InspectedFile

INSTRUCTOR_TEXT = ("name", "email", "license_number", "qualifications")


def _action() -> str:
    return request.form.get("action", "save")


def _kept_entries(field: Any) -> list[Any]:
    """The rows on the page minus the one whose remove button was pressed."""
    action = _action()
    removed = f"{field.name}-{action.removeprefix('remove-')}" if action.startswith("remove-") else None
    return [entry for entry in field.entries if entry.name != removed]


def _touch(app: Application, section: str, summary: str, actor: User) -> None:
    app.last_activity_at = utcnow()
    record("application.updated", actor=actor, subject=app, application_id=app.id,
           agency_id=app.agency_id, summary=summary, section=section)


def _after(app: Application, section: str, form_cls: type, data: dict[str, Any]) -> Response | tuple[str, int]:
    if _action() == "add":
        # The new blank row exists only on the page until it is filled in and saved.
        form = form_cls(formdata=None, data={**data, "version": app.version})
        entry = form[section].append_entry()
        (entry.form.name if section == "instructors" else entry).render_kw = {"autofocus": True}
        return render_section(app, section, form)
    if _action().startswith("remove-"):
        flash("Removed.", "success")
        return redirect(url_for("agency.edit", app_id=app.id, section=section, _anchor=section))
    return after_save(app, section)


def objectives_section(app: Application) -> Response | tuple[str, int]:
    """Section 3: any number of learning objectives."""
    if request.method == "GET":
        form = ObjectivesForm(data={"objectives": [o.text for o in app.objectives] or [""],
                                    "version": app.version})
        return render_section(app, "objectives", form)
    form = ObjectivesForm()
    if not form.validate():
        return render_section(app, "objectives", form)
    check_version(app, form.version.data)
    texts = save_objectives(app, [e.data for e in _kept_entries(form.objectives)], current_user)
    db.session.commit()
    return _after(app, "objectives", ObjectivesForm, {"objectives": texts or [""]})


def save_objectives(app: Application, texts: list[str | None], actor: User) -> list[str]:
    """Make *texts* (blank ones dropped) the application's objectives, in
    order; audited when they changed. Returns the texts kept."""
    texts = [t.replace("\r\n", "\n") for t in texts if t and t.strip()]
    if texts != [o.text for o in app.objectives]:
        for position, text in enumerate(texts):
            if position < len(app.objectives):
                app.objectives[position].text = text
            else:
                app.objectives.append(Objective(text=text, position=position))
        del app.objectives[len(texts):]
        _touch(app, "objectives", f"Saved learning objectives ({len(texts)})", actor)
    return texts


def _instructor_data(inst: Instructor) -> dict[str, Any]:
    return {"id": inst.id, **{f: getattr(inst, f) for f in INSTRUCTOR_TEXT}}


def instructors_section(app: Application) -> Response | tuple[str, int]:
    """Section 4: any number of instructors, each with an instructor's record upload."""
    if request.method == "GET":
        form = InstructorsForm(data={"instructors": [_instructor_data(i) for i in app.instructors] or [{}],
                                     "version": app.version})
        return render_section(app, "instructors", form)
    form = InstructorsForm()
    if not form.validate():
        return render_section(app, "instructors", form, upload_lost=bool(request.files))
    check_version(app, form.version.data)
    rows = [InstructorInput(id=e.form.id.data,
                          values={f: (e.form[f].data or "").replace("\r\n", "\n") for f in INSTRUCTOR_TEXT},
                          upload=e.form.record.inspected[0] if e.form.record.inspected else None)
            for e in _kept_entries(form.instructors)]
    files = PendingFiles()
    kept = save_instructors(app, rows, current_user, files)
    files.commit()
    return _after(app, "instructors", InstructorsForm,
                  {"instructors": [_instructor_data(i) for i in kept] or [{}]})


@dataclass(frozen=True)
class InstructorInput:
    """One instructor as submitted: its id (None for a new row), its texts
    (INSTRUCTOR_TEXT) and an accepted record upload, if one was chosen."""

    id: int | None
    values: dict[str, str]
    upload: InspectedFile | None = None


def save_instructors(app: Application, rows: list[InstructorInput], actor: User,
                     files: PendingFiles) -> list[Instructor]:
    """Make *rows* the application's instructors, in order: rows with the id
    of one of its instructors update it, others are added (blank new rows
    without an upload are skipped), instructors not in *rows* are removed with
    their records; uploads replace records. Audited; the caller commits through
    *files*. Returns the instructors kept. Raises OSError when a file cannot be stored."""
    existing = {i.id: i for i in app.instructors}
    kept: list[tuple[Instructor, InstructorInput]] = []
    changed = any(row.upload is not None for row in rows)
    for row in rows:
        inst = existing.get(row.id) if row.id is not None else None
        if inst is None:
            if not any(v.strip() for v in row.values.values()) and row.upload is None:
                continue
            inst = Instructor(**row.values)
            app.instructors.append(inst)
            changed = True
        else:
            for f, v in row.values.items():
                setattr(inst, f, v)
        if inst.position != len(kept):
            inst.position = len(kept)
        changed = changed or db.session.is_modified(inst)
        kept.append((inst, row))

    keep_ids = {id(inst) for inst, _ in kept}
    for gone in [i for i in app.instructors if id(i) not in keep_ids]:
        for doc in gone.documents:
            if doc.removed_at is None:
                detach(doc, actor, files, why=f"Removed with instructor {gone.name or '(no name)'}")
        app.instructors.remove(gone)
        changed = True
    db.session.flush()
    for inst, row in kept:
        if row.upload is not None:
            replace_record(app, inst, row.upload, actor, files)
    if changed:
        _touch(app, "instructors", f"Saved instructors ({len(kept)})", actor)
    return [inst for inst, _ in kept]


def replace_record(app: Application, inst: Instructor, upload: InspectedFile, actor: User,
                   files: PendingFiles) -> None:
    """Store *upload* as the instructor's record, replacing the current one (audited)."""
    if inst.record is not None:
        detach(inst.record, actor, files, why="Replaced")
    attach(app, upload, DocumentKind.INSTRUCTOR_RECORD, actor, files, instructor=inst)

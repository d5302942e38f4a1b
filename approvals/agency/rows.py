"""The repeating sections: learning objectives and instructors.

Rows are added and removed by ordinary submit buttons (name="action",
value="add" / "remove-<row>"), so the page works without JavaScript. Every
press saves what is on the page first; blank new rows are never stored.
"""
from __future__ import annotations

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
from approvals.models import Application, DocumentKind, Instructor, Objective, record
from approvals.models._types import utcnow

INSTRUCTOR_TEXT = ("name", "email", "license_number", "qualifications")


def _action() -> str:
    return request.form.get("action", "save")


def _kept_entries(field: Any) -> list[Any]:
    """The rows on the page minus the one whose remove button was pressed."""
    action = _action()
    removed = f"{field.name}-{action.removeprefix('remove-')}" if action.startswith("remove-") else None
    return [entry for entry in field.entries if entry.name != removed]


def _touch(app: Application, section: str, summary: str) -> None:
    app.last_activity_at = utcnow()
    record("application.updated", actor=current_user, subject=app, application_id=app.id,
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
    texts = [e.data.replace("\r\n", "\n") for e in _kept_entries(form.objectives) if e.data and e.data.strip()]
    if texts != [o.text for o in app.objectives]:
        for position, text in enumerate(texts):
            if position < len(app.objectives):
                app.objectives[position].text = text
            else:
                app.objectives.append(Objective(text=text, position=position))
        del app.objectives[len(texts):]
        _touch(app, "objectives", f"Saved learning objectives ({len(texts)})")
    db.session.commit()
    return _after(app, "objectives", ObjectivesForm, {"objectives": texts or [""]})


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
    entries = _kept_entries(form.instructors)
    uploads = {e.name: e.form.record.inspected[0] for e in entries if e.form.record.inspected}

    existing = {i.id: i for i in app.instructors}
    kept: list[tuple[Instructor, str]] = []
    changed = bool(uploads)
    for entry in entries:
        row = entry.form
        values = {f: (row[f].data or "").replace("\r\n", "\n") for f in INSTRUCTOR_TEXT}
        inst = existing.get(row.id.data)
        if inst is None:
            if not any(v.strip() for v in values.values()) and entry.name not in uploads:
                continue
            inst = Instructor(**values)
            app.instructors.append(inst)
            changed = True
        else:
            for f, v in values.items():
                setattr(inst, f, v)
        if inst.position != len(kept):
            inst.position = len(kept)
        changed = changed or db.session.is_modified(inst)
        kept.append((inst, entry.name))

    files = PendingFiles()
    keep_ids = {id(inst) for inst, _ in kept}
    for gone in [i for i in app.instructors if id(i) not in keep_ids]:
        for doc in gone.documents:
            if doc.removed_at is None:
                detach(doc, current_user, files, why=f"Removed with instructor {gone.name or '(no name)'}")
        app.instructors.remove(gone)
        changed = True
    db.session.flush()
    for inst, name in kept:
        if name in uploads:
            if inst.record is not None:
                detach(inst.record, current_user, files, why="Replaced")
            attach(app, uploads[name], DocumentKind.INSTRUCTOR_RECORD, current_user, files, instructor=inst)
    if changed:
        _touch(app, "instructors", f"Saved instructors ({len(kept)})")
    files.commit()
    return _after(app, "instructors", InstructorsForm,
                  {"instructors": [_instructor_data(i) for i, _ in kept] or [{}]})

"""Medical and military extensions: requested by the commissioning agency, decided by POST.

Plain functions that check permission and state, change rows, audit, and
never commit. NotPermitted is a 404 in the web layer; Conflict a 409.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from approvals import permissions as perm
from approvals.credit.periods import period_rules
from approvals.extensions import db
from approvals.models import record
from approvals.models._types import utcnow
from approvals.models.compliance import Extension, ExtensionKind, ExtensionStatus
from approvals.models.officer import Officer
from approvals.web import Conflict


class NotPermitted(Exception):
    """The actor may not do this (shown as 404)."""


class ExtensionInvalid(ValueError):
    """``problems`` maps a form field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def request_extension(officer: Officer, *, year: int, kind: str, new_due_date: date, reason: str,
                      actor: Any, today: date | None = None) -> Extension:
    """Ask POST to extend *officer*'s deadline for *year*.

    Raises NotPermitted unless *actor*'s agency commissions the officer,
    ExtensionInvalid for a bad kind, date or reason, Conflict while another
    request for the same year awaits a decision.
    """
    today = today or date.today()
    if not officer.can_request_extension(actor, today):
        raise NotPermitted()
    rules = period_rules(year)
    problems = {}
    if kind not in ExtensionKind._value2member_map_:
        problems["kind"] = "Choose medical leave or military leave of absence."
    if new_due_date <= rules.due_date:
        problems["new_due_date"] = f"The new due date must be after {rules.due_date:%B %-d, %Y}."
    elif new_due_date.year > year + 2:
        problems["new_due_date"] = "An extension can move the due date by two years at most."
    if not reason.strip():
        problems["reason"] = "Say why the officer could not complete the training (medical or military leave)."
    if problems:
        raise ExtensionInvalid(problems)
    pending = db.session.scalar(db.select(Extension.id).where(
        Extension.officer_id == officer.id, Extension.year == year,
        Extension.status == ExtensionStatus.REQUESTED))
    if pending is not None:
        raise Conflict(f"An extension request for {officer.name}'s {year} training already awaits POST's decision.")
    extension = Extension(officer_id=officer.id, year=year, kind=ExtensionKind(kind), new_due_date=new_due_date,
                          reason=reason.strip(), agency_id=actor.agency_id, requested_by_id=actor.id)
    db.session.add(extension)
    db.session.flush()
    record("extension.requested", actor=actor, subject=extension, agency_id=actor.agency_id,
           summary=f"{kind} extension to {new_due_date.isoformat()} requested for {officer.license_number} ({year})",
           officer_id=officer.id)
    return extension


def decide_extension(extension: Extension, *, grant: bool, actor: Any, note: str = "") -> None:
    """Grant or deny a pending request.

    Raises NotPermitted without the extensions.grant capability, Conflict when
    already decided, ExtensionInvalid when a denial has no note.
    """
    if not perm.can(actor, perm.EXTENSIONS_GRANT):
        raise NotPermitted()
    if extension.status != ExtensionStatus.REQUESTED:
        raise Conflict(f"This request was already {extension.status.value}.")
    if not grant and not note.strip():
        raise ExtensionInvalid({"note": "Say why the extension is denied; the agency will read it."})
    extension.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.DENIED
    extension.decided_by_id = actor.id
    extension.decided_at = utcnow()
    extension.decision_note = note.strip()
    record(f"extension.{extension.status.value}", actor=actor, subject=extension, agency_id=extension.agency_id,
           summary=f"Extension for {extension.officer.license_number} ({extension.year}) {extension.status.value}",
           officer_id=extension.officer_id)

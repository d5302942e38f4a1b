"""Rosters: posting who completed an offering, and amending a posted roster.

A roster is checked whole before anything is written: unknown or repeated
license numbers, hours that are not numbers, not half-hours or more than the
course's approved hours are reported by row, and nothing is posted until
every row is right. Posting gives each listed officer one credit entry,
whatever agency commissions them, and the offering's licensed instructors
1:1 instruction credit in the course's areas. A posted roster is locked; an
amendment supersedes the entries it changes and records who, when, why and
what. Nothing here commits.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from approvals.credit.ledger import CreditInput, InvalidCredit, add_credit, split_hours, supersede
from approvals.extensions import db
from approvals.models import AREAS, DESIGNATIONS, record
from approvals.models._types import utcnow
from approvals.models.credit import CreditEntry
from approvals.models.offering import Offering
from approvals.models.officer import Officer, normalise_license
from approvals.models.roster import Roster, RosterAmendment
from approvals.web import Conflict

MAX_ROWS = 2000


@dataclass(frozen=True)
class RosterLine:
    row: int  # as the poster sees it: the CSV line number, or the form row
    license_number: str
    hours: str


@dataclass(frozen=True)
class RosterProblem:
    row: int | None  # None: the roster as a whole
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}" if self.row is not None else self.message


class RosterRejected(Exception):
    """The roster has problems; nothing was posted."""

    def __init__(self, problems: list[RosterProblem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def parse_csv(data: bytes) -> list[RosterLine]:
    """Lines of a roster CSV with columns license_number and hours (a header row first).

    Raises RosterRejected when the file is not a readable CSV with those columns.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterRejected([RosterProblem(None, "The file is not a CSV saved as UTF-8 text.")]) from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower().replace(" ", "_") for h in next(reader, [])]
    license_col = next((i for i, h in enumerate(header) if h in ("license_number", "license", "license_no")), None)
    hours_col = next((i for i, h in enumerate(header) if h in ("hours", "hours_completed")), None)
    if license_col is None or hours_col is None:
        raise RosterRejected([RosterProblem(1, "The first row must name the columns license_number and hours.")])
    lines = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (max(license_col, hours_col) + 1 - len(row))
        lines.append(RosterLine(reader.line_num, cells[license_col].strip(), cells[hours_col].strip()))
    if len(lines) > MAX_ROWS:
        raise RosterRejected([RosterProblem(None, f"A roster may list at most {MAX_ROWS} officers.")])
    return lines


def course_hours(offering: Offering) -> tuple[float, dict[str, float], dict[str, float]]:
    """The approved total, area and designation hours of the offering's course."""
    approved = offering.application.approved_hours()
    areas = {k: approved[k] for k in AREAS if approved.get(k)}
    designations = {k: approved[k] for k in DESIGNATIONS if approved.get(k)}
    return float(approved["total"] or 0.0), areas, designations


def check(offering: Offering, lines: list[RosterLine]) -> tuple[list[tuple[Officer, float]], list[RosterProblem]]:
    """Resolve every line to (officer, hours), or say what is wrong with it, row by row."""
    total, _, _ = course_hours(offering)
    problems: list[RosterProblem] = []
    if not lines:
        return [], [RosterProblem(None, "The roster lists no officers.")]
    wanted = {normalise_license(line.license_number) for line in lines}
    officers = {o.license_number: o for o in db.session.scalars(
        db.select(Officer).where(Officer.license_number.in_(wanted)))}
    first_row: dict[str, int] = {}
    resolved = []
    for line in lines:
        number = normalise_license(line.license_number)
        hours = _hours(line.hours)
        if not number:
            problems.append(RosterProblem(line.row, "Enter the officer's license number."))
        elif number not in officers:
            problems.append(RosterProblem(line.row, f"No officer has license number {number}."))
        elif number in first_row:
            problems.append(RosterProblem(line.row, f"License number {number} is also on row {first_row[number]}."))
        if number:
            first_row.setdefault(number, line.row)
        if hours is None:
            problems.append(RosterProblem(line.row, f"Hours “{line.hours}” is not a number of hours, e.g. 4 or 3.5."))
        elif hours <= 0 or not (hours * 2).is_integer():  # not int(): 1e308 * 2 is infinite
            problems.append(RosterProblem(line.row, f"Hours must be more than 0, in half-hours (e.g. 3.5), not {line.hours}."))
        elif hours > total:
            problems.append(RosterProblem(
                line.row, f"{hours:g} hours is more than the course's approved {total:g} hours."))
        elif number in officers and first_row[number] == line.row:
            resolved.append((officers[number], hours))
    return resolved, problems


def _hours(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _input(offering: Offering, hours: float, *, source: str = "in_service", note: str = "") -> CreditInput:
    total, areas, designations = course_hours(offering)
    app = offering.application
    area_hours, designation_hours = split_hours(areas, designations, total, hours)
    online = offering.online or str(app.delivery_method) == "computer_based"
    return CreditInput(
        title=f"{app.title} ({app.approval_number})" if app.approval_number else app.title,
        hours=hours, completed_on=offering.ends_on, source=source, provider="in_service",
        delivery="computer_based" if online else "in_person",
        areas=area_hours, designations=designation_hours, provider_name=offering.agency.name, note=note,
    )


def can_post(offering: Offering, user: Any, today: date | None = None) -> bool:
    """The delivering agency's roster posters, once the offering has ended, if it was not cancelled."""
    from approvals.permissions import ROSTERS_POST, can

    return (can(user, ROSTERS_POST) and user.agency_id == offering.agency_id
            and not offering.is_cancelled and offering.ends_on <= (today or date.today()))


def post(offering: Offering, lines: list[RosterLine], actor: Any, *, via: str = "form") -> Roster:
    """Post a clean roster and its credit. Raises RosterRejected (nothing added),
    Conflict when the offering already has a roster."""
    if db.session.scalar(db.select(Roster.id).where(Roster.offering_id == offering.id)) is not None:
        raise Conflict("This offering's roster is already posted; correct it with an amendment.")
    resolved, problems = check(offering, lines)
    total, _, _ = course_hours(offering)
    instructors = {o.license_number: o for o in db.session.scalars(
        db.select(Officer).where(Officer.license_number.in_(offering.license_numbers)))}
    for number in offering.license_numbers:
        if normalise_license(number) not in instructors:
            problems.append(RosterProblem(None, f"The offering's instructor license number {number} "
                                                "matches no officer; correct the offering first."))
    if problems:
        raise RosterRejected(problems)
    roster = Roster(offering_id=offering.id, posted_by_id=actor.id, posted_via=via, line_count=len(resolved))
    db.session.add(roster)
    db.session.flush()
    try:
        # One flush at the end rather than one per line: each flush upserts
        # the officers' credit totals.
        with db.session.no_autoflush:
            for officer, hours in resolved:
                add_credit(officer.id, _input(offering, hours), actor=actor, offering_id=offering.id,
                           roster_id=roster.id)
            for officer in instructors.values():
                add_credit(officer.id, _input(offering, total, source="instruction", note="Instruction credit (1:1)"),
                           actor=actor, offering_id=offering.id, roster_id=roster.id)
    except InvalidCredit as exc:
        raise RosterRejected([RosterProblem(None, p) for p in exc.problems]) from None
    record("roster.posted", actor=actor, subject=roster, agency_id=offering.agency_id,
           summary=f"Roster posted: {len(resolved)} officer(s), {len(instructors)} instructor(s)",
           offering_id=offering.id, officers=len(resolved), instructors=len(instructors))
    return roster


def current_lines(roster: Roster) -> dict[str, CreditEntry]:
    """The roster's current attendee entries by license number (instruction credit excluded)."""
    entries = db.session.scalars(
        db.select(CreditEntry).join(Officer, Officer.id == CreditEntry.officer_id)
        .where(CreditEntry.roster_id == roster.id, CreditEntry.superseded_at.is_(None),
               CreditEntry.source != "instruction")
        .options(db.contains_eager(CreditEntry.officer))
    )
    return {e.officer.license_number: e for e in entries}


def amend(roster: Roster, lines: list[RosterLine], reason: str, actor: Any) -> RosterAmendment:
    """Replace the roster's lines with *lines* (the whole corrected roster).

    Raises RosterRejected (nothing changed) for bad rows, a missing reason or
    no change at all.
    """
    if not reason.strip():
        raise RosterRejected([RosterProblem(None, "Say why the roster is being corrected.")])
    resolved, problems = check(roster.offering, lines)
    if problems:
        raise RosterRejected(problems)
    before = current_lines(roster)
    after = {o.license_number: (o, h) for o, h in resolved}
    changes = []
    for number in sorted(set(before) | set(after)):
        old = before.get(number)
        new_hours = after[number][1] if number in after else None
        if old is None or new_hours != old.hours:
            changes.append({"license_number": number, "name": old.officer.name if old else after[number][0].name,
                            "before": old.hours if old else None, "after": new_hours})
    if not changes:
        raise RosterRejected([RosterProblem(None, "The corrected roster is the same as the posted one.")])
    amendment = RosterAmendment(roster_id=roster.id, amended_by_id=actor.id, reason=reason.strip(),
                                amended_at=utcnow(), changes=changes)
    db.session.add(amendment)
    db.session.flush()
    for change in changes:
        number = change["license_number"]
        old = before.get(number)
        if old is not None:
            supersede(old, actor=actor, reason=f"Roster amendment {amendment.id}: {reason.strip()}")
        if change["after"] is not None:
            add_credit(after[number][0].id, _input(roster.offering, change["after"]), actor=actor,
                       offering_id=roster.offering_id, roster_id=roster.id,
                       amendment_id=amendment.id, replaces_id=old.id if old else None)
    roster.line_count = len(after)
    record("roster.amended", actor=actor, subject=roster, agency_id=roster.offering.agency_id,
           summary=f"Roster amended ({len(changes)} change(s)): {reason.strip()}",
           amendment_id=amendment.id, changes=changes)
    return amendment

"""Importing officers from a CSV file: all rows or none.

Columns (a header row first, any order): license_number, name, licensed_on
(YYYY-MM-DD), email (optional; links the officer to an existing officer
sign-in with that address), agency_ori (optional: commissioning agency),
commissioned_on (optional, default licensed_on). Every row is checked before
anything is written; one bad row means nothing is imported and every
problem is reported with its row number.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email

from approvals.extensions import db
from approvals.models import Agency, Commission, Officer, Role, User
from approvals.models.officer import normalise_license

REQUIRED = ("license_number", "name", "licensed_on")


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}"


@dataclass(frozen=True)
class _Row:
    row: int
    license_number: str
    name: str
    licensed_on: date
    email: str
    agency_id: int | None
    commissioned_on: date | None


class ImportRejected(Exception):
    def __init__(self, problems: list[RowProblem]):
        super().__init__(f"{len(problems)} problem(s); nothing was imported")
        self.problems = problems


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The normalised header and (line number, row) pairs. Raises ImportRejected without the required columns."""
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower().replace(" ", "_") for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportRejected([RowProblem(1, f"The header row lacks the column(s) {', '.join(missing)}.")])
    rows = [(reader.line_num, {k: (v or "").strip() for k, v in row.items() if k})
            for row in reader if any((v or "").strip() for v in row.values() if isinstance(v, str))]
    return header, rows


def import_officers(text: str, *, progress: Callable[[Iterable], Iterable] = lambda it: it) -> int:
    """Check every row, then add every officer (and commission) to the session.

    Returns the number imported; the caller commits. Raises ImportRejected
    listing every problem when any row is wrong (nothing is added).
    """
    _header, rows = read_rows(text)
    agencies = {ori: agency_id for ori, agency_id in db.session.execute(db.select(Agency.ori, Agency.id))}
    numbers = {normalise_license(r.get("license_number")) for _, r in rows}
    existing = set(db.session.scalars(db.select(Officer.license_number).where(Officer.license_number.in_(numbers))))
    problems: list[RowProblem] = []
    checked: list[_Row] = []
    first: dict[str, int] = {}
    for line, row in progress(rows):
        found, ok = _check_row(line, row, agencies, existing, first)
        problems.extend(found)
        if ok is not None and not found:
            checked.append(ok)
    if not rows:
        problems.append(RowProblem(2, "The file has no officers in it."))
    if problems:
        raise ImportRejected(problems)
    # An officer who already has an officer sign-in with the same e-mail is linked to it.
    logins = dict(db.session.execute(db.select(User.email, User.id).where(
        User.role == Role.OFFICER, User.email.in_([r.email for r in checked if r.email]))).all())
    linked = set(db.session.scalars(db.select(Officer.user_id).where(Officer.user_id.is_not(None))))
    for r in checked:
        officer = Officer(license_number=r.license_number, name=r.name, licensed_on=r.licensed_on, email=r.email)
        if logins.get(r.email) not in (None, *linked):
            officer.user_id = logins[r.email]
            linked.add(officer.user_id)
        if r.agency_id is not None:
            officer.commissions.append(Commission(agency_id=r.agency_id, started_on=r.commissioned_on or r.licensed_on))
        db.session.add(officer)
    db.session.flush()
    return len(checked)


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _check_row(line: int, row: dict[str, str], agencies: dict[str, int], existing: set[str],
               first: dict[str, int]) -> tuple[list[RowProblem], _Row | None]:
    problems = []
    number = normalise_license(row.get("license_number"))
    if not number:
        problems.append(RowProblem(line, "The license number is missing."))
    elif len(number) > 32:
        problems.append(RowProblem(line, "The license number is longer than 32 characters."))
    elif number in first:
        problems.append(RowProblem(line, f"License number {number} is also on row {first[number]}."))
    elif number in existing:
        problems.append(RowProblem(line, f"An officer with license number {number} is already registered."))
    if number:
        first.setdefault(number, line)
    name = row.get("name", "")
    if not name:
        problems.append(RowProblem(line, "The name is missing."))
    licensed_on = _date(row.get("licensed_on", ""))
    if licensed_on is None:
        problems.append(RowProblem(line, f"The license date “{row.get('licensed_on', '')}” is not a date like 2019-06-30."))
    elif licensed_on > date.today():
        problems.append(RowProblem(line, "The license date is in the future."))
    email = row.get("email", "")
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems.append(RowProblem(line, f"“{email}” is not an e-mail address."))
    agency_id = None
    ori = row.get("agency_ori", "").upper()
    if ori:
        agency_id = agencies.get(ori)
        if agency_id is None:
            problems.append(RowProblem(line, f"No agency has ORI {ori}."))
    commissioned_on = None
    if row.get("commissioned_on"):
        commissioned_on = _date(row["commissioned_on"])
        if commissioned_on is None:
            problems.append(RowProblem(line, f"The commission date “{row['commissioned_on']}” is not a date like 2019-06-30."))
        elif not ori:
            problems.append(RowProblem(line, "A commission date needs the agency_ori of the commissioning agency."))
    if problems:
        return problems, None
    assert licensed_on is not None
    return [], _Row(line, number, name[:200], licensed_on, email, agency_id, commissioned_on)

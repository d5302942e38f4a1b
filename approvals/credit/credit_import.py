"""Approved-Provider course credit from a CSV file: all rows or none.

Columns (header row first): license_number, title, completed_on (YYYY-MM-DD),
hours, legal, technical, interpersonal, skill_development (the area hours,
adding up to hours), firearms, racial_profiling, implicit_bias, deescalation
(optional designation hours), delivery (in_person or computer_based; default
in_person), provider_name (optional). Each row is checked by the ledger
against the rules of its year; one bad row and nothing is entered.
"""
from __future__ import annotations

import csv
import io
import math
from datetime import date
from typing import Any

from approvals.credit.ledger import CreditInput, add_credit, problems_with
from approvals.credit.officer_import import RowProblem
from approvals.extensions import db
from approvals.models import CreditDocument, Officer
from approvals.models.credit import AREA_KEYS, DESIGNATION_KEYS
from approvals.models.officer import normalise_license

REQUIRED = ("license_number", "title", "completed_on", "hours")
MAX_ROWS = 5000


class CreditImportRejected(Exception):
    def __init__(self, problems: list[RowProblem]):
        super().__init__(f"{len(problems)} problem(s); nothing was entered")
        self.problems = problems


def _number(text: str, what: str, line: int, problems: list[RowProblem]) -> float:
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems.append(RowProblem(line, f"{what} “{text}” is not a number of hours."))
        return 0.0
    return value


def import_credits(data: bytes, *, actor: Any, evidence: CreditDocument | None, today: date | None = None) -> int:
    """Check every row, then add every entry to the session; returns how many.

    Raises CreditImportRejected listing every problem by row (nothing added).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CreditImportRejected([RowProblem(1, "The file is not a CSV saved as UTF-8 text.")]) from None
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [(h or "").strip().lower().replace(" ", "_") for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in reader.fieldnames]
    if missing:
        raise CreditImportRejected([RowProblem(1, f"The header row lacks the column(s) {', '.join(missing)}.")])
    rows = [(reader.line_num, {k: (v or "").strip() for k, v in r.items() if k}) for r in reader]
    rows = [(n, r) for n, r in rows if any(r.values())]
    if not rows or len(rows) > MAX_ROWS:
        raise CreditImportRejected([RowProblem(2, f"The file must list between 1 and {MAX_ROWS} entries.")])
    numbers = {normalise_license(r.get("license_number")) for _, r in rows}
    officers = dict(db.session.execute(db.select(Officer.license_number, Officer.id)
                                       .where(Officer.license_number.in_(numbers))).all())
    problems: list[RowProblem] = []
    ready = []
    for line, row in rows:
        found: list[RowProblem] = []
        number = normalise_license(row.get("license_number"))
        if number not in officers:
            found.append(RowProblem(line, f"No officer has license number {number or '(blank)'}."))
        try:
            completed_on = date.fromisoformat(row.get("completed_on", ""))
        except ValueError:
            found.append(RowProblem(line, f"The date “{row.get('completed_on', '')}” is not a date like 2023-06-30."))
            completed_on = None
        delivery = row.get("delivery") or "in_person"
        if delivery not in ("in_person", "computer_based"):
            found.append(RowProblem(line, f"Delivery “{delivery}” must be in_person or computer_based."))
        hours = _number(row.get("hours", ""), "Hours", line, found)
        areas = {k: _number(row.get(k, ""), k.replace("_", " ").capitalize(), line, found) for k in AREA_KEYS}
        designations = {k: _number(row.get(k, ""), k.replace("_", " ").capitalize(), line, found)
                        for k in DESIGNATION_KEYS}
        if not found and completed_on is not None:
            values = CreditInput(title=row.get("title", ""), hours=hours, completed_on=completed_on,
                                 source="in_service", provider="approved_provider", delivery=delivery,
                                 areas=areas, designations=designations, provider_name=row.get("provider_name", ""))
            found.extend(RowProblem(line, p) for p in problems_with(values, today))
            ready.append((officers.get(number), values))
        problems.extend(found)
    if problems:
        raise CreditImportRejected(problems)
    for officer_id, values in ready:
        add_credit(officer_id, values, actor=actor, evidence=evidence, today=today)
    db.session.flush()
    return len(ready)

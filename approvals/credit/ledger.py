"""Writing the credit ledger: every credit entry is added (or superseded) here.

Entries are checked against the rules of the year they were completed in
(through the evaluator itself, so an entry the ledger accepts is one the
evaluator can count) and are never edited: a correction supersedes.
Nothing here commits; routes, jobs and the CLI do.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from approvals import storage
from approvals.compliance import CreditFact, InvalidFact, OfficerFacts, UnknownPeriod, evaluate
from approvals.credit.periods import period_rules
from approvals.extensions import db
from approvals.models._types import utcnow
from approvals.models.credit import AREA_KEYS, DESIGNATION_KEYS, CreditDocument, CreditEntry, CreditSource


class InvalidCredit(ValueError):
    """Credit that cannot be entered; ``problems`` are sentences for the person entering it."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class CreditInput:
    """What a person (or a roster line) says an officer earned."""

    title: str
    hours: float
    completed_on: date
    source: str
    provider: str
    delivery: str = "in_person"
    areas: dict[str, float] = field(default_factory=dict)
    designations: dict[str, float] = field(default_factory=dict)
    semester_hours: float | None = None
    provider_name: str = ""
    note: str = ""

    def fact(self, fact_id: Any = "new") -> CreditFact:
        """Raises InvalidFact when the input is malformed."""
        return CreditFact(fact_id, self.hours, self.completed_on, self.source, self.provider, self.delivery,
                          {k: v for k, v in self.areas.items() if v},
                          {k: v for k, v in self.designations.items() if v}, self.semester_hours)


def problems_with(values: CreditInput, today: date | None = None) -> list[str]:
    """Everything wrong with *values* under the rules of its completion year; [] if none."""
    today = today or date.today()
    problems = []
    if not values.title.strip():
        problems.append("Enter the course or training title.")
    if values.hours <= 0:
        problems.append("Hours must be more than 0.")
    if values.completed_on > today:
        problems.append("The completion date cannot be in the future.")
    try:
        rules = period_rules(values.completed_on.year)
    except UnknownPeriod as exc:
        return [*problems, str(exc)]
    if problems:
        return problems
    try:
        # The evaluator is the judge of what it can count: run it on this one entry.
        evaluate(OfficerFacts("-", "-", date(1900, 1, 1)), rules, [values.fact()], as_of=today)
    except InvalidFact as exc:
        return [_plain(str(exc))]
    return []


def _plain(message: str) -> str:
    # "credit 'new': core-area hours add up to 3, the entry is worth 4" -> for people.
    return message.split(": ", 1)[-1].replace("core-area", "Core-area").rstrip(".") + "."


def college_input(title: str, semester_hours: float, area: str, completed_on: date, *,
                  institution: str, designations: dict[str, float] | None = None, note: str = "") -> CreditInput:
    """College credit: hours per semester hour from the year's rules, all in the area POST chose.

    Raises UnknownPeriod for a year without rules.
    """
    rules = period_rules(completed_on.year)
    hours = semester_hours * rules.college_hours_per_semester_hour
    return CreditInput(title=title, hours=hours, completed_on=completed_on, source=CreditSource.COLLEGE,
                       provider=rules.fixed_provider("college") or "approved_provider",
                       areas={area: hours}, designations=designations or {},
                       semester_hours=semester_hours, provider_name=institution, note=note)


def add_credit(officer_id: int, values: CreditInput, *, actor: Any, evidence: CreditDocument | None = None,
               today: date | None = None, **links: Any) -> CreditEntry:
    """Add one checked entry to the session (links: offering_id, roster_id,
    amendment_id, replaces_id). Raises InvalidCredit."""
    problems = problems_with(values, today)
    if problems:
        raise InvalidCredit(problems)
    entry = CreditEntry(
        officer_id=officer_id, title=values.title.strip()[:200], provider_name=values.provider_name.strip()[:200],
        hours=values.hours, completed_on=values.completed_on, source=values.source, provider=values.provider,
        delivery=values.delivery, semester_hours=values.semester_hours, note=values.note,
        evidence=evidence, entered_by_id=getattr(actor, "id", None), **links,
    )
    for key in AREA_KEYS:
        setattr(entry, f"hours_{key}", values.areas.get(key, 0.0))
    for key in DESIGNATION_KEYS:
        setattr(entry, f"hours_{key}", values.designations.get(key, 0.0))
    db.session.add(entry)
    return entry


def supersede(entry: CreditEntry, *, actor: Any, reason: str) -> None:
    """Mark *entry* as no longer counting. Raises ValueError if it already was."""
    if entry.superseded_at is not None:
        raise ValueError(f"Credit entry {entry.id} was already superseded.")
    actor_id = actor.id  # read first: loading it may autoflush, and the two columns go together
    entry.superseded_by_id, entry.supersede_reason, entry.superseded_at = actor_id, reason, utcnow()


def store_evidence(inspected: storage.InspectedFile, upload_dir: Path, actor: Any) -> CreditDocument:
    """Store an inspected upload and add its record to the session. Raises OSError."""
    stored = storage.store(inspected, upload_dir)
    document = CreditDocument(original_name=stored.original_name, stored_name=stored.stored_name,
                              content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                              uploaded_by_id=getattr(actor, "id", None))
    db.session.add(document)
    return document


def split_hours(areas: dict[str, float], designations: dict[str, float], total: float,
                hours: float) -> tuple[dict[str, float], dict[str, float]]:
    """The areas and designations of *hours* out of a *total*-hour course.

    All of the course: exactly its hours. Part of it (a partial completion):
    each area in proportion, in half-hours, the remainder to the areas with
    the largest fractions (so the areas add up to *hours*); each designation
    in proportion rounded down (never more than was taken), Firearms never
    more than the Skill Development hours.
    """
    if hours >= total:
        return dict(areas), dict(designations)
    units, ratio = int(round(hours * 2)), hours / total
    exact = {k: v * 2 * ratio for k, v in areas.items()}
    got = {k: math.floor(x) for k, x in exact.items()}
    for k in sorted(exact, key=lambda k: (got[k] - exact[k], list(exact).index(k)))[: units - sum(got.values())]:
        got[k] += 1
    split = {k: n / 2 for k, n in got.items() if n}
    out = {k: math.floor(v * 2 * ratio) / 2 for k, v in designations.items()}
    out = {k: min(v, hours) for k, v in out.items() if v}
    if "firearms" in out:
        out["firearms"] = min(out["firearms"], split.get("skill_development", 0.0))
    return split, {k: v for k, v in out.items() if v}

"""From ledger rows to evaluator facts, and one officer's standing.

The evaluator (approvals.compliance) is pure; this module is the one place
that reads credit entries, commissions and extensions and hands it plain
facts. Many officers at once go through approvals.credit.statewide, which
loads the whole state in a few queries.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from approvals.compliance import (
    CreditFact,
    Exclusion,
    ExtensionFact,
    OfficerFacts,
    PeriodRules,
    Standing,
    evaluate,
)
from approvals.credit.periods import period_rules
from approvals.extensions import db
from approvals.models.compliance import Extension, ExtensionStatus
from approvals.models.credit import AREA_KEYS, DESIGNATION_KEYS, CreditEntry
from approvals.models.officer import Officer

# Columns of credit_entries the evaluator needs, in CreditFact order after id.
FACT_COLUMNS = (
    CreditEntry.id, CreditEntry.hours, CreditEntry.completed_on, CreditEntry.source,
    CreditEntry.provider, CreditEntry.delivery,
    *(getattr(CreditEntry, f"hours_{k}") for k in (*AREA_KEYS, *DESIGNATION_KEYS)),
    CreditEntry.semester_hours,
)


def fact_from_values(values: tuple) -> CreditFact:
    """A CreditFact from one row of FACT_COLUMNS. Raises InvalidFact on a malformed row."""
    (entry_id, hours, completed_on, source, provider, delivery,
     legal, technical, interpersonal, skill, firearms, racial, bias, deesc, semester) = values
    areas = {k: v for k, v in zip(AREA_KEYS, (legal, technical, interpersonal, skill)) if v}
    designations = {k: v for k, v in zip(DESIGNATION_KEYS, (firearms, racial, bias, deesc)) if v}
    return CreditFact(entry_id, float(hours), completed_on, str(source), str(provider), str(delivery),
                      areas, designations, None if semester is None else float(semester))


def fact_from_entry(entry: CreditEntry) -> CreditFact:
    """A CreditFact from an ORM entry. Raises InvalidFact on a malformed entry."""
    return fact_from_values(tuple(getattr(entry, c.key) for c in FACT_COLUMNS))


def officer_facts(officer: Officer, as_of: date) -> OfficerFacts:
    return OfficerFacts(officer.license_number, officer.name, officer.licensed_on,
                        commissioned=officer.commission_on(as_of) is not None)


def extension_facts(extensions: list[Extension]) -> list[ExtensionFact]:
    return [ExtensionFact(str(e.kind), e.new_due_date, e.status == ExtensionStatus.GRANTED)
            for e in extensions]


def window_end(rules: PeriodRules, extensions: list[Extension]) -> date:
    """The last completion date worth loading for the period: later entries are another year's."""
    granted = [e.new_due_date for e in extensions if e.status == ExtensionStatus.GRANTED]
    return max([rules.grace_date, *granted])


@dataclass
class Transcript:
    """One officer's period: the standing and the rows behind it."""

    officer: Officer
    rules: PeriodRules
    as_of: date
    standing: Standing
    entries: list[CreditEntry]
    extensions: list[Extension]
    exclusions: dict[int, list[Exclusion]] = field(default_factory=dict)

    @property
    def year(self) -> int:
        return self.rules.year

    def counted_hours(self, entry: CreditEntry) -> float:
        """Hours of *entry* that counted toward the period."""
        credited = entry.hours * (self.rules.instruction_credit_ratio if entry.source == "instruction" else 1)
        return credited - sum(e.hours for e in self.exclusions.get(entry.id, []))


def transcript(officer: Officer, year: int, as_of: date | None = None) -> Transcript:
    """Evaluate *officer* for reporting *year* as of *as_of* (default today).

    Loads the officer's current entries completed from the start of the
    period until the last day any of them could still count. Raises
    UnknownPeriod for a year without rules and InvalidFact for a malformed
    entry.
    """
    as_of = as_of or date.today()
    rules = period_rules(year)
    extensions = list(db.session.scalars(
        db.select(Extension).where(Extension.officer_id == officer.id, Extension.year == year)
        .order_by(Extension.requested_at)
    ))
    entries = list(db.session.scalars(
        db.select(CreditEntry)
        .where(CreditEntry.officer_id == officer.id, CreditEntry.superseded_at.is_(None),
               CreditEntry.completed_on >= rules.start,
               CreditEntry.completed_on <= window_end(rules, extensions))
        .order_by(CreditEntry.completed_on, CreditEntry.id)
    ))
    standing = evaluate(officer_facts(officer, as_of), rules, [fact_from_entry(e) for e in entries],
                        extension_facts(extensions), as_of=as_of)
    by_entry: dict[int, list[Exclusion]] = {}
    for exclusion in standing.exclusions:
        by_entry.setdefault(int(exclusion.credit_id), []).append(exclusion)
    return Transcript(officer, rules, as_of, standing, entries, extensions, by_entry)

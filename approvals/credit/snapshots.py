"""Daily counts of officers by status and agency: the statewide report's year chart.

A standing changes with the ledger and with the date, so "compliance over the
year" is recorded as it happens, once a day, by the periodic job (or the
``compliance-snapshot`` command) rather than reconstructed afterwards.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import sqlalchemy as sa

from approvals.credit.statewide import OfficerStanding, standings
from approvals.extensions import db
from approvals.models.compliance import ComplianceSnapshot


def counts_by_agency(rows: list[OfficerStanding]) -> dict[str, dict[str, int]]:
    """{agency id as text, or "none": {status: officers}}."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        out[str(row.agency_id) if row.agency_id is not None else "none"][str(row.standing.status)] += 1
    return {k: dict(v) for k, v in out.items()}


def record_snapshot(year: int, as_of: date | None = None) -> ComplianceSnapshot:
    """Evaluate the state for *year* as of *as_of* (default today) and keep the
    counts, replacing a snapshot of the same day. The caller commits."""
    as_of = as_of or date.today()
    counts = counts_by_agency(standings(year, as_of))
    snapshot = db.session.scalar(sa.select(ComplianceSnapshot).where(
        ComplianceSnapshot.year == year, ComplianceSnapshot.taken_on == as_of))
    if snapshot is None:
        snapshot = ComplianceSnapshot(year=year, taken_on=as_of)
        db.session.add(snapshot)
    snapshot.by_agency = counts
    return snapshot


def year_series(year: int) -> list[ComplianceSnapshot]:
    """The year's snapshots, oldest first."""
    return list(db.session.scalars(sa.select(ComplianceSnapshot).where(ComplianceSnapshot.year == year)
                                   .order_by(ComplianceSnapshot.taken_on)))

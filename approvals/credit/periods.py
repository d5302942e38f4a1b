"""The rules of each reporting period, read from `reporting_periods`.

The table holds ``PeriodRules.to_dict()`` per year (2023 is seeded by the
migration). A year without a row takes the nearest earlier year's rules,
re-dated, exactly as :func:`approvals.compliance.rules_for_year` does with the
code's own registry, which also fills in years the table lacks.
"""
from __future__ import annotations

from datetime import date

from approvals.compliance import RULES_BY_YEAR, PeriodRules, rules_for_year
from approvals.extensions import db
from approvals.models.compliance import ReportingPeriod


def registry() -> dict[int, PeriodRules]:
    """Every year with rules of its own: the code's, overridden by the table's.

    Cached on the session (one per request or job), since a roster asks once
    per line; save_rules() drops the cache. Raises ValueError/TypeError when a
    stored row is malformed.
    """
    cached = db.session.info.get(_CACHE_KEY)
    if cached is not None:
        return cached
    table = dict(RULES_BY_YEAR)
    for year, rules in db.session.execute(db.select(ReportingPeriod.year, ReportingPeriod.rules)):
        table[year] = PeriodRules.from_dict(rules)
    db.session.info[_CACHE_KEY] = table
    return table


_CACHE_KEY = "period_rules_registry"


def period_rules(year: int) -> PeriodRules:
    """The rules of reporting *year*. Raises UnknownPeriod before the first known year."""
    return rules_for_year(year, registry())


def current_year(today: date | None = None) -> int:
    return (today or date.today()).year


def known_years(today: date | None = None) -> list[int]:
    """Years a transcript can be shown for: the first year with rules up to this one."""
    first = min(registry())
    return list(range(current_year(today), first - 1, -1))


def save_rules(rules: PeriodRules) -> ReportingPeriod:
    """Store (or replace) the rules of ``rules.year``; the caller commits."""
    db.session.info.pop(_CACHE_KEY, None)
    row = db.session.get(ReportingPeriod, rules.year) or ReportingPeriod(year=rules.year)
    row.rules = rules.to_dict()
    db.session.add(row)
    return row

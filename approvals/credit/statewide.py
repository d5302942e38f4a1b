"""Many officers' standings at once: the whole state, or one agency's officers.

Reading 500,000 entries row by row costs more than evaluating them, so the
evaluator is mostly given sums. Under a period's rules, entries that fall
inside the counting window and hit no cap are additive: the evaluator gives
the same result for one summed fact per (college or not, Approved Provider
or not, computer-based or not) as for the entries themselves, provided each
designation is first limited to the hours of its own entry that count
(computer-based Firearms hours never count). So:

1. officers (with the commission in force on *as_of*): one query;
2. granted extensions of the year: one query;
3. the sums per officer and kind: read from credit_totals (kept in step with
   the ledger) when the window is the calendar year, else one GROUP BY over
   credit_entries (a past *as_of* inside the year);
4. entry by entry, only where sums cannot stand in for entries: the
   computer-based and college entries of officers over a cap (the caps decide
   *which* hours to drop, entry by entry) and every entry of officers holding
   an extension (their window differs): one query per 900 officers.

Every officer is then evaluated by the one evaluator. Exclusion reasons are
not produced here (summed facts have no entry ids): a transcript comes from
approvals.credit.standing. tests/test_credit_statewide.py proves this path
agrees with the transcript path officer by officer.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from approvals.compliance import CreditFact, ExtensionFact, OfficerFacts, PeriodRules, Standing, evaluate
from approvals.credit.periods import period_rules
from approvals.credit.standing import fact_from_values
from approvals.extensions import db
from approvals.models.compliance import Extension
from approvals.models.credit import AREA_KEYS, DESIGNATION_KEYS, CreditEntry
from approvals.models.credit_totals import SUM_COLUMNS, CreditTotal, grouped_sums_select
from approvals.models.officer import Commission, Officer

_CHUNK = 900  # officer ids per IN (...) list
_t = CreditEntry.__table__


def _float(column: sa.ColumnElement) -> sa.ColumnElement:
    # NUMERIC comes back as Decimal from PostgreSQL's driver; the evaluator counts in floats.
    return sa.cast(column, sa.Float)


def fetch_all(stmt: sa.Select) -> list[tuple]:
    """Rows of *stmt* straight from the driver, without SQLAlchemy's per-row processing
    (a third of the statewide time). Values are rendered into the SQL: only for
    statements built here from ids, dates and fixed strings, never from user input.
    Dates come back as text on SQLite."""
    conn = db.session.connection()
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


@dataclass(slots=True)
class OfficerStanding:
    officer_id: int
    license_number: str
    name: str
    email: str
    user_id: int | None
    agency_id: int | None  # commissioning agency on as_of; None = not commissioned
    standing: Standing


def standings(year: int, as_of: date | None = None, *, agency_id: int | None = None) -> list[OfficerStanding]:
    """Every officer's standing for *year* as of *as_of* (default today), in
    license-number order; only officers commissioned by *agency_id* on
    *as_of* when given. Raises UnknownPeriod / InvalidFact as evaluate does."""
    as_of = as_of or date.today()
    rules = period_rules(year)
    scope = None
    if agency_id is not None:
        scope = sa.select(Commission.officer_id).where(Commission.agency_id == agency_id, _active(as_of))
    officers = _officers(as_of, agency_id)
    extended = _extensions(rules, scope)
    last_day = min(rules.grace_date if rules.counts_completions_in_grace else rules.due_date, as_of)
    groups, over_cap = _summed_groups(rules, as_of, last_day, scope, set(extended))
    detail = _entries(rules, sorted(over_cap), last_day, pools_only=True)
    latest = max((e.new_due_date for facts in extended.values() for e in facts), default=rules.grace_date)
    detail.update(_entries(rules, sorted(extended), max(latest, rules.grace_date), pools_only=False))

    results = []
    for officer_id, license_number, name, licensed_on, email, user_id, agency in officers:
        facts = OfficerFacts(license_number, name, licensed_on, commissioned=agency is not None)
        credits = groups.get(officer_id, []) if officer_id not in extended else []
        credits = credits + detail.get(officer_id, [])
        standing = evaluate(facts, rules, credits, extended.get(officer_id, ()), as_of=as_of)
        results.append(OfficerStanding(officer_id, license_number, name, email, user_id, agency, standing))
    return results


def _active(as_of: date) -> sa.ColumnElement[bool]:
    return sa.and_(Commission.started_on <= as_of,
                   sa.or_(Commission.ended_on.is_(None), Commission.ended_on >= as_of))


def _officers(as_of: date, agency_id: int | None) -> list[tuple]:
    stmt = (
        sa.select(Officer.id, Officer.license_number, Officer.name, Officer.licensed_on, Officer.email,
                  Officer.user_id, Commission.agency_id, Commission.started_on)
        .outerjoin(Commission, sa.and_(Commission.officer_id == Officer.id, _active(as_of)))
        .order_by(Officer.license_number, Commission.started_on)
    )
    if agency_id is not None:
        stmt = stmt.where(Commission.agency_id == agency_id)
    rows: dict[int, tuple] = {}
    for *officer, agency, _started in db.session.execute(stmt):
        rows[officer[0]] = (*officer, agency)  # overlapping commissions: the latest started wins
    return list(rows.values())


def _extensions(rules: PeriodRules, scope: sa.Select | None) -> dict[int, list[ExtensionFact]]:
    """Officers holding a granted extension past the due date, with all their extension facts."""
    stmt = sa.select(Extension.officer_id, Extension.kind, Extension.new_due_date, Extension.status).where(
        Extension.year == rules.year)
    if scope is not None:
        stmt = stmt.where(Extension.officer_id.in_(scope))
    facts: dict[int, list[ExtensionFact]] = defaultdict(list)
    for officer_id, kind, new_due, status in db.session.execute(stmt):
        facts[officer_id].append(ExtensionFact(str(kind), new_due, str(status) == "granted"))
    return {o: f for o, f in facts.items()
            if any(e.granted and e.new_due_date > rules.due_date for e in f)}


def _summed_groups(rules: PeriodRules, as_of: date, last_day: date, scope: sa.Select | None,
                   skip: set[int]) -> tuple[dict[int, list[CreditFact]], set[int]]:
    """Summed facts per officer of the entries completed from the start of the
    period to *last_day*, and the officers over a cap.

    Read from credit_totals when the window is the calendar year and nothing
    in it can be dated after *as_of* (entries are never dated in the future);
    otherwise summed from credit_entries in SQL.
    """
    year = rules.year
    calendar_year = rules.start == date(year, 1, 1) and last_day <= date(year, 12, 31)
    if calendar_year and (last_day == date(year, 12, 31) or as_of >= date.today()):
        t = CreditTotal.__table__
        stmt = sa.select(t.c.officer_id, t.c.college, t.c.approved, t.c.computer_based,
                         *(_float(t.c[c]) for c in SUM_COLUMNS)).where(t.c.year == year, t.c.entries > 0)
        officer_column = t.c.officer_id
    else:
        window = sa.and_(_t.c.completed_on >= rules.start, _t.c.completed_on <= last_day)
        inner = grouped_sums_select(window).subquery()
        stmt = sa.select(inner.c.officer_id, inner.c.college, inner.c.approved, inner.c.computer_based,
                         *(_float(inner.c[c]) for c in SUM_COLUMNS))
        officer_column = inner.c.officer_id
    if scope is not None:
        stmt = stmt.where(officer_column.in_(scope))

    groups: dict[int, list[CreditFact]] = defaultdict(list)
    pool_sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    start = rules.start
    for (officer_id, college, approved, computer_based, value, semester,
         legal, technical, interpersonal, skill, firearms, racial, bias, deesc) in fetch_all(stmt):
        if officer_id in skip or not value:
            continue
        areas = {}
        if legal:
            areas["legal"] = legal
        if technical:
            areas["technical"] = technical
        if interpersonal:
            areas["interpersonal"] = interpersonal
        if skill:
            areas["skill_development"] = skill
        designations = {}
        if firearms:
            designations["firearms"] = firearms
        if racial:
            designations["racial_profiling"] = racial
        if bias:
            designations["implicit_bias"] = bias
        if deesc:
            designations["deescalation"] = deesc
        delivery = "computer_based" if computer_based else "in_person"
        groups[officer_id].append(CreditFact(
            f"sum/{int(college)}{int(approved)}{int(computer_based)}", value, start,
            "college" if college else "in_service", "approved_provider" if approved else "licensed_provider",
            delivery, areas, designations, semester if college else None))
        if computer_based:
            pool_sums[officer_id][0] += value - firearms
        if college:
            pool_sums[officer_id][1] += value
    over_cap = {o for o, (cb, college) in pool_sums.items()
                if cb > rules.computer_based_max or college > rules.college_max}
    for officer_id in over_cap:
        # The caps pick hours entry by entry: these pools are loaded one by one instead.
        groups[officer_id] = [f for f in groups[officer_id] if not _in_pool(f)]
    return groups, over_cap


def _in_pool(fact: CreditFact) -> bool:
    return fact.delivery == "computer_based" or fact.source == "college"


def _entries(rules: PeriodRules, officer_ids: list[int], until: date, *,
             pools_only: bool) -> dict[int, list[CreditFact]]:
    """Entry-by-entry facts of *officer_ids* completed from the period's start
    until *until*, in transcript order (completed_on, id)."""
    columns = [
        _t.c.id, _float(_t.c.hours), _t.c.completed_on, _t.c.source, _t.c.provider, _t.c.delivery,
        *(_float(_t.c[f"hours_{k}"]) for k in (*AREA_KEYS, *DESIGNATION_KEYS)), _float(_t.c.semester_hours),
    ]
    out: dict[int, list[CreditFact]] = defaultdict(list)
    for i in range(0, len(officer_ids), _CHUNK):
        stmt = (
            sa.select(_t.c.officer_id, *columns)
            .where(_t.c.officer_id.in_(officer_ids[i:i + _CHUNK]), _t.c.superseded_at.is_(None),
                   _t.c.completed_on >= rules.start, _t.c.completed_on <= until)
            .order_by(_t.c.officer_id, _t.c.completed_on, _t.c.id)
        )
        if pools_only:
            stmt = stmt.where(sa.or_(_t.c.delivery == "computer_based", _t.c.source == "college"))
        for officer_id, entry_id, hours, completed_on, *rest in fetch_all(stmt):
            if isinstance(completed_on, str):  # SQLite hands DATE back as text
                completed_on = date.fromisoformat(completed_on)
            out[officer_id].append(fact_from_values((entry_id, hours, completed_on, *rest)))
    return out

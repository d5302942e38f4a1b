"""The statewide path (summed facts, credit_totals, entry-by-entry only where needed) agrees with
the transcript path (every entry) officer by officer, for the whole state and for one agency."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from approvals.credit import ledger
from approvals.credit.standing import transcript
from approvals.credit.statewide import standings
from approvals.extensions import db
from approvals.models import Extension, Officer
from approvals.models.credit_totals import CreditTotal, grouped_sums_select, rebuild_totals
from tests.credit_helpers import officer

YEAR = 2024
AREAS = ("legal", "technical", "interpersonal", "skill_development")


def _random_entry(rng: random.Random, heavy_online: bool) -> ledger.CreditInput:
    on = date(YEAR, 1, 1) + timedelta(days=rng.randrange(-30, 420))
    source = rng.choices(("in_service", "college", "instruction", "military", "out_of_state", "federal"),
                         weights=(60, 10, 8, 6, 8, 8))[0]
    online = rng.random() < (0.8 if heavy_online else 0.35)
    provider = rng.choice(("approved_provider", "licensed_provider", "in_service"))
    semester = None
    hours = rng.choice((0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0))
    if source == "college":
        semester = rng.choice((1.0, 2.0, 3.0, 4.0, 5.0))
        hours, provider = semester * 2, "approved_provider"
    elif source == "military":
        provider = "licensed_provider"
    half = dict.fromkeys(AREAS, 0)
    for _ in range(int(hours * 2)):
        half[rng.choice(AREAS)] += 1
    areas = {k: v / 2 for k, v in half.items() if v}
    designations = {}
    if areas.get("skill_development") and rng.random() < 0.5:
        designations["firearms"] = rng.choice((0.5, areas["skill_development"]))
    for name in ("racial_profiling", "implicit_bias", "deescalation"):
        if rng.random() < 0.25:
            designations[name] = min(hours, rng.choice((0.5, 1.0, 2.0)))
    return ledger.CreditInput(title="Random", hours=hours, completed_on=on, source=source, provider=provider,
                              delivery="computer_based" if online else "in_person", areas=areas,
                              designations=designations, semester_hours=semester)


@pytest.fixture
def state(make):
    rng = random.Random(7)
    agencies = [make.agency(f"Agency {i}") for i in range(3)]
    admin, staff = make.user("post_admin"), make.user("agency_staff", agencies[0])
    officers = []
    for i in range(90):
        licensed = rng.choice((date(2010, 5, 1), date(YEAR - 1, 12, 31), date(YEAR, 1, 1), date(YEAR, 7, 1)))
        row = officer(f"S-{i:03d}", rng.choice([*agencies, None]), licensed_on=licensed)
        entries = [ledger.add_credit(row.id, _random_entry(rng, heavy_online=i % 3 == 0), actor=admin,
                                     today=date(YEAR + 2, 1, 1)) for _ in range(rng.randint(0, 16))]
        db.session.flush()
        for entry in entries:
            if rng.random() < 0.1:
                ledger.supersede(entry, actor=admin, reason="test")
        officers.append(row)
    for row in officers[::9]:
        db.session.add(Extension(officer_id=row.id, year=YEAR, kind="medical", new_due_date=date(YEAR + 1, 5, 31),
                                 reason="leave", status=rng.choice(("granted", "denied")), requested_by_id=staff.id,
                                 decided_by_id=admin.id, decided_at=sa.func.now()))
    db.session.commit()
    return agencies


def _check(as_of: date, agency_id: int | None = None) -> int:
    compared = 0
    for item in standings(YEAR, as_of, agency_id=agency_id):
        expected = transcript(db.session.get(Officer, item.officer_id), YEAR, as_of).standing
        got = item.standing
        assert (got.status, got.due_date, got.report_by, got.requirements) == (
            expected.status, expected.due_date, expected.report_by, expected.requirements), item.license_number
        compared += 1
    return compared


@pytest.mark.parametrize("as_of", [date(YEAR, 3, 31), date(YEAR, 9, 30), date(YEAR, 12, 31), date(YEAR + 1, 2, 1),
                                   date(YEAR + 1, 6, 1)])
def test_statewide_agrees_with_each_transcript(state, as_of):
    assert _check(as_of) == 90
    statuses = {str(i.standing.status) for i in standings(YEAR, as_of)}
    assert len(statuses) >= 3


def test_agency_scope_agrees_and_lists_only_its_officers(state):
    agency = state[1]
    count = _check(date(YEAR + 1, 2, 1), agency_id=agency.id)
    assert count == len([o for o in db.session.scalars(sa.select(Officer))
                         if o.commission_on(date(YEAR + 1, 2, 1)) and o.commission_on(date(YEAR + 1, 2, 1)).agency_id == agency.id])


def test_incremental_totals_equal_a_rebuild_from_the_ledger(state):
    def rows(select: sa.Select) -> list[tuple]:
        # Rows whose entries were all superseded stay behind at zero; a rebuild does not make them.
        return sorted(tuple(r) for r in db.session.execute(select).all() if r.entries)

    incremental = rows(sa.select(CreditTotal.__table__))
    assert incremental and incremental == rows(grouped_sums_select())
    rebuild_totals(db.session.connection())
    assert rows(sa.select(CreditTotal.__table__)) == incremental

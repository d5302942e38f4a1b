"""Synthetic ledger for bench/compliance.py: agencies, officers, commissions, credit entries.

Deterministic for a seed. Two mixes:

* ``typical``: 25 entries of 0.5-8 h (mean about 1.6 h), about 45 %
  computer-based, a few college/military/instruction entries, some outside
  the year; roughly one officer in six goes over the 22-hour computer-based
  cap, so the cap logic runs entry by entry for them.
* ``heavy``: every entry 2-4 h and 70 % computer-based: nearly every officer
  is over the cap (the worst case for the statewide path).

Rows go in through SQLAlchemy Core in batches (the ORM would take minutes).
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from approvals.extensions import db
from approvals.models import Agency, Commission, CreditEntry, Extension, Officer, User
from approvals.models._types import utcnow
from approvals.models.credit_totals import rebuild_totals

AREAS = ("legal", "technical", "interpersonal", "skill_development")
DESIGNATIONS = ("racial_profiling", "implicit_bias", "deescalation")
BATCH = 20_000


def _entry(rng: random.Random, officer_id: int, year: int, mix: str, user_id: int) -> dict:
    day = date(year, 1, 1) + timedelta(days=rng.randrange(-15, 380))  # a few outside the year
    if mix == "heavy":
        hours = rng.choice((2.0, 2.5, 3.0, 4.0))
        computer_based = rng.random() < 0.7
    else:
        hours = rng.choices((0.5, 1.0, 1.5, 2.0, 4.0, 8.0), weights=(15, 45, 10, 20, 7, 3))[0]
        computer_based = rng.random() < 0.45
    source = rng.choices(("in_service", "instruction", "college", "military", "out_of_state", "federal"),
                         weights=(80, 5, 2, 2, 5, 6))[0]
    provider = rng.choices(("approved_provider", "licensed_provider", "in_service"), weights=(30, 20, 50))[0]
    semester = None
    if source == "college":
        semester = rng.choice((1.0, 2.0, 3.0))
        hours, provider = semester * 2, "approved_provider"
    elif source == "military":
        provider = "licensed_provider"
    half = {a: 0 for a in AREAS}
    for _ in range(int(hours * 2)):
        half[rng.choice(AREAS)] += 1
    row = {f"hours_{a}": n / 2 for a, n in half.items()}
    # Firearms hours are approved for live delivery; a few computer-based ones slip through.
    firearms_share = 0.01 if computer_based else 0.3
    firearms = row["hours_skill_development"] if rng.random() < firearms_share else 0.0
    row.update(
        officer_id=officer_id, title="Synthetic course", provider_name="", hours=hours, completed_on=day,
        source=source, provider=provider, delivery="computer_based" if computer_based else "in_person",
        hours_firearms=firearms, semester_hours=semester, note="", entered_by_id=user_id,
        created_at=utcnow(), supersede_reason="",
    )
    for d in DESIGNATIONS:
        row[f"hours_{d}"] = min(hours, 1.0) if rng.random() < 0.08 else 0.0
    return row


def load(officers: int, entries_each: int, year: int, *, mix: str = "typical", seed: int = 2023,
         agencies: int = 120, progress: bool = True) -> None:
    """Fill an empty, migrated database. Commits."""
    rng = random.Random(seed)
    conn = db.session.connection()
    conn.execute(sa.insert(Agency.__table__), [
        {"name": f"Agency {i}", "ori": f"MO{i:07d}", "county": "", "active": True, "created_at": utcnow()}
        for i in range(1, agencies + 1)])
    conn.execute(sa.insert(User.__table__), [{
        "email": "bench-admin@post.example.gov", "name": "Bench admin", "role": "post_admin",
        "active": True, "password_hash": "", "created_at": utcnow(), "session_nonce": 0, "on_leave": False}])
    user_id = conn.scalar(sa.select(User.id))
    agency_ids = list(conn.scalars(sa.select(Agency.id)))
    officer_rows, commission_rows = [], []
    for i in range(1, officers + 1):
        licensed = date(year, 1, 1) - timedelta(days=rng.randrange(-200, 9000))
        officer_rows.append({"id": i, "license_number": f"B{i:07d}", "name": f"Officer {i}", "licensed_on": licensed,
                             "email": f"officer{i}@example.gov", "created_at": utcnow()})
        if rng.random() < 0.93:
            commission_rows.append({"officer_id": i, "agency_id": rng.choice(agency_ids),
                                    "started_on": licensed, "ended_on": None})
    conn.execute(sa.insert(Officer.__table__), officer_rows)
    conn.execute(sa.insert(Commission.__table__), commission_rows)
    conn.execute(sa.insert(Extension.__table__), [{
        "officer_id": i, "year": year, "kind": "medical", "new_due_date": date(year + 1, 6, 30),
        "reason": "Medical leave", "status": "granted", "agency_id": None, "requested_by_id": user_id,
        "requested_at": utcnow(), "decided_by_id": user_id, "decided_at": utcnow(), "decision_note": ""}
        for i in range(1, officers + 1, 97)])
    batch: list[dict] = []
    iterator = range(1, officers + 1)
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, desc="credit entries", unit=" officers", mininterval=1)
    table = CreditEntry.__table__
    for i in iterator:
        batch.extend(_entry(rng, i, year, mix, user_id) for _ in range(entries_each))
        if len(batch) >= BATCH:
            conn.execute(sa.insert(table), batch)
            batch = []
    if batch:
        conn.execute(sa.insert(table), batch)
    rebuild_totals(conn)
    db.session.commit()

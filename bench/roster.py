"""Roster import: 10,000 rows posted through the roster service, beside csv alone.

Builds a migrated SQLite database with 10,000 officers (commissioned by 40
agencies) and one approved 8-hour course with five past offerings, each with
a licensed instructor. A roster may list at most approvals.credit.rosters.
MAX_ROWS (2,000) officers, so the 10,000 rows are five CSV files of 2,000,
one per offering, as five coordinators would upload them. Each file goes the
way the roster page's CSV upload sends it: ``rosters.parse_csv`` ->
``rosters.post`` (every row checked, one credit entry per officer, the
instructor's 1:1 credit, the audit event) -> commit.

Baseline: reading the same five files with the csv module alone (decode, then
every row into a list), in the same run. Target: each 2,000-row roster, one
web request, in under 3 s, so the 10,000 rows in under 15 s.

Run: ``.venv/bin/python bench/roster.py [--rows N] [--per-roster N]``
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from _report import emit  # noqa: E402
from _services import embedded_redis  # noqa: E402
from approvals import create_app  # noqa: E402
from approvals.credit import rosters  # noqa: E402
from approvals.extensions import db  # noqa: E402
from approvals.models import (  # noqa: E402
    Agency, Application, ApplicationState, Commission, CreditEntry, Offering, Officer, Role, User,
)
from approvals.models._types import utcnow  # noqa: E402
from approvals.models.offering import MAX_SEATS  # noqa: E402

AGENCIES = 40
TARGET_PER_ROSTER_S = 3.0
HOURS = {"total": 8.0, "legal": 2.0, "technical": 2.0, "interpersonal": 2.0, "skill_development": 2.0,
         "firearms": 2.0, "racial_profiling": 0.0, "implicit_bias": 0.0, "deescalation": 1.0}


def build(rows: int, per_roster: int) -> tuple[int, list[int], list[bytes]]:
    """Officers, the course and its offerings; returns (poster id, offering ids, one CSV per offering)."""
    rng = random.Random(2026)
    today = date.today()
    conn = db.session.connection()
    conn.execute(sa.insert(Agency.__table__), [
        {"name": f"Agency {i:03d} Police Department", "ori": f"MO{i:07d}", "county": "Boone", "active": True,
         "created_at": utcnow()} for i in range(1, AGENCIES + 1)])
    instructors = len(range(0, rows, per_roster))
    conn.execute(sa.insert(Officer.__table__), [
        {"id": i, "license_number": f"B{i:07d}", "name": f"Officer {i}", "email": "", "created_at": utcnow(),
         "licensed_on": date(today.year - 1, 1, 1) - timedelta(days=rng.randrange(0, 9000))}
        for i in range(1, rows + instructors + 1)])
    conn.execute(sa.insert(Commission.__table__), [
        {"officer_id": i, "agency_id": rng.randint(1, AGENCIES), "started_on": date(today.year - 1, 1, 1),
         "ended_on": None} for i in range(1, rows + instructors + 1)])
    poster = User(email="coordinator@agency.example.gov", name="Coordinator", role=Role.AGENCY_STAFF, agency_id=1)
    db.session.add(poster)
    db.session.flush()
    course = Application(agency_id=1, created_by_id=poster.id, title="Crisis Intervention for Patrol Officers",
                         synopsis="Synopsis", delivery_method="in_person", state=ApplicationState.APPROVED,
                         approval_number=f"MO-IS-{today.year}-000001", approved_on=today - timedelta(days=200),
                         expires_on=today + timedelta(days=500))
    for key, value in HOURS.items():
        setattr(course, f"hours_{key}", value)
        setattr(course, f"approved_{key}", value)
    db.session.add(course)
    db.session.flush()
    ends_on = max(today - timedelta(days=3), date(today.year, 1, 1))
    offerings, files = [], []
    for n, start in enumerate(range(0, rows, per_roster)):
        offering = Offering(application_id=course.id, agency_id=1, starts_on=ends_on, ends_on=ends_on,
                            online=False, location="Range", online_url="", seats=MAX_SEATS,
                            instructor_licenses=f"B{rows + n + 1:07d}", contact_name="C",
                            contact_email="c@example.gov", created_by_id=poster.id)
        db.session.add(offering)
        db.session.flush()
        offerings.append(offering.id)
        lines = ["license_number,hours"] + [f"B{i:07d},{rng.choice(('8', '7.5', '6', '4'))}"
                                            for i in range(start + 1, min(start + per_roster, rows) + 1)]
        files.append(("\n".join(lines) + "\n").encode())
    db.session.commit()
    return poster.id, offerings, files


def csv_only(files: list[bytes]) -> int:
    rows = 0
    for data in files:
        rows += len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) - 1
    return rows


def run(rows: int, per_roster: int, tmp: Path, redis_url: str) -> dict:
    """Build, post every roster, read the files with csv alone; returns the timings and counts."""
    from flask_migrate import upgrade

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "REDIS_URL": redis_url,
                                 "INSTANCE_DIR": tmp / "instance", "UPLOAD_DIR": tmp / "uploads"})
    with app.app_context():
        upgrade(revision="heads")
        poster_id, offering_ids, files = build(rows, per_roster)
    seconds = []
    for offering_id, data in zip(offering_ids, files, strict=True):
        # Each upload in a context and session of its own, as one request would be.
        with app.app_context():
            started = time.perf_counter()
            lines = rosters.parse_csv(data)
            rosters.post(db.session.get(Offering, offering_id), lines, db.session.get(User, poster_id), via="csv")
            db.session.commit()
            seconds.append(time.perf_counter() - started)
    started = time.perf_counter()
    parsed = csv_only(files)
    csv_s = time.perf_counter() - started
    with app.app_context():
        entries = db.session.scalar(sa.select(sa.func.count()).select_from(CreditEntry).where(
            CreditEntry.source != "instruction"))
        db.engine.dispose()
    return {"seconds": seconds, "csv_s": csv_s, "parsed": parsed, "entries": entries}


def report(rows: int, per_roster: int, r: dict) -> int:
    seconds, csv_s = r["seconds"], r["csv_s"]
    total, slowest = sum(seconds), max(seconds)
    target = TARGET_PER_ROSTER_S * len(seconds)
    print(f"# {rows:,} rows as {len(seconds)} rosters of up to {per_roster:,}; each roster (s): "
          + ", ".join(f"{s:.2f}" for s in seconds)
          + f"; credit entries posted: {r['entries']:,}; csv rows read: {r['parsed']:,}")
    print(f"{'metric':<34} {'value':>9} {'baseline':>9} {'ratio':>8}  target")
    print(f"{'roster import, all rows (s)':<34} {total:9.3f} {csv_s:9.4f} {total / csv_s:8.0f}  < {target:g} s "
          f"{'met' if total < target else 'MISSED'}")
    print(f"{'slowest roster (s)':<34} {slowest:9.3f} {'-':>9} {'-':>8}  < {TARGET_PER_ROSTER_S:g} s "
          f"{'met' if slowest < TARGET_PER_ROSTER_S else 'MISSED'}")
    complete = r["entries"] == rows == r["parsed"]
    if not complete:
        print(f"INCOMPLETE: {r['entries']} credit entries for {rows} rows", file=sys.stderr)
    emit(f"roster import, {rows:,} rows (s)", total, csv_s, baseline_is="csv module alone, same files",
         target=f"< {target:g} s", met=complete and total < target)
    emit(f"roster import, slowest {per_roster:,}-row roster (s)", slowest, None, baseline_is="-",
         target=f"< {TARGET_PER_ROSTER_S:g} s", met=complete and slowest < TARGET_PER_ROSTER_S)
    return 0 if complete else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--per-roster", type=int, default=rosters.MAX_ROWS)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-roster-"))
    try:
        with embedded_redis(tmp) as redis_url:
            result = run(args.rows, args.per_roster, tmp, redis_url)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report(args.rows, args.per_roster, result)


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the reviewer queue page with 100,000 applications (10,000 open) on SQLite.

Builds a fresh SQLite database (Alembic migrations, then a Core executemany
bulk insert), signs a reviewer in through the test client and times each
page over many requests, beside a trivial page of the same app (the
signed-in profile page: same login, session, layout and nav) in the same
run. Also counts the SQL statements each page runs.

Prints: metric, value, baseline, ratio, target. The baseline of a page's
time is the trivial page; the baseline of its statement count is the same
page over a database a hundred times smaller (N/100), so "ratio 1.0" means the
count does not grow with N.

Run: ``.venv/bin/python bench/queue_page.py [applications] [open] [requests]``
"""
from __future__ import annotations

import atexit
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from _report import emit  # noqa: E402
from approvals import create_app  # noqa: E402
from approvals.extensions import db  # noqa: E402
from approvals.models import Agency, Application, Role, User  # noqa: E402
from approvals.models._types import utcnow  # noqa: E402

PASSWORD = "Bench-Password-2026"
AGENCIES, REVIEWERS = 400, 20
CLOSED = (("approved", 0.70), ("denied", 0.12), ("withdrawn", 0.10), ("draft", 0.08))
OPEN = (("submitted", 0.30), ("in_review", 0.50), ("changes_requested", 0.20))


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([s for s, _ in table], weights=[w for _, w in table])[0]


def build(total: int, open_: int) -> tuple[object, int]:
    """A migrated SQLite database with *total* applications, *open_* of them
    open; returns (app, id of the benchmark reviewer)."""
    from flask_migrate import upgrade

    tmp = Path(tempfile.mkdtemp(prefix="bench-queue-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
                                 "INSTANCE_DIR": tmp / "instance", "UPLOAD_DIR": tmp / "uploads"})
    rng = random.Random(2026)
    with app.app_context():
        upgrade(revision="heads")
        db.session.execute(sa.insert(Agency.__table__), [
            {"name": f"Agency {i:03d} Police Department", "ori": f"MO{i:07d}", "county": "Boone", "active": True,
             "created_at": utcnow()} for i in range(AGENCIES)])
        users = []
        for i in range(REVIEWERS):
            u = User(email=f"reviewer{i}@post.example.gov", name=f"Reviewer {i:02d}", role=Role.POST_REVIEWER)
            u.set_password(PASSWORD)
            users.append(u)
        staff = User(email="staff@agency.example.gov", name="Staff", role=Role.AGENCY_STAFF, agency_id=1)
        staff.set_password(PASSWORD)
        db.session.add_all([*users, staff])
        db.session.commit()
        reviewer_ids = [u.id for u in users]

        now, start = utcnow(), time.perf_counter()
        rows, number = [], 0
        for i in range(total):
            state = _pick(rng, OPEN) if i < open_ else _pick(rng, CLOSED)
            submitted = now - timedelta(days=rng.uniform(0, 60 if i < open_ else 900))
            row = {
                "agency_id": rng.randint(1, AGENCIES), "created_by_id": staff.id, "state": state, "version": 3,
                "title": f"Course {i:06d}", "synopsis": "A course synopsis. " * 12, "attendance_policy": "Full",
                "evaluation_method": "Test", "contact_name": "C", "contact_email": "c@example.gov",
                "contact_phone": "", "attestation_name": "A", "attestation_title": "Chief", "attested": True,
                "created_at": submitted, "updated_at": submitted, "last_activity_at": submitted,
                "submitted_at": None if state == "draft" else submitted, "first_submitted_at": submitted,
                "revision_count": 1, "checklist": {}, "denial_codes": [], "decision_reason": "",
                "revoked_reason": "", "hours_total": 8.0, "hours_legal": rng.choice((0.0, 2.0)),
                "hours_technical": 2.0, "hours_interpersonal": 2.0, "hours_skill_development": 2.0,
                "hours_firearms": rng.choice((0.0, 2.0)), "hours_racial_profiling": 0.0, "hours_implicit_bias": 0.0,
                "hours_deescalation": 1.0,
                "assigned_reviewer_id": rng.choice(reviewer_ids) if state not in ("draft", "submitted") else None,
                "delivery_method": "in_person",
                # executemany needs the same keys in every row
                "approval_number": None, "approved_on": None, "expires_on": None, "approved_total": None,
            }
            if row["hours_legal"] == 0.0:
                row["hours_technical"] = 4.0
            if state == "approved":
                number += 1
                row.update(approval_number=f"MO-IS-{2020 + number % 6}-{number:06d}",
                           approved_on=date(2025, 1, 1), expires_on=date(2027, 1, 1), approved_total=8.0)
            rows.append(row)
            if len(rows) == 10_000:
                db.session.execute(sa.insert(Application.__table__), rows)
                rows = []
        if rows:
            db.session.execute(sa.insert(Application.__table__), rows)
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        print(f"# built {total:,} applications ({open_:,} open) in {time.perf_counter() - start:.1f} s", flush=True)
        return app, reviewer_ids[0]


def measure(client, url: str, n: int, engine: sa.Engine) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Median milliseconds over *n* requests (after two warm-ups) and the
    statements one request runs."""
    for _ in range(2):
        assert client.get(url).status_code == 200, url
    statements: list[str] = []

    def count(*_a) -> None:  # type: ignore[no-untyped-def]
        statements.append("x")

    sa.event.listen(engine, "before_cursor_execute", count)
    client.get(url)
    sa.event.remove(engine, "before_cursor_execute", count)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return statistics.median(times), len(statements)


PAGES = {
    "queue: my assignments": "/review/?tab=mine",
    "queue: all open": "/review/?tab=all",
    "queue: all open, page 200": "/review/?tab=all&page=200",
    "queue: unassigned, area+designation": "/review/?tab=unassigned&area=legal&designation=firearms",
    "queue: all open, past SLA": "/review/?tab=all&age=due",
}


def signed_in(total: int, open_: int):  # type: ignore[no-untyped-def]
    app, reviewer_id = build(total, open_)
    with app.app_context():
        email, engine = db.session.get(User, reviewer_id).email, db.engine
    # Requests run outside any app context, as in production: each gets its
    # own context and session (no identity map carried between requests).
    client = app.test_client()
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    return client, engine


def main(total: int = 100_000, open_: int = 10_000, requests: int = 25) -> None:
    small_client, small_engine = signed_in(total // 100, open_ // 100)
    small_counts = {label: measure(small_client, url, 1, small_engine)[1] for label, url in PAGES.items()}
    client, engine = signed_in(total, open_)
    base_ms, base_q = measure(client, "/profile", requests, engine)
    print(f"{'metric':<48} {'value':>9} {'baseline':>9} {'ratio':>7}  target")
    print(f"{'trivial page (/profile) median ms':<48} {base_ms:9.1f} {base_ms:9.1f} {1:7.1f}  (baseline)")
    counts = {}
    for label, url in PAGES.items():
        ms, queries = measure(client, url, requests, engine)
        counts[label] = queries
        verdict = "ok" if ms < 50 else "MISSED"
        print(f"{label + ' median ms':<48} {ms:9.1f} {base_ms:9.1f} {ms / base_ms:7.1f}  < 50 ms  {verdict}")
        emit(f"{label}, median (ms)", ms, base_ms, baseline_is="/profile page", target="< 50 ms", met=ms < 50)
        same = "ok" if queries == small_counts[label] else "GREW"
        print(f"{label + ' SQL statements':<48} {queries:9d} {small_counts[label]:9d} "
              f"{queries / small_counts[label]:7.1f}  same as at N={total // 100:,}  {same}")
    emit(f"queue pages: SQL statements (most of {len(PAGES)})", max(counts.values()), max(small_counts.values()),
         baseline_is=f"same pages at N={total // 100:,}", target="no growth",
         met=all(counts[k] == small_counts[k] for k in PAGES))


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))

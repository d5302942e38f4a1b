"""Benchmark: CLEE compliance of a whole state from an SQLite file, and one officer's page.

Builds (or reuses, with --db) a migrated SQLite database holding 20,000
officers with 25 credit entries each (bench/compliance_data.py: the
``typical`` mix, or ``--mix heavy`` where nearly every officer is over the
computer-based cap), then in one process:

* statewide: ``approvals.credit.statewide.standings`` for the year — every
  officer loaded through the service layer and evaluated by the evaluator;
  wall-clock median of 3 runs (after one warm-up), and its CPU time;
* statewide page: GET /credit/statewide (the same, plus charts and tables);
* officer page: GET /credit/officers/<id> for an officer with 25 entries,
  median of 30 requests;
* trivial page: GET /profile, same sign-in, session and layout, median of 30
  requests: the baseline the page figures are divided by.

Prints: metric, value, baseline, ratio, target. Targets: statewide under
3 s, one officer's page under 20 ms.

Run: ``.venv/bin/python bench/compliance.py [--officers N] [--entries N] [--mix typical|heavy] [--db PATH]``
"""
from __future__ import annotations

import argparse
import atexit
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402

from _report import emit  # noqa: E402
from approvals import create_app  # noqa: E402
from approvals.extensions import db  # noqa: E402

YEAR = 2023
PASSWORD = "Bench-Password-2026"
TARGET_STATEWIDE_S, TARGET_OFFICER_MS = 3.0, 20.0


def _app(path: Path):  # type: ignore[no-untyped-def]
    work = path.parent
    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "INSTANCE_DIR": work / "instance",
                                  "UPLOAD_DIR": work / "uploads"})


def build(path: Path, officers: int, entries: int, mix: str) -> None:
    from flask_migrate import upgrade

    import compliance_data

    app = _app(path)
    with app.app_context():
        upgrade(revision="heads")
        started = time.perf_counter()
        compliance_data.load(officers, entries, YEAR, mix=mix)
        print(f"# built {officers} officers x {entries} entries ({mix}) in {time.perf_counter() - started:.0f} s: {path}")
        db.engine.dispose()


def _median(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(path: Path) -> None:
    from approvals.credit.statewide import standings
    from approvals.models import CreditEntry, User

    app = _app(path)
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.role == "post_admin"))
        admin.set_password(PASSWORD)
        db.session.commit()
        admin_email = admin.email
        officer_id = db.session.scalar(sa.select(CreditEntry.officer_id).group_by(CreditEntry.officer_id)
                                       .having(sa.func.count() >= 25).limit(1))
        n_officers = db.session.scalar(sa.text("SELECT count(*) FROM officers"))
        n_entries = db.session.scalar(sa.text("SELECT count(*) FROM credit_entries"))
        as_of = date.today()
        result = standings(YEAR, as_of)  # warm-up (imports, caches, SQLite pages)
        statuses = Counter(str(r.standing.status) for r in result)
        state_s = _median(lambda: standings(YEAR, as_of), 3)
        cpu0 = time.process_time()
        standings(YEAR, as_of)
        state_cpu = time.process_time() - cpu0
        db.session.remove()

    client = app.test_client()
    client.post("/auth/login", data={"email": admin_email, "password": PASSWORD})

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        response.close()

    officer_url = f"/credit/officers/{officer_id}?year={YEAR}"
    for url in ("/profile", officer_url):
        get(url)  # warm-up
    trivial_ms = _median(lambda: get("/profile"), 30) * 1000
    officer_ms = _median(lambda: get(officer_url), 30) * 1000
    page_s = _median(lambda: get(f"/credit/statewide?year={YEAR}"), 3)

    print(f"# {n_officers} officers, {n_entries} credit entries; {YEAR} as of {as_of}: "
          + ", ".join(f"{k}={v}" for k, v in sorted(statuses.items())))
    rows = [
        ("statewide evaluation (s)", state_s, trivial_ms / 1000, f"< {TARGET_STATEWIDE_S:g}", state_s < TARGET_STATEWIDE_S),
        ("statewide evaluation CPU (s)", state_cpu, trivial_ms / 1000, f"< {TARGET_STATEWIDE_S:g}", state_cpu < TARGET_STATEWIDE_S),
        ("statewide page (s)", page_s, trivial_ms / 1000, "-", None),
        ("officer page (ms)", officer_ms, trivial_ms, f"< {TARGET_OFFICER_MS:g}", officer_ms < TARGET_OFFICER_MS),
        ("trivial page /profile (ms)", trivial_ms, trivial_ms, "-", None),
    ]
    print(f"{'metric':<30} {'value':>10} {'baseline':>10} {'ratio':>9}  {'target':<8} verdict")
    for name, value, baseline, target, ok in rows:
        verdict = "" if ok is None else ("met" if ok else "MISSED")
        print(f"{name:<30} {value:>10.3f} {baseline:>10.3f} {value / baseline:>9.1f}  {target:<8} {verdict}")
        if not name.startswith("trivial"):
            emit(name, value, baseline, baseline_is="/profile page", target=target, met=ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--officers", type=int, default=20_000)
    parser.add_argument("--entries", type=int, default=25)
    parser.add_argument("--mix", choices=("typical", "heavy"), default="typical")
    parser.add_argument("--db", type=Path, default=None, help="reuse (or create) this SQLite file")
    args = parser.parse_args()
    path = args.db
    if path is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench-compliance-"))
        atexit.register(shutil.rmtree, tmp, ignore_errors=True)
        path = tmp / "bench.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        build(path, args.officers, args.entries, args.mix)
    measure(path.resolve())


if __name__ == "__main__":
    main()

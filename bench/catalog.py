"""Catalog search with 50,000 approved courses: median and p95 server time.

Builds a fresh database by the migrations, bulk-inserts 50,000 approved
courses (and 100,000 objectives) through SQLAlchemy Core, populates the
catalog table and its full-text index, then times 35 different catalog
searches (words, phrases, filters, sorts, deep pages), three times each,
through Flask's test client, beside the trivial /healthz page in the same
run. Target: median under 30 ms.

    .venv/bin/python bench/catalog.py                      # SQLite (FTS5), a temporary file
    .venv/bin/python bench/catalog.py --database-url postgresql://postgres@127.0.0.1/bench_catalog
                                      # PostgreSQL: the database is WIPED (schema public dropped)
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from _report import emit  # noqa: E402
from approvals import create_app  # noqa: E402
from approvals.extensions import db  # noqa: E402
from approvals.models import Agency, Application, Objective, User  # noqa: E402
from approvals.models.catalog import rebuild_entries  # noqa: E402
from config import normalise_database_url  # noqa: E402

COURSES = 50_000
REPEATS = 3
TARGET_MS = 30.0
TOPICS = ("Patrol Firearms Crisis Legal Search Seizure Traffic Narcotics Interview Evidence Report Tactics "
          "Defensive Driving Pursuit Juvenile Domestic Violence Cyber Fraud Terrorism Ethics Leadership Wellness "
          "Trauma Homicide Burglary Robbery Gang Radar Lidar Impaired Accident Reconstruction Hazardous Materials "
          "Bias Profiling Communication Negotiation Hostage SWAT K9 Bicycle Marine Courtroom Testimony "
          "Surveillance Informant Forensic Photography Fingerprint Vehicle Stops Warrant Arrest Custody Miranda "
          "Jail Transport Medical Overdose Naloxone Mental Health Suicide Veterans Elder Abuse Child").split()
KINDS = ("Basics", "Update", "Refresher", "for Patrol Officers", "Advanced", "Instructor Course", "Workshop")
DOMAIN = ("officer officers training course law policy procedure scenario practical review evidence report "
          "court case decision community response safety risk assessment supervisor team incident exercise skill "
          "technique test evaluation video discussion lecture range vehicle stop search warrant consent suspect "
          "victim witness interview statement documentation missouri state federal standard practice radio "
          "dispatch equipment custody crisis escalation firearm weapon force arrest handcuff control tactics cover "
          "concealment threat recognise identify explain demonstrate apply describe analyse plan conduct complete "
          "debrief module").split()
FUNCTION = "the and of to in a for with on by is are as at from or that this their each".split()


def _vocabulary() -> tuple[list[str], list[float]]:
    # Zipf-distributed words, as in real prose: function words most common,
    # then the trade's words, then a long tail of rarer ones.
    rng = random.Random(7)
    syllables = "ka lo mi ne ru sa ti vo be da fe gi ho ju ly pa qu re so tu".split()
    tail = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(3000)})
    words = FUNCTION + [w for w in DOMAIN if w not in FUNCTION] + tail[:2000]
    weights, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1 / rank ** 1.07
        weights.append(total)
    return words, weights


WORDS, CUMULATIVE = _vocabulary()


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(WORDS, cum_weights=CUMULATIVE, k=n)).capitalize() + "."


def populate(count: int) -> float:
    """Insert *count* approved courses through Core and index them; returns seconds spent indexing."""
    rng = random.Random(2026)
    agencies = [{"name": f"Bench Agency {i}", "ori": f"MO{i:07d}", "county": "Boone"} for i in range(1, 61)]
    db.session.execute(sa.insert(Agency), agencies)
    agency_ids = list(db.session.scalars(sa.select(Agency.id)))
    db.session.execute(sa.insert(User), [{"email": f"staff{a}@bench.example.gov", "name": f"Staff {a}",
                                          "role": "agency_staff", "agency_id": a} for a in agency_ids])
    creators = dict(db.session.execute(sa.select(User.agency_id, User.id)).all())
    today = date.today()
    for start in range(0, count, 5000):
        rows = []
        for n in range(start, min(start + 5000, count)):
            areas = [rng.choice((0, 0.5, 1, 2, 4)) for _ in range(4)]
            areas[3] = areas[3] or 1
            total = sum(areas)
            firearms = min(areas[3], rng.choice((0, 0, 0, 1, 2)))
            agency = rng.choice(agency_ids)
            approved = today - timedelta(days=rng.randrange(0, 700))
            hours = dict(zip(("total", "legal", "technical", "interpersonal", "skill_development", "firearms",
                              "racial_profiling", "implicit_bias", "deescalation"),
                             (total, *areas, firearms, rng.choice((0, 0, 1)), rng.choice((0, 0, 1)),
                              rng.choice((0, 0, 0.5, 1))), strict=True))
            rows.append({
                "agency_id": agency, "created_by_id": creators[agency], "state": "approved",
                "title": f"{' '.join(rng.sample(TOPICS, 2))} {rng.choice(KINDS)}", "synopsis": _text(rng, 60),
                "delivery_method": "in_person" if firearms or rng.random() < 0.7 else "computer_based",
                "approval_number": f"MO-IS-{approved.year}-{n + 1:06d}", "approved_on": approved,
                "expires_on": approved + timedelta(days=730),
                **{f"hours_{k}": v for k, v in hours.items()}, **{f"approved_{k}": v for k, v in hours.items()},
            })
        db.session.execute(sa.insert(Application), rows)
    ids = list(db.session.scalars(sa.select(Application.id)))
    for start in range(0, len(ids), 10000):
        db.session.execute(sa.insert(Objective), [
            {"application_id": i, "position": p, "text": _text(rng, 12)} for i in ids[start:start + 10000] for p in (0, 1)])
    db.session.commit()
    started = time.perf_counter()
    with db.engine.begin() as conn:
        rebuild_entries(conn)
    return time.perf_counter() - started


QUERIES: list[dict[str, object]] = [
    *({"q": w} for w in ("firearms", "patrol", "crisis", "naloxone", "warrant", "officer", "hostage",
                         "reconstruction", "evidence", "miranda", "suicide", "training", "debrief")),
    *({"q": w} for w in ("patrol tactics", "search warrant", "mental health", "vehicle stops", "child abuse",
                         "defensive driving")),
    {"q": '"vehicle stops"'}, {"q": "crisis -suicide"}, {"q": "gang or narcotics"},
    {"q": "firearms", "designation": "firearms", "sort": "relevance"},
    {"q": "legal", "area": "legal", "min_hours": 2},
    {"q": "patrol", "delivery": "computer_based"}, {"q": "officer", "sort": "newest"},
    {"q": "training", "sort": "title", "page": 5},
    {}, {"sort": "title"}, {"designation": "deescalation"}, {"area": "interpersonal", "max_hours": 4},
    {"delivery": "computer_based", "sort": "newest", "page": 50}, {"agency": 7},
    {"min_hours": 8, "designation": "implicit_bias"}, {"q": "zzzznotaword"},
]


def time_get(client, url: str) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="a scratch PostgreSQL database (wiped); default SQLite")
    parser.add_argument("--courses", type=int, default=COURSES)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-catalog-"))
    url = normalise_database_url(args.database_url) or f"sqlite:///{tmp / 'bench.db'}"
    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": tmp, "UPLOAD_DIR": tmp / "up",
                                 "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade(revision="heads")
        started = time.perf_counter()
        index_s = populate(args.courses)
        entries = db.session.scalar(sa.text("SELECT count(*) FROM catalog_entries"))
        print(f"# {db.engine.dialect.name}: {entries:,} catalog entries; load {time.perf_counter() - started:.1f} s "
              f"of which indexing {index_s:.1f} s")
        if url.startswith("postgresql"):
            # What autovacuum would have done by now: statistics and the visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
    client = app.test_client()
    urls = ["/catalog/?" + urlencode(q) for q in QUERIES]
    for u in urls:  # warm-up: templates compiled, pages cached by the database
        time_get(client, u)
    time_get(client, "/healthz")
    search = [time_get(client, u) for _ in range(REPEATS) for u in urls]
    trivial = [time_get(client, "/healthz") for _ in range(len(search))]
    per_query = sorted(((statistics.median(search[i::len(urls)]), u) for i, u in enumerate(urls)), reverse=True)
    print(f"# {len(urls)} distinct searches x {REPEATS}; slowest: "
          + "; ".join(f"{ms:.1f} ms {u}" for ms, u in per_query[:3]))
    median, trivial_median = statistics.median(search), statistics.median(trivial)
    print(f"{'metric':<34}{'value':>10}{'baseline':>10}{'ratio':>8}  target")
    print(f"{'catalog search median (ms)':<34}{median:>10.1f}{trivial_median:>10.1f}{median / trivial_median:>7.1f}x"
          f"  < {TARGET_MS:.0f} ms: {'met' if median < TARGET_MS else 'MISSED'}")
    print(f"{'catalog search p95 (ms)':<34}{p95(search):>10.1f}{p95(trivial):>10.1f}"
          f"{p95(search) / p95(trivial):>7.1f}x  -")
    print("(baseline: GET /healthz, one SELECT 1, in the same process and run)")
    emit("catalog search, median (ms)", median, trivial_median, baseline_is="/healthz (SELECT 1)",
         target=f"< {TARGET_MS:.0f} ms", met=median < TARGET_MS)
    emit("catalog search, p95 (ms)", p95(search), p95(trivial), baseline_is="/healthz (SELECT 1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

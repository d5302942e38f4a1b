"""`make bench`: every bench script in turn, then one table of what they measured.

Each script runs as its own process, one at a time (they would slow each
other down), with the sizes below. Scripts report their figures through
bench/_report.py into a file named by BENCH_REPORT; their own output goes to
a log, shown when a script fails. The table: metric, value, the baseline
measured in the same run (and what it is), ratio = value / baseline, target,
met?. Timings move with the machine's load (the load average is printed);
the ratios move much less.

    .venv/bin/python bench/run_all.py            # the sizes the targets are stated for (~5-8 min on 2 cores)
    .venv/bin/python bench/run_all.py --quick    # smaller sizes, for trying the harness (~2 min)
    .venv/bin/python bench/run_all.py --only routing roster

Exit status: 1 when a script failed (crashed, timed out, or found work lost
or wrong); missed targets are reported in the table, not as a failure.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _report import ENV, read  # noqa: E402

TIMEOUT_S = 900


@dataclass(frozen=True)
class Bench:
    script: str
    args: tuple[str, ...]
    quick: tuple[str, ...]
    sizes: str
    quick_sizes: str


BENCHES = (
    Bench("queue_page.py", ("100000", "10000", "25"), ("20000", "2000", "10"),
          "100,000 applications (10,000 open), SQLite; 25 requests a page",
          "20,000 applications (2,000 open); 10 requests a page"),
    Bench("catalog.py", ("--courses", "50000"), ("--courses", "10000"),
          "50,000 approved courses, SQLite FTS5; 35 searches x 3", "10,000 courses"),
    Bench("letter.py", (), (), "30 renders of the letter and of a one-line page", "same"),
    Bench("compliance_eval.py", ("20000", "25"), ("5000", "25"),
          "20,000 officers x 25 credits, in memory", "5,000 officers x 25 credits"),
    Bench("compliance.py", ("--officers", "20000", "--entries", "25"), ("--officers", "5000", "--entries", "25"),
          "20,000 officers x 25 credit entries (500,000), SQLite", "5,000 officers x 25 entries"),
    Bench("routing.py", ("--applications", "500"), ("--applications", "100"),
          "500 submitted applications (+2,000 on desks, 20 reviewers); 2 x 500 no-op jobs; embedded Redis",
          "100 applications"),
    Bench("roster.py", ("--rows", "10000"), ("--rows", "2000"),
          "10,000 rows = 5 CSV rosters x 2,000 (the per-roster cap), 10,000 officers, SQLite",
          "2,000 rows = 1 roster"),
    Bench("catalog_api.py", ("--courses", "10000", "--seconds", "10", "--workers", "4"),
          ("--courses", "2000", "--seconds", "4", "--workers", "4"),
          "10,000 courses, SQLite; gunicorn -w 4 (sync), wrk -t2 -c8 for 10 s each, loopback",
          "2,000 courses; 4 s each"),
)


def run(bench: Bench, quick: bool, work: Path) -> tuple[list[dict], str | None, float]:
    """Run one script; returns (its rows, why it failed or None, seconds)."""
    report, log = work / f"{bench.script}.jsonl", work / f"{bench.script}.log"
    cmd = [sys.executable, str(BENCH / bench.script), *(bench.quick if quick else bench.args)]
    started = time.perf_counter()
    with open(log, "wb") as out:
        try:
            code = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, timeout=TIMEOUT_S,
                                  env={**os.environ, ENV: str(report), "PYTHONUNBUFFERED": "1"}).returncode
        except subprocess.TimeoutExpired:
            code = None
    seconds = time.perf_counter() - started
    rows = read(report)
    failure = None
    if code is None:
        failure = f"timed out after {TIMEOUT_S} s"
    elif code != 0:
        failure = f"exited with status {code}"
    elif not rows:
        failure = "reported no figures"
    if failure:
        tail = log.read_text(errors="replace").splitlines()[-25:]
        print(f"  {bench.script} {failure}; the end of its output:", *(f"    {line}" for line in tail), sep="\n")
    return rows, failure, seconds


def number(value: float | None) -> str:
    if value is None:
        return "-"
    size = abs(value)
    if value == int(value) and size < 1e6:
        return f"{int(value):,}"  # a count
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}" if size >= 0.01 else f"{value:.4f}"


def ratio(row: dict) -> str:
    if not row["baseline"]:
        return "-"
    r = row["value"] / row["baseline"]
    return f"{r:,.0f}x" if r >= 100 else f"{r:.1f}x" if r >= 1 else f"{r:.3f}x"


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table, columns padded so it reads in a terminal too."""
    head = ("metric", "value", "baseline", "baseline is", "ratio", "target", "met?")
    body = [(r["metric"], number(r["value"]), number(r["baseline"]), r["baseline_is"], ratio(r), r["target"],
             {True: "yes", False: "**NO**", None: "-"}[r["met"]]) for r in rows]
    widths = [max(len(str(line[i])) for line in (head, *body)) for i in range(len(head))]
    right = {1, 2, 4}

    def line(cells: tuple) -> str:
        return "| " + " | ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    rule = "|" + "|".join("-" * (w + 1) + ":" if i in right else "-" * (w + 2) for i, w in enumerate(widths)) + "|"
    return "\n".join([line(head), rule, *(line(b) for b in body)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, to try the harness")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these scripts (e.g. routing roster)")
    args = parser.parse_args()
    chosen = [b for b in BENCHES if not args.only or b.script.removesuffix(".py") in args.only]
    if not chosen:
        parser.error(f"no bench named {args.only}; there are {', '.join(b.script[:-3] for b in BENCHES)}")

    load_before, started = os.getloadavg(), time.perf_counter()
    print(f"# {len(chosen)} bench scripts, one at a time, on {os.cpu_count()} CPUs "
          f"(load average {load_before[0]:.1f})", flush=True)
    rows, failures, sizes = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-all-") as work:
        for i, bench in enumerate(chosen, 1):
            print(f"[{i}/{len(chosen)}] {bench.script} ...", end=" ", flush=True)
            got, failure, seconds = run(bench, args.quick, Path(work))
            print(f"{seconds:.0f} s" + (f" FAILED: {failure}" if failure else ""), flush=True)
            rows += got
            sizes.append(f"- {bench.script}: {bench.quick_sizes if args.quick else bench.sizes} ({seconds:.0f} s)")
            if failure:
                failures.append(f"{bench.script} {failure}")
    minutes = (time.perf_counter() - started) / 60
    print()
    print(table(rows))
    print()
    print(f"Sizes{' (--quick)' if args.quick else ''}:", *sizes, sep="\n")
    print(f"Total {minutes:.1f} min on {os.cpu_count()} CPUs; load average {load_before[0]:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after. ratio = value / baseline.")
    if failures:
        print("FAILED:", "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

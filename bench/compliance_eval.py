"""Benchmark: the compliance evaluator over 20,000 synthetic officers x 25 credits.

Prints one line per measurement, each in seconds:
  build    - constructing the input facts (validation included)
  noop     - a loop over the same data touching every credit (the floor)
  evaluate - ``evaluate`` for every officer

Run: ``.venv/bin/python bench/compliance_eval.py [officers] [credits_each]``
"""
from __future__ import annotations

import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _report import emit  # noqa: E402
from approvals.compliance import (  # noqa: E402
    CreditFact,
    ExtensionFact,
    OfficerFacts,
    evaluate,
    rules_for_year,
)

YEAR = 2023
AREAS = ("legal", "technical", "interpersonal", "skill_development")


def _split(rng: random.Random, half_hours: int) -> dict[str, float]:
    areas = dict.fromkeys(AREAS, 0)
    for _ in range(half_hours):
        areas[rng.choice(AREAS)] += 1
    return {a: n / 2 for a, n in areas.items() if n}


def _credit(rng: random.Random, officer: int, n: int) -> CreditFact:
    on = date(YEAR, 1, 1) + timedelta(days=rng.randrange(-20, 385))  # some outside the year
    kind = rng.choices(
        ("in_service", "college", "instruction", "military", "out_of_state", "federal"),
        weights=(70, 3, 8, 3, 8, 8),
    )[0]
    delivery = rng.choice(("in_person", "computer_based"))
    semester_hours = None
    if kind == "college":
        semester_hours = rng.choice((1.0, 2.0, 3.0))
        half = int(semester_hours * 4)
        provider = "approved_provider"
    else:
        half = rng.randint(1, 8)
        provider = "licensed_provider" if kind == "military" else rng.choice(
            ("approved_provider", "licensed_provider", "in_service")
        )
    areas = _split(rng, half)
    hours = half / 2
    designations: dict[str, float] = {}
    if "skill_development" in areas and rng.random() < 0.4:
        designations["firearms"] = areas["skill_development"]
    for name in ("racial_profiling", "implicit_bias", "deescalation"):
        if rng.random() < 0.08:
            designations[name] = min(hours, 1.0)
    return CreditFact(
        f"{officer}-{n}", hours, on, kind, provider, delivery, areas, designations, semester_hours
    )


def build(officers: int, credits_each: int, seed: int = 2023) -> list[tuple]:
    """Deterministic synthetic (officer, credits, extensions) tuples."""
    rng = random.Random(seed)
    data = []
    for i in range(officers):
        officer = OfficerFacts(
            f"MO-{i:06d}", f"Officer {i}", date(2005, 1, 1) + timedelta(days=rng.randrange(7000)),
            commissioned=rng.random() < 0.9,
        )
        credits = [_credit(rng, i, n) for n in range(credits_each)]
        extensions = (
            [ExtensionFact("medical", date(YEAR + 1, 6, 30), rng.random() < 0.5)]
            if rng.random() < 0.02 else []
        )
        data.append((officer, credits, extensions))
    return data


def main(officers: int = 20_000, credits_each: int = 25) -> None:
    rules = rules_for_year(YEAR)
    as_of = date(YEAR + 1, 2, 1)

    t0 = time.perf_counter()
    data = build(officers, credits_each)
    t_build = time.perf_counter() - t0

    t0 = time.perf_counter()
    sink = 0.0
    for _officer, credits, _extensions in data:
        for credit in credits:
            sink += credit.hours
    t_noop = time.perf_counter() - t0

    t0 = time.perf_counter()
    statuses: Counter[str] = Counter()
    for officer, credits, extensions in data:
        statuses[evaluate(officer, rules, credits, extensions, as_of=as_of).status] += 1
    t_eval = time.perf_counter() - t0

    n = officers * credits_each
    print(f"build    {t_build:8.3f} s  ({officers} officers x {credits_each} credits = {n} facts)")
    print(f"noop     {t_noop:8.3f} s  (loop over the same credits)")
    print(f"evaluate {t_eval:8.3f} s  ({t_eval / officers * 1e6:.0f} us/officer; "
          + ", ".join(f"{k}={v}" for k, v in sorted(statuses.items())) + ")")
    emit("compliance evaluator, every officer (s)", t_eval, t_noop, baseline_is="loop over the same credits")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
